"""Pure encoding and parsing for Fyers: the HSM binary data socket, the JSON
order socket, and the symbol master CSV. No I/O, no threads.

HSM frames are big-endian. A control frame is ``u16 length, u8 type, u8
field_count`` and then ``field_count`` fields of ``u8 id, u16 len, bytes``. A
datafeed frame (type 6) is ``u16 length, u8 6, u32 message_number, u16
record_count`` and then that many records back to back:

- snapshot ``'S'``: ``u16 topic_id, u8 name_len, name, u8 n, n x i32, 2 bytes,
  u16 multiplier, u8 precision, 3 x (u8 len, str)`` (exchange, token, symbol)
- update ``'U'`` (full mode): ``u16 topic_id, u8 n, n x i32``
- lite ``'L'``: ``u16 topic_id, i32 ltp``

``-2147483648`` means "absent / unchanged". :func:`parse_datafeed` reads every
record of a frame at a running offset (Aio-Trader read only the first), and
raises only :class:`ValueError` on a malformed frame; given an ``errors`` list it
returns the records before the damage instead (a record of unknown type or cut
short has no readable end, so nothing after it can be read). Every value is an
integer on the wire, so no price can be NaN or infinite. :class:`HsmBook` merges
snapshots and updates into full ticks shaped as ``fyers_apiv3`` emits them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "EXCH_SEG",
    "Lite",
    "Snapshot",
    "Update",
    "ack_message",
    "auth_message",
    "map_order_message",
    "mode_message",
    "parse_control",
    "parse_datafeed",
    "parse_symbol_master",
    "pause_message",
    "resume_message",
    "subscribe_message",
    "topic_for",
    "unsubscribe_message",
]

# -- message types and constants ---------------------------------------------------------------
AUTH, ACK, SUBSCRIBE, UNSUBSCRIBE, DATAFEED, PAUSE, RESUME, PING, MODE = 1, 3, 4, 5, 6, 7, 8, 11, 12
CUSTOM = 51  # a server notice: code, message, the request type it refers to
# Control answers as fyers_apiv3 reports them: type -> (message type, OK text, error code).
CONTROL_ANSWERS: Dict[int, Tuple[str, str, int]] = {
    SUBSCRIBE: ("sub", "Subscribed", 11011),
    UNSUBSCRIBE: ("unsub", "Unsubscribed", 11012),
    PAUSE: ("cp", "Channel Paused", 11032),
    RESUME: ("cr", "Channel Resumed", 11031),
    MODE: ("ful", "Full Mode On", 12001),
}
SENTINEL = -2147483648
PING_FRAME = b"\x00\x01\x0b"
DEFAULT_CHANNEL = 11

# Fytoken prefix -> HSM segment (fytoken[:4]); fytoken[10:] is the exchange token.
EXCH_SEG: Dict[str, str] = {
    "1010": "nse_cm", "1011": "nse_fo", "1012": "cde_fo", "1020": "nse_com",
    "1120": "mcx_fo", "1210": "bse_cm", "1211": "bse_fo", "1212": "bcs_fo",
}

# A few index names as the data socket spells them; Fyers publishes the full map
# (``Fyers.index_names()``), and FyersFeed takes it through ``index_names=``.
INDEX_NAMES: Dict[str, str] = {
    "NSE:NIFTY50-INDEX": "Nifty 50",
    "NSE:NIFTYBANK-INDEX": "Nifty Bank",
    "NSE:FINNIFTY-INDEX": "Nifty Fin Service",
    "NSE:MIDCPNIFTY-INDEX": "NIFTY MID SELECT",
    "NSE:INDIAVIX-INDEX": "India VIX",
    "NSE:NIFTYIT-INDEX": "Nifty IT",
    "NSE:NIFTYNXT50-INDEX": "Nifty Next 50",
    "BSE:SENSEX-INDEX": "SENSEX",
    "BSE:BANKEX-INDEX": "BANKEX",
}

# Positional field names of each topic kind (what fyers_apiv3 calls data_val, index_val, depthvalue).
SF_FIELDS = ("ltp", "vol_traded_today", "last_traded_time", "exch_feed_time", "bid_size", "ask_size",
             "bid_price", "ask_price", "last_traded_qty", "tot_buy_qty", "tot_sell_qty", "avg_trade_price",
             "OI", "low_price", "high_price", "Yhigh", "Ylow", "lower_ckt", "upper_ckt", "open_price",
             "prev_close_price")
SF_PRICES = frozenset({"ltp", "bid_price", "ask_price", "avg_trade_price", "low_price", "high_price",
                       "open_price", "prev_close_price", "lower_ckt", "upper_ckt"})
SF_DROPPED = frozenset({"OI", "Yhigh", "Ylow"})  # fyers_apiv3 leaves them out of its ticks
IF_FIELDS = ("ltp", "prev_close_price", "exch_feed_time", "high_price", "low_price", "open_price")
IF_PRICES = frozenset({"ltp", "prev_close_price", "high_price", "low_price", "open_price"})
DP_FIELDS = tuple([f"bid_price{i}" for i in range(1, 6)] + [f"ask_price{i}" for i in range(1, 6)]
                  + [f"bid_size{i}" for i in range(1, 6)] + [f"ask_size{i}" for i in range(1, 6)]
                  + [f"bid_order{i}" for i in range(1, 6)] + [f"ask_order{i}" for i in range(1, 6)])
DP_PRICES = frozenset(DP_FIELDS[:10])
FIELDS = {"sf": SF_FIELDS, "if": IF_FIELDS, "dp": DP_FIELDS}
PRICES = {"sf": SF_PRICES, "if": IF_PRICES, "dp": DP_PRICES}
# What a tick carries, in order, and whether each value is a scaled price.
OUT_FIELDS = {kind: tuple((n, n in PRICES[kind]) for n in names if n not in SF_DROPPED) for kind, names in FIELDS.items()}

_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_I32 = struct.Struct(">i")
_HDR6 = struct.Struct(">HBIH")


# -- client -> server messages ----------------------------------------------------------------------
def _fields(*values: bytes) -> bytes:
    return b"".join(struct.pack(">BH", i, len(v)) + v for i, v in enumerate(values, 1))


def auth_message(hsm_key: str, source: str = "brokers-py") -> bytes:
    """Type 1: authenticate with the JWT's ``hsm_key``."""
    body = struct.pack(">BB", AUTH, 4) + _fields(hsm_key.encode(), b"P", b"\x01", source.encode())
    return _U16.pack(len(body)) + body


