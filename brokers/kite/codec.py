"""Pure parsing for Kite: CSV dumps, REST date fields, historical candles, ticker frames.

No I/O and no threads here; every function takes bytes or decoded JSON and
returns Python values, exactly as kiteconnect 5.x does, except that no date
parsing depends on the machine's time zone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
from typing import Any, Dict, List, Optional, Tuple, Union

from ..core import safejson

__all__ = [
    "MODE_FULL",
    "MODE_LTP",
    "MODE_QUOTE",
    "format_historical",
    "format_response",
    "ist_datetime",
    "parse_binary",
    "parse_instruments",
    "parse_mf_instruments",
    "parse_text",
]

# REST fields kiteconnect turns into naive datetimes (IST wall-clock, as sent).
DATE_FIELDS = ("order_timestamp", "exchange_timestamp", "created", "last_instalment", "fill_timestamp",
               "timestamp", "last_trade_time")


def _parse_naive(value: str) -> Any:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return value


def format_response(data: Any) -> Any:
    """Convert the date fields of a record, a list of records, or a dict of
    records (as ``quote`` returns) into naive datetimes, in place and returned.

    A field is converted when it is a 19-character ``YYYY-MM-DD HH:MM:SS`` string,
    as in kiteconnect; anything else is left alone (``"0001-01-01 00:00:00"``
    becomes ``datetime(1, 1, 1)``).
    """
    records = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    for item in records:
        if not isinstance(item, dict):
            continue
        for field in DATE_FIELDS:
            value = item.get(field)
            if value and isinstance(value, str) and len(value) == 19:
                item[field] = _parse_naive(value)
    return data


def format_historical(data: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Candles ``[[ts, o, h, l, c, v(, oi)], ...]`` as kiteconnect's dicts:
    ``{"date": aware datetime (+05:30), "open", "high", "low", "close", "volume"[, "oi"]}``."""
    out = []
    for row in data.get("candles") or []:
        candle = {"date": _parse_candle_time(row[0]), "open": row[1], "high": row[2], "low": row[3],
                  "close": row[4], "volume": row[5]}
        if len(row) == 7:
            candle["oi"] = row[6]
        out.append(candle)
    return out


