"""Kite user, funds and portfolio: profile, margins, positions, holdings."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, cast

from ..core import checks
from . import validate as v
from .base import KiteBase

__all__ = ["PortfolioMixin"]


class PortfolioMixin(KiteBase):
    """User, funds and portfolio endpoints."""

    MARGIN_EQUITY = "equity"
    MARGIN_COMMODITY = "commodity"

    def profile(self) -> Dict[str, Any]:
        """The user's profile."""
        return cast("Dict[str, Any]", self._get("user.profile"))

    def profile_full(self) -> Dict[str, Any]:
        """The full profile (phone, PAN and bank details masked by Kite)."""
        return cast("Dict[str, Any]", self._get("user.profile.full"))

    def margins(self, segment: Optional[str] = None) -> Dict[str, Any]:
        """Funds and margins, for both segments or one (``equity``/``commodity``)."""
        if segment is None:
            return cast("Dict[str, Any]", self._get("user.margins"))
        v.one_of("segment", segment, v.MARGIN_SEGMENTS)
        return cast("Dict[str, Any]", self._get("user.margins.segment", url_args={"segment": segment}))

    def positions(self) -> Dict[str, List[Dict[str, Any]]]:
        """``{"net": [...], "day": [...]}``."""
        return cast("Dict[str, List[Dict[str, Any]]]", self._get("portfolio.positions"))

    def holdings(self) -> List[Dict[str, Any]]:
        """Long-term equity holdings."""
        return cast("List[Dict[str, Any]]", self._get("portfolio.holdings"))

    def holdings_summary(self) -> Dict[str, Any]:
        """Totals over all holdings (invested, current value, P&L)."""
        return cast("Dict[str, Any]", self._get("portfolio.holdings.summary"))

    def holdings_compact(self) -> List[Dict[str, Any]]:
        """Holdings with only symbol, token and quantity."""
        return cast("List[Dict[str, Any]]", self._get("portfolio.holdings.compact"))

    def get_auction_instruments(self) -> List[Dict[str, Any]]:
        """Holdings that are in an auction today."""
        return cast("List[Dict[str, Any]]", self._get("portfolio.holdings.auction"))

    def initiate_holdings_auth(self, instruments: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
        """Start the CDSL authorisation of holdings for selling; returns ``{"request_id"}``."""
        params: Dict[str, Any] = {}
        for i, item in enumerate(instruments or []):
            if not isinstance(item, dict):
                raise ValueError(f"instruments[{i}] must be a dict with isin and quantity; got {item!r}")
            params[f"isin[{i}]"] = v.isin(item.get("isin"), f"instruments[{i}]['isin']")
            params[f"quantity[{i}]"] = checks.price(f"instruments[{i}]['quantity']", item.get("quantity"),
                                                    positive=True)
        return cast("Dict[str, Any]", self._post("portfolio.holdings.authorise", params=params))

    def convert_position(self, exchange: str, tradingsymbol: str, transaction_type: str, position_type: str,
                         quantity: int, old_product: str, new_product: str) -> bool:
        """Convert an open position's product (e.g. MIS to CNC)."""
        if position_type not in ("day", "overnight"):
            raise ValueError(f"position_type must be day or overnight; got {position_type!r}")
        v.one_of("transaction_type", transaction_type, v.TRANSACTION_TYPES)
        checks.quantity("quantity", quantity)
        v.one_of("old_product", old_product, v.PRODUCTS)
        v.one_of("new_product", new_product, v.PRODUCTS)
        return cast("bool", self._put("portfolio.positions.convert", params={
            "exchange": exchange, "tradingsymbol": tradingsymbol, "transaction_type": transaction_type,
            "position_type": position_type, "quantity": quantity, "old_product": old_product,
            "new_product": new_product}))
