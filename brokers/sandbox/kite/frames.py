"""Encode Kite ticker packets and frames: the inverse of :func:`brokers.kite.codec.parse_binary`.

The sandbox's ticker server builds its frames with these, and the property
tests use them to check the parser. A tick dict in kiteconnect's shape goes in;
the packet kind follows from its ``mode`` and whether its segment is the
indices segment (token & 0xFF == 9), as on the real feed.
"""

from __future__ import annotations

import datetime as dt
import struct
from typing import Any, Dict, Iterable, List

__all__ = ["divisor", "encode_frame", "encode_packet", "epoch_of"]

_IST_EPOCH = dt.datetime(1970, 1, 1, 5, 30)
_U32 = 0xFFFFFFFF
_LTP = struct.Struct(">II")
_INDEX_QUOTE = struct.Struct(">6Ii")
_INDEX_FULL = struct.Struct(">6IiI")
_QUOTE = struct.Struct(">11I")
_FULL = struct.Struct(">16I" + "IIH2x" * 10)


def divisor(token: int) -> float:
    """The price divisor of an instrument token's segment (CDS 1e7; BCD, NCO 1e4; else 100)."""
    seg = token & 0xFF
    return 10_000_000.0 if seg == 3 else 10_000.0 if seg in (6, 12) else 100.0


def epoch_of(value: Any) -> int:
    """Epoch seconds of a naive IST datetime (or of an int, passed through)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return int(value.timestamp())
        return int((value - _IST_EPOCH).total_seconds())
    return int(value or 0)


def _u32(value: float) -> int:
    return min(_U32, max(0, int(value)))


def _price(value: Any, div: float) -> int:
    return min(_U32, max(0, round((value or 0) * div)))


def encode_packet(tick: Dict[str, Any]) -> bytes:
    """One packet for ``tick`` (a kiteconnect tick dict; missing fields count as 0).

    ``mode`` ``ltp`` gives 8 bytes; ``quote`` 44 (28 for an index); ``full`` 184
    (32 for an index). Prices are scaled by the segment's divisor and rounded.
    """
    token = int(tick["instrument_token"])
    div = divisor(token)
    mode = tick.get("mode", "quote")
    last = _price(tick.get("last_price"), div)
    if mode == "ltp":
        return _LTP.pack(token, last)
    ohlc = tick.get("ohlc") or {}
    o, h, lo, c = (_price(ohlc.get(k), div) for k in ("open", "high", "low", "close"))
    if token & 0xFF == 9:
        change = max(-2 ** 31, min(2 ** 31 - 1, last - c))  # the real feed's signed absolute change
        if mode == "full":
            return _INDEX_FULL.pack(token, last, h, lo, o, c, change, epoch_of(tick.get("exchange_timestamp")))
        return _INDEX_QUOTE.pack(token, last, h, lo, o, c, change)
    head = (token, last, _u32(tick.get("last_traded_quantity", 0)), _price(tick.get("average_traded_price"), div),
            _u32(tick.get("volume_traded", 0)), _u32(tick.get("total_buy_quantity", 0)),
            _u32(tick.get("total_sell_quantity", 0)), o, h, lo, c)
    if mode != "full":
        return _QUOTE.pack(*head)
    depth = tick.get("depth") or {}
    levels: List[int] = []
    for side in ("buy", "sell"):
        entries = list(depth.get(side) or [])[:5]
        entries += [{}] * (5 - len(entries))
        for e in entries:
            levels += [_u32(e.get("quantity", 0)), _price(e.get("price"), div),
                       min(0xFFFF, max(0, int(e.get("orders", 0))))]
    return _FULL.pack(*head, epoch_of(tick.get("last_trade_time")), _u32(tick.get("oi", 0)),
                      _u32(tick.get("oi_day_high", 0)), _u32(tick.get("oi_day_low", 0)),
                      epoch_of(tick.get("exchange_timestamp")), *levels)


def encode_frame(packets: Iterable[bytes]) -> bytes:
    """A binary frame: ``>H`` count, then ``>H`` length and bytes per packet.

    Raises:
        ValueError: more than 65535 packets, or a packet longer than 65535 bytes.
    """
    items = list(packets)
    if len(items) > 0xFFFF:
        raise ValueError("a frame holds at most 65535 packets")
    parts = [struct.pack(">H", len(items))]
    for p in items:
        if len(p) > 0xFFFF:
            raise ValueError("a packet is at most 65535 bytes")
        parts.append(struct.pack(">H", len(p)))
        parts.append(p)
    return b"".join(parts)
