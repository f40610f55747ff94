"""Symbols where ids are asked for: a symbol string resolved through a master."""

from __future__ import annotations

from typing import Optional

from .. import errors
from .model import Instrument, SymbolMaster

__all__ = ["resolve", "unknown_symbol"]


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
