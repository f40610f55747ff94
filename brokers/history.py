"""Historical candles in one shape for every broker, over any range.

:class:`Candle` is what ``client.history(...)`` returns for Kite, Dhan and
Fyers alike: timezone-aware IST datetimes and plain numbers.

Brokers cap how wide one historical request may be (Kite: 60 days of minute
candles, ...; each broker's ``routes.HISTORY_CAPS``). :func:`download` splits a
range into half-open windows no wider than the cap, fetches them on a few
threads (the client's rate limiter keeps them within the historical budget, so
the budget is used without idle gaps), keeps each window's bars inside the
window (no bar twice at a chunk edge, none lost), and returns them in order.

Example::

    candles = kite.history("NSE:INFY", "2021-01-01", "2026-11-27", "5minute",
                           on_progress=lambda done, total: print(done, total))
    candles[0].time, candles[0].close
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import logging
import re
import threading
from typing import (
    Any,
    Callable,
    Iterator,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from . import errors
from .ist import IST

__all__ = ["Candle", "Window", "chunks", "download", "iter_download", "interval_minutes", "as_time", "to_frame",
           "DAY"]

log = logging.getLogger(__name__)

DAY = 1440  # "minutes" of the daily interval
DateLike = Union[dt.datetime, dt.date, str]
Window = Tuple[dt.datetime, dt.datetime]
#: fetch(window_start, window_stop) -> the bars the broker returns for it (any order, maybe extra)
Fetch = Callable[[dt.datetime, dt.datetime], List["Candle"]]


class Candle(NamedTuple):
    """One bar: ``time`` is the bar's start as an aware IST datetime."""

    time: dt.datetime
    open: float
    high: float
    low: float
    close: float
    volume: int
    oi: Optional[int] = None


_NAMED = {"minute": 1, "day": DAY, "d": DAY, "1d": DAY, "daily": DAY}


def interval_minutes(interval: Any) -> int:
    """An interval in any broker's words as minutes (``DAY`` for daily).

    ``"minute"`` / ``"5minute"`` (Kite), ``1`` / ``"25"`` (Dhan, Fyers),
    ``"D"`` / ``"1D"`` / ``"day"``, ``"15m"``.

    Raises:
        ValueError: anything else.
    """
    if isinstance(interval, int) and not isinstance(interval, bool) and interval > 0:
        return interval
    if isinstance(interval, str):
        text = interval.strip().lower()
        if text in _NAMED:
            return _NAMED[text]
        m = re.fullmatch(r"(\d+)\s*(minute|min|m)?", text)
        if m and int(m.group(1)) > 0:
            return int(m.group(1))
    raise ValueError(f"interval must be e.g. 'minute', '5minute', 5, '15m' or 'day'; got {interval!r}")


def as_time(value: DateLike, name: str, *, end: bool = False) -> dt.datetime:
    """A range bound as an aware IST datetime.

    A date (or ``"YYYY-MM-DD"``) as the start means that day's midnight; as the
    end (``end=True``) the whole day is included, so the bound is the next
    midnight. A datetime (or ``"YYYY-MM-DD HH:MM[:SS]"``) as the end includes a
    bar starting at that time. Naive datetimes are IST.

    Raises:
        ValueError: not a date, datetime or one of those strings.
    """
    when: Optional[dt.datetime] = None
    whole_day = False
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when, whole_day = dt.datetime.combine(value, dt.time()), True
    elif isinstance(value, str):
        text = value.strip().replace("T", " ")
        try:
            if len(text) == 10:
                when, whole_day = dt.datetime.strptime(text, "%Y-%m-%d"), True
            else:
                when = dt.datetime.fromisoformat(text)
        except ValueError:
            when = None
    if when is None:
        raise ValueError(f"{name} must be a date, a datetime or 'YYYY-MM-DD[ HH:MM[:SS]]'; got {value!r}")
    when = when.replace(tzinfo=IST) if when.tzinfo is None else when.astimezone(IST)
    if end:
        when += dt.timedelta(days=1) if whole_day else dt.timedelta(seconds=1)
    return when


def chunks(start: dt.datetime, stop: dt.datetime, span_days: Optional[int]) -> List[Window]:
    """``[start, stop)`` as consecutive half-open windows at most ``span_days`` wide
    (one window when ``span_days`` is ``None``)."""
    if stop <= start:
        return []
    if span_days is None:
        return [(start, stop)]
    span = dt.timedelta(days=span_days)
    out: List[Window] = []
    a = start
    while a < stop:
        b = min(a + span, stop)
        out.append((a, b))
        a = b
    return out


