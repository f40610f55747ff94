"""``python -m brokers demo``: a tour of the library against the bundled sandbox.

Runs with no account and no network: it starts the sandbox on loopback, logs
in as a real user would (TOTP included), saves the session to a FileStore in a
temporary directory, and calls the APIs.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Sequence

import pyotp

from .sandbox import Sandbox
from .stores import FileStore


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as an aligned text table; numbers right-aligned."""
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}"
        return str(v)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) if text else len(h) for i, h in enumerate(headers)]
    numeric = [bool(rows) and all(isinstance(r[i], (int, float)) for r in rows) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in text]
    return "\n".join("  " + s for s in out)


def _step(title: str) -> None:
    print(f"\n== {title}")


def kite_tour(sb: Sandbox, store: FileStore, seconds: float) -> None:
    from .kite import Kite

    acct = sb.kite.accounts["AB1234"]
    _step("Kite: Kite Web login with a TOTP (pyotp), session saved to a FileStore")
    with Kite(store=store, **sb.kite_urls()) as kite:
        kite.authorize(user_id=acct.user_id, password=acct.password, twofa=pyotp.TOTP(acct.totp_secret).now)
        print(f"  logged in as {kite.user_id} via {kite.auth_flow}; saved to {store.path}")
    with Kite(store=store, **sb.kite_urls()) as kite:
        kite.authorize(user_id=acct.user_id)
        print(f"  a second client (another process would do the same) reused it via {kite.auth_flow}: no login")
        profile = kite.profile()
        print(f"  profile: {profile['user_name']} <{profile['email']}>, exchanges {', '.join(profile['exchanges'])}")

        _step("Kite: holdings")
        rows = [[h["tradingsymbol"], h["quantity"], h["average_price"], h["last_price"], h["pnl"]]
                for h in kite.holdings()]
        print(table(["symbol", "qty", "avg", "ltp", "P&L"], rows))

        _step("Kite: quote")
        q = kite.quote("NSE:INFY", "NSE:SBIN")
        print(table(["instrument", "ltp", "open", "high", "low", "volume", "time"],
                    [[k, v["last_price"], v["ohlc"]["open"], v["ohlc"]["high"], v["ohlc"]["low"], v["volume"],
                      v["timestamp"].strftime("%H:%M:%S")] for k, v in q.items()]))

        _step("Kite: a week of daily candles for INFY")
        today = dt.date.today()
        candles = kite.historical_data(408065, today - dt.timedelta(days=7), today, "day")
        print(table(["date", "open", "high", "low", "close", "volume"],
                    [[c["date"].strftime("%a %d %b"), c["open"], c["high"], c["low"], c["close"], c["volume"]]
                     for c in candles]))

        _step("Kite: an order, never retried (reconcile by tag if its answer is lost)")
        oid = kite.place_order(kite.VARIETY_REGULAR, "NSE", "INFY", "BUY", 1, kite.PRODUCT_CNC,
                               kite.ORDER_TYPE_LIMIT, price=1500.0, tag="demo")
        kite.modify_order(kite.VARIETY_REGULAR, oid, price=1505.0)
        kite.cancel_order(kite.VARIETY_REGULAR, oid)
        print(table(["order_id", "status", "price", "qty", "tag"],
                    [[h["order_id"], h["status"], h["price"], h["quantity"], h["tag"]]
                     for h in kite.order_history(oid)]))
        _extra_kite_feed(sb, kite, seconds)


def _feeds_available() -> bool:
    """Live feeds need websocket-client (feed extra) and, for the sandbox, websockets."""
    import importlib.util

    missing = [m for m in ("websocket", "websockets") if importlib.util.find_spec(m) is None]
    if missing:
        print("\n  (live feeds skipped: pip install websocket-client websockets to see them)")
    return not missing