def mode_message(channel: int = DEFAULT_CHANNEL, lite: bool = False) -> bytes:
    """Type 12: full (``'F'``) or lite (``'L'``) mode for a channel."""
    _check_channel(channel)
    body = struct.pack(">BB", MODE, 2) + _fields(struct.pack(">Q", 1 << channel), b"L" if lite else b"F")
    return _U16.pack(len(body)) + body


def _topics(topics: Sequence[str]) -> bytes:
    parts = [_U16.pack(len(topics))]
    for t in topics:
        raw = t.encode()
        if len(raw) > 255:
            raise ValueError(f"topic too long: {t!r}")
        parts.append(bytes([len(raw)]) + raw)
    return b"".join(parts)


def _sub(kind: int, topics: Sequence[str], channel: int) -> bytes:
    _check_channel(channel)
    if len(topics) > 0xFFFF:
        raise ValueError("too many topics in one message")
    body = struct.pack(">BB", kind, 2) + _fields(_topics(topics), bytes([channel]))
    return _U16.pack(len(body)) + body


def subscribe_message(topics: Sequence[str], channel: int = DEFAULT_CHANNEL) -> bytes:
    """Type 4: subscribe ``topics`` (``sf|nse_cm|3045``, ...) on ``channel``."""
    return _sub(SUBSCRIBE, topics, channel)


def unsubscribe_message(topics: Sequence[str], channel: int = DEFAULT_CHANNEL) -> bytes:
    """Type 5: unsubscribe ``topics`` on ``channel``."""
    return _sub(UNSUBSCRIBE, topics, channel)


def _bitmap(kind: int, channels: Iterable[int]) -> bytes:
    bits = 0
    for c in channels:
        _check_channel(c)
        bits |= 1 << c
    body = struct.pack(">BB", kind, 1) + _fields(struct.pack(">Q", bits))
    return _U16.pack(len(body)) + body


def pause_message(channels: Iterable[int]) -> bytes:
    """Type 7: stop sending data for ``channels``."""
    return _bitmap(PAUSE, channels)


