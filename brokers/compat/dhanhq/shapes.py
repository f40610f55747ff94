"""Our Dhan feed packets (:func:`brokers.dhan.codec.parse_frame`) as the dicts
``dhanhq.MarketFeed`` yields: prices as ``"%.2f"`` strings, ``LTT`` as
``"HH:MM:SS"``, the market-status packet as the string ``"Markets Open"``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional

_PRICES = ("LTP", "avg_price", "open", "close", "high", "low", "prev_close")


def _price(value: Any) -> str:
    return "{:.2f}".format(value)


def _time(value: Optional[dt.datetime]) -> str:
    # dhanhq: datetime.fromtimestamp(epoch, timezone.utc).strftime('%H:%M:%S'); our LTT
    # is that same wall-clock time, and None for epoch 0.
    return value.strftime("%H:%M:%S") if value is not None else "00:00:00"


def _depth(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [dict(row, bid_price=_price(row["bid_price"]), ask_price=_price(row["ask_price"])) for row in rows]


def packet(tick: Dict[str, Any]) -> Any:
    """One parsed packet in ``dhanhq``'s shape."""
    kind = tick.get("type")
    if kind == "Market Status":
        return "Markets Open"
    out = dict(tick)
    for key in _PRICES:
        if key in out and kind != "Market Depth":
            out[key] = _price(out[key])
    if "LTT" in out:
        out["LTT"] = _time(out["LTT"])
    if "depth" in out:
        out["depth"] = _depth(out["depth"])
    return out
