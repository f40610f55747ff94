"""The daily Kite login for a whole machine: run it once in the morning (cron or by hand).

Every script, web worker and Excel macro that then uses ``Kite()`` with the default
FileStore picks up the session without logging in again.

    KITE_PASSWORD=... KITE_TOTP_SECRET=... python examples/daily_login.py AB1234

Environment: ``KITE_PASSWORD`` and ``KITE_TOTP_SECRET`` (required), ``KITE_USER_ID``
(instead of the argument), ``BROKERS_STORE`` (the session directory; default: the user
data dir). Against a running sandbox (``python -m brokers sandbox`` prints its URL and
its accounts' passwords and TOTP secrets): ``--sandbox http://127.0.0.1:PORT`` or
``BROKERS_SANDBOX=http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import argparse
import os
from typing import Any, Dict, List, Optional

from brokers.kite import Kite
from brokers.stores import FileStore


def sandbox_urls(url: Optional[str]) -> Dict[str, Any]:
    """Keyword arguments that point Kite at a running sandbox, or none for the real Kite."""
    if not url:
        return {}
    from brokers.sandbox import client_urls

    return client_urls(url, "kite")


def main(user_id: str, **urls: str) -> str:
    with Kite(store=FileStore(os.environ.get("BROKERS_STORE") or None), **urls) as kite:
        kite.authorize(user_id=user_id, password=os.environ["KITE_PASSWORD"],
                       totp_secret=os.environ["KITE_TOTP_SECRET"])
        return f"{kite.user_id} logged in ({kite.auth_flow})"


def cli(argv: Optional[List[str]] = None) -> str:
    p = argparse.ArgumentParser(description="The daily Kite login, saved for every process on this machine.")
    p.add_argument("user_id", nargs="?", default=os.environ.get("KITE_USER_ID"),
                   help="the Kite user id (default: $KITE_USER_ID)")
    p.add_argument("--sandbox", metavar="URL", default=os.environ.get("BROKERS_SANDBOX"),
                   help="log in to a running sandbox instead of Kite (default: $BROKERS_SANDBOX)")
    a = p.parse_args(argv)
    if not a.user_id:
        p.error("give the Kite user id (or set KITE_USER_ID)")
    missing = [v for v in ("KITE_PASSWORD", "KITE_TOTP_SECRET") if not os.environ.get(v)]
    if missing:
        p.error(f"set {' and '.join(missing)} in the environment")
    return main(a.user_id, **sandbox_urls(a.sandbox))


if __name__ == "__main__":
    print(cli())
