"""The server side of Dhan's v2 binary market feed, written from Dhan's documented
packet layouts and independently of :mod:`brokers.dhan.codec`, so that the sandbox
checks the client's decoder rather than agreeing with it by construction.

Every packet is little-endian and starts with the 8-byte header ``code u8, length
u16 (the packet's total size), segment u8, security id u32``. Dhan sends one packet
per websocket frame.
"""

from __future__ import annotations

import struct
from typing import Dict, Optional, Sequence, Tuple

__all__ = ["SEGMENTS", "Depth", "disconnect", "full", "index", "oi", "prev_close", "quote", "status", "ticker"]

# Dhan's exchange segment enum (the int in the header; the names the JSON requests use).
SEGMENTS: Dict[str, int] = {"IDX_I": 0, "NSE_EQ": 1, "NSE_FNO": 2, "NSE_CURRENCY": 3, "BSE_EQ": 4,
                            "MCX_COMM": 5, "BSE_CURRENCY": 7, "BSE_FNO": 8}

# Response codes, sizes.
_INDEX, _TICKER, _QUOTE, _OI, _PREV_CLOSE, _STATUS, _FULL, _DISCONNECT = 1, 2, 4, 5, 6, 7, 8, 50
_SIZE = {_INDEX: 16, _TICKER: 16, _QUOTE: 50, _OI: 12, _PREV_CLOSE: 16, _STATUS: 8, _FULL: 162, _DISCONNECT: 10}

# (bid qty, ask qty, bid orders, ask orders, bid price, ask price): one depth level.
Depth = Tuple[int, int, int, int, float, float]


def _packet(code: int, segment: int, security_id: int) -> bytearray:
    buf = bytearray(_SIZE[code])
    buf[0] = code
    buf[1:3] = len(buf).to_bytes(2, "little")
    buf[3] = segment
    buf[4:8] = (security_id & 0xFFFFFFFF).to_bytes(4, "little")
    return buf


def _f32(buf: bytearray, off: int, value: float) -> None:
    buf[off:off + 4] = struct.pack("<f", value)


def _u32(buf: bytearray, off: int, value: int) -> None:
    buf[off:off + 4] = (max(0, int(value)) & 0xFFFFFFFF).to_bytes(4, "little")


def _u16(buf: bytearray, off: int, value: int) -> None:
    buf[off:off + 2] = (max(0, int(value)) & 0xFFFF).to_bytes(2, "little")


def ticker(segment: int, security_id: int, ltp: float, ltt: int) -> bytes:
    """Code 2 (16 bytes): LTP f32 @8, LTT u32 @12."""
    buf = _packet(_TICKER, segment, security_id)
    _f32(buf, 8, ltp)
    _u32(buf, 12, ltt)
    return bytes(buf)


def index(segment: int, security_id: int, ltp: float, ltt: int) -> bytes:
    """Code 1 (16 bytes): an index value, laid out as a ticker packet."""
    buf = bytearray(ticker(segment, security_id, ltp, ltt))
    buf[0] = _INDEX
    return bytes(buf)


def prev_close(segment: int, security_id: int, close: float, prev_oi: int) -> bytes:
    """Code 6 (16 bytes): previous close f32 @8, previous OI u32 @12."""
    buf = _packet(_PREV_CLOSE, segment, security_id)
    _f32(buf, 8, close)
    _u32(buf, 12, prev_oi)
    return bytes(buf)


def oi(segment: int, security_id: int, value: int) -> bytes:
    """Code 5 (12 bytes): open interest u32 @8."""
    buf = _packet(_OI, segment, security_id)
    _u32(buf, 8, value)
    return bytes(buf)


def status(segment: int = 0, security_id: int = 0) -> bytes:
    """Code 7 (8 bytes): market status, header only."""
    return bytes(_packet(_STATUS, segment, security_id))


def disconnect(reason: int) -> bytes:
    """Code 50 (10 bytes): the reason (805-814) u16 @8."""
    buf = _packet(_DISCONNECT, 0, 0)
    _u16(buf, 8, reason)
    return bytes(buf)


def _trade(buf: bytearray, ltp: float, ltq: int, ltt: int, avg: float, volume: int, sell_qty: int,
           buy_qty: int) -> None:
    _f32(buf, 8, ltp)
    _u16(buf, 12, ltq)
    _u32(buf, 14, ltt)
    _f32(buf, 18, avg)
    _u32(buf, 22, volume)
    _u32(buf, 26, sell_qty)
    _u32(buf, 30, buy_qty)


def quote(segment: int, security_id: int, *, ltp: float, ltq: int, ltt: int, avg: float, volume: int,
          sell_qty: int, buy_qty: int, day: Tuple[float, float, float, float]) -> bytes:
    """Code 4 (50 bytes). ``day`` is (open, close, high, low), at offsets 34, 38, 42, 46."""
    buf = _packet(_QUOTE, segment, security_id)
    _trade(buf, ltp, ltq, ltt, avg, volume, sell_qty, buy_qty)
    for n, value in enumerate(day):
        _f32(buf, 34 + 4 * n, value)
    return bytes(buf)


def full(segment: int, security_id: int, *, ltp: float, ltq: int, ltt: int, avg: float, volume: int,
         sell_qty: int, buy_qty: int, day: Tuple[float, float, float, float],
         oi_now: Tuple[int, int, int], depth: Sequence[Depth]) -> bytes:
    """Code 8 (162 bytes): the quote fields, OI / OI day high / low at 34..45, the day's
    (open, close, high, low) at 46..61 and five 20-byte depth levels from 62."""
    if len(depth) != 5:
        raise ValueError(f"a full packet has 5 depth levels, got {len(depth)}")
    buf = _packet(_FULL, segment, security_id)
    _trade(buf, ltp, ltq, ltt, avg, volume, sell_qty, buy_qty)
    for n, count in enumerate(oi_now):
        _u32(buf, 34 + 4 * n, count)
    for n, value in enumerate(day):
        _f32(buf, 46 + 4 * n, value)
    for n, (bq, aq, bo, ao, bp, ap) in enumerate(depth):
        off = 62 + 20 * n
        _u32(buf, off, bq)
        _u32(buf, off + 4, aq)
        _u16(buf, off + 8, bo)
        _u16(buf, off + 10, ao)
        _f32(buf, off + 12, bp)
        _f32(buf, off + 16, ap)
    return bytes(buf)


def segment_code(name: str) -> Optional[int]:
    """The header's segment int for a segment name, or None."""
    return SEGMENTS.get(name)
