"""The Dhan sandbox's data routes: historical and intraday charts, market quotes,
the option chain, and the scrip master CSVs."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from ...ist import IST
from ..market import Instrument
from ..server import Request, Response
from .state import SEGMENTS, DhanState, body, data_err, err

__all__ = ["DataRoutes"]


class DataRoutes(DhanState):
    """Market data handlers."""

    def _chart_instrument(self, b: Dict[str, Any]) -> Tuple[Optional[Instrument], Optional[Response]]:
        missing = [k for k in ("securityId", "exchangeSegment", "instrument", "fromDate", "toDate")
                   if b.get(k) in (None, "")]
        if missing:
            return None, err(400, "DH-905", f"Missing required fields: {', '.join(missing)}")
        i = self.instrument(b["exchangeSegment"], b["securityId"])
        if i is None:
            return None, err(400, "DH-907", "No data for this securityId.", "Data_Error")
        return i, None

    @staticmethod
    def _when(value: str) -> dt.datetime:
        fmt = "%Y-%m-%d %H:%M:%S" if len(value) > 10 else "%Y-%m-%d"
        return dt.datetime.strptime(value, fmt).replace(tzinfo=IST)

    def _columns(self, i: Instrument, start: dt.datetime, end: dt.datetime, minutes: int, oi: bool) -> Dict[str, Any]:
        rows = self.market.candles(i, start, end, minutes)
        out: Dict[str, Any] = {"open": [r[1] for r in rows], "high": [r[2] for r in rows], "low": [r[3] for r in rows],
                               "close": [r[4] for r in rows], "volume": [r[5] for r in rows],
                               "timestamp": [int(r[0]) for r in rows]}
        if oi:
            out["open_interest"] = [i.oi for _ in rows]
        return out

    def chart_daily(self, req: Request, client: str) -> Response:
        b = body(req)
        i, problem = self._chart_instrument(b)
        if problem is not None or i is None:
            return problem or err(400, "DH-905", "bad request")
        try:
            start, end = self._when(b["fromDate"]), self._when(b["toDate"]) - dt.timedelta(days=1)
        except ValueError:
            return err(400, "DH-905", "Dates must be YYYY-MM-DD.")
        return Response(200, self._columns(i, start, end, 1440, bool(b.get("oi"))))

    def chart_intraday(self, req: Request, client: str) -> Response:
        b = body(req)
        i, problem = self._chart_instrument(b)
        if problem is not None or i is None:
            return problem or err(400, "DH-905", "bad request")
        if int(b.get("interval") or 0) not in (1, 5, 15, 25, 60):
            return err(400, "DH-905", "interval must be 1, 5, 15, 25 or 60.")
        try:
            start, end = self._when(b["fromDate"]), self._when(b["toDate"])
        except ValueError:
            return err(400, "DH-905", "Dates must be YYYY-MM-DD[ HH:MM:SS].")
        if (end - start).days > 90:
            return err(400, "DH-905", "At most 90 days per request.")
        return Response(200, self._columns(i, start, end, int(b["interval"]), bool(b.get("oi"))))

    def chart_expired(self, req: Request, client: str) -> Response:
        b = body(req)
        if b.get("expiryFlag") not in ("WEEK", "MONTH") or b.get("drvOptionType") not in ("CALL", "PUT"):
            return err(400, "DH-905", "Invalid expiryFlag or drvOptionType.")
        fields = b.get("requiredData") or []
        side = {f: [100.0 + n for n in range(3)] for f in fields}
        side["timestamp"] = [int(time.time()) - 180 + 60 * n for n in range(3)]
        key = "ce" if b["drvOptionType"] == "CALL" else "pe"
        return Response(200, {"data": {key: side, "pe" if key == "ce" else "ce": None}})

    def _quote(self, req: Request, shape: Callable[[Instrument], Dict[str, Any]]) -> Response:
        b = {k: v for k, v in body(req).items() if k != "dhanClientId"}
        if not b:
            return data_err("814", "Invalid Request")
        if sum(len(v) for v in b.values() if isinstance(v, list)) > 1000:
            return data_err("804", "Requested number of instruments exceeds limit")
        out: Dict[str, Dict[str, Any]] = {}
        for seg, ids in b.items():
            if seg not in SEGMENTS or not isinstance(ids, list):
                return data_err("814", "Invalid Request")
            for sid in ids:
                i = self.instrument(seg, sid)
                if i is not None:
                    out.setdefault(seg, {})[str(sid)] = shape(i)
        if not out:
            return data_err("813", "Invalid SecurityId")
        return Response(200, {"data": out, "status": "success"})

    def ltp(self, req: Request, client: str) -> Response:
        return self._quote(req, lambda i: {"last_price": i.last})

    @staticmethod
    def _ohlc(i: Instrument) -> Dict[str, Any]:
        return {"last_price": i.last, "ohlc": {"open": i.open, "close": i.close, "high": i.high, "low": i.low}}

    def ohlc(self, req: Request, client: str) -> Response:
        return self._quote(req, self._ohlc)

    def quote(self, req: Request, client: str) -> Response:
        def full(i: Instrument) -> Dict[str, Any]:
            d = self.market.depth(i)
            return dict(self._ohlc(i), average_price=i.last, buy_quantity=i.buy_qty, sell_quantity=i.sell_qty,
                        last_quantity=i.last_qty, last_trade_time=dt.datetime.fromtimestamp(i.last_trade, IST)
                        .strftime("%d/%m/%Y %H:%M:%S"), lower_circuit_limit=round(i.close * 0.9, 2),
                        upper_circuit_limit=round(i.close * 1.1, 2), net_change=round(i.last - i.close, 2),
                        oi=i.oi, oi_day_high=i.oi, oi_day_low=i.oi, volume=i.volume,
                        depth={"buy": [{"quantity": x["quantity"], "orders": x["orders"], "price": x["price"]}
                                       for x in d["buy"]],
                               "sell": [{"quantity": x["quantity"], "orders": x["orders"], "price": x["price"]}
                                        for x in d["sell"]]})
        return self._quote(req, full)

    def _underlying(self, b: Dict[str, Any]) -> Optional[Instrument]:
        if not isinstance(b.get("UnderlyingScrip"), int):
            return None
        return self.instrument(str(b.get("UnderlyingSeg")), b["UnderlyingScrip"])

    @staticmethod
    def _expiries() -> List[str]:
        today = dt.datetime.now(IST).date()
        thursdays = [today + dt.timedelta(days=(3 - today.weekday()) % 7 + 7 * n) for n in range(4)]
        return [d.isoformat() for d in thursdays]

    def option_chain(self, req: Request, client: str) -> Response:
        b = body(req)
        u = self._underlying(b)
        if u is None:
            return data_err("813", "Invalid SecurityId")
        if b.get("Expiry") not in self._expiries():
            return data_err("811", "Invalid Expiry Date")
        step = 50.0 if u.last > 10000 else 10.0
        atm = round(u.last / step) * step
        oc: Dict[str, Any] = {}
        for n in range(-2, 3):
            strike = atm + n * step

            def side(sign: int, strike: float = strike, n: int = n) -> Dict[str, Any]:
                intrinsic = max(0.0, sign * (u.last - strike))
                ltp = round(intrinsic + 40 + 5 * abs(n), 2)
                return {"average_price": ltp, "greeks": {"delta": round(0.5 * sign - 0.1 * n, 4), "theta": -12.5,
                                                         "gamma": 0.0012, "vega": 9.8},
                        "implied_volatility": 13.2 + abs(n), "last_price": ltp, "oi": 100000 + 5000 * n,
                        "previous_close_price": ltp + 2, "previous_oi": 98000, "previous_volume": 1200000,
                        "security_id": 60000 + int(strike) % 10000 + (1 if sign > 0 else 2),
                        "top_ask_price": ltp + 0.05, "top_ask_quantity": 75, "top_bid_price": ltp - 0.05,
                        "top_bid_quantity": 150, "volume": 1500000}
            oc[f"{strike:.6f}"] = {"ce": side(1), "pe": side(-1)}
        return Response(200, {"data": {"last_price": u.last, "oc": oc}, "status": "success"})

    def expiry_list(self, req: Request, client: str) -> Response:
        if self._underlying(body(req)) is None:
            return data_err("813", "Invalid SecurityId")
        return Response(200, {"data": self._expiries(), "status": "success"})

    def _scrip_rows(self) -> List[Dict[str, Any]]:
        rows = []
        for i in self.market.instruments:
            seg, sid, kind = self.ids(i)
            exch = "BSE" if seg.startswith("BSE") else "MCX" if seg.startswith("MCX") else "NSE"
            rows.append({"exch": exch, "seg": {"IDX_I": "I", "NSE_EQ": "E", "BSE_EQ": "E", "NSE_FNO": "D",
                                               "NSE_CURRENCY": "C", "MCX_COMM": "M"}[seg],
                         "sid": sid, "kind": kind, "symbol": i.tradingsymbol, "lot": float(i.lot_size),
                         "expiry": f"{i.expiry} 14:30:00" if i.expiry else "", "strike": i.strike or -0.01,
                         "opt": "CE" if i.instrument_type == "CE" else "XX", "tick": i.tick_size,
                         "name": i.name, "isin": i.isin})
        return rows

    def scrip_compact(self, req: Request) -> Response:
        with self.lock:
            self.scrip_downloads += 1
        head = ("SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,"
                "SEM_TRADING_SYMBOL,SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,"
                "SEM_OPTION_TYPE,SEM_TICK_SIZE,SEM_EXPIRY_FLAG,SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME\n")
        lines = [f"{r['exch']},{r['seg']},{r['sid']},{r['kind']},0,{r['symbol']},{r['lot']},{r['symbol']},"
                 f"{r['expiry']},{r['strike']},{r['opt']},{r['tick'] * 100:g},{'M' if r['expiry'] else 'NA'},"
                 f"{r['kind'][:3]},{'EQ' if r['kind'] == 'EQUITY' else 'NA'},\"{r['name']}\"\n"
                 for r in self._scrip_rows()]
        return Response(200, head + "".join(lines), "text/csv")

    def scrip_detailed(self, req: Request) -> Response:
        with self.lock:
            self.scrip_downloads += 1
        head = ("EXCH_ID,SEGMENT,SECURITY_ID,ISIN,INSTRUMENT,UNDERLYING_SECURITY_ID,UNDERLYING_SYMBOL,SYMBOL_NAME,"
                "DISPLAY_NAME,INSTRUMENT_TYPE,SERIES,LOT_SIZE,SM_EXPIRY_DATE,STRIKE_PRICE,OPTION_TYPE,TICK_SIZE,"
                "EXPIRY_FLAG\n")
        lines = [f"{r['exch']},{r['seg']},{r['sid']},{r['isin'] or 'NA'},{r['kind']},,{r['symbol']},"
                 f"\"{r['name']}\",\"{r['name']}\",{r['kind'][:3]},EQ,{r['lot']},{r['expiry'][:10]},{r['strike']},"
                 f"{r['opt']},{r['tick']},{'M' if r['expiry'] else 'NA'}\n" for r in self._scrip_rows()]
        return Response(200, head + "".join(lines), "text/csv")
