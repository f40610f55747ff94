"""Pure parsing and encoding for Dhan: the v2 binary market feed, feed requests,
order-update messages, and the scrip master CSV. No I/O, no threads.

Market feed packets are little-endian and start with an 8-byte header
``<BHBI``: response code, message length, exchange segment, security id. A
websocket frame may hold several packets; :func:`parse_frame` walks them all,
using the known size of each packet type (and the header's length field for
types it does not know), and never raises: a short or unknown packet becomes a
``{"type": "Unknown"...}`` or ``{"type": "Truncated"...}`` record.

Tick dicts keep ``dhanhq``'s keys (``type``, ``exchange_segment``,
``security_id``, ``LTP``, ``LTQ``, ``LTT``, ``avg_price``, ``volume``, ...) with
better values: prices are floats rounded to the segment's precision (2 decimals,
4 for currency) instead of ``"{:.2f}"`` strings; ``LTT`` is a naive datetime of
IST wall-clock time (the feed's epoch is IST-shifted: ``dhanhq`` renders it as
UTC to show market time), instead of an ``"HH:MM:SS"`` string.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import struct
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .routes import DISCONNECT_REASONS, SEGMENT_CODES, SEGMENT_NAMES

__all__ = [
    "TICKER", "QUOTE", "FULL", "MODES", "parse_frame", "parse_packet", "subscribe_messages",
    "encode_ticker", "encode_quote", "encode_full", "encode_oi", "encode_prev_close", "encode_status",
    "encode_disconnect", "encode_index", "parse_order_update", "parse_scrip_master", "ltt_epoch",
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
_DEPTH = struct.Struct("<IIHHff")             # 20
_DISCONNECT = struct.Struct("<BHBIH")         # 10
_DEPTH_V1 = struct.Struct("<BHBIf")           # 12, then 5 x depth (v1 only)

SIZES: Mapping[int, int] = {
    TICKER_PKT: 16, DEPTH_PKT: 112, QUOTE_PKT: 50, OI_PKT: 12, PREV_CLOSE_PKT: 16, STATUS_PKT: 8,
    FULL_PKT: 162, DISCONNECT_PKT: 10, INDEX: 16,
}
_CURRENCY = (SEGMENT_CODES["NSE_CURRENCY"], SEGMENT_CODES["BSE_CURRENCY"])
_EPOCH = dt.datetime(1970, 1, 1)


def _round(value: float, segment: int) -> float:
    # float32 carries ~7 digits; round to the segment's tick precision so 24310.55
    # reads back as 24310.55, not 24310.55078125.
    return round(value, 4 if segment in _CURRENCY else 2)


def _ltt(epoch: int) -> Optional[dt.datetime]:
    return _EPOCH + dt.timedelta(seconds=epoch) if epoch else None


def ltt_epoch(when: dt.datetime) -> int:
    """The feed's LTT field for an IST wall-clock time (inverse of the parser's ``LTT``)."""
    return int((when.replace(tzinfo=None) - _EPOCH).total_seconds())


def _depth(buf: bytes, start: int, segment: int) -> List[Dict[str, Any]]:
    out = []
    for n in range(5):
        bq, aq, bo, ao, bp, ap = _DEPTH.unpack_from(buf, start + n * 20)
        out.append({"bid_quantity": bq, "ask_quantity": aq, "bid_orders": bo, "ask_orders": ao,
                    "bid_price": _round(bp, segment), "ask_price": _round(ap, segment)})
    return out


def parse_packet(packet: bytes) -> Dict[str, Any]:
    """One packet (header included) as a dict. Raises ValueError if it is too short
    for its type; an unknown type gives ``{"type": "Unknown", ...}``."""
    if len(packet) < 8:
        raise ValueError(f"a Dhan feed packet needs 8 header bytes, got {len(packet)}")
    code, _length, seg, sid = _HEADER.unpack_from(packet)
    need = SIZES.get(code, 8)
    if len(packet) < need:
        raise ValueError(f"packet type {code} needs {need} bytes, got {len(packet)}")
    base: Dict[str, Any] = {"exchange_segment": seg, "security_id": sid}
    if code == TICKER_PKT:
        _, _, _, _, ltp, ltt = _TICKER.unpack_from(packet)
        return {"type": "Ticker Data", **base, "LTP": _round(ltp, seg), "LTT": _ltt(ltt)}
    if code == QUOTE_PKT:
        (_, _, _, _, ltp, ltq, ltt, atp, vol, tsq, tbq, o, c, h, low) = _QUOTE.unpack_from(packet)
        return {"type": "Quote Data", **base, "LTP": _round(ltp, seg), "LTQ": ltq, "LTT": _ltt(ltt),
                "avg_price": _round(atp, seg), "volume": vol, "total_sell_quantity": tsq,
                "total_buy_quantity": tbq, "open": _round(o, seg), "close": _round(c, seg),
                "high": _round(h, seg), "low": _round(low, seg)}
    if code == FULL_PKT:
        (_, _, _, _, ltp, ltq, ltt, atp, vol, tsq, tbq, oi, oi_hi, oi_lo, o, c, h, low) = _FULL.unpack_from(packet)
        return {"type": "Full Data", **base, "LTP": _round(ltp, seg), "LTQ": ltq, "LTT": _ltt(ltt),
                "avg_price": _round(atp, seg), "volume": vol, "total_sell_quantity": tsq,
                "total_buy_quantity": tbq, "OI": oi, "oi_day_high": oi_hi, "oi_day_low": oi_lo,
                "open": _round(o, seg), "close": _round(c, seg), "high": _round(h, seg), "low": _round(low, seg),
                "depth": _depth(packet, 62, seg)}
    if code == OI_PKT:
        return {"type": "OI Data", **base, "OI": _OI.unpack_from(packet)[4]}
    if code == PREV_CLOSE_PKT:
        _, _, _, _, pclose, poi = _TICKER.unpack_from(packet)
        return {"type": "Previous Close", **base, "prev_close": _round(pclose, seg), "prev_OI": poi}
    if code == STATUS_PKT:
        return {"type": "Market Status", **base}
    if code == DISCONNECT_PKT:
        reason = _DISCONNECT.unpack_from(packet)[4]
        return {"type": "Disconnect", **base, "code": reason,
                "reason": DISCONNECT_REASONS.get(reason, "unknown disconnect code")}
    if code == INDEX:
        # Index packets are listed in Dhan's annexure without a layout; neither
        # official SDK parses them. They are read as a ticker (LTP f32 @8, LTT @12).
        _, _, _, _, ltp, ltt = _TICKER.unpack_from(packet)
        return {"type": "Index Data", **base, "LTP": _round(ltp, seg), "LTT": _ltt(ltt)}
    if code == DEPTH_PKT:  # v1 only, kept for completeness
        ltp = _DEPTH_V1.unpack_from(packet)[4]
        return {"type": "Market Depth", **base, "LTP": _round(ltp, seg), "depth": _depth(packet, 12, seg)}
    return {"type": "Unknown", **base, "code": code, "raw": bytes(packet)}


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
    """Every packet in a binary frame, in order. Never raises.

    A trailing packet shorter than its type's size becomes
    ``{"type": "Truncated", "code", "size", "raw"}``; an unknown type
    ``{"type": "Unknown", "code", "raw", ...}``.
    """
    out: List[Dict[str, Any]] = []
    view = memoryview(frame)
    pos, end = 0, len(frame)
    while pos < end:
        remaining = end - pos
        if remaining < 8:
            out.append({"type": "Truncated", "code": frame[pos], "size": remaining, "raw": bytes(view[pos:])})
            break
        code, length, _seg, _sid = _HEADER.unpack_from(frame, pos)
        size = _packet_size(code, length, remaining)
        if size > remaining:
            out.append({"type": "Truncated", "code": code, "size": remaining, "raw": bytes(view[pos:])})
            break
        out.append(parse_packet(bytes(view[pos:pos + size])))
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
    """A JSON order-update message as a dict, or None when it is not JSON or not an
    object. ``{"Type": "order_alert", "Data": {...}}`` is the order update."""
    if isinstance(message, (bytes, bytearray)):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        data = json.loads(message)
    except (TypeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# -- scrip master ------------------------------------------------------------------------------
def _infer(values: List[str]) -> Any:
    """The column's converter: int if every non-empty cell is a whole number, else
    float if every one is a number, else str (as pandas.read_csv infers dtypes)."""
    filled = [v for v in values if v != ""]
    if not filled:
        return None
    try:
        for v in filled:
            int(v)
        return int
    except ValueError:
        pass
    try:
        for v in filled:
            float(v)
        return float
    except ValueError:
        return str


def parse_scrip_master(text: str) -> List[Dict[str, Any]]:
    """Dhan's scrip master CSV (compact or detailed) as a list of dicts.

    Whole-number columns become ``int``, numeric ones ``float``, the rest ``str``;
    empty cells are ``None``.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return []
    rows = [row for row in reader if row and any(cell.strip() for cell in row)]
    columns = list(zip(*[(row + [""] * len(header))[:len(header)] for row in rows])) if rows else []
    converters = [_infer([c.strip() for c in col]) for col in columns]
    out = []
    for row in rows:
        cells = (row + [""] * len(header))[:len(header)]
        record: Dict[str, Any] = {}
        for name, cell, conv in zip(header, cells, converters):
            cell = cell.strip()
            record[name] = None if cell == "" or conv is None else conv(cell)
        out.append(record)
    return out


def segment_name(code: int) -> str:
    """``1`` -> ``"NSE_EQ"``; unknown codes as their number."""
    return SEGMENT_NAMES.get(code, str(code))
