"""The Kite sandbox's account routes: profile, margins, holdings and positions."""

from __future__ import annotations

import secrets
from typing import Any, Dict, Tuple

from ..server import Request, Response
from .state import KiteState, err, ok

__all__ = ["AccountRoutes"]


def _segment(cash: float, used: float) -> Dict[str, Any]:
    """One segment of ``/user/margins`` with every field Kite documents."""
    live = round(cash - used, 2)
    return {"enabled": True, "net": live,
            "available": {"adhoc_margin": 0.0, "cash": cash, "opening_balance": cash, "live_balance": live,
                          "collateral": 0.0, "intraday_payin": 0.0},
            "utilised": {"debits": used, "exposure": 0.0, "m2m_realised": 0.0, "m2m_unrealised": 0.0,
                         "option_premium": 0.0, "payout": 0.0, "span": 0.0, "holding_sales": 0.0, "turnover": 0.0,
                         "liquid_collateral": 0.0, "stock_collateral": 0.0, "delivery": 0.0}}


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
        equity = _segment(self.funds_of(user), self.used_margin(user))
        if seg is None:
            return ok({"equity": equity, "commodity": _segment(50000.0, 0.0)})
        if seg not in ("equity", "commodity"):
            return err(400, "InputException", "Invalid segment.")
        return ok(equity if seg == "equity" else _segment(50000.0, 0.0))

    def _holding(self, sym: str, qty: int) -> Dict[str, Any]:
        i = self.market.find(f"NSE:{sym}")
        assert i is not None
        avg = round(i.close * 0.9, 2)
        return {"tradingsymbol": sym, "exchange": "NSE", "instrument_token": i.token, "isin": i.isin,
                "product": "CNC", "price": 0, "quantity": qty, "used_quantity": 0, "t1_quantity": 0,
                "realised_quantity": qty, "authorised_quantity": 0, "authorised_date": "2026-11-27 00:00:00",
                "authorisation": {}, "opening_quantity": qty, "short_quantity": 0, "collateral_quantity": 0,
                "collateral_type": "",
                "discrepancy": False, "average_price": avg, "last_price": i.last, "close_price": i.close,
                "pnl": round((i.last - avg) * qty, 2), "day_change": round(i.last - i.close, 2),
                "day_change_percentage": round((i.last - i.close) * 100 / i.close, 4),
                "mtf": {"quantity": 0, "used_quantity": 0, "average_price": 0.0, "value": 0.0, "initial_margin": 0.0}}

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
                                   "product": k[2], "buy_quantity": 0, "sell_quantity": 0, "buy_value": 0.0,
                                   "sell_value": 0.0})
            side = "buy" if t["transaction_type"] == "BUY" else "sell"
            p[f"{side}_quantity"] += t["quantity"]
            p[f"{side}_value"] += t["quantity"] * t["average_price"]
        rows = [self._position(p) for p in net.values()]
        return ok({"net": rows, "day": [dict(r) for r in rows]})

    def _position(self, p: Dict[str, Any]) -> Dict[str, Any]:
        """A position row with every field Kite documents (all of today's trades: day = net)."""
        i = self.market.get(p["instrument_token"])
        last, close = (i.last, i.close) if i else (0.0, 0.0)
        bq, sq = p["buy_quantity"], p["sell_quantity"]
        bv, sv = round(p["buy_value"], 2), round(p["sell_value"], 2)
        bp = round(bv / bq, 2) if bq else 0.0
        sp = round(sv / sq, 2) if sq else 0.0
        qty = bq - sq
        value = round(sv - bv, 2)
        pnl = round(value + qty * last, 2)
        realised = round(min(bq, sq) * (sp - bp), 2)
        return dict(p, quantity=qty, overnight_quantity=0, multiplier=1,
                    average_price=bp if qty > 0 else sp if qty < 0 else 0.0, close_price=close, last_price=last,
                    value=value, pnl=pnl, m2m=pnl, unrealised=round(pnl - realised, 2), realised=realised,
                    buy_quantity=bq, buy_price=bp, buy_value=bv, buy_m2m=bv, sell_quantity=sq, sell_price=sp,
                    sell_value=sv, sell_m2m=sv, day_buy_quantity=bq, day_buy_price=bp, day_buy_value=bv,
                    day_sell_quantity=sq, day_sell_price=sp, day_sell_value=sv)

    def convert_position(self, req: Request, user: str) -> Response:
        f = req.form
        missing = [k for k in ("exchange", "tradingsymbol", "transaction_type", "position_type", "quantity",
                               "old_product", "new_product") if not f.get(k)]
        if missing:
            return err(400, "InputException", f"Missing {', '.join(missing)}.")
        return ok(True)
