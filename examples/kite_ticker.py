"""Live Kite ticks on a background thread, against the bundled sandbox (no account needed).

Run: ``python examples/kite_ticker.py``. For the real feed, drop the sandbox and
pass your own credentials: ``KiteFeed(user_id=..., enctoken=...)`` (Kite Web) or
``KiteFeed(api_key, access_token=...)`` (KiteConnect).
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List

from brokers.kite import KiteFeed
from brokers.sandbox import Sandbox

INFY, NIFTY = 408065, 256265


def main() -> None:
    with Sandbox() as sb:
        feed = KiteFeed(user_id="AB1234", enctoken=sb.kite.issue_enctoken("AB1234"), **sb.kite_feed_urls())
        enough = threading.Event()
        seen: List[int] = []

        def on_connect(feed: KiteFeed) -> None:
            feed.subscribe([INFY, NIFTY])
            feed.set_mode(feed.MODE_FULL, [INFY])  # remembered: replayed after every reconnect

        def on_tick(feed: KiteFeed, ticks: List[Dict[str, Any]]) -> None:
            for t in ticks:
                print(t["instrument_token"], t["mode"], t["last_price"], t.get("exchange_timestamp"))
            seen.append(len(ticks))
            if len(seen) >= 5:
                enough.set()

        feed.on_connect = on_connect
        feed.on_tick = on_tick
        feed.on_error = lambda feed, error: print("error:", error)
        with feed:  # close() on the way out, even on Ctrl-C
            feed.connect(threaded=True)
            enough.wait(10)


if __name__ == "__main__":
    main()
