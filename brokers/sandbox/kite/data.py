"""The Kite sandbox's market data routes: quotes, OHLC, LTP, historical candles,
trigger ranges and the instruments CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from typing import Any, Dict, List, Tuple

from ...ist import IST
from ..candles import cap_days
from ..market import Instrument
from ..server import Request, Response
from .state import KiteState, err, ist, kite_date, ok

__all__ = ["DataRoutes"]


class DataRoutes(KiteState):
    """Market data handlers."""

    def _instruments_for(self, req: Request) -> List[Tuple[str, Instrument]]:
        """The requested instruments that exist, with the key they were asked by."""
        found = []
        for key in req.query.get("i", []):
            ins = self.market.find(key)
            if ins is None and key.isdigit():
                ins = self.market.get(int(key))
            if ins is not None:
                found.append((key, ins))
        return found

    def _ohlc(self, i: Instrument) -> Dict[str, float]:
        return {"open": i.open, "high": i.high, "low": i.low, "close": i.close}

    def quote(self, req: Request, user: str) -> Response:
        out = {}
        for key, i in self._instruments_for(req):
            out[key] = {"instrument_token": i.token, "timestamp": ist(time.time()),
                        "last_trade_time": ist(i.last_trade), "last_price": i.last, "last_quantity": i.last_qty,
                        "buy_quantity": i.buy_qty, "sell_quantity": i.sell_qty, "volume": i.volume,
                        "average_price": round((i.high + i.low) / 2, 2), "oi": i.oi, "oi_day_high": i.oi,
                        "oi_day_low": i.oi, "net_change": round(i.last - i.close, 4),
                        "lower_circuit_limit": round(i.close * 0.8, 2), "upper_circuit_limit": round(i.close * 1.2, 2),
                        "ohlc": self._ohlc(i), "depth": self.market.depth(i)}
        return ok(out)

    def ohlc(self, req: Request, user: str) -> Response:
        return ok({k: {"instrument_token": i.token, "last_price": i.last, "ohlc": self._ohlc(i)}
                    for k, i in self._instruments_for(req)})

    def ltp(self, req: Request, user: str) -> Response:
        return ok({k: {"instrument_token": i.token, "last_price": i.last}
                    for k, i in self._instruments_for(req)})

    _INTERVALS = {"minute": 1, "3minute": 3, "5minute": 5, "10minute": 10, "15minute": 15, "30minute": 30,
                  "60minute": 60, "day": 1440}

    def historical(self, req: Request, user: str) -> Response:
        i = self.market.get(int(req.params["token"])) if req.params["token"].isdigit() else None
        minutes = self._INTERVALS.get(req.params["interval"])
        if i is None or minutes is None:
            return err(400, "InputException", "Invalid token or interval.")
        try:
            start, end = kite_date(req.arg("from")), kite_date(req.arg("to"))
        except ValueError:
            return err(400, "InputException", "Invalid `from` or `to` date. Use yyyy-mm-dd hh:mm:ss.")
        if minutes == 1440:
            start = start.replace(hour=0, minute=0, second=0)
        cap = cap_days("kite", minutes)
        if cap is not None and end - start > dt.timedelta(days=cap):
            return err(400, "InputException", f"interval exceeds max limit: {cap} days")
        candles = []
        for ts, o, h, low, c, v in self.market.candles(i, start, end, minutes):
            row: List[Any] = [dt.datetime.fromtimestamp(ts, IST).strftime("%Y-%m-%dT%H:%M:%S+0530"), o, h, low, c, v]
            if req.arg("oi") == "1":
                row.append(i.oi)
            candles.append(row)
        return ok({"candles": candles})

    def trigger_range(self, req: Request, user: str) -> Response:
        out = {}
        for key, i in self._instruments_for(req):
            out[key] = {"instrument_token": i.token, "lower": round(i.last * 0.97, 2), "upper": round(i.last * 1.03, 2),
                        "percentage": 3}
        return ok(out)

    def instruments(self, req: Request) -> Response:
        exchange = req.params.get("exchange")
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["instrument_token", "exchange_token", "tradingsymbol", "name", "last_price", "expiry", "strike",
                    "tick_size", "lot_size", "instrument_type", "segment", "exchange"])
        for i in self.market.instruments:
            if exchange and i.exchange != exchange:
                continue
            w.writerow([i.token, i.token >> 8, i.tradingsymbol, i.name, 0, i.expiry, i.strike, i.tick_size,
                        i.lot_size, i.instrument_type, i.segment, i.exchange])
        return Response(200, buf.getvalue(), "text/csv")
