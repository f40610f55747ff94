"""The Fyers sandbox's data routes: market status, history, quotes, depth, the
option chain, symbol tokens, and the public symbol master files."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict

from ...ist import IST
from ..candles import cap_days
from ..market import Instrument
from ..server import Request, Response
from .state import _INDEX_SYMBOLS, _SEGMENT_FILES, FyersState, err, fyers_symbol, fytoken, ok

__all__ = ["DataRoutes"]


class DataRoutes(FyersState):
    """Market data and public file handlers."""

    def market_status(self, req: Request, user: str) -> Response:
        rows = [{"exchange": e, "market_type": "NORMAL", "segment": s, "status": "OPEN"}
                for e, s in ((10, 10), (10, 11), (10, 12), (11, 20), (12, 10))]
        return ok(marketStatus=rows)

    def history(self, req: Request, user: str) -> Response:
        i = self.by_symbol.get(req.arg("symbol") or "")
        if i is None:
            return err(400, -300, "Invalid symbol")
        res = req.arg("resolution") or ""
        minutes = 1440 if res in ("D", "1D", "Day") else int(res) if res.isdigit() else None
        if minutes is None:
            return err(400, -50, "Invalid resolution")
        try:
            if req.arg("date_format") == "1":
                start = dt.datetime.strptime(req.arg("range_from") or "", "%Y-%m-%d").replace(tzinfo=IST)
                end = dt.datetime.strptime(req.arg("range_to") or "", "%Y-%m-%d").replace(tzinfo=IST)
                end = end.replace(hour=23, minute=59)
            else:
                start = dt.datetime.fromtimestamp(int(req.arg("range_from") or ""), IST)
                end = dt.datetime.fromtimestamp(int(req.arg("range_to") or ""), IST)
        except ValueError:
            return err(400, -50, "Invalid range_from or range_to")
        if minutes == 1440:
            start = start.replace(hour=0, minute=0, second=0, microsecond=0)  # daily candles sit at midnight
        cap = cap_days("fyers", minutes)
        if cap is not None and end - start > dt.timedelta(days=cap):
            return err(422, -50, f"Invalid input: range_from to range_to can be at most {cap} days for this resolution")
        candles = [[int(ts), o, h, low, c, v] for ts, o, h, low, c, v in self.market.candles(i, start, end, minutes)]
        return ok(candles=candles)

    def _quote(self, sym: str, i: Instrument) -> Dict[str, Any]:
        ch = round(i.last - i.close, 2)
        depth = self.market.depth(i)
        return {"ch": ch, "chp": round(ch / i.close * 100, 2), "lp": i.last, "spread": round(
            depth["sell"][0]["price"] - depth["buy"][0]["price"], 4), "ask": depth["sell"][0]["price"],
            "bid": depth["buy"][0]["price"], "open_price": i.open, "high_price": i.high, "low_price": i.low,
            "prev_close_price": i.close, "atp": round((i.high + i.low) / 2, 2), "volume": i.volume,
            "short_name": i.tradingsymbol, "exchange": sym.split(":")[0], "description": f"{sym.split(':')[0]}:{i.name}",
            "original_name": sym, "symbol": sym, "fyToken": fytoken(i), "tt": str(int(i.last_trade))}

    def quotes(self, req: Request, user: str) -> Response:
        syms = [s for s in (req.arg("symbols") or "").split(",") if s]
        if not syms or len(syms) > 50:
            return err(400, -50, "Provide 1 to 50 symbols")
        d = []
        for s in syms:
            i = self.by_symbol.get(s)
            d.append({"n": s, "s": "ok", "v": self._quote(s, i)} if i else
                     {"n": s, "s": "error", "v": {"errmsg": "invalid symbol"}})
        if all(x["s"] == "error" for x in d):
            return err(400, -300, "Invalid symbol")
        return ok(d=d)

    def depth(self, req: Request, user: str) -> Response:
        sym = req.arg("symbol") or ""
        i = self.by_symbol.get(sym)
        if i is None:
            return err(400, -300, "Invalid symbol")
        book = self.market.depth(i)
        q = self._quote(sym, i)
        body = {"totalbuyqty": i.buy_qty, "totalsellqty": i.sell_qty,
                "bids": [{"price": b["price"], "volume": b["quantity"], "ord": b["orders"]} for b in book["buy"]],
                "ask": [{"price": a["price"], "volume": a["quantity"], "ord": a["orders"]} for a in book["sell"]],
                "o": i.open, "h": i.high, "l": i.low, "c": i.close, "chp": q["chp"], "tick_Size": i.tick_size,
                "ch": q["ch"], "ltq": i.last_qty, "ltt": int(i.last_trade), "ltp": i.last, "v": i.volume,
                "atp": q["atp"], "lower_ckt": round(i.close * 0.8, 2), "upper_ckt": round(i.close * 1.2, 2),
                "expiry": "", "oi": i.oi, "oiflag": False, "pdoi": i.oi, "oipercent": 0.0}
        return ok(d={sym: body})

    def optionchain(self, req: Request, user: str) -> Response:
        sym = req.arg("symbol") or ""
        i = self.by_symbol.get(sym)
        if i is None:
            return err(400, -300, "Invalid symbol")
        chain = [{"symbol": sym, "fyToken": fytoken(i), "ltp": i.last, "ltpch": round(i.last - i.close, 2),
                  "option_type": "", "strike_price": -1, "description": i.name, "exchange": "NSE"}]
        for o in self.market.instruments:
            if o.instrument_type in ("CE", "PE") and i.tradingsymbol.replace(" ", "").startswith(o.name):
                chain.append({"symbol": fyers_symbol(o), "fyToken": fytoken(o), "ltp": o.last, "oi": o.oi,
                              "option_type": o.instrument_type, "strike_price": o.strike, "volume": o.volume,
                              "bid": round(o.last - 0.05, 2), "ask": round(o.last + 0.05, 2)})
        expiry = int(dt.datetime(2026, 12, 29, 15, 30, tzinfo=IST).timestamp())
        return ok(data={"optionsChain": chain, "expiryData": [{"date": "29-12-2026", "expiry": str(expiry)}],
                         "callOi": sum(c.get("oi", 0) for c in chain if c.get("option_type") == "CE"),
                         "putOi": sum(c.get("oi", 0) for c in chain if c.get("option_type") == "PE"),
                         "indiavixData": {}})

    def symbol_token(self, req: Request) -> Response:
        auth = req.header("authorization") or ""
        if self.valid(auth) is None:  # this endpoint takes the bare token, no "APPID:"
            return err(401, -16, "Could not authenticate the user. Please log in again.")
        body = self._body(req) or {}
        syms = body.get("symbols") if isinstance(body, dict) else None
        if not isinstance(syms, list):
            return err(400, -50, "Provide symbols")
        valid = {s: fytoken(self.by_symbol[s]) for s in syms if s in self.by_symbol}
        return Response(200, {"s": "ok", "validSymbol": valid, "invalidSymbol": [s for s in syms if s not in valid]})

    def index_mapping(self, req: Request) -> Response:
        return Response(200, {sym: name for sym, name in _INDEX_SYMBOLS.values()})

    def symbol_master(self, req: Request) -> Response:
        name = req.params["name"]
        seg = name[:-4] if name.endswith(".csv") else None
        if seg not in _SEGMENT_FILES:
            return Response(404, "<html><body>404 Not Found</body></html>", "text/html")
        lines = []
        for i in self.market.instruments:
            if i.exchange not in _SEGMENT_FILES[seg]:
                continue
            sym = fyers_symbol(i)
            expiry = str(int(dt.datetime.strptime(i.expiry, "%Y-%m-%d").replace(tzinfo=IST).timestamp())) \
                if i.expiry else ""
            kind = {"EQ": 0, "FUT": 11, "CE": 14, "PE": 14}.get(i.instrument_type, 0)
            cells = [fytoken(i), i.name, kind, i.lot_size, i.tick_size, i.isin, "0915-1530|1815-1915:",
                     "2026-11-27", expiry, sym, 10 if i.exchange != "MCX" else 11,
                     {"NSE": 10, "BSE": 10, "NFO": 11, "CDS": 12, "MCX": 20}[i.exchange], i.token >> 8,
                     i.name, "", i.strike if i.strike else -1, i.instrument_type if i.instrument_type in ("CE", "PE")
                     else "XX", "", "None", 0]
            lines.append(",".join(str(c) for c in cells))
        return Response(200, "\n".join(lines) + "\n", "text/csv")
