"""Argument checks for the Dhan client: every bad argument is a ValueError (or
TypeError for a wrong container) that names it, raised before anything goes on
the wire.

The accepted values are Dhan's documented enums, which are also what ``dhanhq``
sends; like ``dhanhq``, enum strings are accepted in any case and sent upper-case.
Numbers must be numbers: quantities are ints (not ``"10"``, not ``10.0``, not a
bool), prices finite reals, both within range. Values that go into a URL path
come back percent-encoded.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from typing import Any, Collection, Dict, Iterable, List, Mapping, Optional, Union

from ..core import checks
from . import routes

__all__ = [
    "choice", "date_str", "intraday_time_str", "positive_int", "non_negative_int", "price", "security_id",
    "global_security_id", "order_id", "correlation_id", "correlation_path", "securities", "isin", "ip", "flag",
    "date_range",
]

DateLike = Union[str, dt.date, dt.datetime]
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?", re.ASCII)
_CORRELATION = re.compile(r"[A-Za-z0-9 _-]{1,30}", re.ASCII)
_ISIN = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]", re.ASCII)
_SECURITY_ID = re.compile(r"[0-9]{1,12}", re.ASCII)
_GLOBAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", re.ASCII)


def choice(name: str, value: Any, allowed: Collection[str]) -> str:
    """``value`` upper-cased if it is one of ``allowed``."""
    if not isinstance(value, str) or value.upper() not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(sorted(allowed))}; got {value!r}")
    return value.upper()


def positive_int(name: str, value: Any) -> int:
    """A whole number (an int, not a string, float or bool) in 1..2**31-1."""
    return checks.quantity(name, value)


def non_negative_int(name: str, value: Any) -> int:
    return checks.quantity(name, value, minimum=0)


def price(name: str, value: Any, *, required: bool = False) -> float:
    """A price as a float: finite, >= 0, and > 0 when ``required``; ``None`` is 0."""
    return checks.price(name, 0 if value is None else value, positive=required)


def security_id(value: Any, name: str = "security_id") -> str:
    """A security id as the string Dhan expects (``"1333"``); ints are accepted."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{name} must be a str or int, got {type(value).__name__}")
    text = str(value).strip()
    if not _SECURITY_ID.fullmatch(text) or int(text) <= 0:
        raise ValueError(f"{name} must be Dhan's numeric security id, got {value!r}")
    return text


def global_security_id(value: Any, name: str = "security_id") -> str:
    """A Global Stocks scrip id (letters, digits, '.', '_', '-'), percent-encoded."""
    return checks.path_id(name, value, _GLOBAL_ID)


def order_id(value: Any, name: str = "order_id") -> str:
    """An order (or alert) id as Dhan issues it, percent-encoded for a URL path."""
    return checks.path_id(name, value, checks.TOKEN)


def correlation_id(value: Optional[str], name: str = "tag") -> Optional[str]:
    """A correlation id (``tag``): up to 30 of letters, digits, space, ``_`` and ``-``; None/"" = none."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _CORRELATION.fullmatch(value):
        raise ValueError(f"{name} must be 1-30 of letters, digits, space, '_' or '-', got {value!r}")
    return value


def correlation_path(value: Any, name: str = "correlation_id") -> str:
    """A correlation id for a URL path (the client percent-encodes it: a space becomes ``%20``)."""
    cid = correlation_id(value, name)
    if cid is None or not cid.strip():
        raise ValueError(f"{name} must not be empty, got {value!r}")
    return cid


def date_str(name: str, value: DateLike) -> str:
    """``YYYY-MM-DD`` from a string of that form, a date or a datetime."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name} is not a real date: {value!r}") from None
        return value
    raise ValueError(f"{name} must be a date or a 'YYYY-MM-DD' string, got {value!r}")


def intraday_time_str(name: str, value: DateLike) -> str:
    """``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS`` (intraday charts take either)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        date_str(name, value[:10])
        return value
    raise ValueError(f"{name} must be a date, a datetime or 'YYYY-MM-DD[ HH:MM:SS]', got {value!r}")


def securities(value: Any, name: str = "securities") -> Dict[str, List[int]]:
    """``{"NSE_EQ": [11536], "NSE_FNO": [49081, 49082]}`` checked: known segments,
    numeric ids, at most 1000 instruments in all (Dhan's limit per request)."""
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"{name} must be a non-empty dict of exchange segment -> list of security ids")
    out: Dict[str, List[int]] = {}
    total = 0
    for segment, ids in value.items():
        seg = choice(f"{name} key", segment, routes.SEGMENTS)
        if isinstance(ids, (str, int)):
            ids = [ids]
        if not isinstance(ids, Iterable):
            raise ValueError(f"{name}[{segment!r}] must be a list of security ids")
        checked = [int(security_id(i, f"{name}[{segment!r}] item")) for i in ids]
        if not checked:
            raise ValueError(f"{name}[{segment!r}] is empty")
        out[seg] = checked
        total += len(checked)
    if total > routes.MAX_QUOTE_INSTRUMENTS:
        raise ValueError(f"{name} holds {total} instruments; Dhan allows at most "
                         f"{routes.MAX_QUOTE_INSTRUMENTS} per request")
    return out


def isin(value: Any, name: str = "isin") -> str:
    if not isinstance(value, str) or not _ISIN.fullmatch(value.upper()):
        raise ValueError(f"{name} must be a 12-character ISIN, got {value!r}")
    return value.upper()


def date_range(from_name: str, start: Any, to_name: str, end: Any) -> None:
    """Refuse a range whose end (``YYYY-MM-DD[ HH:MM[:SS]]``) is before its start."""
    if str(end) < str(start):
        raise ValueError(f"{to_name} ({end}) is before {from_name} ({start})")


def ip(value: Any, name: str = "ip") -> str:
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        raise ValueError(f"{name} must be an IP address, got {value!r}") from None


def flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value
