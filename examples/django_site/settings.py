"""Settings for the example site (a real project has its own)."""

import os

SECRET_KEY = "example-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "urls"
INSTALLED_APPS = ["kiteapp"]
DATABASES: dict = {}
USE_TZ = True

KITE_USER_ID = os.environ.get("KITE_USER_ID", "")
KITE_PASSWORD = os.environ.get("KITE_PASSWORD", "")
KITE_TOTP_SECRET = os.environ.get("KITE_TOTP_SECRET", "")
BROKERS_STORE = os.environ.get("BROKERS_STORE") or None
KITE_URLS = {k: v for k, v in (("root", os.environ.get("KITE_ROOT")),
                               ("web_root", os.environ.get("KITE_WEB_ROOT"))) if v}
if os.environ.get("BROKERS_SANDBOX") and not KITE_URLS:  # a running `python -m brokers sandbox`
    from brokers.sandbox import client_urls

    KITE_URLS = client_urls(os.environ["BROKERS_SANDBOX"], "kite")
