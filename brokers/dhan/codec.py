"""Pure parsing and encoding for Dhan: the v2 binary market feed, feed requests,
order-update messages, and the scrip master CSV. No I/O, no threads.

Market feed packets are little-endian and start with an 8-byte header
``<BHBI``: response code, message length, exchange segment, security id. A
websocket frame may hold several packets; :func:`parse_frame` walks them all,
using the known size of each packet type (and the header's length field for
types it does not know), and never raises: a bad packet costs only itself. An
unknown packet becomes ``{"type": "Unknown"...}``, a short one at the end
``{"type": "Truncated"...}``, and a packet holding a NaN or infinite float
``{"type": "Invalid"...}``: the whole packet is dropped, not just the field,
because a price the exchange cannot send means the packet is damaged and its
other fields cannot be trusted either (a tick with ``LTP=None`` would also break
arithmetic in every strategy). The packets around a bad one are parsed as usual,
and :func:`disconnects` finds the disconnect packets of a frame without parsing
the rest.

Tick dicts keep ``dhanhq``'s keys (``type``, ``exchange_segment``,
``security_id``, ``LTP``, ``LTQ``, ``LTT``, ``avg_price``, ``volume``, ...) with
better values: prices are floats rounded to the segment's precision (2 decimals,
4 for currency; ``round(x * 100) / 100``) instead of ``"{:.2f}"`` strings; ``LTT`` is a naive datetime of
IST wall-clock time (the feed's epoch is IST-shifted: ``dhanhq`` renders it as
UTC to show market time), instead of an ``"HH:MM:SS"`` string.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ..core import safejson
from .routes import DISCONNECT_REASONS, SEGMENT_CODES

__all__ = [
    "TICKER", "QUOTE", "FULL", "MODES", "parse_frame", "parse_packet", "subscribe_messages",
    "encode_ticker", "encode_quote", "encode_full", "encode_oi", "encode_prev_close", "encode_status",
    "encode_disconnect", "encode_index", "parse_order_update", "parse_scrip_master", "ltt_epoch",
    "disconnects",
]

# Subscription request codes (unsubscribe is code + 1); v2 accepts these three.
TICKER, QUOTE, FULL = 15, 17, 21
MODES: Mapping[str, int] = {"ticker": TICKER, "quote": QUOTE, "full": FULL}
DISCONNECT_REQUEST = 12
BATCH = 100  # instruments per subscribe message (Dhan's limit)

# Response codes.
INDEX, TICKER_PKT, DEPTH_PKT, QUOTE_PKT, OI_PKT, PREV_CLOSE_PKT, STATUS_PKT, FULL_PKT, DISCONNECT_PKT = (
    1, 2, 3, 4, 5, 6, 7, 8, 50)

_HEADER = struct.Struct("<BHBI")
_TICKER = struct.Struct("<BHBIfI")            # 16: ltp, ltt
_QUOTE = struct.Struct("<BHBIfHIfIIIffff")    # 50
_OI = struct.Struct("<BHBII")                 # 12
_FULL = struct.Struct("<BHBIfHIfIIIIIIffff")  # 62, then 5 x depth
_FULL_ALL = struct.Struct("<BHBIfHIfIIIIIIffff" + "IIHHff" * 5)  # 162, read in one call
_DEPTH = struct.Struct("<IIHHff")             # 20
_DEPTH_ALL = struct.Struct("<" + "IIHHff" * 5)
_DISCONNECT = struct.Struct("<BHBIH")         # 10
_DEPTH_V1 = struct.Struct("<BHBIf")           # 12, then 5 x depth (v1 only)

SIZES: Mapping[int, int] = {
    TICKER_PKT: 16, DEPTH_PKT: 112, QUOTE_PKT: 50, OI_PKT: 12, PREV_CLOSE_PKT: 16, STATUS_PKT: 8,
    FULL_PKT: 162, DISCONNECT_PKT: 10, INDEX: 16,
}
_CURRENCY = (SEGMENT_CODES["NSE_CURRENCY"], SEGMENT_CODES["BSE_CURRENCY"])
_EPOCH = dt.datetime(1970, 1, 1)
_SECOND = dt.timedelta(seconds=1)
_ltt_cache: Dict[int, dt.datetime] = {}


def _scale(segment: int) -> float:
    # float32 carries ~7 digits; round to the segment's tick precision so 24310.55
    # reads back as 24310.55, not 24310.55078125.
    return 10000.0 if segment in _CURRENCY else 100.0


def _ltt(epoch: int) -> Optional[dt.datetime]:
    # Building a datetime costs more than the rest of a ticker packet; many
    # packets of a burst share their second, so recent ones are kept.
    if not epoch:
        return None
    when = _ltt_cache.get(epoch)
    if when is None:
        if len(_ltt_cache) > 4096:
            _ltt_cache.clear()
        when = _ltt_cache[epoch] = _EPOCH + _SECOND * epoch
    return when


def ltt_epoch(when: dt.datetime) -> int:
    """The feed's LTT field for an IST wall-clock time (inverse of the parser's ``LTT``)."""
    return int((when.replace(tzinfo=None) - _EPOCH).total_seconds())


def _depth(v: Sequence[Any], k: float) -> List[Dict[str, Any]]:
    """Five depth rows from the 30 values of five ``<IIHHff`` records."""
    return [{"bid_quantity": v[i], "ask_quantity": v[i + 1], "bid_orders": v[i + 2], "ask_orders": v[i + 3],
             "bid_price": round(v[i + 4] * k) / k, "ask_price": round(v[i + 5] * k) / k}
            for i in range(0, 30, 6)]


def _ticker(buf: bytes, pos: int) -> Dict[str, Any]:
    _, _, seg, sid, ltp, ltt = _TICKER.unpack_from(buf, pos)
    k = _scale(seg)
    return {"type": "Ticker Data", "exchange_segment": seg, "security_id": sid, "LTP": round(ltp * k) / k,
            "LTT": _ltt(ltt)}


def _index(buf: bytes, pos: int) -> Dict[str, Any]:
    # Index packets are listed in Dhan's annexure without a layout; neither
    # official SDK parses them. They are read as a ticker (LTP f32 @8, LTT @12).
    tick = _ticker(buf, pos)
    tick["type"] = "Index Data"
    return tick


def _quote(buf: bytes, pos: int) -> Dict[str, Any]:
    _, _, seg, sid, ltp, ltq, ltt, atp, vol, tsq, tbq, o, c, h, low = _QUOTE.unpack_from(buf, pos)
    k = _scale(seg)
    return {"type": "Quote Data", "exchange_segment": seg, "security_id": sid, "LTP": round(ltp * k) / k,
            "LTQ": ltq, "LTT": _ltt(ltt), "avg_price": round(atp * k) / k, "volume": vol,
            "total_sell_quantity": tsq, "total_buy_quantity": tbq, "open": round(o * k) / k,
            "close": round(c * k) / k, "high": round(h * k) / k, "low": round(low * k) / k}


def _full(buf: bytes, pos: int) -> Dict[str, Any]:
    v = _FULL_ALL.unpack_from(buf, pos)
    seg = v[2]
    k = _scale(seg)
    return {"type": "Full Data", "exchange_segment": seg, "security_id": v[3], "LTP": round(v[4] * k) / k,
            "LTQ": v[5], "LTT": _ltt(v[6]), "avg_price": round(v[7] * k) / k, "volume": v[8],
            "total_sell_quantity": v[9], "total_buy_quantity": v[10], "OI": v[11], "oi_day_high": v[12],
            "oi_day_low": v[13], "open": round(v[14] * k) / k, "close": round(v[15] * k) / k,
            "high": round(v[16] * k) / k, "low": round(v[17] * k) / k, "depth": _depth(v[18:], k)}


def _oi(buf: bytes, pos: int) -> Dict[str, Any]:
    _, _, seg, sid, oi = _OI.unpack_from(buf, pos)
    return {"type": "OI Data", "exchange_segment": seg, "security_id": sid, "OI": oi}


def _prev_close(buf: bytes, pos: int) -> Dict[str, Any]:
    _, _, seg, sid, pclose, poi = _TICKER.unpack_from(buf, pos)
    k = _scale(seg)
    return {"type": "Previous Close", "exchange_segment": seg, "security_id": sid,
            "prev_close": round(pclose * k) / k, "prev_OI": poi}


def _status(buf: bytes, pos: int) -> Dict[str, Any]:
    _, _, seg, sid = _HEADER.unpack_from(buf, pos)
    return {"type": "Market Status", "exchange_segment": seg, "security_id": sid}


def _disconnect(buf: bytes, pos: int) -> Dict[str, Any]:
    _, _, seg, sid, reason = _DISCONNECT.unpack_from(buf, pos)
    return {"type": "Disconnect", "exchange_segment": seg, "security_id": sid, "code": reason,
            "reason": DISCONNECT_REASONS.get(reason, "unknown disconnect code")}


def _depth_v1(buf: bytes, pos: int) -> Dict[str, Any]:  # v1 only, kept for completeness
    _, _, seg, sid, ltp = _DEPTH_V1.unpack_from(buf, pos)
    k = _scale(seg)
    return {"type": "Market Depth", "exchange_segment": seg, "security_id": sid, "LTP": round(ltp * k) / k,
            "depth": _depth(_DEPTH_ALL.unpack_from(buf, pos + 12), k)}


_PARSERS: Mapping[int, Callable[[bytes, int], Dict[str, Any]]] = {
    TICKER_PKT: _ticker, QUOTE_PKT: _quote, FULL_PKT: _full, OI_PKT: _oi, PREV_CLOSE_PKT: _prev_close,
    STATUS_PKT: _status, DISCONNECT_PKT: _disconnect, INDEX: _index, DEPTH_PKT: _depth_v1,
}


def parse_packet(packet: bytes) -> Dict[str, Any]:
    """One packet (header included) as a dict; an unknown type gives
    ``{"type": "Unknown", ...}``.

    Raises:
        ValueError: the packet is too short for its type, holds a NaN or infinite
            float, or is not bytes.
    """
    if not isinstance(packet, (bytes, bytearray, memoryview)):
        raise ValueError(f"a Dhan feed packet must be bytes, not {type(packet).__name__}")
    if len(packet) < 8:
        raise ValueError(f"a Dhan feed packet needs 8 header bytes, got {len(packet)}")
    code = packet[0]
    need = SIZES.get(code, 8)
    if len(packet) < need:
        raise ValueError(f"packet type {code} needs {need} bytes, got {len(packet)}")
    parser = _PARSERS.get(code)
    if parser is not None:
        try:
            return parser(packet, 0)
        except (ValueError, OverflowError):  # round() of a NaN or infinite float
            raise ValueError(f"packet type {code} holds a NaN or infinite float") from None
    _, _, seg, sid = _HEADER.unpack_from(packet)
    return {"type": "Unknown", "exchange_segment": seg, "security_id": sid, "code": code, "raw": bytes(packet)}


def _packet_size(code: int, length: int, remaining: int) -> int:
    """How many bytes this packet takes. Known types have a fixed size (the
    length field's meaning is not documented); a longer length field is trusted
    only when the frame holds that many bytes (a newer, extended packet)."""
    known = SIZES.get(code)
    if known is not None:
        return length if known < length <= remaining else known
    if 8 <= length <= remaining:
        return length
    return remaining  # an unknown packet with no usable length: the rest of the frame


def parse_frame(frame: bytes) -> List[Dict[str, Any]]:
    """Every packet in a binary frame, in order. Never raises (anything that is not
    bytes-like is one ``Truncated`` record of size 0).

    A trailing packet shorter than its type's size becomes
    ``{"type": "Truncated", "code", "size", "raw"}``; an unknown type
    ``{"type": "Unknown", "code", "raw", ...}``; a packet holding a NaN or infinite
    float ``{"type": "Invalid", "code", "exchange_segment", "security_id",
    "reason", "raw"}`` (dropped whole: see the module docstring).
    """
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        return [{"type": "Truncated", "code": None, "size": 0, "raw": b""}]
    out: List[Dict[str, Any]] = []
    pos, end = 0, len(frame)
    unpack_header = _HEADER.unpack_from
    while pos < end:
        remaining = end - pos
        if remaining < 8:
            out.append({"type": "Truncated", "code": frame[pos], "size": remaining, "raw": bytes(frame[pos:])})
            break
        code, length, seg, sid = unpack_header(frame, pos)
        size = _packet_size(code, length, remaining)
        if size > remaining:
            out.append({"type": "Truncated", "code": code, "size": remaining, "raw": bytes(frame[pos:])})
            break
        parser = _PARSERS.get(code)
        if parser is not None:
            try:
                out.append(parser(frame, pos))
            except (ValueError, OverflowError):  # round() of a NaN or infinite float
                out.append({"type": "Invalid", "code": code, "exchange_segment": seg, "security_id": sid,
                            "reason": "a NaN or infinite float", "raw": bytes(frame[pos:pos + size])})
        else:
            out.append({"type": "Unknown", "exchange_segment": seg, "security_id": sid, "code": code,
                        "raw": bytes(frame[pos:pos + size])})
        pos += size
    return out


def disconnects(frame: bytes) -> List[Dict[str, Any]]:
    """The disconnect packets of a frame (as :func:`parse_frame` gives them), found
    by walking the packet headers only: what a feed that hands frames on raw still
    has to act on. Never raises."""
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        return []
    out: List[Dict[str, Any]] = []
    pos, end = 0, len(frame)
    while end - pos >= 8:
        code, length, _, _ = _HEADER.unpack_from(frame, pos)
        size = _packet_size(code, length, end - pos)
        if size > end - pos:
            break
        if code == DISCONNECT_PKT:
            out.append(_disconnect(frame, pos))
        pos += size
    return out


# -- requests (client -> server) ---------------------------------------------------------------
def subscribe_messages(request_code: int, instruments: Sequence[Tuple[str, str]], batch: int = BATCH) -> List[str]:
    """JSON subscribe (or unsubscribe: code + 1) messages, ``batch`` instruments each.

    Args:
        request_code: 15/17/21 to subscribe, 16/18/22 to unsubscribe.
        instruments: ``(segment name, security id)`` pairs.
    """
    out = []
    for start in range(0, len(instruments), batch):
        chunk = instruments[start:start + batch]
        out.append(json.dumps({"RequestCode": request_code, "InstrumentCount": len(chunk),
                               "InstrumentList": [{"ExchangeSegment": seg, "SecurityId": str(sid)}
                                                  for seg, sid in chunk]}, separators=(",", ":")))
    return out


# -- encoders (the sandbox and the tests use them) ----------------------------------------------
def encode_ticker(segment: int, security_id: int, ltp: float, ltt: int, *, code: int = TICKER_PKT) -> bytes:
    return _TICKER.pack(code, 16, segment, security_id, ltp, ltt)


def encode_index(segment: int, security_id: int, ltp: float, ltt: int) -> bytes:
    return encode_ticker(segment, security_id, ltp, ltt, code=INDEX)


def encode_prev_close(segment: int, security_id: int, prev_close: float, prev_oi: int) -> bytes:
    return _TICKER.pack(PREV_CLOSE_PKT, 16, segment, security_id, prev_close, prev_oi)


def encode_quote(segment: int, security_id: int, *, ltp: float, ltq: int, ltt: int, avg_price: float,
                 volume: int, total_sell_quantity: int, total_buy_quantity: int, open: float, close: float,
                 high: float, low: float) -> bytes:
    return _QUOTE.pack(QUOTE_PKT, 50, segment, security_id, ltp, ltq, ltt, avg_price, volume,
                       total_sell_quantity, total_buy_quantity, open, close, high, low)


def encode_full(segment: int, security_id: int, *, ltp: float, ltq: int, ltt: int, avg_price: float,
                volume: int, total_sell_quantity: int, total_buy_quantity: int, oi: int, oi_day_high: int,
                oi_day_low: int, open: float, close: float, high: float, low: float,
                depth: Iterable[Tuple[int, int, int, int, float, float]]) -> bytes:
    """``depth``: five ``(bid_qty, ask_qty, bid_orders, ask_orders, bid_price, ask_price)``."""
    rows = list(depth)
    if len(rows) != 5:
        raise ValueError(f"a full packet has 5 depth rows, got {len(rows)}")
    head = _FULL.pack(FULL_PKT, 162, segment, security_id, ltp, ltq, ltt, avg_price, volume, total_sell_quantity,
                      total_buy_quantity, oi, oi_day_high, oi_day_low, open, close, high, low)
    return head + b"".join(_DEPTH.pack(*row) for row in rows)


def encode_oi(segment: int, security_id: int, oi: int) -> bytes:
    return _OI.pack(OI_PKT, 12, segment, security_id, oi)


def encode_status(segment: int = 0, security_id: int = 0) -> bytes:
    return _HEADER.pack(STATUS_PKT, 8, segment, security_id)


def encode_disconnect(reason: int) -> bytes:
    return _DISCONNECT.pack(DISCONNECT_PKT, 10, 0, 0, reason)


# -- order updates -----------------------------------------------------------------------------
def parse_order_update(message: Any) -> Optional[Dict[str, Any]]:
    """A JSON order-update message as a dict, or None when it is not JSON (or not
    UTF-8, or nested too deeply to read) or not an object. Never raises.
    ``{"Type": "order_alert", "Data": {...}}`` is the order update. A ``NaN``,
    ``Infinity`` or overflowing number reads as ``None``: the update is kept (an
    order update is never dropped), only that value is lost."""
    try:
        data = safejson.loads(message)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


# The master-file parsers live in masters.py; imported here so ``codec.X`` keeps working.
from .masters import parse_master as parse_master  # noqa: E402
from .masters import parse_scrip_master as parse_scrip_master  # noqa: E402
from .masters import segment_name as segment_name  # noqa: E402