def _extra_kite_feed(sb: Sandbox, kite: Any, seconds: float) -> None:
    """Live ticks and order updates, when the feed extras are installed."""
    if not _feeds_available():
        return
    import threading

    from .kite import KiteFeed

    _step(f"Kite: KiteFeed for {seconds:g} s (a thread that reconnects and resubscribes by itself)")
    ticks: Dict[int, Any] = {}
    updates: List[Dict[str, Any]] = []
    got_update = threading.Event()
    names = {408065: "INFY", 779521: "SBIN", 256265: "NIFTY 50"}

    streaming = threading.Event()
    tick_count = [0]

    def on_ticks(feed: Any, batch: List[Dict[str, Any]]) -> None:
        # Runs on the feed's dispatcher thread: keep it short, print from the main thread.
        tick_count[0] += len(batch)
        for t in batch:
            ticks[t["instrument_token"]] = t
        streaming.set()

    def on_connect(feed: Any) -> None:
        feed.subscribe(list(names))
        feed.set_mode("full", [408065])

    def on_order(feed: Any, order: Dict[str, Any]) -> None:
        updates.append(order)
        got_update.set()

    feed = KiteFeed(user_id=kite.user_id, enctoken=kite.enctoken, **sb.kite_feed_urls())
    feed.on_tick = on_ticks
    feed.on_connect = on_connect
    feed.on_order_update = on_order
    feed.connect(threaded=True)
    try:
        # Ticks flowing means the server has our session: an order update will reach us.
        if not streaming.wait(10):
            print("  no ticks arrived within 10 s")
            return
        oid = kite.place_order("regular", "NSE", "SBIN", "BUY", 1, "CNC", "MARKET", tag="demo-feed")
        if got_update.wait(5):
            u = updates[0]
            print(f"  order update pushed on the feed: {u['order_id']} {u['status']} "
                  f"{u['transaction_type']} {u['quantity']} {u['tradingsymbol']} @ {u['average_price']}")
        else:
            print(f"  no order update arrived for {oid} within 5 s")
        _live(seconds, lambda: "  ".join(f"{names.get(k, k)} {v['last_price']:>9.2f}"
                                         for k, v in sorted(ticks.items())))
    finally:
        feed.close()
    print(f"  {tick_count[0]} ticks received; feed closed")


def _live(seconds: float, line: Callable[[], str]) -> None:
    """Print ``line()`` a few times a second for ``seconds`` (one updating line on a terminal)."""
    import threading

    tty = sys.stdout.isatty()
    deadline = time.monotonic() + seconds
    pause = threading.Event()
    while time.monotonic() < deadline:
        pause.wait(0.25 if tty else 1.0)
        text = line()
        print(f"\r  {text}" if tty else f"  {text}", end="" if tty else "\n", flush=True)
    if tty:
        print()


def dhan_tour(sb: Sandbox, store: FileStore, seconds: float) -> None:
    import threading

    from .dhan import Dhan, DhanFeed, DhanOrder

    acct = sb.dhan.accounts["1100000001"]
    _step("Dhan: PIN + TOTP login, saved to the same FileStore")
    with Dhan(client_id=acct.client_id, store=store, **sb.dhan_urls()) as dhan:
        dhan.authorize(pin=acct.pin, totp=pyotp.TOTP(acct.totp_secret).now)
        print(f"  logged in as {acct.client_id} via {dhan.auth_flow}")
    with Dhan(client_id=acct.client_id, store=store, **sb.dhan_urls()) as dhan:
        dhan.authorize()
        print(f"  a second client reused it via {dhan.auth_flow}: no login")
        funds = dhan.get_fund_limits()
        print(f"  available balance {funds['availabelBalance']:,.2f} (Dhan's spelling, returned as sent)")
        _step("Dhan: holdings and LTP")
        print(table(["symbol", "qty", "avg", "ltp"], [[h["tradingSymbol"], h["totalQty"], h["avgCostPrice"],
                                                      h["lastTradedPrice"]] for h in dhan.get_holdings()]))
        ltp = dhan.ticker_data({"NSE_EQ": [1594, 3045]})["data"]["NSE_EQ"]
        print("  LTP: " + ", ".join(f"{sid} {v['last_price']:.2f}" for sid, v in ltp.items()))

        if not _feeds_available():
            return
        _step(f"Dhan: DhanFeed and DhanOrder for {seconds:g} s")
        token = dhan.access_token or ""
        prices: Dict[int, float] = {}
        updates: List[Dict[str, Any]] = []
        got_update = threading.Event()
        feed = DhanFeed(acct.client_id, token, [("NSE_EQ", "1594"), ("NSE_EQ", "3045"), ("IDX_I", "13")],
                        **sb.dhan_feed_urls())

        def on_tick(feed: Any, batch: List[Dict[str, Any]]) -> None:
            prices.update((t["security_id"], t["LTP"]) for t in batch if "LTP" in t)

        def on_order(feed: Any, order: Dict[str, Any]) -> None:
            updates.append(order)
            got_update.set()

        feed.on_tick = on_tick
        orders = DhanOrder(acct.client_id, token, **sb.dhan_order_urls())
        orders.on_order_update = on_order
        with feed, orders:
            feed.connect(threaded=True)
            orders.connect(threaded=True)
            # Connected is not enough: the socket's login message must have been read, or
            # the order's update would go to nobody.
            sb.dhan_feed.wait_order_login(acct.client_id, timeout=10)
            placed = dhan.place_order("1594", "NSE_EQ", "BUY", 1, "MARKET", "CNC", 0, tag="demo-dhan")
            if got_update.wait(5):
                u = updates[-1]
                print(f"  order update pushed: {u.get('OrderNo')} {u.get('Status')} (placed {placed['orderId']})")
            names = {1594: "INFY", 3045: "SBIN", 13: "NIFTY"}
            _live(seconds, lambda: "  ".join(f"{names.get(k, k)} {v:>9.2f}" for k, v in sorted(prices.items())))


