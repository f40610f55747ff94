"""Pure parsing of Kite's instruments CSV into the rows :mod:`brokers.symbols` builds a
:class:`~brokers.symbols.SymbolMaster` from (``codec.parse_instruments`` keeps kiteconnect's dicts).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, Dict, List, Tuple, Union


# -- the instrument master (rows for brokers.symbols) -------------------------------------------
def _text(data: Union[bytes, str]) -> str:
    return data.decode("utf-8").lstrip("\ufeff") if isinstance(data, bytes) else data


MASTER_HEADER = ["instrument_token", "exchange_token", "tradingsymbol", "name", "last_price", "expiry", "strike",
                 "tick_size", "lot_size", "instrument_type", "segment", "exchange"]


def parse_master(data: Union[bytes, str]) -> List[Tuple[Any, ...]]:
    """The instruments CSV as master rows (:data:`brokers.symbols.ROW_FIELDS` order).

    Indices (segment ``INDICES``) get instrument type ``INDEX``; derivatives get
    their underlying from the ``name`` column (``NIFTY``, ``INFY``); strikes and
    option types only on options.

    Raises:
        ValueError: the header is not Kite's, a row has the wrong number of cells
            (a truncated download) or a cell does not convert.
    """
    _complete(data)
    reader = csv.reader(io.StringIO(_text(data)))
    header = next(reader, None)
    if header != MASTER_HEADER:
        raise ValueError(f"not Kite's instruments CSV (header {str(header)[:120]})")
    dates: Dict[str, Any] = {"": None}
    rows: List[Tuple[Any, ...]] = []
    append = rows.append
    for n, r in enumerate(reader, 2):
        if len(r) != 12:
            if not r:
                continue
            raise ValueError(f"line {n} has {len(r)} cells, not 12 (truncated?)")
        token, etoken, tsym, name, _, expiry, strike, tick, lot, itype, segment, exchange = r
        ordinal = dates.get(expiry, 0)
        if ordinal == 0:
            ordinal = dates[expiry] = dt.date.fromisoformat(expiry).toordinal()
        if itype == "CE" or itype == "PE":
            append((f"{exchange}:{tsym}", exchange, segment, tsym, int(token), name, itype, name or None, ordinal,
                    float(strike), itype, int(lot), float(tick), etoken))
        elif itype == "FUT":
            append((f"{exchange}:{tsym}", exchange, segment, tsym, int(token), name, itype, name or None, ordinal,
                    None, None, int(lot), float(tick), etoken))
        else:
            append((f"{exchange}:{tsym}", exchange, segment, tsym, int(token), name,
                    "INDEX" if segment == "INDICES" else itype, None, ordinal, None, None, int(lot), float(tick),
                    etoken))
    return rows


def _complete(data: Any) -> None:
    """A master file ends with a newline; one that does not was cut off mid-line."""
    if data and data[-1:] not in ("\n", b"\n"):
        raise ValueError("the master file does not end with a newline (truncated?)")
