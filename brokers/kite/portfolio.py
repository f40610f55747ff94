"""Kite user, funds and portfolio: profile, margins, positions, holdings."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .base import KiteBase

__all__ = ["PortfolioMixin"]

MARGIN_SEGMENTS = ("equity", "commodity")


class PortfolioMixin(KiteBase):
    """User, funds and portfolio endpoints."""

    MARGIN_EQUITY = "equity"
    MARGIN_COMMODITY = "commodity"

    def profile(self) -> Dict[str, Any]:
        """The user's profile."""
        return self._get("/user/profile")

    def profile_full(self) -> Dict[str, Any]:
        """The full profile (phone, PAN and bank details masked by Kite)."""
        return self._get("/user/profile/full")

    def margins(self, segment: Optional[str] = None) -> Dict[str, Any]:
        """Funds and margins, for both segments or one (``equity``/``commodity``)."""
        if segment is None:
            return self._get("/user/margins")
        if segment not in MARGIN_SEGMENTS:
            raise ValueError(f"segment must be equity or commodity; got {segment!r}")
        return self._get(f"/user/margins/{segment}")

    def positions(self) -> Dict[str, List[Dict[str, Any]]]:
        """``{"net": [...], "day": [...]}``."""
        return self._get("/portfolio/positions")

    def holdings(self) -> List[Dict[str, Any]]:
        """Long-term equity holdings."""
        return self._get("/portfolio/holdings")

    def holdings_summary(self) -> Dict[str, Any]:
        """Totals over all holdings (invested, current value, P&L)."""
        return self._get("/portfolio/holdings/summary")

    def holdings_compact(self) -> List[Dict[str, Any]]:
        """Holdings with only symbol, token and quantity."""
        return self._get("/portfolio/holdings/compact")

    def get_auction_instruments(self) -> List[Dict[str, Any]]:
        """Holdings that are in an auction today."""
        return self._get("/portfolio/holdings/auctions")

    def initiate_holdings_auth(self, instruments: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
        """Start the CDSL authorisation of holdings for selling; returns ``{"request_id"}``."""
        params: Dict[str, Any] = {}
        for i, item in enumerate(instruments or []):
            params[f"isin[{i}]"] = item.get("isin")
            params[f"quantity[{i}]"] = item.get("quantity")
        return self._call("POST", "/portfolio/holdings/authorise", params=params)

    def convert_position(self, exchange: str, tradingsymbol: str, transaction_type: str, position_type: str,
                         quantity: int, old_product: str, new_product: str) -> bool:
        """Convert an open position's product (e.g. MIS to CNC)."""
        if position_type not in ("day", "overnight"):
            raise ValueError(f"position_type must be day or overnight; got {position_type!r}")
        if transaction_type not in ("BUY", "SELL"):
            raise ValueError(f"transaction_type must be BUY or SELL; got {transaction_type!r}")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise ValueError(f"quantity must be a positive whole number; got {quantity!r}")
        return self._call("PUT", "/portfolio/positions", params={
            "exchange": exchange, "tradingsymbol": tradingsymbol, "transaction_type": transaction_type,
            "position_type": position_type, "quantity": quantity, "old_product": old_product,
            "new_product": new_product})
