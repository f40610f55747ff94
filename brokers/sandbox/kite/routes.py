"""The Kite sandbox's route table: every path it serves, its rate-limit group and the
name of the handler method on :class:`~brokers.sandbox.kite.KiteSandbox`.

KiteConnect is served under ``/kite/connect`` and also at the root (kiteconnect's
``urljoin`` drops any path from its root, so it can be pointed here too); the Kite
Web API under ``/kite/web/oms``.
"""

from __future__ import annotations

from typing import List, Tuple

__all__ = ["CONNECT", "LOGIN", "OMS", "ROUTES", "SESSION", "WEB"]

CONNECT = "/kite/connect"
WEB = "/kite/web"
OMS = WEB + "/oms"

# (method, path under the web host, handler): logins, no session needed.
LOGIN: List[Tuple[str, str, str]] = [
    ("GET", "/connect/login", "connect_login"),
    ("POST", "/api/login", "web_login"),
    ("POST", "/api/twofa", "web_twofa"),
]

# (method, path under the KiteConnect root, handler): sessions and the public instruments dump.
SESSION: List[Tuple[str, str, str]] = [
    ("POST", "/session/token", "session_token"),
    ("POST", "/session/refresh_token", "session_refresh"),
    ("DELETE", "/session/token", "session_delete"),
    ("GET", "/instruments", "instruments"),
    ("GET", "/instruments/{exchange}", "instruments"),
]

# (method, path, rate-limit group, handler): behind the token check.
ROUTES: List[Tuple[str, str, str, str]] = [
    ("GET", "/user/profile", "default", "profile"),
    ("GET", "/user/profile/full", "default", "profile_full"),
    ("GET", "/user/margins", "default", "margins"),
    ("GET", "/user/margins/{segment}", "default", "margins"),
    ("POST", "/orders/{variety}", "orders", "place_order"),
    ("PUT", "/orders/{variety}/{order_id}", "orders", "modify_order"),
    ("DELETE", "/orders/{variety}/{order_id}", "orders", "cancel_order"),
    ("GET", "/orders", "default", "list_orders"),
    ("GET", "/orders/{order_id}", "default", "get_order_history"),
    ("GET", "/orders/{order_id}/trades", "default", "get_order_trades"),
    ("GET", "/trades", "default", "list_trades"),
    ("GET", "/portfolio/positions", "default", "positions"),
    ("PUT", "/portfolio/positions", "default", "convert_position"),
    ("GET", "/portfolio/holdings", "default", "holdings"),
    ("GET", "/portfolio/holdings/auctions", "default", "auctions"),
    ("GET", "/portfolio/holdings/summary", "default", "holdings_summary"),
    ("GET", "/portfolio/holdings/compact", "default", "holdings_compact"),
    ("POST", "/portfolio/holdings/authorise", "default", "holdings_authorise"),
    ("GET", "/quote", "quote", "quote"),
    ("GET", "/quote/ohlc", "quote", "ohlc"),
    ("GET", "/quote/ltp", "quote", "ltp"),
    ("GET", "/instruments/historical/{token}/{interval}", "historical", "historical"),
    ("GET", "/instruments/trigger_range/{transaction_type}", "default", "trigger_range"),
    ("GET", "/gtt/triggers", "default", "gtt_list"),
    ("POST", "/gtt/triggers", "default", "gtt_place"),
    ("GET", "/gtt/triggers/{trigger_id}", "default", "gtt_get"),
    ("PUT", "/gtt/triggers/{trigger_id}", "default", "gtt_modify"),
    ("DELETE", "/gtt/triggers/{trigger_id}", "default", "gtt_delete"),
    ("POST", "/margins/orders", "default", "order_margins"),
    ("POST", "/margins/basket", "default", "basket_margins"),
    ("POST", "/charges/orders", "default", "charges"),
    ("GET", "/mf/orders", "default", "mf_order_list"),
    ("GET", "/mf/orders/{order_id}", "default", "mf_order_get"),
    ("POST", "/mf/orders", "default", "mf_order_place"),
    ("DELETE", "/mf/orders/{order_id}", "default", "mf_order_cancel"),
    ("GET", "/mf/sips", "default", "mf_sip_list"),
    ("GET", "/mf/sips/{sip_id}", "default", "mf_sip_get"),
    ("POST", "/mf/sips", "default", "mf_sip_place"),
    ("PUT", "/mf/sips/{sip_id}", "default", "mf_sip_modify"),
    ("DELETE", "/mf/sips/{sip_id}", "default", "mf_sip_cancel"),
    ("GET", "/mf/holdings", "default", "mf_holdings"),
    ("GET", "/mf/holdings/{isin}", "default", "mf_holding"),
    ("GET", "/mf/allotments", "default", "mf_allotments"),
    ("GET", "/mf/instruments", "default", "mf_instruments"),
    ("GET", "/alerts", "default", "alert_list"),
    ("POST", "/alerts", "default", "alert_create"),
    ("DELETE", "/alerts", "default", "alert_delete"),
    ("GET", "/alerts/{uuid}", "default", "alert_get"),
    ("PUT", "/alerts/{uuid}", "default", "alert_modify"),
    ("GET", "/alerts/{uuid}/history", "default", "alert_history"),
]
