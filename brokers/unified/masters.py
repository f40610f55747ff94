"""Masters for the unified layer where a client has no ``master()`` yet.

``client.master()`` (a :class:`~brokers.symbols.SymbolMaster`) is the source of
the symbol mapping. Until every client has one, :func:`master_of` builds an
equivalent master from the instrument list the client already downloads
(Kite ``instruments()``, Dhan ``fetch_security_list()``, Fyers
``symbol_master()``), with the same :class:`~brokers.symbols.Instrument` records.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, Iterable, List, Optional

from .. import errors
from ..ist import IST
from ..symbols import Instrument, SymbolMaster

__all__ = ["dhan_master", "fyers_master", "kite_master", "master_of"]

log = logging.getLogger(__name__)

_DERIVS = ("FUT", "CE", "PE")


def master_of(client: Any, broker: str) -> SymbolMaster:
    """``client.master()`` if the client has one, else a master built from its lists."""
    own = getattr(client, "master", None)
    if callable(own):
        master: SymbolMaster = own()
        return master
    if broker == "kite":
        return kite_master(client.instruments())
    if broker == "dhan":
        return dhan_master(client.fetch_security_list("compact"))
    if broker == "fyers":
        rows: List[Dict[str, Any]] = []
        for seg in ("NSE_CM", "BSE_CM", "NSE_FO", "BSE_FO", "NSE_CD", "MCX_COM"):
            try:
                rows.extend(client.symbol_master(seg))
            except (errors.BrokerError, ValueError) as e:  # a segment the host does not serve
                log.debug("fyers: no symbol master for %s (%s)", seg, e)
        return fyers_master(rows)
    raise ValueError(f"broker must be kite, dhan or fyers; got {broker!r}")


def _date(value: Any) -> Optional[dt.date]:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _num(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def kite_master(rows: Iterable[Dict[str, Any]]) -> SymbolMaster:
    """A master from ``Kite.instruments()`` rows."""
    out = []
    for r in rows:
        kind = str(r.get("instrument_type") or "EQ")
        if r.get("segment") == "INDICES":
            kind = "INDEX"
        deriv = kind in _DERIVS
        out.append(Instrument(
            broker="kite", key=f"{r['exchange']}:{r['tradingsymbol']}", exchange=str(r["exchange"]),
            segment=str(r.get("segment") or r["exchange"]), symbol=str(r["tradingsymbol"]),
            token=int(r["instrument_token"]), name=str(r.get("name") or ""), instrument_type=kind,
            underlying=str(r.get("name") or "") if deriv else None, expiry=_date(r.get("expiry")) if deriv else None,
            strike=_num(r.get("strike")) if kind in ("CE", "PE") else None,
            option_type=kind if kind in ("CE", "PE") else None, lot_size=int(_num(r.get("lot_size"), 1)) or 1,
            tick_size=_num(r.get("tick_size"), 0.05), exchange_token=str(r.get("exchange_token") or "") or None))
    return SymbolMaster("kite", out)


_DHAN_SEGMENTS = {("NSE", "E"): ("NSE_EQ", "NSE"), ("BSE", "E"): ("BSE_EQ", "BSE"),
                  ("NSE", "D"): ("NSE_FNO", "NFO"), ("BSE", "D"): ("BSE_FNO", "BFO"),
                  ("NSE", "C"): ("NSE_CURRENCY", "CDS"), ("BSE", "C"): ("BSE_CURRENCY", "BCD"),
                  ("MCX", "M"): ("MCX_COMM", "MCX"), ("NSE", "I"): ("IDX_I", "NSE"), ("BSE", "I"): ("IDX_I", "BSE")}


def dhan_master(rows: Iterable[Dict[str, Any]]) -> SymbolMaster:
    """A master from ``Dhan.fetch_security_list("compact")`` rows."""
    out = []
    for r in rows:
        seg = _DHAN_SEGMENTS.get((str(r.get("SEM_EXM_EXCH_ID")), str(r.get("SEM_SEGMENT"))))
        if seg is None:
            continue
        segment, exchange = seg
        sym = str(r.get("SEM_TRADING_SYMBOL") or "")
        name = str(r.get("SM_SYMBOL_NAME") or "")
        iname = str(r.get("SEM_INSTRUMENT_NAME") or "")
        opt = str(r.get("SEM_OPTION_TYPE") or "")
        if iname == "INDEX":
            kind = "INDEX"
        elif iname.startswith("FUT"):
            kind = "FUT"
        elif iname.startswith("OPT") and opt in ("CE", "PE"):
            kind = opt
        else:
            kind = "EQ" if iname == "EQUITY" else iname
        deriv = kind in _DERIVS
        underlying = (sym.split("-", 1)[0] if "-" in sym else name) if deriv else None
        out.append(Instrument(
            broker="dhan", key=f"{segment if deriv else exchange}:{sym}", exchange=exchange, segment=segment,
            symbol=sym, token=str(r.get("SEM_SMST_SECURITY_ID")), name=name, instrument_type=kind,
            underlying=underlying, expiry=_date(r.get("SEM_EXPIRY_DATE")) if deriv else None,
            strike=_num(r.get("SEM_STRIKE_PRICE")) if kind in ("CE", "PE") else None,
            option_type=kind if kind in ("CE", "PE") else None, lot_size=int(_num(r.get("SEM_LOT_UNITS"), 1)) or 1,
            tick_size=_num(r.get("SEM_TICK_SIZE"), 5.0) / 100))
    return SymbolMaster("dhan", out)


_FYERS_SEGMENTS = {("NSE", 10): ("NSE_CM", "NSE"), ("BSE", 10): ("BSE_CM", "BSE"), ("NSE", 11): ("NSE_FO", "NFO"),
                   ("BSE", 11): ("BSE_FO", "BFO"), ("NSE", 12): ("NSE_CD", "CDS"), ("BSE", 12): ("BSE_CD", "BCD"),
                   ("MCX", 20): ("MCX_COM", "MCX")}


def fyers_master(rows: Iterable[Dict[str, Any]]) -> SymbolMaster:
    """A master from ``Fyers.symbol_master(segment)`` rows."""
    out = []
    for r in rows:
        ticker = str(r.get("symbol_ticker") or "")
        if ":" not in ticker:
            continue
        prefix, sym = ticker.split(":", 1)
        seg = _FYERS_SEGMENTS.get((prefix, int(_num(r.get("segment"), 10))))
        if seg is None:
            continue
        segment, exchange = seg
        opt = str(r.get("option_type") or "")
        expiry = None
        if str(r.get("expiry") or "").strip():
            expiry = dt.datetime.fromtimestamp(int(_num(r["expiry"])), IST).date()
        kind = "INDEX" if sym.endswith("-INDEX") else opt if opt in ("CE", "PE") else "FUT" if expiry else "EQ"
        deriv = kind in _DERIVS
        out.append(Instrument(
            broker="fyers", key=ticker, exchange=exchange, segment=segment, symbol=sym, token=str(r.get("fytoken")),
            name=str(r.get("symbol_details") or ""), instrument_type=kind,
            underlying=str(r.get("underlying_symbol") or "") or None if deriv else None,
            expiry=expiry if deriv else None, strike=_num(r.get("strike_price")) if kind in ("CE", "PE") else None,
            option_type=kind if kind in ("CE", "PE") else None, lot_size=int(_num(r.get("lot_size"), 1)) or 1,
            tick_size=_num(r.get("tick_size"), 0.05), exchange_token=str(r.get("scrip_code") or "") or None))
    return SymbolMaster("fyers", out)