def _inside(bars: Sequence[Candle], window: Window) -> List[Candle]:
    a, b = window
    return sorted((c for c in bars if a <= c.time < b), key=lambda c: c.time)


RATE_LIMIT_TRIES = 5


def patient(fetch: Fetch, tries: int = RATE_LIMIT_TRIES) -> Fetch:
    """``fetch`` that waits out a broker's 429 (its ``Retry-After``, else a second) and
    asks again, up to ``tries`` times: requests sent within the budget can still
    arrive bunched up, and one refused window should not lose a long download."""
    def run(a: dt.datetime, b: dt.datetime) -> List[Candle]:
        for attempt in range(tries):
            try:
                return fetch(a, b)
            except errors.RateLimitError as e:
                if attempt == tries - 1:
                    raise
                log.info("history: %s; waiting before asking again for %s", e, a)
                threading.Event().wait(min(max(e.retry_after or 1.0, 0.2), 30.0))
        raise AssertionError("unreachable")
    return run


def iter_download(fetch: Fetch, windows: Sequence[Window], *, workers: int = 1,
                  on_progress: Optional[Callable[[int, int], Any]] = None) -> Iterator[List[Candle]]:
    """Each window's bars, in window order, fetched ``workers`` at a time.

    The windows are all queued at once, so the threads keep the broker's
    budget busy while the caller consumes earlier windows. A refused (429)
    window is asked again after the broker's wait (:func:`patient`). A failure
    cancels what has not started and is raised here.
    """
    fetch = patient(fetch)
    total = len(windows)
    if total == 0:
        return
    if workers <= 1 or total == 1:
        for n, w in enumerate(windows, 1):
            bars = _inside(fetch(*w), w)
            if on_progress is not None:
                on_progress(n, total)
            yield bars
        return
    pool = cf.ThreadPoolExecutor(max_workers=min(workers, total), thread_name_prefix="brokers-history")
    futures = [pool.submit(fetch, *w) for w in windows]
    try:
        for n, (w, fut) in enumerate(zip(windows, futures), 1):
            bars = _inside(fut.result(), w)
            if on_progress is not None:
                on_progress(n, total)
            yield bars
    finally:
        for fut in futures:
            fut.cancel()
        pool.shutdown(wait=True)


def download(fetch: Fetch, start: dt.datetime, stop: dt.datetime, span_days: Optional[int], *,
             workers: int = 1, on_progress: Optional[Callable[[int, int], Any]] = None) -> List[Candle]:
    """Every bar in ``[start, stop)``, fetched in windows of at most ``span_days``."""
    out: List[Candle] = []
    last: Optional[dt.datetime] = None
    for bars in iter_download(fetch, chunks(start, stop, span_days), workers=workers, on_progress=on_progress):
        for c in bars:
            if last is None or c.time > last:
                out.append(c)
                last = c.time
    return out


def to_frame(candles: Sequence[Candle]) -> Any:
    """The candles as a pandas DataFrame indexed by time (needs ``pip install brokers[pandas]``).

    Raises:
        ImportError: pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("as_frame=True needs pandas: pip install brokers[pandas]") from None
    frame = pd.DataFrame(list(candles), columns=list(Candle._fields))
    return frame.set_index("time")


def candle(time: dt.datetime, o: Any, h: Any, low: Any, c: Any, v: Any, oi: Any = None) -> Candle:
    """A Candle from a broker's row (numbers converted)."""
    return Candle(time, float(o), float(h), float(low), float(c), int(v or 0), None if oi is None else int(oi))


def check_range(start: DateLike, end: DateLike) -> Tuple[dt.datetime, dt.datetime]:
    """``(start, stop)`` as aware IST datetimes, ``stop`` exclusive.

    Raises:
        ValueError: a bound that does not parse, or ``start`` after ``end``.
    """
    a, b = as_time(start, "start"), as_time(end, "end", end=True)
    if b <= a:
        raise ValueError(f"start ({start}) must be before end ({end})")
    return a, b


def is_sdk_form(first: Any) -> bool:
    """Whether a first argument is an SDK-style request mapping (Fyers' ``history(data)``)."""
    return first is None or isinstance(first, Mapping)
