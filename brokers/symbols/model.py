"""The instrument record and the master that indexes them.

A master holds its instruments as plain row tuples (see :data:`ROW_FIELDS`) and
makes an :class:`Instrument` only when one is asked for: a 100,000-row master
then loads from the cache in a few tens of milliseconds, and lookups stay
dictionary lookups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Protocol, Sequence, Tuple, Union

from .search import Searcher, words

__all__ = ["Instrument", "Row", "ROW_FIELDS", "SymbolMaster", "Token"]

Token = Union[int, str]

#: The fields of a master row, in order: an :class:`Instrument` without ``broker``,
#: with ``expiry`` as a proleptic ordinal (``date.toordinal()``) or ``None``.
ROW_FIELDS = ("key", "exchange", "segment", "symbol", "token", "name", "instrument_type", "underlying",
              "expiry", "strike", "option_type", "lot_size", "tick_size", "exchange_token", "broker_type")
Row = Tuple[Any, ...]


class KeyIndex(Protocol):
    """Upper-case key -> row number."""

    def get(self, key: str, /) -> Optional[int]: ...

_DERIVATIVES = ("FUT", "CE", "PE")


@dataclass(frozen=True)
class Instrument:
    """One tradable (or index) instrument, as one broker's master lists it.

    Attributes:
        broker: ``"kite"``, ``"dhan"`` or ``"fyers"``.
        key: the instrument in the broker's own notation, what ``master[...]``
            takes: Kite ``"NSE:INFY"`` / ``"NFO:NIFTY24D1924000CE"``, Dhan
            ``"NSE:INFY"`` / ``"NSE_FNO:NIFTY-Dec2024-24000-CE"`` (exchange or
            segment, a colon, the trading symbol), Fyers ``"NSE:INFY-EQ"``.
        exchange: the exchange: ``NSE``, ``BSE``, ``NFO``, ``BFO``, ``MCX``,
            ``CDS``, ``BCD`` (Kite's exchange names; Dhan and Fyers derivative
            records use the same: ``NFO`` for NSE F&O, ``BFO`` for BSE F&O).
        segment: the broker's own segment name (Kite ``"NFO-OPT"``, Dhan
            ``"NSE_FNO"``, Fyers ``"NSE_FO"``...).
        symbol: the broker's trading symbol (without the exchange prefix).
        token: the broker's id: Kite instrument token (int), Dhan security id
            (str, unique only within ``segment``), Fyers fytoken (str).
        name: the instrument's name (for derivatives: the underlying's name).
        instrument_type: ``"EQ"``, ``"FUT"``, ``"CE"``, ``"PE"``, ``"INDEX"``
            or the broker's own word for anything else.
        underlying: for derivatives, the underlying's symbol (``"NIFTY"``,
            ``"INFY"``); for everything else ``None``.
        expiry: expiry date, or ``None``.
        strike: strike price for options, else ``None``.
        option_type: ``"CE"``/``"PE"`` for options, else ``None``.
        lot_size: contract lot size (1 for equities).
        tick_size: minimum price step.
        exchange_token: the exchange's own id where the broker gives it, else ``None``.
        broker_type: the broker's own instrument kind where the API asks for it
            (Dhan ``"EQUITY"``, ``"OPTIDX"``, ``"FUTSTK"``...), else ``None``.
    """

    broker: str
    key: str
    exchange: str
    segment: str
    symbol: str
    token: Token
    name: str = ""
    instrument_type: str = "EQ"
    underlying: Optional[str] = None
    expiry: Optional[dt.date] = None
    strike: Optional[float] = None
    option_type: Optional[str] = None
    lot_size: int = 1
    tick_size: float = 0.05
    exchange_token: Optional[str] = None
    broker_type: Optional[str] = None


def to_row(inst: Instrument) -> Row:
    """An instrument as a master row (the inverse of ``SymbolMaster``'s records)."""
    return (inst.key, inst.exchange, inst.segment, inst.symbol, inst.token, inst.name, inst.instrument_type,
            inst.underlying, inst.expiry.toordinal() if inst.expiry else None, inst.strike, inst.option_type,
            inst.lot_size, inst.tick_size, inst.exchange_token, inst.broker_type)


class SymbolMaster:
    """The instruments of one broker, indexed for lookup.

    Args:
        broker: ``"kite"``, ``"dhan"`` or ``"fyers"``.
        instruments: the records (any iterable).

    Lookups:
        ``master[key]`` (KeyError when unknown), ``master.get(key)``,
        ``master.get(token=..., segment=...)``, ``len(master)``, iteration,
        :meth:`search`, :meth:`options`, :meth:`futures`, :meth:`expiries`.

    Example::

        master = kite.master()
        master["NSE:INFY"].token                       # 408065
        master.search("nifty 24000 ce", limit=5)       # ranked matches
        chain = master.options("NIFTY", expiry=master.expiries("NIFTY")[0])
    """

    def __init__(self, broker: str, instruments: Iterable[Instrument] = ()) -> None:
        made = list(instruments)
        self._setup(broker, [to_row(i) for i in made])
        self._made[:] = made

    @classmethod
    def from_rows(cls, broker: str, rows: Sequence[Row], index: Optional[KeyIndex] = None) -> "SymbolMaster":
        """A master over rows in :data:`ROW_FIELDS` order (what the codecs return).

        Args:
            index: anything with ``get(UPPER_KEY) -> row number`` (the cache
                brings one, so no dict of every key is built on load).
        """
        self = cls.__new__(cls)
        self._setup(broker, rows, index)
        return self

    def _setup(self, broker: str, rows: Sequence[Row], index: Optional[KeyIndex] = None) -> None:
        self.broker = broker
        self._rows = rows
        self._made: List[Optional[Instrument]] = [None] * len(rows)
        if index is None:
            by_key: Dict[str, int] = {}
            for n, row in enumerate(rows):
                by_key.setdefault(row[0].upper(), n)
            self._by_key: KeyIndex = by_key
        else:
            self._by_key = index
        self._by_token: Optional[Dict[str, List[int]]] = None
        self._by_underlying: Optional[Dict[str, List[int]]] = None
        self._searcher: Optional[Searcher] = None

    # -- records ----------------------------------------------------------------------
    @property
    def rows(self) -> List[Row]:
        """The raw rows (:data:`ROW_FIELDS` order), as the cache stores them."""
        return self._rows if isinstance(self._rows, list) else list(self._rows)

    def _inst(self, n: int) -> Instrument:
        inst = self._made[n]
        if inst is None:
            r = self._rows[n]
            inst = Instrument(self.broker, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                              dt.date.fromordinal(r[8]) if r[8] else None, r[9], r[10], r[11], r[12], r[13],
                              r[14] if len(r) > 14 else None)
            self._made[n] = inst
        return inst

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Instrument]:
        return (self._inst(n) for n in range(len(self._rows)))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._index(key) is not None

    def __getitem__(self, key: str) -> Instrument:
        n = self._index(key)
        if n is None:
            raise KeyError(key)
        return self._inst(n)

    def _index(self, key: str) -> Optional[int]:
        k = key.strip().upper()
        n = self._by_key.get(k)
        if n is None and ":" in k:  # Dhan: NSE_EQ:INFY is NSE:INFY
            prefix, _, rest = k.partition(":")
            alias = {"NSE_EQ": "NSE", "BSE_EQ": "BSE"}.get(prefix)
            if alias:
                n = self._by_key.get(f"{alias}:{rest}")
        return n

    def get(self, key: Optional[str] = None, *, token: Optional[Token] = None,
            segment: Optional[str] = None) -> Optional[Instrument]:
        """The instrument for ``key``, or for ``token`` (within ``segment``, a
        segment or exchange name, where the broker's ids repeat across segments),
        or ``None``.

        Raises:
            ValueError: ``token`` alone matches instruments in several segments
                (Dhan security ids repeat across segments): pass ``segment``.
        """
        if key is not None:
            n = self._index(key)
            return None if n is None else self._inst(n)
        if token is None:
            return None
        if self._by_token is None:
            by_token: Dict[str, List[int]] = {}
            for n, row in enumerate(self._rows):
                by_token.setdefault(str(row[4]), []).append(n)
            self._by_token = by_token
        hits = self._by_token.get(str(token).strip(), [])
        if segment is not None:
            seg = segment.upper()
            hits = [n for n in hits if self._rows[n][2].upper() == seg or self._rows[n][1].upper() == seg]
        if len(hits) > 1 and len({self._rows[n][2] for n in hits}) > 1:
            where = ", ".join(sorted({self._rows[n][2] for n in hits}))
            raise ValueError(f"token {token!r} is in several segments ({where}); pass segment=")
        return self._inst(hits[0]) if hits else None

    # -- search -----------------------------------------------------------------------
    def search(self, query: str, limit: int = 10) -> List[Instrument]:
        """Instruments matching free text, best first.

        Case does not matter and spacing is loose: ``"nifty 24000 ce"``,
        ``"NIFTY24000CE"`` and ``"Nifty 24000  CE"`` find the same options
        (nearest expiry first); ``"infy"`` finds the equity before its
        derivatives.

        Args:
            query: words, numbers (strikes), ``CE``/``PE``/``FUT``, exchange names.
            limit: at most this many results.

        Raises:
            ValueError: an empty query or a ``limit`` below 1.
        """
        if not isinstance(query, str) or not query.strip():
            raise ValueError(f"query must be a non-empty string; got {query!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive int; got {limit!r}")
        if self._searcher is None:
            self._searcher = Searcher(self._rows)
        return [self._inst(n) for n in self._searcher.search(query, limit)]

    def closest(self, text: str, limit: int = 5) -> List[str]:
        """Keys of the instruments closest to ``text`` (for error messages)."""
        tokens = words(text)
        for _ in range(40):  # shorten the query until something matches
            if not tokens:
                return []
            found = self.search(" ".join(tokens), limit)
            if found:
                return [i.key for i in found]
            longest = max(range(len(tokens)), key=lambda k: len(tokens[k]))
            if len(tokens[longest]) > 2:
                tokens[longest] = tokens[longest][:-1]
            else:
                tokens.pop()
        return []

    # -- derivatives ------------------------------------------------------------------
    def _derivatives(self, underlying: str) -> List[int]:
        if not isinstance(underlying, str) or not underlying.strip():
            raise ValueError(f"underlying must be a symbol such as 'NIFTY'; got {underlying!r}")
        if self._by_underlying is None:
            by: Dict[str, List[int]] = {}
            for n, row in enumerate(self._rows):
                if row[7] and row[6] in _DERIVATIVES:
                    by.setdefault(row[7].upper(), []).append(n)
            self._by_underlying = by
        return self._by_underlying.get(underlying.strip().upper(), [])

    def options(self, underlying: str, expiry: Union[dt.date, str, None] = None) -> List[Instrument]:
        """The options on ``underlying`` (all expiries, or one), sorted by expiry,
        strike, then CE before PE.

        Args:
            underlying: ``"NIFTY"``, ``"BANKNIFTY"``, ``"INFY"``...
            expiry: a ``date`` or ``"YYYY-MM-DD"``; ``None`` for every expiry.
        """
        want = _ordinal(expiry)
        rows = self._rows
        hits = [n for n in self._derivatives(underlying)
                if rows[n][6] in ("CE", "PE") and (want is None or rows[n][8] == want)]
        hits.sort(key=lambda n: (rows[n][8] or 0, rows[n][9] or 0.0, rows[n][10] or "", rows[n][1]))
        return [self._inst(n) for n in hits]

    def futures(self, underlying: str) -> List[Instrument]:
        """The futures on ``underlying``, nearest expiry first."""
        rows = self._rows
        hits = [n for n in self._derivatives(underlying) if rows[n][6] == "FUT"]
        hits.sort(key=lambda n: (rows[n][8] or 0, rows[n][1]))
        return [self._inst(n) for n in hits]

    def expiries(self, underlying: str) -> List[dt.date]:
        """The expiry dates of the derivatives on ``underlying``, ascending."""
        rows = self._rows
        return [dt.date.fromordinal(o) for o in sorted({rows[n][8] for n in self._derivatives(underlying)
                                                         if rows[n][8]})]

    def __repr__(self) -> str:
        return f"<SymbolMaster {self.broker} {len(self)} instruments>"


def _ordinal(expiry: Union[dt.date, str, None]) -> Optional[int]:
    if expiry is None:
        return None
    if isinstance(expiry, dt.datetime):
        return expiry.date().toordinal()
    if isinstance(expiry, dt.date):
        return expiry.toordinal()
    if isinstance(expiry, str):
        try:
            return dt.date.fromisoformat(expiry.strip()[:10]).toordinal()
        except ValueError:
            pass
    raise ValueError(f"expiry must be a date or 'YYYY-MM-DD'; got {expiry!r}")

