"""The Fyers sandbox's account routes: profile, funds, holdings and positions."""

from __future__ import annotations

from typing import Any, Dict, List

from ..server import Request, Response
from .state import FyersState, err, fytoken, ok

__all__ = ["AccountRoutes"]


class AccountRoutes(FyersState):
    """Profile, funds and portfolio handlers."""

    def profile(self, req: Request, user: str) -> Response:
        a = self.accounts[user]
        return ok(data={"fy_id": a.fy_id, "name": a.name, "display_name": a.name.split()[0], "email_id": a.email,
                         "PAN": "XXXXX1234X", "mobile_number": "99XXXXXX99", "totp": True,
                         "pin_change_date": "01-01-2026 10:00:00", "pwd_change_date": "01-01-2026 10:00:00", "pwd_to_expire": 90, "ddpi_enabled": False,
                         "mtf_enabled": False, "image": None})

    def funds(self, req: Request, user: str) -> Response:
        cash, used = self.funds_of(user), self.used_margin(user)
        rows = [(1, "Total Balance", cash, 50000.0), (2, "Utilized Amount", used, 0.0),
                (3, "Clear Balance", round(cash - used, 2), 50000.0), (4, "Realized Profit and Loss", 0.0, 0.0),
                (5, "Collaterals", 0.0, 0.0), (6, "Fund Transfer", 0.0, 0.0), (7, "Receivables", 0.0, 0.0),
                (8, "Adhoc Limit", 0.0, 0.0), (9, "Limit at start of the day", cash, 50000.0),
                (10, "Available Balance", round(cash - used, 2), 50000.0)]
        return ok(fund_limit=[{"id": n, "title": t, "equityAmount": e, "commodityAmount": c} for n, t, e, c in rows])

    def holdings(self, req: Request, user: str) -> Response:
        rows: List[Dict[str, Any]] = []
        for n, (sym, qty) in enumerate(sorted(self.holdings_qty.items()), 1):
            i = self.by_symbol[sym]
            cost = round(i.close * 0.9, 2)
            rows.append({"holdingType": "HLD", "quantity": qty, "costPrice": cost, "marketVal": round(i.last * qty, 2),
                         "remainingQuantity": qty, "pl": round((i.last - cost) * qty, 2), "ltp": i.last, "id": n,
                         "fyToken": fytoken(i), "exchange": 10, "symbol": sym, "segment": 10, "isin": i.isin,
                         "qty_t1": 0, "remainingPledgeQuantity": 0, "collateralQuantity": 0})
        total = round(sum(r["marketVal"] for r in rows), 2)
        invested = round(sum(r["costPrice"] * r["quantity"] for r in rows), 2)
        return ok(holdings=rows, overall={"count_total": len(rows), "total_investment": invested,
                                           "total_current_value": total, "total_pl": round(total - invested, 2),
                                           "pnl_perc": round((total - invested) / invested * 100, 2) if invested else 0})

    def get_positions(self, req: Request, user: str) -> Response:
        rows = list(self.positions.values())
        return ok(netPositions=rows, overall={"count_total": len(rows),
                                               "count_open": sum(1 for p in rows if p["netQty"]),
                                               "pl_total": 0.0, "pl_realized": 0.0, "pl_unrealized": 0.0})

    def convert_position(self, req: Request, user: str) -> Response:
        d = self._body(req)
        if not isinstance(d, dict):
            return err(400, -50, "Invalid input")
        pid = f"{d.get('symbol')}-{d.get('convertFrom')}"
        p = self.positions.get(pid)
        if p is None or not p["netQty"]:
            return err(400, -397, "Position quantity is zero")
        if int(d.get("convertQty") or 0) > p["qty"]:
            return err(400, -310, "Convert quantity exceeds the position")
        newid = f"{d['symbol']}-{d['convertTo']}"
        self.positions[newid] = dict(p, id=newid, productType=d["convertTo"])
        del self.positions[pid]
        return ok(message="Position converted successfully")

    def exit_positions(self, req: Request, user: str) -> Response:
        d = self._body(req) or {}
        open_ids = [pid for pid, p in self.positions.items() if p["netQty"]]
        if d.get("exit_all") == 1:
            targets = open_ids
        else:
            ids = d.get("id")
            targets = [x for x in (ids if isinstance(ids, list) else [ids]) if x in open_ids]
        if not targets:
            return err(400, -398, "No open positions to exit")
        for pid in targets:
            p = self.positions[pid]
            self._new_order(user, {"symbol": p["symbol"], "qty": abs(p["netQty"]), "type": 2,
                                   "side": -1 if p["netQty"] > 0 else 1, "productType": p["productType"]})
        return ok(message="All positions are closed" if d.get("exit_all") == 1 else "Position exited")
