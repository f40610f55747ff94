"""India Standard Time: the one clock every broker here speaks.

Indian exchanges, their brokers' session expiries and their tick timestamps are
all IST wall-clock times. These helpers give aware datetimes in IST whatever
the machine's own time zone is.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

__all__ = ["IST", "end_of_day_ist", "next_6am_ist", "now_ist", "utc_now"]

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")


def utc_now() -> dt.datetime:
    """The current time as an aware UTC datetime."""
    return dt.datetime.now(dt.timezone.utc)


def now_ist() -> dt.datetime:
    """The current time as an aware IST datetime."""
    return utc_now().astimezone(IST)


def end_of_day_ist(at: Optional[dt.datetime] = None) -> dt.datetime:
    """The last second of the IST calendar day containing ``at`` (default: now)."""
    at = (at or utc_now()).astimezone(IST)
    return at.replace(hour=23, minute=59, second=59, microsecond=0)


def next_6am_ist(at: Optional[dt.datetime] = None) -> dt.datetime:
    """The next 06:00 IST after ``at``: when Kite access tokens stop working."""
    at = (at or utc_now()).astimezone(IST)
    six = at.replace(hour=6, minute=0, second=0, microsecond=0)
    return six if at < six else six + dt.timedelta(days=1)
