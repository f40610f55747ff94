"""Free-text search over master rows: every query word must appear, best matches first."""

from __future__ import annotations

import datetime as dt
import heapq
import re
from typing import Any, Dict, List, Sequence, Set, Tuple

__all__ = ["Searcher", "words"]

_WORD = re.compile(r"[A-Z]+|\d+(?:\.\d+)?")
_NOT_ALNUM = re.compile(r"[^A-Z0-9.]")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_EXCHANGE_RANK = {"NSE": 0, "NFO": 0, "BSE": 1, "BFO": 1}
_KIND_RANK = {"INDEX": 0, "EQ": 0, "FUT": 1, "CE": 2, "PE": 2}


def words(text: str) -> List[str]:
    """``"nifty 24000ce"`` -> ``["NIFTY", "24000", "CE"]``: letters and numbers apart."""
    return _WORD.findall(text.upper())


def _strike_text(strike: Any) -> str:
    if not strike:
        return ""
    return str(int(strike)) if float(strike).is_integer() else str(strike)


def _expiry_text(ordinal: Any) -> str:
    if not ordinal:
        return ""
    d = dt.date.fromordinal(ordinal)
    return f"{d.day}{_MONTHS[d.month - 1]}{d.year}"


class Searcher:
    """Matches queries against rows (see :data:`brokers.symbols.model.ROW_FIELDS`)."""

    def __init__(self, rows: Sequence[Tuple[Any, ...]]) -> None:
        self._rows = rows
        expiry: Dict[Any, str] = {}
        strike: Dict[Any, str] = {}
        hay = []
        sub = _NOT_ALNUM.sub
        for r in rows:
            e = expiry.get(r[8])
            if e is None:
                e = expiry[r[8]] = _expiry_text(r[8])
            k = strike.get(r[9])
            if k is None:
                k = strike[r[9]] = _strike_text(r[9])
            hay.append(sub("", f"{r[3]}|{r[5]}|{r[7] or ''}|{k}|{r[10] or ''}|{r[6]}|{r[1]}|{e}".upper()))
        self._hay = hay

    def _fields(self, n: int) -> Set[str]:
        r = self._rows[n]
        out = {_NOT_ALNUM.sub("", str(r[3]).upper()), str(r[1]).upper(), str(r[6]).upper(),
               _strike_text(r[9]), str(r[10] or "").upper(), str(r[7] or "").upper()}
        out.update(words(str(r[5])))
        out.update(words(str(r[3])))
        return out

    def search(self, query: str, limit: int) -> List[int]:
        tokens = words(query)
        if not tokens:
            return []
        compact = "".join(tokens)
        ordered = sorted(tokens, key=len, reverse=True)
        hay = self._hay
        first = ordered[0]
        hits = [n for n, h in enumerate(hay) if first in h]
        for t in ordered[1:]:
            hits = [n for n in hits if t in hay[n]]
        rows = self._rows

        def score(n: int) -> Tuple[Any, ...]:
            r = rows[n]
            sym = _NOT_ALNUM.sub("", str(r[3]).upper())
            exact = 0 if sym == compact or _NOT_ALNUM.sub("", str(r[0]).upper()) == compact else 1
            fields = self._fields(n)
            loose = sum(1 for t in tokens if t not in fields)
            starts = 0 if sym.startswith(tokens[0]) or str(r[7] or "").upper() == tokens[0] else 1
            if exact and compact == (words(str(r[3])) or [""])[0]:
                exact = 0  # SBIN finds SBIN-EQ
            return (exact, loose, starts, _KIND_RANK.get(r[6], 3), r[8] or 0, _EXCHANGE_RANK.get(r[1], 2), len(sym),
                    r[9] or 0.0, n)

        return [n for *_, n in heapq.nsmallest(limit, (score(n) for n in hits))]
