"""Argument checks for the Fyers client, run before any network call.

Each check raises :class:`ValueError` (or :class:`TypeError` for a wrong
container type) naming the argument, so a typo never costs a round trip,
a rate-limit slot or, worse, a wrong order. The rules follow what Fyers
documents and ``fyers_apiv3`` sends; values Fyers would accept are never
refused here.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ..core import checks

__all__ = [
    "basket",
    "cancel_basket",
    "convert_position",
    "history",
    "modify_order",
    "multileg",
    "order",
    "order_id",
    "symbol",
    "symbols",
]

SYMBOL_RE = re.compile(r"^[A-Z][A-Z0-9_]*:[^\s:,]+$")
SIDES = (1, -1)
ORDER_TYPES = (1, 2, 3, 4)  # limit, market, stop (SL-M), stop-limit (SL-L)
PRODUCT_TYPES = ("CNC", "INTRADAY", "MARGIN", "CO", "BO", "MTF")
GTT_PRODUCT_TYPES = ("CNC", "MARGIN", "MTF")
MULTILEG_PRODUCT_TYPES = ("INTRADAY", "MARGIN")
VALIDITIES = ("DAY", "IOC")
RESOLUTIONS = ("D", "1D", "Day", "5S", "10S", "15S", "30S", "45S", "1", "2", "3", "5", "10", "15", "20", "30",
               "45", "60", "120", "180", "240")
MAX_QUOTES = 50
MAX_BASKET = 10


def _mapping(name: str, data: Any) -> Dict[str, Any]:
    if not isinstance(data, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(data).__name__}")
    return dict(data)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _positive_int(name: str, v: Any) -> int:
    """A whole number (not a bool, float or string) in 1..2**31-1."""
    return checks.quantity(name, v)


def _price(name: str, v: Any, *, positive: bool) -> None:
    """A finite number (int or float: it goes into JSON) in range; > 0 when ``positive``."""
    if not _is_num(v):
        raise ValueError(f"{name} must be a number, got {v!r}")
    checks.price(name, v, positive=positive)


def _one_of(name: str, v: Any, allowed: Sequence[Any]) -> None:
    if v not in allowed or isinstance(v, bool):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {v!r}")


def symbol(v: Any, name: str = "symbol") -> str:
    """A Fyers symbol ``EXCHANGE:NAME`` (``NSE:SBIN-EQ``, ``NSE:NIFTY50-INDEX``)."""
    if not isinstance(v, str) or not SYMBOL_RE.match(v):
        raise ValueError(f"{name} must look like 'EXCHANGE:SYMBOL' (e.g. 'NSE:SBIN-EQ'), got {v!r}")
    return v


def symbols(v: Any, name: str = "symbols", limit: Optional[int] = None) -> List[str]:
    """A comma-separated string or a list of symbols, checked one by one."""
    if isinstance(v, str):
        items = [s.strip() for s in v.split(",") if s.strip()]
    elif isinstance(v, (list, tuple)):
        items = list(v)
    else:
        raise TypeError(f"{name} must be a comma-separated string or a list, got {type(v).__name__}")
    if not items:
        raise ValueError(f"{name} is empty")
    for i, s in enumerate(items):
        symbol(s, f"{name}[{i}]")
    if limit is not None and len(items) > limit:
        raise ValueError(f"{name}: at most {limit} symbols per call, got {len(items)}")
    return items


_ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9:_.-]{0,63}", re.ASCII)


def order_id(v: Any, name: str = "id") -> str:
    """An order (or GTT) id as Fyers issues it: digits, letters, ``:-_.``, no spaces."""
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not _ORDER_ID.fullmatch(v):
        raise ValueError(f"{name} must be an order id as Fyers issues it, got {v!r}")
    return v


def order(data: Any, name: str = "data") -> Dict[str, Any]:
    """A place-order body (``POST /orders/sync``)."""
    d = _mapping(name, data)
    missing = [k for k in ("symbol", "qty", "type", "side", "productType") if k not in d]
    if missing:
        raise ValueError(f"{name} lacks {', '.join(missing)}")
    symbol(d["symbol"], f"{name}['symbol']")
    _positive_int(f"{name}['qty']", d["qty"])
    _one_of(f"{name}['type']", d["type"], ORDER_TYPES)
    _one_of(f"{name}['side']", d["side"], SIDES)
    _one_of(f"{name}['productType']", d["productType"], PRODUCT_TYPES)
    if "validity" in d:
        _one_of(f"{name}['validity']", d["validity"], VALIDITIES)
    if d["type"] in (1, 4):
        if "limitPrice" not in d:
            raise ValueError(f"{name}['limitPrice'] is required for a limit or stop-limit order (type {d['type']})")
        _price(f"{name}['limitPrice']", d["limitPrice"], positive=True)
    elif "limitPrice" in d:
        _price(f"{name}['limitPrice']", d["limitPrice"], positive=False)
    if d["type"] in (3, 4):
        if "stopPrice" not in d:
            raise ValueError(f"{name}['stopPrice'] is required for a stop order (type {d['type']})")
        _price(f"{name}['stopPrice']", d["stopPrice"], positive=True)
    elif "stopPrice" in d:
        _price(f"{name}['stopPrice']", d["stopPrice"], positive=False)
    if "disclosedQty" in d:
        checks.quantity(f"{name}['disclosedQty']", d["disclosedQty"], minimum=0)
    if "offlineOrder" in d and not isinstance(d["offlineOrder"], bool):
        raise ValueError(f"{name}['offlineOrder'] must be True or False, got {d['offlineOrder']!r}")
    for key in ("stopLoss", "takeProfit"):
        if key in d and d[key] is not None:
            _price(f"{name}['{key}']", d[key], positive=False)
    if d["productType"] in ("CO", "BO") and not d.get("stopLoss"):
        raise ValueError(f"{name}['stopLoss'] is required for a {d['productType']} order")
    if d["productType"] == "BO" and not d.get("takeProfit"):
        raise ValueError(f"{name}['takeProfit'] is required for a BO order")
    if "orderTag" in d and (not isinstance(d["orderTag"], str) or not re.match(r"^[A-Za-z0-9]{1,30}$", d["orderTag"])):
        raise ValueError(f"{name}['orderTag'] must be 1-30 letters or digits, got {d['orderTag']!r}")
    return d


def modify_order(data: Any, name: str = "data") -> Dict[str, Any]:
    """A modify-order body (``PATCH /orders/sync``)."""
    d = _mapping(name, data)
    if "id" not in d:
        raise ValueError(f"{name} lacks id")
    order_id(d["id"], f"{name}['id']")
    if "qty" in d:
        _positive_int(f"{name}['qty']", d["qty"])
    if "type" in d:
        _one_of(f"{name}['type']", d["type"], ORDER_TYPES)
    for key in ("limitPrice", "stopPrice"):
        if key in d:
            _price(f"{name}['{key}']", d[key], positive=False)
    return d


def cancel(data: Any, name: str = "data") -> Dict[str, Any]:
    d = _mapping(name, data)
    if "id" not in d:
        raise ValueError(f"{name} lacks id")
    order_id(d["id"], f"{name}['id']")
    return d


def basket(data: Any, check: Any, name: str = "data") -> List[Dict[str, Any]]:
    """A list of 1..10 order bodies, each checked with ``check``."""
    if not isinstance(data, (list, tuple)):
        raise TypeError(f"{name} must be a list of orders, got {type(data).__name__}")
    if not data:
        raise ValueError(f"{name} is empty")
    if len(data) > MAX_BASKET:
        raise ValueError(f"{name}: at most {MAX_BASKET} orders per basket, got {len(data)}")
    return [check(o, f"{name}[{i}]") for i, o in enumerate(data)]


def cancel_basket(data: Any, name: str = "data") -> List[Dict[str, Any]]:
    """``[{"id": ...}, ...]``; a list of bare ids is accepted too."""
    if isinstance(data, (list, tuple)):
        data = [{"id": o} if isinstance(o, (str, int)) and not isinstance(o, bool) else o for o in data]
    return basket(data, cancel, name)


def multileg(data: Any, name: str = "data") -> Dict[str, Any]:
    """A multileg order body (``POST /multileg/orders/sync``)."""
    d = _mapping(name, data)
    missing = [k for k in ("productType", "orderType", "validity", "legs") if k not in d]
    if missing:
        raise ValueError(f"{name} lacks {', '.join(missing)}")
    _one_of(f"{name}['productType']", d["productType"], MULTILEG_PRODUCT_TYPES)
    _one_of(f"{name}['orderType']", d["orderType"], ("2L", "3L"))
    _one_of(f"{name}['validity']", d["validity"], ("IOC",))
    if "offlineOrder" in d and not isinstance(d["offlineOrder"], bool):
        raise ValueError(f"{name}['offlineOrder'] must be True or False, got {d['offlineOrder']!r}")
    legs = _mapping(f"{name}['legs']", d["legs"])
    want = int(d["orderType"][0])
    if len(legs) != want:
        raise ValueError(f"{name}['legs'] must hold {want} legs for orderType {d['orderType']!r}, got {len(legs)}")
    for key, leg in legs.items():
        where = f"{name}['legs'][{key!r}]"
        leg = _mapping(where, leg)
        for k in ("symbol", "qty", "side", "type", "limitPrice"):
            if k not in leg:
                raise ValueError(f"{where} lacks {k}")
        symbol(leg["symbol"], f"{where}['symbol']")
        _positive_int(f"{where}['qty']", leg["qty"])
        _one_of(f"{where}['side']", leg["side"], SIDES)
        _one_of(f"{where}['type']", leg["type"], (1,))
        _price(f"{where}['limitPrice']", leg["limitPrice"], positive=True)
    return d


def convert_position(data: Any, name: str = "data") -> Dict[str, Any]:
    """A position conversion body (``POST /positions``)."""
    d = _mapping(name, data)
    missing = [k for k in ("symbol", "positionSide", "convertQty", "convertFrom", "convertTo") if k not in d]
    if missing:
        raise ValueError(f"{name} lacks {', '.join(missing)}")
    symbol(d["symbol"], f"{name}['symbol']")
    _one_of(f"{name}['positionSide']", d["positionSide"], SIDES)
    _positive_int(f"{name}['convertQty']", d["convertQty"])
    _one_of(f"{name}['convertFrom']", d["convertFrom"], PRODUCT_TYPES)
    _one_of(f"{name}['convertTo']", d["convertTo"], PRODUCT_TYPES)
    if d["convertFrom"] == d["convertTo"]:
        raise ValueError(f"{name}: convertFrom and convertTo are both {d['convertFrom']!r}")
    if "overnight" in d:
        _one_of(f"{name}['overnight']", d["overnight"], (0, 1))
    return d


def exit_positions(data: Any, name: str = "data") -> Dict[str, Any]:
    """``None``/``{}`` exits everything (``{"exit_all": 1}``, as fyers_apiv3 does)."""
    if data is None or (isinstance(data, Mapping) and len(data) == 0):
        return {"exit_all": 1}
    d = _mapping(name, data)
    if "id" in d:
        ids = d["id"] if isinstance(d["id"], (list, tuple)) else [d["id"]]
        if not ids:
            raise ValueError(f"{name}['id'] is empty")
        for v in ids:
            if not isinstance(v, str) or ":" not in v:
                raise ValueError(f"{name}['id'] must be position ids like 'NSE:SBIN-EQ-INTRADAY', got {v!r}")
    if "side" in d:
        sides = d["side"] if isinstance(d["side"], (list, tuple)) else [d["side"]]
        for v in sides:
            _one_of(f"{name}['side']", v, SIDES)
    return d


def _gtt_leg(where: str, leg: Any, *, need_qty: bool) -> None:
    leg = _mapping(where, leg)
    for k in ("price", "triggerPrice") + (("qty",) if need_qty else ()):
        if k not in leg:
            raise ValueError(f"{where} lacks {k}")
    _price(f"{where}['price']", leg["price"], positive=False)
    _price(f"{where}['triggerPrice']", leg["triggerPrice"], positive=True)
    if "qty" in leg:
        _positive_int(f"{where}['qty']", leg["qty"])


def _gtt_legs(name: str, order_info: Any, need_qty: bool) -> None:
    info = _mapping(f"{name}['orderInfo']", order_info)
    if "leg1" not in info:
        raise ValueError(f"{name}['orderInfo'] lacks leg1")
    for key, leg in info.items():
        if key not in ("leg1", "leg2"):
            raise ValueError(f"{name}['orderInfo'] has an unknown leg {key!r}")
        _gtt_leg(f"{name}['orderInfo'][{key!r}]", leg, need_qty=need_qty)


def gtt_order(data: Any, name: str = "data") -> Dict[str, Any]:
    """A GTT / OCO order body (``POST /gtt/orders/sync``)."""
    d = _mapping(name, data)
    missing = [k for k in ("side", "symbol", "productType", "orderInfo") if k not in d]
    if missing:
        raise ValueError(f"{name} lacks {', '.join(missing)}")
    _one_of(f"{name}['side']", d["side"], SIDES)
    symbol(d["symbol"], f"{name}['symbol']")
    _one_of(f"{name}['productType']", d["productType"], GTT_PRODUCT_TYPES)
    _gtt_legs(name, d["orderInfo"], need_qty=True)
    return d


def modify_gtt_order(data: Any, name: str = "data") -> Dict[str, Any]:
    d = _mapping(name, data)
    if "id" not in d or "orderInfo" not in d:
        raise ValueError(f"{name} needs id and orderInfo")
    order_id(d["id"], f"{name}['id']")
    _gtt_legs(name, d["orderInfo"], need_qty=False)
    return d


def history(data: Any, name: str = "data") -> Dict[str, Any]:
    """A ``/data/history`` query."""
    d = _mapping(name, data)
    missing = [k for k in ("symbol", "resolution", "date_format", "range_from", "range_to") if k not in d]
    if missing:
        raise ValueError(f"{name} lacks {', '.join(missing)}")
    symbol(d["symbol"], f"{name}['symbol']")
    if str(d["resolution"]) not in RESOLUTIONS:
        raise ValueError(f"{name}['resolution'] must be one of {', '.join(RESOLUTIONS)}; got {d['resolution']!r}")
    if str(d["date_format"]) not in ("0", "1"):
        raise ValueError(f"{name}['date_format'] must be 0 (epoch) or 1 (yyyy-mm-dd), got {d['date_format']!r}")
    pattern = r"[0-9]{4}-[0-9]{2}-[0-9]{2}" if str(d["date_format"]) == "1" else r"[0-9]{1,12}"
    for k in ("range_from", "range_to"):
        if isinstance(d[k], bool) or not isinstance(d[k], (str, int)) or not re.fullmatch(pattern, str(d[k]), re.ASCII):
            what = "yyyy-mm-dd" if str(d["date_format"]) == "1" else "epoch seconds"
            raise ValueError(f"{name}['{k}'] must be {what} for date_format {d['date_format']!r}, got {d[k]!r}")
    start, end = str(d["range_from"]), str(d["range_to"])
    if (int(end) < int(start)) if str(d["date_format"]) == "0" else (end < start):
        raise ValueError(f"{name}['range_to'] ({end}) is before {name}['range_from'] ({start})")
    if "cont_flag" in d and str(d["cont_flag"]) not in ("0", "1"):
        raise ValueError(f"{name}['cont_flag'] must be 0 or 1, got {d['cont_flag']!r}")
    return d


def quotes(data: Any, name: str = "data") -> Dict[str, Any]:
    """``{"symbols": "NSE:SBIN-EQ,..."}`` (a list of symbols is joined), at most 50."""
    d = _mapping(name, data)
    if "symbols" not in d:
        raise ValueError(f"{name} lacks symbols")
    d["symbols"] = ",".join(symbols(d["symbols"], f"{name}['symbols']", limit=MAX_QUOTES))
    return d


def depth(data: Any, name: str = "data") -> Dict[str, Any]:
    d = _mapping(name, data)
    if "symbol" not in d:
        raise ValueError(f"{name} lacks symbol")
    symbol(d["symbol"], f"{name}['symbol']")
    if "ohlcv_flag" in d and str(d["ohlcv_flag"]) not in ("0", "1"):
        raise ValueError(f"{name}['ohlcv_flag'] must be 0 or 1, got {d['ohlcv_flag']!r}")
    return d


def optionchain(data: Any, name: str = "data") -> Dict[str, Any]:
    d = _mapping(name, data)
    if "symbol" not in d:
        raise ValueError(f"{name} lacks symbol")
    symbol(d["symbol"], f"{name}['symbol']")
    if "strikecount" in d:
        count = d["strikecount"]
        if isinstance(count, str) and re.fullmatch(r"[0-9]{1,3}", count, re.ASCII):
            count = int(count)  # fyers_apiv3's examples pass it as a string too
        checks.whole_number(f"{name}['strikecount']", count, minimum=1, maximum=50)
    return d


def query(data: Any, name: str = "data") -> Optional[Dict[str, Any]]:
    """An optional query dict (order book filters)."""
    if data is None:
        return None
    return _mapping(name, data)


Data = Union[Mapping[str, Any], Sequence[Mapping[str, Any]], None]
