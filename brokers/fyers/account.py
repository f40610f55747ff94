"""Fyers account: profile, funds, holdings, positions, trade and order books (``FyersModel`` names)."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from . import validate as check
from .base import FyersBase

__all__ = ["AccountMixin"]


class AccountMixin(FyersBase):
    """Profile, funds, holdings, positions, trade book and order book."""

    def get_profile(self) -> Dict[str, Any]:
        """The user's profile (``GET /profile``): ``{"s": "ok", "data": {...}}``."""
        return self._call("get_profile")

    def funds(self) -> Dict[str, Any]:
        """Fund limits (``GET /funds``): ``{"fund_limit": [...]}``."""
        return self._call("funds")

    def holdings(self) -> Dict[str, Any]:
        """Holdings (``GET /holdings``): ``{"holdings": [...], "overall": {...}}``."""
        return self._call("holdings")

    def positions(self) -> Dict[str, Any]:
        """Open positions (``GET /positions``): ``{"netPositions": [...], "overall": {...}}``."""
        return self._call("positions")

    def tradebook(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Today's trades (``GET /tradebook``), optionally filtered (``{"order_tag": ...}``)."""
        return self._call("tradebook", params=check.query(data))

    def orderbook(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Today's orders (``GET /orders``); ``{"id": "<order id>"}`` asks for one."""
        return self._call("orderbook", params=check.query(data))

    def get_orders(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Orders by id: ``{"id": "id1,id2"}``. Unlike fyers_apiv3, which downloads
        the whole book and filters it, this asks Fyers for the ids (``?id=``)."""
        d = check.query(data) or {}
        ids = d.get("id")
        wanted = ids.split(",") if isinstance(ids, str) else list(ids) if isinstance(ids, (list, tuple)) else None
        if not wanted:
            raise ValueError("data['id'] must hold one or more order ids ('id1,id2' or a list)")
        for i, v in enumerate(wanted):
            check.order_id(v, f"data['id'][{i}]")
        if len(wanted) == 1:
            return self._call("orderbook", params={"id": wanted[0]})
        book = self._call("orderbook")
        keep = set(wanted)
        book["orderBook"] = [o for o in book.get("orderBook") or [] if str(o.get("id")) in keep]
        return book