def _parse_candle_time(value: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return dt.datetime.fromisoformat(value)


def _text(data: Union[bytes, str]) -> str:
    return data.decode("utf-8").lstrip("\ufeff") if isinstance(data, bytes) else data


def parse_instruments(data: Union[bytes, str]) -> List[Dict[str, Any]]:
    """The instruments CSV as kiteconnect parses it: ``instrument_token`` and
    ``lot_size`` int, ``last_price``, ``strike`` and ``tick_size`` float,
    ``expiry`` a ``date`` (or ``""``), ``exchange_token`` left a string."""
    records = []
    for row in csv.DictReader(io.StringIO(_text(data))):
        row_any: Dict[str, Any] = dict(row)
        row_any["instrument_token"] = int(row["instrument_token"])
        row_any["last_price"] = float(row["last_price"])
        row_any["strike"] = float(row["strike"])
        row_any["tick_size"] = float(row["tick_size"])
        row_any["lot_size"] = int(row["lot_size"])
        if len(row["expiry"]) == 10:
            row_any["expiry"] = dt.date.fromisoformat(row["expiry"])
        records.append(row_any)
    return records


_MF_FLOATS = ("minimum_purchase_amount", "purchase_amount_multiplier", "minimum_additional_purchase_amount",
              "minimum_redemption_quantity", "redemption_quantity_multiplier", "last_price")


def parse_mf_instruments(data: Union[bytes, str]) -> List[Dict[str, Any]]:
    """The mutual-fund instruments CSV as kiteconnect parses it: amounts and
    quantities float, ``*_allowed`` bool, ``last_price_date`` a ``date`` (or ``""``)."""
    records = []
    for row in csv.DictReader(io.StringIO(_text(data))):
        row_any: Dict[str, Any] = dict(row)
        for k in _MF_FLOATS:
            row_any[k] = float(row[k])
        row_any["purchase_allowed"] = bool(int(row["purchase_allowed"]))
        row_any["redemption_allowed"] = bool(int(row["redemption_allowed"]))
        if len(row["last_price_date"]) == 10:
            row_any["last_price_date"] = dt.date.fromisoformat(row["last_price_date"])
        records.append(row_any)
    return records


# -- ticker frames --------------------------------------------------------------------
# Layouts and divisors are kiteconnect's (ticker.py): a frame is a >H packet count,
# then per packet a >H length and the packet; the length tells the mode (8 ltp,
# 28/32 index quote/full, 44 quote, 184 full); prices are paise (divide by 100), CDS
# by 10^7, BCD and NCO by 10^4. One struct unpack per packet, then one dict literal: building the dicts is the
# real cost, so every value is computed once and the literals are spelled out.

MODE_LTP = "ltp"
MODE_QUOTE = "quote"
MODE_FULL = "full"

_SEG_CDS, _SEG_BCD, _SEG_INDICES, _SEG_NCO = 3, 6, 9, 12
_DIVISORS = {_SEG_CDS: 10_000_000.0, _SEG_BCD: 10_000.0, _SEG_NCO: 10_000.0}

_U16 = struct.Struct(">H").unpack_from
_LTP = struct.Struct(">II").unpack_from
_INDEX_QUOTE = struct.Struct(">6I").unpack_from  # bytes 24-28 (index change) are ignored, as kiteconnect does
_INDEX_FULL = struct.Struct(">6I4xI").unpack_from
_QUOTE = struct.Struct(">11I").unpack_from
_FULL = struct.Struct(">16I" + "IIH2x" * 10).unpack_from

_IST_EPOCH = dt.datetime(1970, 1, 1, 5, 30)  # the Unix epoch as IST wall-clock time
_times: Dict[int, dt.datetime] = {}


def ist_datetime(epoch: int) -> dt.datetime:
    """Naive datetime holding the IST wall-clock time of ``epoch`` (seconds), whatever
    the machine's time zone. Equals ``datetime.fromtimestamp(epoch)`` on a machine
    set to Asia/Kolkata (IST has no DST since 1945)."""
    value = _times.get(epoch)
    if value is None:
        if len(_times) > 4096:  # ticks of one frame share a few seconds; keep the cache small
            _times.clear()
        value = _times[epoch] = _IST_EPOCH + dt.timedelta(seconds=epoch)
    return value


def parse_binary(frame: Union[bytes, bytearray, memoryview],
                 errors: Optional[List[ValueError]] = None) -> List[Dict[str, Any]]:
    """Parse one binary ticker frame into kiteconnect's tick dicts.

    The dicts are those of kiteconnect's ``KiteTicker`` (same keys, values and
    types; ``change`` in percent), except that datetimes are naive IST wall-clock
    time on any machine, as kiteconnect's are on a machine set to IST.

    Args:
        frame: the websocket message: ``>H`` packet count, then per packet ``>H``
            length and the packet. A frame shorter than 2 bytes is a heartbeat.
        errors: a list to collect damage in instead of raising: a truncated frame
            then returns the ticks of every packet before the damage and appends
            the ``ValueError`` here (what the feed does, so that one bad packet
            costs only itself).

    Returns:
        One dict per packet; packets of an unknown length are skipped. Every value
        is read from an integer, so no price can be NaN or infinite.

    Raises:
        ValueError: the frame is truncated (a length runs past its end) and no
            ``errors`` list was given, or the frame is not bytes.

    Example::

        ticks = parse_binary(raw_frame)   # [{"instrument_token": 408065, ...}]
    """
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        raise ValueError(f"a binary frame must be bytes, not {type(frame).__name__}")
    size = len(frame)
    if size < 2:
        return []
    (count,) = _U16(frame, 0)
    ticks: List[Dict[str, Any]] = []
    append = ticks.append
    pos = 2
    for _ in range(count):
        if pos + 2 > size:
            return _damaged(ticks, errors, f"truncated ticker frame: {count} packets announced, "
                                           f"{len(ticks)} readable")
        (length,) = _U16(frame, pos)
        pos += 2
        end = pos + length
        if end > size:
            return _damaged(ticks, errors, f"truncated ticker frame: packet of {length} bytes at offset "
                                           f"{pos} runs past the end ({size} bytes)")
        if length == 184:
            append(_full(frame, pos))
        elif length == 44:
            append(_quote(frame, pos))
        elif length == 8:
            token, last = _LTP(frame, pos)
            append({"tradable": token & 0xFF != _SEG_INDICES, "mode": MODE_LTP, "instrument_token": token,
                    "last_price": last / _DIVISORS.get(token & 0xFF, 100.0)})
        elif length == 28 or length == 32:
            append(_index(frame, pos, length))
        pos = end
    return ticks


def _damaged(ticks: List[Dict[str, Any]], errors: Optional[List[ValueError]], why: str) -> List[Dict[str, Any]]:
    if errors is None:
        raise ValueError(why)
    errors.append(ValueError(why))
    return ticks


def _index(frame: Any, pos: int, length: int) -> Dict[str, Any]:
    if length == 32:
        token, last, high, low, open_, close, ts = _INDEX_FULL(frame, pos)
    else:
        token, last, high, low, open_, close = _INDEX_QUOTE(frame, pos)
    seg = token & 0xFF
    div = _DIVISORS.get(seg, 100.0)
    last_price = last / div
    close_price = close / div
    tick = {"tradable": seg != _SEG_INDICES, "mode": MODE_FULL if length == 32 else MODE_QUOTE,
            "instrument_token": token, "last_price": last_price,
            "ohlc": {"high": high / div, "low": low / div, "open": open_ / div, "close": close_price},
            "change": (last_price - close_price) * 100 / close_price if close else 0}
    if length == 32:
        tick["exchange_timestamp"] = ist_datetime(ts)
    return tick


def _quote(frame: Any, pos: int) -> Dict[str, Any]:
    token, last, ltq, atp, vol, tbq, tsq, open_, high, low, close = _QUOTE(frame, pos)
    seg = token & 0xFF
    div = _DIVISORS.get(seg, 100.0)
    last_price = last / div
    close_price = close / div
    return {"tradable": seg != _SEG_INDICES, "mode": MODE_QUOTE, "instrument_token": token,
            "last_price": last_price, "last_traded_quantity": ltq, "average_traded_price": atp / div,
            "volume_traded": vol, "total_buy_quantity": tbq, "total_sell_quantity": tsq,
            "ohlc": {"open": open_ / div, "high": high / div, "low": low / div, "close": close_price},
            "change": (last_price - close_price) * 100 / close_price if close else 0}


def _full(frame: Any, pos: int) -> Dict[str, Any]:
    v = _FULL(frame, pos)
    token = v[0]
    seg = token & 0xFF
    div = _DIVISORS.get(seg, 100.0)
    last_price = v[1] / div
    close_price = v[10] / div
    times = _times
    ltt = times.get(v[11]) or ist_datetime(v[11])
    ts = times.get(v[15]) or ist_datetime(v[15])
    return {"tradable": seg != _SEG_INDICES, "mode": MODE_FULL, "instrument_token": token,
            "last_price": last_price, "last_traded_quantity": v[2], "average_traded_price": v[3] / div,
            "volume_traded": v[4], "total_buy_quantity": v[5], "total_sell_quantity": v[6],
            "ohlc": {"open": v[7] / div, "high": v[8] / div, "low": v[9] / div, "close": close_price},
            "change": (last_price - close_price) * 100 / close_price if v[10] else 0,
            "last_trade_time": ltt, "oi": v[12], "oi_day_high": v[13], "oi_day_low": v[14],
            "exchange_timestamp": ts,
            "depth": {
                "buy": [{"quantity": v[16], "price": v[17] / div, "orders": v[18]},
                        {"quantity": v[19], "price": v[20] / div, "orders": v[21]},
                        {"quantity": v[22], "price": v[23] / div, "orders": v[24]},
                        {"quantity": v[25], "price": v[26] / div, "orders": v[27]},
                        {"quantity": v[28], "price": v[29] / div, "orders": v[30]}],
                "sell": [{"quantity": v[31], "price": v[32] / div, "orders": v[33]},
                         {"quantity": v[34], "price": v[35] / div, "orders": v[36]},
                         {"quantity": v[37], "price": v[38] / div, "orders": v[39]},
                         {"quantity": v[40], "price": v[41] / div, "orders": v[42]},
                         {"quantity": v[43], "price": v[44] / div, "orders": v[45]}]}}


def parse_text(message: Union[str, bytes]) -> Tuple[str, Any]:
    """Classify a ticker text frame as kiteconnect does.

    Args:
        message: the text frame.

    Returns:
        ``("order", data)`` for an order update with data (the postback order dict),
        ``("error", data)`` for an error message (usually a string), otherwise
        ``("message", obj)`` with the decoded JSON, or the text itself when it is not
        JSON (or is nested too deeply to read). ``NaN``, ``Infinity`` and numbers
        too large for a float decode as ``None``.

    Raises:
        ValueError: ``message`` is bytes that are not UTF-8, or not text at all.
    """
    if isinstance(message, (bytes, bytearray)):
        message = bytes(message).decode("utf-8")  # UnicodeDecodeError is a ValueError
    if not isinstance(message, str):
        raise ValueError(f"a text frame must be str or bytes, not {type(message).__name__}")
    try:
        data = safejson.loads(message)
    except ValueError:
        return "message", message
    if isinstance(data, dict):
        kind = data.get("type")
        if kind == "order" and data.get("data"):
            return "order", data["data"]
        if kind == "error":
            return "error", data.get("data")
    return "message", data


# The master-file parsers live in masters.py; imported here so ``codec.X`` keeps working.
from .masters import MASTER_HEADER as MASTER_HEADER  # noqa: E402
from .masters import parse_master as parse_master  # noqa: E402
