"""The daily Kite login for a whole machine: run it once in the morning (cron or by hand).

Every script, web worker and Excel macro that then uses ``Kite()`` with the default
FileStore picks up the session without logging in again.

    KITE_PASSWORD=... KITE_TOTP_SECRET=... python examples/daily_login.py AB1234
"""

from __future__ import annotations

import os
import sys

from brokers.kite import Kite
from brokers.stores import FileStore


def main(user_id: str, **urls: str) -> str:
    with Kite(store=FileStore(os.environ.get("BROKERS_STORE") or None), **urls) as kite:
        kite.authorize(user_id=user_id, password=os.environ["KITE_PASSWORD"],
                       totp_secret=os.environ["KITE_TOTP_SECRET"])
        return f"{kite.user_id} logged in ({kite.auth_flow})"


if __name__ == "__main__":
    print(main(sys.argv[1]))
