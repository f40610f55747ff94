"""Small conversions the adapters share: numbers and times from brokers' rows."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ..ist import IST

__all__ = ["num", "opt_num", "integer", "when"]


def num(value: Any, default: float = 0.0) -> float:
    """A float from a number or numeric string; ``default`` for anything else."""
    if isinstance(value, bool):
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def opt_num(value: Any) -> Optional[float]:
    """A float, or ``None`` for missing, empty or zero-meaning-none values."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f


def integer(value: Any, default: int = 0) -> int:
    return int(num(value, default))


_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d-%b-%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def when(value: Any) -> Optional[dt.datetime]:
    """An aware IST datetime from a datetime (naive = IST), epoch seconds or a
    broker's date string; ``None`` when it cannot be read."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=IST)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return dt.datetime.fromtimestamp(value, IST)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        for fmt in _FORMATS:
            try:
                return dt.datetime.strptime(text[:20], fmt).replace(tzinfo=IST)
            except ValueError:
                continue
        try:
            return when(dt.datetime.fromisoformat(text))
        except ValueError:
            return None
    return None