def resume_message(channels: Iterable[int]) -> bytes:
    """Type 8: send data for ``channels`` again."""
    return _bitmap(RESUME, channels)


def ack_message(message_number: int) -> bytes:
    """Type 3: acknowledge datafeed frames up to ``message_number``."""
    body = struct.pack(">BB", ACK, 1) + _fields(_U32.pack(message_number & 0xFFFFFFFF))
    return _U16.pack(len(body)) + body


def _check_channel(channel: int) -> None:
    if not isinstance(channel, int) or isinstance(channel, bool) or not 0 < channel < 64:
        raise ValueError(f"channel must be an integer in 1..63, got {channel!r}")


# -- parsing ----------------------------------------------------------------------------------------
@dataclass
class Control:
    """A control frame from the server (auth, subscribe, mode, pause, resume, custom)."""

    type: int
    fields: Dict[int, bytes]

    @property
    def ok(self) -> bool:
        """True when field 1 is ``"K"`` (the server's OK)."""
        return self.fields.get(1, b"")[:1] == b"K"

    @property
    def ack_count(self) -> int:
        """For an auth answer: ack every ``ack_count`` datafeed frames (0: never)."""
        raw = self.fields.get(2, b"")
        return _U32.unpack(raw)[0] if len(raw) == 4 else 0

    def notice(self) -> Dict[str, Any]:
        """For a custom (type 51) frame: ``{"code", "message", "ref_type"}``."""
        code = self.fields.get(1, b"")
        ref = self.fields.get(3, b"")
        return {"code": _I32.unpack(code)[0] if len(code) == 4 else 0,
                "message": self.fields.get(2, b"").decode("utf-8", errors="replace"),
                "ref_type": ref[0] if len(ref) == 1 else 0}


def _check_bytes(frame: Any) -> None:
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        raise ValueError(f"an HSM frame must be bytes, not {type(frame).__name__}")


def frame_type(frame: bytes) -> int:
    """The message type of a server frame (byte 2). Raises ValueError if too short."""
    _check_bytes(frame)
    if len(frame) < 3:
        raise ValueError(f"frame too short ({len(frame)} bytes)")
    return frame[2]


def parse_control(frame: bytes) -> Control:
    """Parse a control frame's fields by id (unknown fields are kept, not trusted).

    Raises:
        ValueError: the frame is cut short or not bytes.
    """
    _check_bytes(frame)
    if len(frame) < 4:
        raise ValueError(f"control frame too short ({len(frame)} bytes)")
    kind, count = frame[2], frame[3]
    fields: Dict[int, bytes] = {}
    off = 4
    n = len(frame)
    for _ in range(count):
        if off + 3 > n:
            raise ValueError("control frame truncated in a field header")
        fid = frame[off]
        (flen,) = _U16.unpack_from(frame, off + 1)
        off += 3
        if off + flen > n:
            raise ValueError("control frame truncated in a field value")
        fields[fid] = bytes(frame[off:off + flen])
        off += flen
    return Control(kind, fields)


@dataclass
class Snapshot:
    topic_id: int
    topic: str
    values: List[Optional[int]]  # None where the server sent the sentinel
    multiplier: int
    precision: int
    exchange: str
    exchange_token: str
    symbol: str


@dataclass
class Update:
    topic_id: int
    values: List[Optional[int]]


@dataclass
class Lite:
    topic_id: int
    ltp: Optional[int]


Record = Union[Snapshot, Update, Lite]


def _values(frame: bytes, off: int, count: int) -> Tuple[List[Optional[int]], int]:
    end = off + 4 * count
    if end > len(frame):
        raise ValueError("datafeed record truncated in its values")
    raw = struct.unpack_from(f">{count}i", frame, off)
    return [None if v == SENTINEL else v for v in raw], end


def _string(frame: bytes, off: int) -> Tuple[str, int]:
    if off >= len(frame):
        raise ValueError("datafeed record truncated in a string")
    length = frame[off]
    end = off + 1 + length
    if end > len(frame):
        raise ValueError("datafeed record truncated in a string")
    return frame[off + 1:end].decode("utf-8", errors="replace"), end


