"""Excel through xlwings: user-defined functions for an LTP and a holdings table, and
live ticks written into the sheet by the Excel thread.

Excel's COM objects may only be touched from Excel's own (main) thread, so the feed
never writes to the sheet: its thread puts ticks on a queue, and ``drain_ticks`` (run
by a macro on a timer, on Excel's thread) empties the queue into the sheet.

In Excel: import this module with xlwings' "Import Functions", log in once a day with
``brokers login kite``, then use ``=KITE_LTP("NSE:INFY")`` and ``=KITE_HOLDINGS()``.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from typing import Any, Callable, Dict, List, Optional, Union

from brokers.kite import Kite, KiteFeed

try:  # xlwings is only there on a machine with Excel; the functions work without it
    import xlwings as xw

    udf = xw.func
    arg = xw.arg
    ret = xw.ret
except ImportError:  # pragma: no cover - depends on the machine
    def udf(f: Callable) -> Callable:
        return f

    def arg(*a: Any, **k: Any) -> Callable[[Callable], Callable]:
        return lambda f: f

    def ret(*a: Any, **k: Any) -> Callable[[Callable], Callable]:
        return lambda f: f

_lock = threading.Lock()
_kite: Optional[Kite] = None
_feed: Optional[KiteFeed] = None
MAX_QUEUED = 100_000
ticks: "queue.Queue[Dict[str, Any]]" = queue.Queue(maxsize=MAX_QUEUED)


def client(**kite_kwargs: Any) -> Kite:
    """One client for the workbook: the session comes from the FileStore (``brokers login kite``)."""
    global _kite
    with _lock:
        if _kite is None or kite_kwargs:
            _kite = Kite(**kite_kwargs)
        return _kite


@udf
def KITE_LTP(instrument: str) -> Union[float, str]:
    """=KITE_LTP("NSE:INFY"); an instrument Kite does not know shows as ``#N/A <why>``."""
    try:
        quote = client().ltp(instrument).get(instrument)
    except ValueError as e:  # a malformed instrument, refused before any request
        return f"#N/A {e}"
    if quote is None:  # Kite leaves unknown instruments out of its answer
        return f"#N/A unknown instrument {instrument}"
    return float(quote["last_price"])


@udf
@ret(expand="table")
def KITE_HOLDINGS() -> List[List[Any]]:
    """=KITE_HOLDINGS(): a header row, then one row per holding."""
    rows: List[List[Any]] = [["symbol", "qty", "avg", "ltp", "pnl"]]
    for h in client().holdings():
        rows.append([h["tradingsymbol"], h["quantity"], h["average_price"], h["last_price"], h["pnl"]])
    return rows


def start_ticks(tokens: List[int], **feed_kwargs: Any) -> KiteFeed:
    """Start a feed whose thread only queues ticks (never touches Excel)."""
    global _feed
    kite = client()
    if kite.session is None:
        kite.authorize()

    def on_tick(feed: KiteFeed, batch: List[Dict[str, Any]]) -> None:
        for t in batch:
            while True:
                try:
                    ticks.put_nowait(t)
                    break
                except queue.Full:  # Excel is not draining: drop the oldest tick, keep the newest
                    with contextlib.suppress(queue.Empty):
                        ticks.get_nowait()

    feed = KiteFeed(user_id=kite.user_id, enctoken=kite.enctoken, **feed_kwargs) if kite.enctoken else \
        KiteFeed(api_key=kite.api_key, access_token=kite.access_token, **feed_kwargs)
    feed.on_tick = on_tick
    feed.on_connect = lambda f: f.subscribe(tokens)
    feed.connect(threaded=True)
    _feed = feed
    return feed


def drain_ticks(write: Callable[[int, float], None]) -> int:
    """Empty the queue, latest price per instrument; call ``write(token, price)`` for each.

    Run it on Excel's thread, e.g. from a macro::

        sheet = xw.Book.caller().sheets["Live"]
        drain_ticks(lambda token, ltp: sheet.range(ROW[token], 2).__setattr__("value", ltp))
    """
    latest: Dict[int, float] = {}
    while True:
        try:
            t = ticks.get_nowait()
        except queue.Empty:
            break
        latest[t["instrument_token"]] = t["last_price"]
    for token, price in latest.items():
        write(token, price)
    return len(latest)


def stop_ticks() -> None:
    global _feed
    if _feed is not None:
        _feed.close()
        _feed = None
