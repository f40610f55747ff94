"""Fyers end to end against the bundled sandbox (no account needed): the auth-code
login, a few REST calls, live ticks and order updates on background threads.

Run: ``python examples/fyers_quickstart.py``. For the real thing, drop the
sandbox and its URL keyword arguments: open ``auth.generate_authcode()`` in a
browser, log in, and pass the ``auth_code`` of the redirect to ``generate_token``.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List
from urllib.parse import parse_qs, urlsplit

import requests

from brokers.fyers import Fyers, FyersAuth, FyersFeed, FyersOrder
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore


def main() -> None:
    with Sandbox() as sb:
        app = sb.fyers
        store = MemoryStore()  # FileStore() keeps the day's login for every process
        with FyersAuth(app.client_id, app.redirect_uri, app.secret_key, store=store, **sb.fyers_urls()) as auth:
            # The browser step: the sandbox logs XS00001 in and redirects with the auth code.
            redirect = requests.get(auth.generate_authcode() + "&fy_id=XS00001", allow_redirects=False, timeout=5)
            code = parse_qs(urlsplit(redirect.headers["Location"]).query)["auth_code"][0]
            tokens = auth.generate_token(auth_code=code)

        with Fyers(client_id=app.client_id, store=store, **sb.fyers_urls()) as fyers:
            print("profile:", fyers.get_profile()["data"]["name"])
            print("SBIN:", fyers.quotes({"symbols": "NSE:SBIN-EQ"})["d"][0]["v"]["lp"])

            token = f"{app.client_id}:{tokens['access_token']}"
            ticks: List[Dict[str, Any]] = []
            enough, filled, subscribed = threading.Event(), threading.Event(), threading.Event()

            def on_tick(feed: FyersFeed, batch: List[Dict[str, Any]]) -> None:
                for t in batch:
                    print("tick", t["symbol"], t["ltp"], t.get("ch"))
                ticks.extend(batch)
                if len(ticks) >= 6:
                    enough.set()

            def on_order_update(feed: FyersOrder, message: Dict[str, Any]) -> None:
                order = message["orders"]
                print("order", order["id"], "status", order["status"])
                if order["status"] == 2:
                    filled.set()

            data = FyersFeed(token, **sb.fyers_feed_urls())
            data.on_connect = lambda feed: feed.subscribe(["NSE:SBIN-EQ", "NSE:NIFTY50-INDEX"])
            data.on_tick = on_tick
            orders = FyersOrder(token, url=sb.fyers_order_url())
            orders.subscribe("OnOrders")  # remembered, sent on connect and after every reconnect
            orders.on_order_update = on_order_update
            orders.on_general = lambda feed, m: subscribed.set() if m.get("code") == 1605 else None
            with data, orders:
                data.connect(threaded=True)
                orders.connect(threaded=True)
                enough.wait(10)
                subscribed.wait(10)  # the order socket acked SUB_ORD: updates will reach us
                placed = fyers.place_order({"symbol": "NSE:SBIN-EQ", "qty": 1, "type": 2, "side": 1,
                                            "productType": "INTRADAY", "orderTag": "quickstart"})
                print("placed", placed["id"])
                filled.wait(10)


if __name__ == "__main__":
    main()
