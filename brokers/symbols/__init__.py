"""Instrument masters: one record type and one lookup for every broker.

Each broker's ``codec.py`` parses its own master file into rows;
:class:`SymbolMaster` holds them and answers lookups by the broker's own
symbol notation, by the broker's id, by free-text search, and by derivatives
views (options, futures, expiries of an underlying). :class:`MasterCache`
keeps each master on disk for the trading day, shared by every process.

Example::

    master = kite.master()
    inst = master["NSE:INFY"]
    inst.token, inst.lot_size, inst.tick_size
    master.options("NIFTY", expiry=master.expiries("NIFTY")[0])
"""

from __future__ import annotations

from .cache import MasterCache, master_day
from .model import ROW_FIELDS, Instrument, Row, SymbolMaster, Token
from .resolve import unknown_symbol

__all__ = ["Instrument", "MasterCache", "ROW_FIELDS", "Row", "SymbolMaster", "Token", "master_day",
           "unknown_symbol"]