def parse_datafeed(frame: bytes, errors: Optional[List[ValueError]] = None) -> Tuple[int, List[Record]]:
    """Every record of a type-6 frame, in order.

    Args:
        frame: the binary frame.
        errors: a list to collect damage in instead of raising: a record cut short
            or of an unknown type then ends the frame, the records before it are
            returned and the ``ValueError`` is appended here (what the feed does).

    Returns:
        ``(message_number, records)``.

    Raises:
        ValueError: the frame is not a datafeed frame or its header is cut short;
            or, without ``errors``, a record is truncated or of an unknown type.
    """
    _check_bytes(frame)
    if len(frame) < 9:
        raise ValueError(f"datafeed frame too short ({len(frame)} bytes)")
    _, kind, number, count = _HDR6.unpack_from(frame, 0)
    if kind != DATAFEED:
        raise ValueError(f"not a datafeed frame (type {kind})")
    records: List[Record] = []
    try:
        _read_records(frame, count, records)
    except ValueError as e:
        if errors is None:
            raise
        errors.append(e)
    return number, records


def _read_records(frame: bytes, count: int, records: List[Record]) -> None:
    off = 9
    n = len(frame)
    for _ in range(count):
        if off + 3 > n:
            raise ValueError("datafeed frame truncated before a record")
        rtype = frame[off]
        (topic_id,) = _U16.unpack_from(frame, off + 1)
        off += 3
        if rtype == 0x55:  # 'U'
            if off >= n:
                raise ValueError("update record truncated")
            values, off = _values(frame, off + 1, frame[off])
            records.append(Update(topic_id, values))
        elif rtype == 0x4C:  # 'L'
            if off + 4 > n:
                raise ValueError("lite record truncated")
            (ltp,) = _I32.unpack_from(frame, off)
            off += 4
            records.append(Lite(topic_id, None if ltp == SENTINEL else ltp))
        elif rtype == 0x53:  # 'S'
            topic, off = _string(frame, off)
            if off >= n:
                raise ValueError("snapshot record truncated")
            values, off = _values(frame, off + 1, frame[off])
            if off + 5 > n:
                raise ValueError("snapshot record truncated in its scale")
            (multiplier,) = _U16.unpack_from(frame, off + 2)
            precision = frame[off + 4]
            off += 5
            exchange, off = _string(frame, off)
            token, off = _string(frame, off)
            sym, off = _string(frame, off)
            records.append(Snapshot(topic_id, topic, values, multiplier, precision, exchange, token, sym))
        else:
            raise ValueError(f"unknown datafeed record type 0x{rtype:02x} at offset {off - 3}")


# -- symbols -> topics --------------------------------------------------------------------------------
def topic_for(symbol: str, fytoken: str, depth: bool = False,
              index_names: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The HSM topic of a symbol: ``sf|nse_cm|3045``, ``dp|nse_cm|3045`` or ``if|nse_cm|Nifty 50``.

    Returns None for an unknown segment code.

    Raises:
        ValueError: depth asked for an index (indices have no depth).
    """
    seg = EXCH_SEG.get(fytoken[:4])
    if seg is None:
        return None
    if symbol.endswith("-INDEX"):
        if depth:
            raise ValueError(f"{symbol}: an index has no market depth")
        names = index_names if index_names is not None else INDEX_NAMES
        name = names.get(symbol) or INDEX_NAMES.get(symbol) or symbol.split(":", 1)[-1].rsplit("-", 1)[0]
        return f"if|{seg}|{name}"
    return f"{'dp' if depth else 'sf'}|{seg}|{fytoken[10:]}"


# The master-file parsers live in masters.py; imported here so ``codec.X`` keeps working.
from .masters import MASTER_FILES as MASTER_FILES  # noqa: E402
from .masters import SYMBOL_MASTER_COLUMNS as SYMBOL_MASTER_COLUMNS  # noqa: E402
from .masters import parse_master as parse_master  # noqa: E402
from .masters import parse_symbol_master as parse_symbol_master  # noqa: E402
from .order_codec import KINDS as KINDS  # noqa: E402
from .order_codec import ORDER_FIELDS as ORDER_FIELDS  # noqa: E402
from .order_codec import ORDER_STATUS as ORDER_STATUS  # noqa: E402
from .order_codec import POSITION_FIELDS as POSITION_FIELDS  # noqa: E402
from .order_codec import TRADE_FIELDS as TRADE_FIELDS  # noqa: E402
from .order_codec import map_order_message as map_order_message  # noqa: E402