def fyers_tour(sb: Sandbox, store: FileStore, seconds: float) -> None:
    import threading
    from urllib.parse import parse_qs, urlsplit

    import requests

    from .fyers import Fyers, FyersAuth, FyersFeed, FyersOrder

    app = sb.fyers
    _step("Fyers: the auth-code login (the browser step played by the sandbox)")
    with FyersAuth(app.client_id, app.redirect_uri, app.secret_key, store=store, **sb.fyers_urls()) as auth:
        url = auth.generate_authcode()
        print(f"  open: {url.split('?')[0]}?client_id=...")
        back = requests.get(url + "&fy_id=XS00001", allow_redirects=False, timeout=5).headers["Location"]
        auth.generate_token(auth_code=parse_qs(urlsplit(back).query)["auth_code"][0])
        print("  access token saved, expiry read from the token itself")
    with Fyers(client_id=app.client_id, store=store, **sb.fyers_urls()) as fyers:
        profile = fyers.get_profile()["data"]
        print(f"  a client built from the store: {profile['fy_id']} {profile['name']}")
        _step("Fyers: holdings and quotes")
        print(table(["symbol", "qty", "cost", "ltp", "P&L"], [[h["symbol"], h["quantity"], h["costPrice"], h["ltp"],
                                                             h["pl"]] for h in fyers.holdings()["holdings"]]))
        q = fyers.quotes({"symbols": "NSE:SBIN-EQ,NSE:INFY-EQ"})["d"]
        print("  quotes: " + ", ".join(f"{x['n']} {x['v']['lp']:.2f}" for x in q))

        if not _feeds_available():
            return
        _step(f"Fyers: FyersFeed and FyersOrder for {seconds:g} s")
        token = f"{app.client_id}:{fyers.token}"
        prices: Dict[str, float] = {}
        updates: List[Dict[str, Any]] = []
        acked, got_update = threading.Event(), threading.Event()
        data = FyersFeed(token, **sb.fyers_feed_urls())
        data.on_connect = lambda f: f.subscribe(["NSE:SBIN-EQ", "NSE:INFY-EQ", "NSE:NIFTY50-INDEX"])

        def on_tick(feed: Any, batch: List[Dict[str, Any]]) -> None:
            prices.update((t["symbol"], t["ltp"]) for t in batch if "ltp" in t)

        def on_order(feed: Any, message: Dict[str, Any]) -> None:
            updates.append(message["orders"])
            got_update.set()

        def on_general(feed: Any, message: Dict[str, Any]) -> None:
            if message.get("code") == 1605:  # the socket acknowledged the subscription
                acked.set()

        data.on_tick = on_tick
        orders = FyersOrder(token, url=sb.fyers_order_url())
        orders.subscribe("OnOrders")
        orders.on_general = on_general
        orders.on_order_update = on_order
        with data, orders:
            data.connect(threaded=True)
            orders.connect(threaded=True)
            acked.wait(10)
            placed = fyers.place_order({"symbol": "NSE:SBIN-EQ", "qty": 1, "type": 2, "side": 1,
                                        "productType": "INTRADAY", "orderTag": "demo"})
            if got_update.wait(5):
                print(f"  order update pushed: {updates[-1]['id']} status {updates[-1]['status']} "
                      f"(placed {placed['id']})")
            _live(seconds, lambda: "  ".join(f"{k.split(':')[1]} {v:>9.2f}" for k, v in sorted(prices.items())))


def run(brokers: Sequence[str], seconds: float = 3.0) -> int:
    """Run the tour; returns the exit code."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="brokers-demo-") as tmp, Sandbox() as sb:
        print(f"sandbox broker running at {sb.url} (loopback only; nothing leaves this machine)")
        store = FileStore(tmp)
        if "kite" in brokers:
            kite_tour(sb, store, seconds)
        for other in ("dhan", "fyers"):
            if other in brokers:
                {"dhan": dhan_tour, "fyers": fyers_tour}[other](sb, store, seconds)
    print(f"\ndone in {time.monotonic() - started:.1f} s. Next: README.rst, `brokers login kite`.")
    return 0
