"""Pure parsing of Fyers' symbol-master CSV files: fyers_apiv3-shaped dicts, and the
rows :mod:`brokers.symbols` builds a :class:`~brokers.symbols.SymbolMaster` from.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Dict, List, Tuple

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
