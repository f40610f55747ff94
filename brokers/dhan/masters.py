"""Pure parsing of Dhan's scrip-master CSV: dhanhq-shaped columns, and the rows
:mod:`brokers.symbols` builds a :class:`~brokers.symbols.SymbolMaster` from.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, Dict, List, Sequence, Tuple

from .routes import SEGMENT_NAMES


# -- scrip master ------------------------------------------------------------------------------
def _column(values: Sequence[str]) -> List[Any]:
    """One column converted as pandas.read_csv infers it: int if every non-empty
    cell is a whole number, else float if every one is a number, else str; empty
    cells become None."""
    cells = [v.strip() for v in values]
    for conv in (int, float):
        try:
            return [conv(v) if v else None for v in cells]
        except ValueError:
            continue
    return [v if v else None for v in cells]


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
    width = len(header)
    rows = [row if len(row) == width else (row + [""] * width)[:width]
            for row in reader if row and any(cell.strip() for cell in row)]
    if not rows:
        return []
    columns = [_column(col) for col in zip(*rows)]
    return [dict(zip(header, values)) for values in zip(*columns)]


def segment_name(code: int) -> str:
    """``1`` -> ``"NSE_EQ"``; unknown codes as their number."""
    return SEGMENT_NAMES.get(code, str(code))


# -- the instrument master (rows for brokers.symbols) -------------------------------------------
_MASTER_SEGMENTS = {("NSE", "E"): "NSE_EQ", ("BSE", "E"): "BSE_EQ", ("NSE", "D"): "NSE_FNO", ("BSE", "D"): "BSE_FNO",
                    ("NSE", "C"): "NSE_CURRENCY", ("BSE", "C"): "BSE_CURRENCY", ("MCX", "M"): "MCX_COMM",
                    ("NSE", "I"): "IDX_I", ("BSE", "I"): "IDX_I"}
_MASTER_EXCHANGES = {"NSE_EQ": "NSE", "BSE_EQ": "BSE", "NSE_FNO": "NFO", "BSE_FNO": "BFO", "NSE_CURRENCY": "CDS",
                     "BSE_CURRENCY": "BCD", "MCX_COMM": "MCX"}
_MASTER_COLUMNS = ("SEM_EXM_EXCH_ID", "SEM_SEGMENT", "SEM_SMST_SECURITY_ID", "SEM_INSTRUMENT_NAME",
                   "SEM_TRADING_SYMBOL", "SEM_LOT_UNITS", "SEM_EXPIRY_DATE", "SEM_STRIKE_PRICE", "SEM_OPTION_TYPE",
                   "SEM_TICK_SIZE", "SM_SYMBOL_NAME")


def parse_master(data: Any) -> List[Tuple[Any, ...]]:
    """The compact scrip master CSV as master rows (:data:`brokers.symbols.ROW_FIELDS`).

    The key is ``NSE:INFY`` / ``BSE:INFY`` for equities and ``SEGMENT:SYMBOL``
    otherwise (``NSE_FNO:NIFTY-Dec2024-24000-CE``, ``IDX_I:NIFTY``); the token is
    the security id as a string, unique only together with the segment. Tick
    sizes are given in paise in the file and returned in rupees.

    Raises:
        ValueError: a required column is missing, a row is short (a truncated
            download) or a cell does not convert.
    """
    text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else str(data)
    _complete(text)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in _MASTER_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"not Dhan's scrip master (missing {', '.join(missing)})")
    width = len(header)
    exch_i, seg_i, sid_i, kind_i, sym_i, lot_i, exp_i, strike_i, opt_i, tick_i, name_i = (
        header.index(c) for c in _MASTER_COLUMNS)
    dates: Dict[str, Any] = {}
    rows: List[Tuple[Any, ...]] = []
    for n, r in enumerate(reader, 2):
        if len(r) != width:
            if not r:
                continue
            raise ValueError(f"line {n} has {len(r)} cells, not {width} (truncated?)")
        exch = r[exch_i]
        segment = _MASTER_SEGMENTS.get((exch, r[seg_i]))
        if segment is None:
            segment = f"{exch}_{r[seg_i]}"
        kind, tsym = r[kind_i], r[sym_i]
        if kind.startswith("OPT"):
            itype = r[opt_i]
        elif kind.startswith("FUT"):
            itype = "FUT"
        else:
            itype = "EQ" if kind == "EQUITY" else kind
        derivative = itype in ("FUT", "CE", "PE")
        ordinal = None
        if derivative:
            day = r[exp_i][:10]
            ordinal = dates.get(day)
            if ordinal is None:
                ordinal = dates[day] = dt.date.fromisoformat(day).toordinal()
        prefix = exch if segment in ("NSE_EQ", "BSE_EQ") else segment
        underlying = tsym.split("-", 1)[0] if derivative else None
        rows.append((f"{prefix}:{tsym}", _MASTER_EXCHANGES.get(segment, exch), segment, tsym, r[sid_i].strip(),
                     underlying or r[name_i], itype, underlying, ordinal,
                     float(r[strike_i]) if itype in ("CE", "PE") else None, itype if itype in ("CE", "PE") else None,
                     int(float(r[lot_i] or 1)), round(float(r[tick_i] or 5) / 100, 6), None, kind))
    return rows


def _complete(data: Any) -> None:
    """A master file ends with a newline; one that does not was cut off mid-line."""
    if data and data[-1:] not in ("\n", b"\n"):
        raise ValueError("the master file does not end with a newline (truncated?)")
