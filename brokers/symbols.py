"""Instrument masters: one record type and one lookup for every broker.

Each broker's ``codec.py`` parses its own master file into :class:`Instrument`
records; :class:`SymbolMaster` holds them and answers lookups by the broker's
own symbol notation, by the broker's id, by free-text search, and by
derivatives views (options, futures, expiries of an underlying).

This module is the contract the clients, the history chunker, the compat layer
and the unified interface share; it does no I/O of its own except through the
cache helpers documented on them.

Example::

    master = kite.master()
    inst = master["NSE:INFY"]
    inst.token, inst.lot_size, inst.tick_size
    master.options("NIFTY", expiry=master.expiries("NIFTY")[0])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

__all__ = ["Instrument", "SymbolMaster"]

Token = Union[int, str]


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


class SymbolMaster:
    """The instruments of one broker, indexed for lookup.

    Args:
        broker: ``"kite"``, ``"dhan"`` or ``"fyers"``.
        instruments: the records (any iterable).

    Lookups:
        ``master[key]`` (KeyError when unknown), ``master.get(key)``,
        ``master.get(token=..., segment=...)``, ``len(master)``, iteration.
    """

    def __init__(self, broker: str, instruments: Iterable[Instrument]) -> None:
        self.broker = broker
        self._records: List[Instrument] = list(instruments)
        self._by_key: Dict[str, Instrument] = {}
        self._by_token: Dict[Tuple[str, str], Instrument] = {}
        for inst in self._records:
            self._by_key.setdefault(inst.key.upper(), inst)
            self._by_token.setdefault((inst.segment, str(inst.token)), inst)

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self._records)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.upper() in self._by_key

    def __getitem__(self, key: str) -> Instrument:
        inst = self._by_key.get(key.upper())
        if inst is None:
            raise KeyError(key)
        return inst

    def get(self, key: Optional[str] = None, *, token: Optional[Token] = None,
            segment: Optional[str] = None) -> Optional[Instrument]:
        """The instrument for ``key``, or for ``token`` (within ``segment`` where
        the broker's ids repeat across segments), or ``None``."""
        if key is not None:
            return self._by_key.get(key.upper())
        if token is None:
            return None
        if segment is not None:
            return self._by_token.get((segment, str(token)))
        for inst in self._records:
            if str(inst.token) == str(token):
                return inst
        return None

    def __repr__(self) -> str:
        return f"<SymbolMaster {self.broker} {len(self)} instruments>"
