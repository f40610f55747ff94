"""Symbols where ids are asked for: a symbol string resolved through a master."""

from __future__ import annotations

import re
from typing import Any, Iterable, List, Optional

from .. import errors
from .model import Instrument, SymbolMaster

__all__ = ["feed_instruments", "feed_tokens", "looks_like_symbol", "resolve", "unknown_symbol"]

# EXCHANGE:SYMBOL (or Dhan's SEGMENT:SYMBOL): ASCII, no path or query characters, inner
# single spaces only (index names such as "NSE:NIFTY 50").
_SYMBOL = re.compile(r"[A-Z][A-Z_]{1,9}:[A-Za-z0-9&_.\-]+(?: [A-Za-z0-9&_.\-]+)*")


def looks_like_symbol(value: Any) -> bool:
    """True for a string shaped like a master key; anything else where an id is asked
    for is checked as an id (and refused, naming the argument, if it is not one)."""
    return isinstance(value, str) and _SYMBOL.fullmatch(value) is not None and ".." not in value


def unknown_symbol(master: SymbolMaster, text: str) -> errors.InputError:
    """The error for a symbol the master does not know, naming the closest ones."""
    try:
        near = master.closest(text)
    except ValueError:
        near = []
    hint = f"; closest: {', '.join(near)}" if near else ""
    return errors.InputError(f"unknown symbol {text!r} in the {master.broker} master{hint}",
                             broker=master.broker)


def resolve(master: SymbolMaster, text: str, segment: Optional[str] = None) -> Instrument:
    """The instrument for a symbol in the broker's notation.

    Raises:
        brokers.errors.InputError: the master has no such symbol (the message
            names it and the closest matches).
    """
    inst = master.get(text)
    if inst is None or (segment is not None and inst.segment != segment):
        raise unknown_symbol(master, text)
    return inst


def _master_for(master: Optional[SymbolMaster], value: str) -> SymbolMaster:
    if master is None:
        raise ValueError(f"to subscribe by symbol ({value!r}) give the feed a master first: "
                         "feed.master = client.master()")
    return master


def feed_tokens(master: Optional[SymbolMaster], values: Any) -> Any:
    """Kite feed arguments with symbols (``"NSE:INFY"``) turned into instrument tokens;
    ints pass through unchanged (and are checked by the feed)."""
    if isinstance(values, (str, Instrument)):
        values = [values]
    if isinstance(values, int) or not isinstance(values, Iterable):
        return values
    out = []
    for v in values:
        if isinstance(v, Instrument):
            out.append(v.token)
        elif isinstance(v, str):
            out.append(resolve(_master_for(master, v), v).token)
        else:
            out.append(v)
    return out


def feed_instruments(master: Optional[SymbolMaster], values: Any) -> Any:
    """Dhan feed arguments with symbols turned into ``(segment, security_id[, mode])``:
    ``"NSE:INFY"`` or ``("NSE:INFY", mode)``; tuples of ids pass through."""
    if isinstance(values, (str, Instrument)):
        values = [values]
    if not isinstance(values, Iterable):
        return values
    if isinstance(values, tuple) and values and not isinstance(values[0], (tuple, list)) \
            and not (isinstance(values[0], str) and ":" in values[0]):
        return values  # one (segment, id[, mode]) tuple
    out: List[Any] = []
    for v in values:
        first = v[0] if isinstance(v, (tuple, list)) and v else v
        if isinstance(first, Instrument) or (isinstance(first, str) and ":" in first):
            inst = first if isinstance(first, Instrument) else resolve(_master_for(master, first), first)
            rest = tuple(v[1:]) if isinstance(v, (tuple, list)) else ()
            out.append((inst.segment, str(inst.token)) + rest)
        else:
            out.append(v)
    return out
