"""The unified symbol notation, and its mapping onto each broker's instruments.

Every symbol is ``EXCHANGE:NAME``, upper case:

============================  ==============================================
what                          notation
============================  ==============================================
equity                        ``NSE:INFY``, ``BSE:RELIANCE`` (as the exchange writes it)
index                         ``NSE:NIFTY 50``, ``NSE:NIFTY BANK`` (the exchange's index name)
future                        ``NFO:NIFTY-2026-12-29-FUT`` (underlying, expiry date, ``FUT``)
option                        ``NFO:NIFTY-2026-12-29-24300-CE`` (..., strike, ``CE``/``PE``)
============================  ==============================================

Exchanges are ``NSE``, ``BSE``, ``NFO`` (NSE F&O), ``BFO`` (BSE F&O), ``CDS``,
``BCD`` (currency) and ``MCX``. A strike is written without a trailing ``.0``
(``24300``, ``84.25``).

:class:`SymbolMap` builds the mapping from a :class:`~brokers.symbols.SymbolMaster`
(``client.master()``, or any master with the same records), so the same name
finds Kite's ``NFO:NIFTY26DEC24300CE``, Dhan's security id in ``NSE_FNO`` and
Fyers' ``NSE:NIFTY26D2924300CE``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Dict, Iterator, Optional, Tuple

from ..symbols import Instrument, SymbolMaster

__all__ = ["EXCHANGES", "SymbolMap", "format_symbol", "parse_symbol", "unified_name"]

EXCHANGES = frozenset({"NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"})
_DERIV = re.compile(r"^(?P<und>.+)-(?P<exp>\d{4}-\d{2}-\d{2})-(?:(?P<fut>FUT)|(?P<strike>\d+(?:\.\d+)?)-(?P<opt>CE|PE))$")
# Fyers writes equities with the series (INFY-EQ, RELIANCE-A) and indices as NIFTY50-INDEX.
_FYERS_SERIES = re.compile(r"-(EQ|BE|BZ|SM|ST|A|B|T|X|XT|Z|M|MT|P|E|F|G|IF)$")
_INDEX_ALIASES = {"NIFTY50": "NIFTY 50", "NIFTYBANK": "NIFTY BANK", "NIFTY": "NIFTY 50",
                  "BANKNIFTY": "NIFTY BANK", "FINNIFTY": "NIFTY FIN SERVICE", "SENSEX": "SENSEX"}


def _strike(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text


def format_symbol(exchange: str, underlying: str, expiry: Optional[dt.date] = None,
                  strike: Optional[float] = None, option_type: Optional[str] = None) -> str:
    """The unified name: ``format_symbol("NFO", "NIFTY", date(2026,12,29), 24300, "CE")``
    is ``"NFO:NIFTY-2026-12-29-24300-CE"``; without an expiry, ``"NSE:INFY"``."""
    if expiry is None:
        return f"{exchange}:{underlying}".upper()
    if option_type:
        if strike is None:
            raise ValueError("an option needs a strike")
        return f"{exchange}:{underlying}-{expiry.isoformat()}-{_strike(strike)}-{option_type}".upper()
    return f"{exchange}:{underlying}-{expiry.isoformat()}-FUT".upper()


def parse_symbol(symbol: object, name: str = "symbol") -> Tuple[str, str]:
    """Split and check a unified symbol: ``(exchange, rest)``, upper case.

    Raises:
        ValueError: not ``EXCHANGE:NAME`` with a known exchange, or a malformed
            derivative (naming the argument ``name``).
    """
    if not isinstance(symbol, str) or ":" not in symbol:
        raise ValueError(f"{name} must be 'EXCHANGE:SYMBOL' (e.g. 'NSE:INFY'); got {symbol!r}")
    exchange, rest = symbol.strip().upper().split(":", 1)
    if exchange not in EXCHANGES:
        raise ValueError(f"{name}: unknown exchange {exchange!r} in {symbol!r}; "
                         f"one of {', '.join(sorted(EXCHANGES))}")
    if not rest.strip():
        raise ValueError(f"{name}: no symbol after the exchange in {symbol!r}")
    if exchange in ("NFO", "BFO", "CDS", "BCD", "MCX"):
        m = _DERIV.match(rest)
        if m is None:
            raise ValueError(f"{name}: derivatives are written UNDERLYING-YYYY-MM-DD-FUT or "
                             f"UNDERLYING-YYYY-MM-DD-STRIKE-CE|PE; got {symbol!r}")
        try:
            dt.date.fromisoformat(m.group("exp"))
        except ValueError:
            raise ValueError(f"{name}: bad expiry date in {symbol!r}") from None
    return exchange, rest


def _plain(inst: Instrument) -> str:
    sym = inst.symbol.upper()
    if inst.broker == "fyers":
        if sym.endswith("-INDEX"):
            sym = sym[:-6]
            return _INDEX_ALIASES.get(sym, sym)
        sym = _FYERS_SERIES.sub("", sym)
    if inst.instrument_type == "INDEX":
        return _INDEX_ALIASES.get(sym.replace(" ", ""), sym)
    return sym


# Kite-style contract names: underlying, then YYMON (monthly) or YYMDD (weekly), then FUT or strike+CE/PE
_CONTRACT = re.compile(r"^(?P<und>[A-Z0-9&_.]+?)(?:\d{2}(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)"
                       r"|\d{2}[1-9OND]\d{2})(?:FUT|\d+(?:\.\d+)?(?:CE|PE))$")


def _underlying(inst: Instrument) -> Optional[str]:
    und = (inst.underlying or "").upper()
    if und and und != inst.symbol.upper():
        return und
    # The master could not tell the underlying apart from the contract (a symbol without
    # Dhan's dashes): read it off a Kite-style contract name.
    m = _CONTRACT.match(inst.symbol.upper().split(":")[-1])
    return m.group("und") if m else (und or None)


def unified_name(inst: Instrument) -> str:
    """The unified symbol of one master record."""
    underlying = _underlying(inst) if inst.instrument_type in ("FUT", "CE", "PE") else None
    if underlying and inst.expiry is not None:
        opt = inst.option_type or (inst.instrument_type if inst.instrument_type != "FUT" else None)
        return format_symbol(inst.exchange, underlying, inst.expiry, inst.strike, opt)
    return f"{inst.exchange}:{_plain(inst)}".upper()


class SymbolMap:
    """Unified symbols <-> one broker's instruments, built from its master.

    Args:
        master: a :class:`~brokers.symbols.SymbolMaster` (``client.master()``).

    Example::

        smap = SymbolMap(kite.master())
        smap.instrument("NFO:NIFTY-2026-12-29-24300-CE").symbol   # 'NIFTY26DEC24300CE'
        smap.name_of(token=13241090)                              # back again
    """

    def __init__(self, master: SymbolMaster) -> None:
        self.master = master
        self._by_name: Dict[str, Instrument] = {}
        self._by_token: Dict[Tuple[str, str], str] = {}
        self._by_key: Dict[str, str] = {}
        self._by_token_any: Dict[str, str] = {}
        for inst in master:
            name = unified_name(inst)
            self._by_name.setdefault(name, inst)
            self._by_token.setdefault((inst.segment, str(inst.token)), name)
            self._by_token_any.setdefault(str(inst.token), name)
            self._by_key.setdefault(inst.key.upper(), name)

    def __contains__(self, symbol: object) -> bool:
        return isinstance(symbol, str) and symbol.strip().upper() in self._by_name

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def instrument(self, symbol: str, name: str = "symbol") -> Instrument:
        """The broker's instrument for a unified symbol.

        Raises:
            ValueError: a malformed symbol, or one this broker's master does not list.
        """
        parse_symbol(symbol, name)
        inst = self._by_name.get(symbol.strip().upper())
        if inst is None:
            raise ValueError(f"{name}: unknown symbol {symbol!r} at {self.master.broker}")
        return inst

    def name_of(self, *, key: Optional[str] = None, token: object = None,
                segment: Optional[str] = None) -> Optional[str]:
        """The unified symbol of a broker key (``NSE:INFY-EQ``) or token (within
        ``segment`` where ids repeat across segments), or ``None``."""
        if key is not None:
            return self._by_key.get(key.upper())
        if token is None:
            return None
        if segment is not None:
            return self._by_token.get((segment, str(token)))
        return self._by_token_any.get(str(token))
