"""Full-size instrument masters for the sandbox, in each broker's own file format.

``Sandbox(masters="full")`` serves a universe of about 94,000 instruments (see
:mod:`brokers.sandbox.universe`) as Kite's instruments CSV, Dhan's compact scrip
master and Fyers' per-segment symbol master files; ``masters="small"`` serves
the same shapes with a few thousand rows, for fast tests. The sandbox market's
own instruments keep their ids in every master. The rendered bytes are cached
per process and per master day, so only the first download pays for them.

Switches for tests: :meth:`SandboxMasters.corrupt_next` serves a truncated,
empty or garbled file next; :attr:`SandboxMasters.downloads` counts downloads.
"""

from __future__ import annotations

import collections
import datetime as dt
import threading
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

from ..ist import IST, utc_now
from ..symbols.cache import master_day
from .market import Instrument
from .server import Request, Response, Router
from .universe import Entry, universe

if TYPE_CHECKING:  # pragma: no cover
    from . import Sandbox

__all__ = ["SandboxMasters", "FYERS_FILES"]

KITE_HEADER = ("instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,"
               "instrument_type,segment,exchange\n")
DHAN_HEADER = ("SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,"
               "SEM_TRADING_SYMBOL,SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,"
               "SEM_OPTION_TYPE,SEM_TICK_SIZE,SEM_EXPIRY_FLAG,SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME\n")
#: Fyers file -> the Kite exchanges (and index exchange) whose instruments it lists.
FYERS_FILES = {"NSE_CM": ("NSE",), "NSE_FO": ("NFO",), "NSE_CD": ("CDS",), "NSE_COM": (), "BSE_CM": ("BSE",),
               "BSE_FO": ("BFO",), "MCX_COM": ("MCX",)}
