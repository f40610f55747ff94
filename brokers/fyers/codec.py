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

import csv
import io
import struct
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ..core import safejson

__all__ = [
    "EXCH_SEG",
    "HsmBook",
    "Lite",
    "Snapshot",
    "Update",
    "ack_message",
    "auth_message",
    "control_response",
    "datafeed_frame",
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
_OUT = {kind: tuple((n, n in PRICES[kind]) for n in names if n not in SF_DROPPED) for kind, names in FIELDS.items()}

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


# -- server -> client messages (the sandbox and the tests speak them) ---------------------------
def control_response(kind: int, ok: bool = True, ack_count: Optional[int] = None) -> bytes:
    """A control answer: field 1 ``"K"`` (or ``"E"``), and for auth the ack count."""
    values = [b"K" if ok else b"E"]
    if ack_count is not None:
        values.append(_U32.pack(ack_count))
    body = struct.pack(">BB", kind, len(values)) + _fields(*values)
    return _U16.pack(len(body)) + body


def custom_message(code: int, message: str, ref_type: int = 0) -> bytes:
    """A type-51 server notice."""
    body = struct.pack(">BB", CUSTOM, 3) + _fields(_I32.pack(code), message.encode(), bytes([ref_type]))
    return _U16.pack(len(body)) + body


def _enc_values(values: Sequence[Optional[int]]) -> bytes:
    return bytes([len(values)]) + struct.pack(f">{len(values)}i", *[SENTINEL if v is None else v for v in values])


def _enc_str(s: str) -> bytes:
    raw = s.encode()
    return bytes([len(raw)]) + raw


def encode_record(record: Record) -> bytes:
    """The wire bytes of one datafeed record."""
    if isinstance(record, Update):
        return b"U" + _U16.pack(record.topic_id) + _enc_values(record.values)
    if isinstance(record, Lite):
        return b"L" + _U16.pack(record.topic_id) + _I32.pack(SENTINEL if record.ltp is None else record.ltp)
    r = record
    return (b"S" + _U16.pack(r.topic_id) + _enc_str(r.topic) + _enc_values(r.values) + b"\x00\x00"
            + _U16.pack(r.multiplier) + bytes([r.precision]) + _enc_str(r.exchange)
            + _enc_str(r.exchange_token) + _enc_str(r.symbol))


def datafeed_frame(message_number: int, records: Sequence[Record]) -> bytes:
    """A type-6 frame holding ``records``."""
    body = b"".join(encode_record(r) for r in records)
    total = 7 + len(body)
    return _HDR6.pack(total & 0xFFFF, DATAFEED, message_number & 0xFFFFFFFF, len(records)) + body


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


# -- merging records into ticks ---------------------------------------------------------------------
@dataclass
class _Topic:
    topic: str
    kind: str  # "sf" | "if" | "dp"
    symbol: str
    multiplier: int
    precision: int
    raw: Dict[str, int] = field(default_factory=dict)
    scale: float = 1.0

    def __post_init__(self) -> None:
        self.scale = float(10 ** self.precision * self.multiplier)


class HsmBook:
    """Per-connection state: topic ids -> the latest raw values; turns records into ticks.

    Args:
        symbols: topic name -> the user's symbol (``"sf|nse_cm|3045"`` -> ``"NSE:SBIN-EQ"``).
        lite: lite mode (ticks carry only ``ltp``, ``symbol`` and ``type``).

    Ticks are the dicts ``fyers_apiv3`` emits, with two fixes: circuit limits
    (``lower_ckt``/``upper_ckt``) carry their scaled values instead of 0, and
    index values past the known six never overwrite ``type`` or ``symbol``.
    A snapshot always yields a tick; an update or lite record yields one only
    when a value changed.
    """

    def __init__(self, symbols: Optional[Mapping[str, str]] = None, lite: bool = False) -> None:
        self.symbols: Dict[str, str] = dict(symbols or {})
        self.lite = lite
        self._topics: Dict[int, _Topic] = {}

    def reset(self) -> None:
        """Forget every topic id (a new connection numbers them afresh)."""
        self._topics.clear()

    def apply(self, record: Record) -> Optional[Dict[str, Any]]:
        """Merge one record; the resulting tick, or None when nothing changed."""
        if isinstance(record, Snapshot):
            kind = record.topic[:2]
            if kind not in FIELDS:
                return None
            names = FIELDS[kind]
            raw = {names[i]: v for i, v in enumerate(record.values[:len(names)]) if v is not None}
            fresh = _Topic(record.topic, kind, self.symbols.get(record.topic, record.symbol),
                           record.multiplier or 1, record.precision, raw)
            self._topics[record.topic_id] = fresh
            return self._tick(fresh)
        t = self._topics.get(record.topic_id)
        if t is None:
            return None  # an update before its snapshot: nothing to merge into
        if isinstance(record, Lite):
            if record.ltp is None or t.raw.get("ltp") == record.ltp:
                return None
            t.raw["ltp"] = record.ltp
            return self._tick(t)
        raw = t.raw
        changed = False
        for name, v in zip(FIELDS[t.kind], record.values):
            if v is not None and raw.get(name) != v:
                raw[name] = v
                changed = True
        return self._tick(t) if changed else None

    def feed(self, frame: bytes, errors: Optional[List[ValueError]] = None) -> Tuple[int, List[Dict[str, Any]]]:
        """Parse a datafeed frame and merge every record: ``(message_number, ticks)``.

        Raises:
            ValueError: as :func:`parse_datafeed` (with ``errors``, only for a bad header).
        """
        number, records = parse_datafeed(frame, errors)
        ticks = []
        for r in records:
            tick = self.apply(r)
            if tick is not None:
                ticks.append(tick)
        return number, ticks

    def _tick(self, t: _Topic) -> Dict[str, Any]:
        scale = t.scale
        raw = t.raw
        if self.lite and t.kind != "dp":
            ltp = raw.get("ltp")
            return {"ltp": ltp / scale if ltp is not None else None, "symbol": t.symbol, "type": t.kind}
        out: Dict[str, Any] = {}
        for name, is_price in _OUT[t.kind]:
            v = raw.get(name)
            if v is not None:
                out[name] = v / scale if is_price else v
        out["type"] = t.kind
        out["symbol"] = t.symbol
        if t.kind != "dp" and "ltp" in out and out.get("prev_close_price"):
            digits = 4 if t.kind == "sf" else 2
            ch = round(out["ltp"] - out["prev_close_price"], digits)
            out["ch"] = ch
            out["chp"] = round(ch / out["prev_close_price"] * 100, digits)
        return out


# -- order socket (JSON) --------------------------------------------------------------------------
ORDER_FIELDS = {
    "client_id": "clientId", "id": "id", "id_parent": "parentId", "id_exchange": "exchOrdId", "qty": "qty",
    "qty_remaining": "remainingQuantity", "qty_filled": "filledQty", "price_limit": "limitPrice",
    "price_stop": "stopPrice", "price_traded": "tradedPrice", "ord_type": "type", "fy_token": "fyToken",
    "exchange": "exchange", "segment": "segment", "symbol": "symbol", "instrument": "instrument",
    "oms_msg": "message", "offline_flag": "offlineOrder", "time_oms": "orderDateTime", "validity": "orderValidity",
    "product_type": "productType", "tran_side": "side", "org_ord_status": "status", "ord_source": "source",
    "symbol_exch": "ex_sym", "symbol_desc": "description", "ordertag": "orderTag", "take_profit": "takeProfit",
    "stop_loss": "stopLoss", "leg_type": "legType", "id_fyers": "id_fyers",
}
TRADE_FIELDS = {
    "id_fill": "tradeNumber", "id": "orderNumber", "qty_traded": "tradedQty", "price_traded": "tradePrice",
    "traded_val": "tradeValue", "product_type": "productType", "client_id": "clientId",
    "id_exchange": "exchangeOrderNo", "ord_type": "orderType", "tran_side": "side", "symbol": "symbol",
    "fill_time": "orderDateTime", "fy_token": "fyToken", "exchange": "exchange", "segment": "segment",
    "ordertag": "orderTag", "id_fyers": "id_fyers",
}
POSITION_FIELDS = {
    "symbol": "symbol", "id": "id", "buy_avg": "buyAvg", "buy_qty": "buyQty", "buy_val": "buyVal",
    "sell_avg": "sellAvg", "sell_qty": "sellQty", "sell_val": "sellVal", "net_avg": "netAvg", "net_qty": "netQty",
    "tran_side": "side", "qty": "qty", "product_type": "productType", "pl_realized": "realized_profit",
    "rbirefrate": "rbiRefRate", "fy_token": "fyToken", "exchange": "exchange", "segment": "segment",
    "day_buy_qty": "dayBuyQty", "day_sell_qty": "daySellQty", "cf_buy_qty": "cfBuyQty", "cf_sell_qty": "cfSellQty",
    "qty_multiplier": "qtyMulti_com", "pl_total": "pl", "cross_curr_flag": "crossCurrency",
    "pl_unrealized": "unrealized_profit", "take_profit": "takeProfit", "stop_loss": "stopLoss",
    "leg_type": "legType", "id_fyers": "id_fyers",
}
# Raw OMS status -> Fyers' order status (1 cancelled, 2 traded, 4 transit, 5 rejected, 6 pending, 7 expired).
ORDER_STATUS: Dict[int, int] = {
    **{c: 4 for c in (11, 12, 20, 21)},
    **{c: 6 for c in (22, 23, 24, 25, 26, 51, 52, 53, 54, 55, 61, 62, 63, 64, 71, 72)},
    90: 2, 91: 1, 73: 1, 92: 5, 93: 5, 94: 5,
}
KINDS = (("orders", ORDER_FIELDS), ("trades", TRADE_FIELDS), ("positions", POSITION_FIELDS))


def map_order_message(text: Union[str, bytes]) -> Optional[Tuple[str, Dict[str, Any]]]:
    """Parse one order-socket text frame.

    Returns:
        ``(kind, message)``: kind is ``"orders"``, ``"trades"``, ``"positions"``
        or ``"general"``; the message is ``{"s": ..., kind: {renamed fields}}``
        as ``fyers_apiv3`` shapes it (general messages pass through). ``None``
        for a ``"pong"``. An order's ``status`` is Fyers' order status (the raw
        OMS code stays in ``rawStatus``) and ``orderNumStatus`` is ``"<id>:<status>"``.

        A ``NaN``, ``Infinity`` or overflowing number reads as ``None``: the update
        is kept (an order update is never dropped), only that value is lost.

    Raises:
        ValueError: the frame is not JSON (or nested too deeply to read), not a
            JSON object, or not text. Nothing else escapes.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        raise ValueError(f"an order socket frame must be text, not {type(text).__name__}")
    if text.strip() == "pong":
        return None
    msg = safejson.loads(text)
    if not isinstance(msg, dict):
        raise ValueError("order socket message is not a JSON object")
    for kind, names in KINDS:
        body = msg.get(kind)
        if isinstance(body, dict):
            out = {names[k]: v for k, v in body.items() if k in names}
            if kind == "orders" and "status" in out:
                raw = out["status"]
                out["rawStatus"] = raw
                try:
                    out["status"] = ORDER_STATUS.get(int(raw), raw)
                except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
                    pass
                if "id" in out:
                    out["orderNumStatus"] = f"{out['id']}:{out['status']}"
            return kind, {"s": msg.get("s"), kind: out}
    return "general", msg


# -- symbol master ----------------------------------------------------------------------------------
SYMBOL_MASTER_COLUMNS = (
    "fytoken", "symbol_details", "exchange_instrument_type", "lot_size", "tick_size", "isin",
    "trading_session", "last_update", "expiry", "symbol_ticker", "exchange", "segment", "scrip_code",
    "underlying_symbol", "underlying_scrip_code", "strike_price", "option_type", "underlying_fytoken",
)
_NUMERIC = {"lot_size": int, "tick_size": float, "strike_price": float, "exchange": int, "segment": int,
            "exchange_instrument_type": int}


def parse_symbol_master(text: str) -> List[Dict[str, Any]]:
    """Rows of a Fyers symbol master CSV (no header line) as dicts.

    The first 18 columns get names (see ``SYMBOL_MASTER_COLUMNS``); numbers are
    converted where they parse; later columns, if any, go under ``"extra"``.
    """
    rows = []
    for cells in csv.reader(io.StringIO(text)):
        if not cells or not cells[0].strip() or not cells[0].strip()[0].isdigit():
            continue  # blank lines and any header line
        row: Dict[str, Any] = {}
        for name, value in zip(SYMBOL_MASTER_COLUMNS, cells):
            conv = _NUMERIC.get(name)
            if conv is not None:
                try:
                    row[name] = conv(float(value)) if conv is int else conv(value)
                    continue
                except ValueError:
                    pass
            row[name] = value
        if len(cells) > len(SYMBOL_MASTER_COLUMNS):
            row["extra"] = cells[len(SYMBOL_MASTER_COLUMNS):]
        rows.append(row)
    return rows


# -- the instrument master (rows for brokers.symbols) -------------------------------------------
#: Fyers' symbol master files, and the exchange name each one's records get.
MASTER_FILES = {"NSE_CM": "NSE", "NSE_FO": "NFO", "NSE_CD": "CDS", "NSE_COM": "NSE", "BSE_CM": "BSE",
                "BSE_FO": "BFO", "MCX_COM": "MCX"}


def parse_master(data: Any, segment: str) -> List[Tuple[Any, ...]]:
    """One symbol master file (``segment``: ``NSE_CM``, ``NSE_FO``, ...) as master
    rows (:data:`brokers.symbols.ROW_FIELDS`). The key is the Fyers symbol
    (``NSE:SBIN-EQ``), the token the fytoken, the underlying column 14.

    Raises:
        ValueError: a row with fewer than 18 cells (a truncated download), or a
            cell that does not convert.
    """
    import datetime as dt

    from ..ist import IST

    text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else str(data)
    _complete(text)
    exchange = MASTER_FILES.get(segment, segment.split("_", 1)[0])
    rows: List[Tuple[Any, ...]] = []
    dates: Dict[str, Any] = {"": None, "0": None}
    for n, r in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), 1):
        if not r or not r[0].strip()[:1].isdigit():
            if r and len(r) < 18 and n > 1:
                raise ValueError(f"line {n} of {segment} is not a symbol record (truncated?)")
            continue  # blank lines and any header line
        if len(r) < 18:
            raise ValueError(f"line {n} of {segment} has {len(r)} cells, not 18 or more (truncated?)")
        ticker = r[9]
        opt = r[16] if r[16] in ("CE", "PE") else None
        epoch = r[8].strip()
        ordinal = dates.get(epoch, 0)
        if ordinal == 0:
            ordinal = dates[epoch] = dt.datetime.fromtimestamp(int(float(epoch)), IST).date().toordinal()
        if opt:
            itype = opt
        elif ordinal:
            itype = "FUT"
        else:
            itype = "INDEX" if ticker.endswith("-INDEX") else "EQ"
        derivative = itype in ("FUT", "CE", "PE")
        underlying = (r[13].strip() or None) if derivative else None
        rows.append((ticker, exchange, segment, ticker.split(":", 1)[-1], r[0].strip(),
                     underlying or r[1], itype, underlying, ordinal if derivative else None,
                     float(r[15]) if opt else None, opt, int(float(r[3] or 1)), float(r[4] or 0.05),
                     r[12].strip() or None))
    return rows


def _complete(data: Any) -> None:
    """A master file ends with a newline; one that does not was cut off mid-line."""
    if data and data[-1:] not in ("\n", b"\n"):
        raise ValueError("the master file does not end with a newline (truncated?)")
