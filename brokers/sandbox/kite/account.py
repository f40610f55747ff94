"""The Kite sandbox's account routes: profile, margins, holdings and positions."""

from __future__ import annotations

import secrets
from typing import Any, Dict, Tuple

from ..server import Request, Response
from .state import KiteState, err, ok

__all__ = ["AccountRoutes"]


class AccountRoutes(KiteState):
    """User and portfolio handlers; each takes the request and the authenticated user id."""

    def profile(self, req: Request, user: str) -> Response:
        acct = self.accounts[user]
        return ok({"user_id": user, "user_type": "individual", "email": acct.email, "user_name": acct.user_name,
                    "user_shortname": acct.user_name.split()[0], "broker": "ZERODHA",
                    "exchanges": ["NSE", "BSE", "NFO", "CDS", "MCX"], "products": ["CNC", "NRML", "MIS"],
                    "order_types": ["MARKET", "LIMIT", "SL", "SL-M"], "avatar_url": None,
                    "meta": {"demat_consent": "consent"}})

    def profile_full(self, req: Request, user: str) -> Response:
        data = self.profile(req, user).body["data"]
        data.update({"phone": "*9999", "pan": "*1234F", "twofa_type": "totp", "bank_accounts": []})
        return ok(data)

    def margins(self, req: Request, user: str) -> Response:
        seg = req.params.get("segment")
        one = {"enabled": True, "net": 99725.05, "available": {"adhoc_margin": 0, "cash": 100000.0,
               "opening_balance": 100000.0, "live_balance": 99725.05, "collateral": 0, "intraday_payin": 0},
               "utilised": {"debits": 274.95, "exposure": 0, "m2m_realised": 0, "m2m_unrealised": 0,
                            "option_premium": 0, "payout": 0, "span": 0, "holding_sales": 0, "turnover": 0}}
        if seg is None:
            return ok({"equity": one, "commodity": dict(one, net=50000.0)})
        if seg not in ("equity", "commodity"):
            return err(400, "InputException", "Invalid segment.")
        return ok(one)

    def _holding(self, sym: str, qty: int) -> Dict[str, Any]:
        i = self.market.find(f"NSE:{sym}")
        assert i is not None
        avg = round(i.close * 0.9, 2)
        return {"tradingsymbol": sym, "exchange": "NSE", "instrument_token": i.token, "isin": i.isin,
                "product": "CNC", "price": 0, "quantity": qty, "used_quantity": 0, "t1_quantity": 0,
                "realised_quantity": qty, "authorised_quantity": 0, "authorised_date": "2026-11-27 00:00:00",
                "opening_quantity": qty, "collateral_quantity": 0, "collateral_type": "",
                "discrepancy": False, "average_price": avg, "last_price": i.last, "close_price": i.close,
                "pnl": round((i.last - avg) * qty, 2), "day_change": round(i.last - i.close, 2),
                "day_change_percentage": round((i.last - i.close) * 100 / i.close, 4)}

    def holdings(self, req: Request, user: str) -> Response:
        return ok([self._holding(s, q) for s, q in self.holdings_qty.items()])

    def holdings_summary(self, req: Request, user: str) -> Response:
        rows = [self._holding(s, q) for s, q in self.holdings_qty.items()]
        invested = sum(r["average_price"] * r["quantity"] for r in rows)
        current = sum(r["last_price"] * r["quantity"] for r in rows)
        return ok({"total_pnl": round(current - invested, 2), "total_pnl_percent": round((current - invested) * 100 / invested, 4),
                    "today_pnl": round(sum(r["day_change"] * r["quantity"] for r in rows), 2),
                    "invested_amount": round(invested, 2), "current_value": round(current, 2)})

    def holdings_compact(self, req: Request, user: str) -> Response:
        return ok([{"exchange": "NSE", "tradingsymbol": s, "instrument_token": self.market.find(f"NSE:{s}").token,  # type: ignore[union-attr]
                     "quantity": q} for s, q in self.holdings_qty.items()])

    def holdings_authorise(self, req: Request, user: str) -> Response:
        return ok({"request_id": secrets.token_hex(8)})

    def auctions(self, req: Request, user: str) -> Response:
        return ok([])

    def positions(self, req: Request, user: str) -> Response:
        net: Dict[Tuple[str, str, str], Dict[str, Any]] = {}
        for t in self.trades:
            if self.orders[t["order_id"]]["placed_by"] != user:
                continue
            k = (t["exchange"], t["tradingsymbol"], t["product"])
            p = net.setdefault(k, {"tradingsymbol": k[1], "exchange": k[0], "instrument_token": t["instrument_token"],
                                   "product": k[2], "quantity": 0, "overnight_quantity": 0, "multiplier": 1,
                                   "average_price": 0.0, "buy_quantity": 0, "sell_quantity": 0, "buy_value": 0.0,
                                   "sell_value": 0.0, "pnl": 0.0, "m2m": 0.0})
            sign = 1 if t["transaction_type"] == "BUY" else -1
            p["quantity"] += sign * t["quantity"]
            side = "buy" if sign > 0 else "sell"
            p[f"{side}_quantity"] += t["quantity"]
            p[f"{side}_value"] += t["quantity"] * t["average_price"]
            p["average_price"] = t["average_price"]
        for p in net.values():
            i = self.market.get(p["instrument_token"])
            p["last_price"] = i.last if i else 0.0
            p["pnl"] = round(p["sell_value"] - p["buy_value"] + p["quantity"] * p["last_price"], 2)
        rows = list(net.values())
        return ok({"net": rows, "day": [dict(r) for r in rows]})

    def convert_position(self, req: Request, user: str) -> Response:
        f = req.form
        missing = [k for k in ("exchange", "tradingsymbol", "transaction_type", "position_type", "quantity",
                               "old_product", "new_product") if not f.get(k)]
        if missing:
            return err(400, "InputException", f"Missing {', '.join(missing)}.")
        return ok(True)
