"""Pure parsing for Kite: CSV dumps, REST date fields, historical candles.

No I/O and no threads here; every function takes bytes or decoded JSON and
returns Python values, exactly as kiteconnect 5.x does, except that no date
parsing depends on the machine's time zone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, Dict, List, Union

__all__ = [
    "format_historical",
    "format_response",
    "parse_instruments",
    "parse_mf_instruments",
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
