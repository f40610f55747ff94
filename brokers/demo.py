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
from typing import Any, Dict, List, Sequence

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


def _extra_kite_feed(sb: Sandbox, kite: Any, seconds: float) -> None:
    """Live ticks and order updates, when the feed extra is installed."""
    try:
        from .kite import KiteFeed
    except ImportError:
        print("\n  (live ticks need the feed extra: pip install brokers[feed])")
        return
    import threading

    _step(f"Kite: KiteFeed for {seconds:g} s (a thread that reconnects and resubscribes by itself)")
    ticks: Dict[int, Any] = {}
    updates: List[Dict[str, Any]] = []
    got_update = threading.Event()
    names = {408065: "INFY", 779521: "SBIN", 256265: "NIFTY 50"}

    connected = threading.Event()
    tick_count = [0]

    def on_ticks(feed: Any, batch: List[Dict[str, Any]]) -> None:
        # Runs on the feed's dispatcher thread: keep it short, print from the main thread.
        tick_count[0] += len(batch)
        for t in batch:
            ticks[t["instrument_token"]] = t

    def on_connect(feed: Any) -> None:
        feed.subscribe(list(names))
        feed.set_mode("full", [408065])
        connected.set()

    def on_order(feed: Any, order: Dict[str, Any]) -> None:
        updates.append(order)
        got_update.set()

    feed = KiteFeed(user_id=kite.user_id, enctoken=kite.enctoken, **sb.kite_feed_urls())
    feed.on_tick = on_ticks
    feed.on_connect = on_connect
    feed.on_order_update = on_order
    feed.connect(threaded=True)
    try:
        if not connected.wait(10):
            print("  the feed did not connect within 10 s")
            return
        oid = kite.place_order("regular", "NSE", "SBIN", "BUY", 1, "CNC", "MARKET", tag="demo-feed")
        if got_update.wait(5):
            u = updates[0]
            print(f"  order update pushed on the feed: {u['order_id']} {u['status']} "
                  f"{u['transaction_type']} {u['quantity']} {u['tradingsymbol']} @ {u['average_price']}")
        else:
            print(f"  no order update arrived for {oid} within 5 s")
        tty = sys.stdout.isatty()
        deadline = time.monotonic() + seconds
        pause = threading.Event()
        while time.monotonic() < deadline:
            pause.wait(0.25 if tty else 1.0)
            line = "  ".join(f"{names.get(k, k)} {v['last_price']:>9.2f}" for k, v in sorted(ticks.items()))
            print(f"\r  {line}" if tty else f"  {line}", end="" if tty else "\n", flush=True)
    finally:
        feed.close()
    if tty:
        print()
    print(f"  {tick_count[0]} ticks received; feed closed")


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
                tour = globals().get(f"{other}_tour")
                if tour is None:
                    print(f"\n== {other.capitalize()}: not in this version yet")
                else:
                    tour(sb, store, seconds)
    print(f"\ndone in {time.monotonic() - started:.1f} s. Next: README.rst, `brokers login kite`.")
    return 0