_FY_PREFIX = {"NSE": "1010", "NFO": "1011", "CDS": "1012", "MCX": "1120", "BSE": "1210", "BFO": "1211"}
_FY_CODES = {"NSE": (10, 10), "NFO": (10, 11), "CDS": (10, 12), "BSE": (12, 10), "BFO": (12, 11), "MCX": (11, 20)}
_INDEX_ROOTS = ("NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "SENSEX")
_DHAN_SEG = {"NSE": ("NSE", "E"), "BSE": ("BSE", "E"), "NFO": ("NSE", "D"), "BFO": ("BSE", "D"),
             "CDS": ("NSE", "C"), "MCX": ("MCX", "M")}
_MON = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_bytes: Dict[Tuple[str, str, dt.date], bytes] = {}
_bytes_lock = threading.Lock()


def _entry(i: Instrument) -> Entry:
    derivative = i.instrument_type in ("FUT", "CE", "PE")
    return Entry(i.exchange, i.segment, i.tradingsymbol, i.name, i.token >> 8, i.instrument_type,
                 dt.date.fromisoformat(i.expiry) if i.expiry else None, float(i.strike or 0.0), i.lot_size,
                 i.tick_size, i.name if derivative else "")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def kite_csv(entries: List[Entry], exchange: Optional[str] = None) -> str:
    lines = [KITE_HEADER]
    for e in entries:
        if exchange and e.exchange != exchange:
            continue
        lines.append(f"{e.token},{e.exchange_token},{e.tradingsymbol},\"{e.name}\",0,"
                     f"{e.expiry.isoformat() if e.expiry else ''},{e.strike if e.strike else 0},{e.tick_size},"
                     f"{e.lot_size},{e.instrument_type},{e.segment},{e.exchange}\n")
    return "".join(lines)


def _dhan_symbol(e: Entry) -> str:
    if not e.expiry:
        return e.tradingsymbol
    month = f"{_MON[e.expiry.month - 1]}{e.expiry.year}"
    if e.weekly:
        month = f"{e.expiry.day:02d}{month}"
    if e.instrument_type == "FUT":
        return f"{e.underlying}-{month}-FUT"
    return f"{e.underlying}-{month}-{_num(e.strike)}-{e.instrument_type}"


def _dhan_kind(e: Entry) -> str:
    if e.segment == "INDICES":
        return "INDEX"
    if e.instrument_type == "EQ":
        return "EQUITY"
    fut = e.instrument_type == "FUT"
    if e.exchange == "CDS":
        return "FUTCUR" if fut else "OPTCUR"
    if e.exchange == "MCX":
        return "FUTCOM" if fut else "OPTFUT"
    index = e.underlying in _INDEX_ROOTS
    return ("FUTIDX" if index else "FUTSTK") if fut else ("OPTIDX" if index else "OPTSTK")


def dhan_csv(entries: List[Entry], dhan_ids: Dict[int, Tuple[str, int, str]]) -> str:
    lines = [DHAN_HEADER]
    for e in entries:
        fixed = dhan_ids.get(e.token)
        exch, seg = ("BSE" if e.exchange == "BSE" else "NSE", "I") if e.segment == "INDICES" else _DHAN_SEG[e.exchange]
        sid = fixed[1] if fixed else e.exchange_token
        kind = _dhan_kind(e)
        sym = _dhan_symbol(e)
        expiry = f"{e.expiry.isoformat()} 14:30:00" if e.expiry else ""
        strike = f"{e.strike:.5f}" if e.instrument_type in ("CE", "PE") else "-0.01000"
        opt = e.instrument_type if e.instrument_type in ("CE", "PE") else "XX"
        flag = ("W" if e.weekly else "M") if e.expiry else "NA"
        lines.append(f"{exch},{seg},{sid},{kind},0,{sym},{float(e.lot_size or 1)},{sym},{expiry},{strike},{opt},"
                     f"{e.tick_size * 100:g},{flag},{kind[:3]},{'EQ' if kind == 'EQUITY' else 'NA'},\"{e.name}\"\n")
    return "".join(lines)


def _fyers_symbol(e: Entry) -> str:
    if e.segment == "INDICES":
        base = {"NIFTY 50": "NIFTY50", "NIFTY BANK": "NIFTYBANK", "NIFTY FIN SERVICE": "FINNIFTY",
                "NIFTY MID SELECT": "MIDCPNIFTY"}.get(e.tradingsymbol, e.tradingsymbol.replace(" ", ""))
        return f"{'BSE' if e.exchange == 'BSE' else 'NSE'}:{base}-INDEX"
    if e.exchange == "NSE":
        return f"NSE:{e.tradingsymbol}-EQ"
    if e.exchange == "BSE":
        return f"BSE:{e.tradingsymbol}-A"
    return f"{ {'NFO': 'NSE', 'CDS': 'NSE', 'BFO': 'BSE'}.get(e.exchange, e.exchange)}:{e.tradingsymbol}"


def fyers_csv(entries: List[Entry], segment: str) -> str:
    wanted = FYERS_FILES[segment]
    lines = []
    for e in entries:
        exchange = e.exchange
        if exchange not in wanted:
            continue
        prefix = _FY_PREFIX[exchange]
        expiry = str(int(dt.datetime.combine(e.expiry, dt.time(15, 30), IST).timestamp())) if e.expiry else ""
        kind = {"EQ": 0, "FUT": 11, "CE": 14, "PE": 14}.get(e.instrument_type, 0)
        if e.segment == "INDICES":
            kind = 10
        ex_code, seg_code = _FY_CODES[exchange]
        opt = e.instrument_type if e.instrument_type in ("CE", "PE") else "XX"
        under = e.underlying or e.tradingsymbol
        lines.append(f"{prefix}000000{e.exchange_token},{e.name},{kind},{e.lot_size or 1},{e.tick_size},,"
                     f"0915-1530|1815-1915:,2026-11-27,{expiry},{_fyers_symbol(e)},{ex_code},{seg_code},"
                     f"{e.exchange_token},{under},,{_num(e.strike) if opt != 'XX' else -1},{opt},,None,0\n")
    return "".join(lines)


class SandboxMasters:
    """The master files of every broker, served in place of the small ones.

    Args:
        sandbox: the sandbox (its market's instruments keep their ids).
        size: ``"full"`` (Kite about 94,000 instruments) or ``"small"``.
        clock: the current time (the expiries follow the master day).

    Attributes:
        downloads: downloads served, by ``"kite"``, ``"dhan"``, ``"fyers:NSE_FO"``...
    """

    def __init__(self, sandbox: "Sandbox", size: str = "full", clock: Callable[[], dt.datetime] = utc_now) -> None:
        if size not in ("full", "small"):
            raise ValueError(f"masters must be 'full' or 'small'; got {size!r}")
        self.sb = sandbox
        self.size = size
        self.clock = clock
        self.downloads: Dict[str, int] = collections.Counter()
        self._corrupt: List[Tuple[str, str]] = []
        self._lock = threading.Lock()
        self._by_token: Optional[Dict[int, Entry]] = None
        sandbox.market.more = self.instrument  # Kite's historical candles for every generated token

    def instrument(self, token: int) -> Optional[Instrument]:
        """A market instrument for a generated Kite token (candles only; prices do not move)."""
        with self._lock:
            if self._by_token is None:
                self._by_token = {e.token: e for e in self.entries()}
            e = self._by_token.get(token)
        if e is None:
            return None
        price = e.strike / 50 if e.instrument_type in ("CE", "PE") else 1000.0
        return Instrument(e.token, e.exchange, e.tradingsymbol, e.name, max(price, 1.0), segment=e.segment,
                          instrument_type=e.instrument_type, lot_size=e.lot_size, tick_size=e.tick_size,
                          expiry=e.expiry.isoformat() if e.expiry else "", strike=e.strike)

    def entries(self) -> List[Entry]:
        """Today's instruments (Kite's vocabulary)."""
        fixed = [_entry(i) for i in self.sb.market.instruments]
        return universe(self.size, master_day(self.clock()), fixed)

    def corrupt_next(self, broker: str, how: str = "truncate", n: int = 1) -> None:
        """Serve the next ``n`` downloads of ``broker``'s master (``"kite"``,
        ``"dhan"``, ``"fyers"``) ``truncate``-d mid-line, ``empty``, ``garbage``
        or ``short`` (complete lines, a tenth of them)."""
        if how not in ("truncate", "empty", "garbage", "short"):
            raise ValueError(f"how must be truncate, empty, garbage or short; got {how!r}")
        with self._lock:
            self._corrupt += [(broker, how)] * n

    def _body(self, broker: str, name: str, render: Callable[[], str]) -> bytes:
        key = (f"{name}:{self.size}", str(id(self.sb.market)), master_day(self.clock()))
        with _bytes_lock:
            data = _bytes.get(key)
            if data is None:
                data = _bytes[key] = render().encode("utf-8")
        with self._lock:
            self.downloads[name] += 1
            how = next((h for b, h in self._corrupt if b == broker), None)
            if how is not None:
                self._corrupt.remove((broker, how))
        if how == "truncate":
            return data[: len(data) * 2 // 3 + 7]
        if how == "empty":
            return b""
        if how == "garbage":
            return b"<html><body>502 Bad Gateway</body></html>"
        if how == "short":
            lines = data.splitlines(keepends=True)
            return b"".join(lines[: max(2, len(lines) // 10)])
        return data

    # -- routes -------------------------------------------------------------------------
    def mount(self, router: Router) -> None:
        """Add the master routes (before the brokers' own, which they replace)."""
        for prefix in ("/kite/connect", ""):
            router.add("GET", prefix + "/instruments", self.kite)
            router.add("GET", prefix + "/instruments/{exchange}", self.kite)
        router.add("GET", "/dhan/scrip/api-scrip-master.csv", self.dhan)
        router.add("GET", "/fyers/public/sym_details/{name}", self.fyers)

    def kite(self, req: Request) -> Response:
        exchange = req.params.get("exchange")
        if exchange == "historical":  # not ours
            return Response(404, {"status": "error", "error_type": "GeneralException", "message": "Not found"})
        name = f"kite-{exchange}" if exchange else "kite"
        body = self._body("kite", name, lambda: kite_csv(self.entries(), exchange))
        return Response(200, body, "text/csv")

    def dhan(self, req: Request) -> Response:
        from .dhan import DHAN_IDS

        with self.sb.dhan.lock:
            self.sb.dhan.scrip_downloads += 1
        return Response(200, self._body("dhan", "dhan", lambda: dhan_csv(self.entries(), DHAN_IDS)), "text/csv")

    def fyers(self, req: Request) -> Response:
        name = req.params["name"]
        segment = name[:-4] if name.endswith(".csv") else ""
        if segment not in FYERS_FILES:
            if name.endswith(".json"):
                return self.sb.fyers.index_mapping(req)
            return Response(404, "<html><body>404 Not Found</body></html>", "text/html")
        body = self._body("fyers", f"fyers:{segment}", lambda: fyers_csv(self.entries(), segment))
        return Response(200, body, "text/csv")

