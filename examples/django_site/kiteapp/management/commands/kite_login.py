"""``python manage.py kite_login [USER_ID]``: the daily login, shared with every worker."""

from django.conf import settings
from django.core.management.base import BaseCommand

from brokers.kite import Kite
from brokers.stores import FileStore


class Command(BaseCommand):
    help = "Log in to Kite once for the day; web workers reuse the saved session."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("user_id", nargs="?", default=settings.KITE_USER_ID)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        with Kite(store=FileStore(settings.BROKERS_STORE), **settings.KITE_URLS) as kite:
            kite.authorize(user_id=options["user_id"], password=settings.KITE_PASSWORD,
                           totp_secret=settings.KITE_TOTP_SECRET, interactive=False)
            self.stdout.write(f"{kite.user_id} logged in ({kite.auth_flow})")
