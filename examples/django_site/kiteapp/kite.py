"""One Kite client per process, shared by every worker thread."""

from __future__ import annotations

import threading
from typing import Optional

from django.conf import settings

from brokers.kite import Kite
from brokers.stores import FileStore

_lock = threading.Lock()
_client: Optional[Kite] = None


def client() -> Kite:
    """The process's client. With the login credentials in settings it also logs in
    again by itself when the session dies (once, for all threads)."""
    global _client
    with _lock:
        if _client is None:
            kite = Kite(store=FileStore(settings.BROKERS_STORE), user_id=settings.KITE_USER_ID,
                        **settings.KITE_URLS)
            kite.authorize(user_id=settings.KITE_USER_ID, password=settings.KITE_PASSWORD,
                           totp_secret=settings.KITE_TOTP_SECRET, interactive=False)
            _client = kite
        return _client


def reset() -> None:
    """Forget the client (tests; settings changes)."""
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = None
