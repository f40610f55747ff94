"""Kite alerts (the Alerts API that gokiteconnect has and pykiteconnect lacks)."""

from __future__ import annotations

import json as jsonlib
from typing import Any, Dict, List, Optional, cast

from ..core import checks
from . import validate as v
from .base import KiteBase
from .codec import format_response

__all__ = ["AlertsMixin"]

ALERT_TYPES = ("simple", "ato")
OPERATORS = ("<=", ">=", "<", ">", "==")
RHS_TYPES = ("constant", "instrument")


class AlertsMixin(KiteBase):
    """Price alerts, optionally with an order basket (``ato``)."""

    def _alert_params(self, name: str, type: str, lhs_exchange: str, lhs_tradingsymbol: str, lhs_attribute: str,
                      operator: str, rhs_type: str, rhs_constant: Optional[float], rhs_exchange: Optional[str],
                      rhs_tradingsymbol: Optional[str], rhs_attribute: Optional[str],
                      basket: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        if type not in ALERT_TYPES:
            raise ValueError(f"type must be simple or ato; got {type!r}")
        if operator not in OPERATORS:
            raise ValueError(f"operator must be one of {' '.join(OPERATORS)}; got {operator!r}")
        if rhs_type not in RHS_TYPES:
            raise ValueError(f"rhs_type must be constant or instrument; got {rhs_type!r}")
        if rhs_type == "constant":
            if rhs_constant is None:
                raise ValueError("rhs_constant is required when rhs_type is constant")
            checks.price("rhs_constant", rhs_constant)
        if rhs_type == "instrument" and not (rhs_exchange and rhs_tradingsymbol and rhs_attribute):
            raise ValueError("rhs_exchange, rhs_tradingsymbol and rhs_attribute are required when rhs_type is instrument")
        if type == "ato" and not basket:
            raise ValueError("basket is required for an ato alert")
        return {"name": name, "type": type, "lhs_exchange": lhs_exchange, "lhs_tradingsymbol": lhs_tradingsymbol,
                "lhs_attribute": lhs_attribute, "operator": operator, "rhs_type": rhs_type,
                "rhs_constant": rhs_constant, "rhs_exchange": rhs_exchange, "rhs_tradingsymbol": rhs_tradingsymbol,
                "rhs_attribute": rhs_attribute, "basket": jsonlib.dumps(basket) if basket else None}

    def create_alert(self, name: str, type: str, lhs_exchange: str, lhs_tradingsymbol: str, lhs_attribute: str,
                     operator: str, rhs_type: str, rhs_constant: Optional[float] = None,
                     rhs_exchange: Optional[str] = None, rhs_tradingsymbol: Optional[str] = None,
                     rhs_attribute: Optional[str] = None, basket: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Create an alert, e.g. ``LastTradedPrice("NSE:INFY") <= 1500``; returns the alert."""
        answer = self._post("alerts.create", params=self._alert_params(
            name, type, lhs_exchange, lhs_tradingsymbol, lhs_attribute, operator, rhs_type, rhs_constant,
            rhs_exchange, rhs_tradingsymbol, rhs_attribute, basket))
        self._read_id(answer, "uuid", what="alert")
        return cast("Dict[str, Any]", answer)

    def get_alerts(self, filters: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        """Every alert, optionally filtered (e.g. ``{"status": "enabled"}``)."""
        return cast("List[Dict[str, Any]]", self._get("alerts", params=filters))

    def get_alert(self, uuid: str) -> Dict[str, Any]:
        """One alert."""
        return cast("Dict[str, Any]", self._get("alerts.info", url_args={"uuid": v.alert_uuid(uuid)}))

    def modify_alert(self, uuid: str, name: str, type: str, lhs_exchange: str, lhs_tradingsymbol: str,
                     lhs_attribute: str, operator: str, rhs_type: str, rhs_constant: Optional[float] = None,
                     rhs_exchange: Optional[str] = None, rhs_tradingsymbol: Optional[str] = None,
                     rhs_attribute: Optional[str] = None, basket: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Replace an alert's definition; returns the alert."""
        uid = v.alert_uuid(uuid)
        answer = self._put("alerts.modify", url_args={"uuid": uid}, params=self._alert_params(
            name, type, lhs_exchange, lhs_tradingsymbol, lhs_attribute, operator, rhs_type, rhs_constant,
            rhs_exchange, rhs_tradingsymbol, rhs_attribute, basket))
        self._read_id(answer, "uuid", order_id=str(uuid), what="alert")
        return cast("Dict[str, Any]", answer)

    def delete_alerts(self, *uuids: str) -> None:
        """Delete one or more alerts."""
        if not uuids:
            raise ValueError("delete_alerts() needs at least one uuid")
        for i, uid in enumerate(uuids):
            v.alert_uuid(uid, f"uuids[{i}]")
        self._delete("alerts.delete", params={"uuid": list(uuids)})

    def get_alert_history(self, uuid: str) -> List[Dict[str, Any]]:
        """When an alert fired, with the market data at the time."""
        history = self._get("alerts.history", url_args={"uuid": v.alert_uuid(uuid)})
        for item in history or []:
            format_response(item.get("meta") or [])
        return cast("List[Dict[str, Any]]", history)
