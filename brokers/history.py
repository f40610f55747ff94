"""Historical candles in one shape for every broker.

:class:`Candle` is what ``client.history(...)`` returns for Kite, Dhan and
Fyers alike: timezone-aware IST datetimes and plain numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple, Optional

__all__ = ["Candle"]


class Candle(NamedTuple):
    """One bar: ``time`` is the bar's start as an aware IST datetime."""

    time: dt.datetime
    open: float
    high: float
    low: float
    close: float
    volume: int
    oi: Optional[int] = None
