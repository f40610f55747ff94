"""The Dhan sandbox's route table: every path it serves, its rate-limit group and the
name of the handler method on :class:`~brokers.sandbox.dhan.DhanSandbox`."""

from __future__ import annotations

from typing import List, Tuple

__all__ = ["API", "AUTH", "PUBLIC", "ROUTES", "SCRIP"]

API = "/dhan/v2"
AUTH = "/dhan/auth"
SCRIP = "/dhan/scrip"

# (method, full path, handler): no access token needed.
PUBLIC: List[Tuple[str, str, str]] = [
    ("POST", AUTH + "/app/generateAccessToken", "generate_access_token"),
    ("POST", AUTH + "/app/generate-consent", "generate_consent"),
    ("GET", AUTH + "/login/consentApp-login", "consent_login"),
    ("GET", AUTH + "/app/consumeApp-consent", "consume_consent"),
    ("GET", API + "/RenewToken", "renew_token"),
    ("GET", SCRIP + "/api-scrip-master.csv", "scrip_compact"),
    ("GET", SCRIP + "/api-scrip-master-detailed.csv", "scrip_detailed"),
    ("GET", SCRIP + "-global/us-stock-scrip-master.csv", "scrip_global"),
]

# (method, path under /dhan/v2, rate-limit group, handler): behind the access-token check.
ROUTES: List[Tuple[str, str, str, str]] = [
    ("POST", "/orders", "orders", "place_order"),
    ("POST", "/orders/slicing", "orders", "place_slice"),
    ("GET", "/orders", "default", "list_orders"),
    ("GET", "/orders/external/{correlation_id}", "default", "order_by_correlation"),
    ("GET", "/orders/{order_id}", "default", "get_order"),
    ("PUT", "/orders/{order_id}", "orders", "modify_order"),
    ("DELETE", "/orders/{order_id}", "orders", "cancel_order"),
    ("POST", "/super/orders", "orders", "place_super"),
    ("GET", "/super/orders", "default", "list_super"),
    ("PUT", "/super/orders/{order_id}", "orders", "modify_super"),
    ("DELETE", "/super/orders/{order_id}/{order_leg}", "orders", "cancel_super"),
    ("POST", "/forever/orders", "orders", "place_forever"),
    ("GET", "/forever/orders", "default", "list_forever"),
    ("PUT", "/forever/orders/{order_id}", "orders", "modify_forever"),
    ("DELETE", "/forever/orders/{order_id}", "orders", "cancel_forever"),
    ("POST", "/alerts/orders", "orders", "place_alert"),
    ("GET", "/alerts/orders", "default", "list_alerts"),
    ("GET", "/alerts/orders/{alert_id}", "default", "get_alert"),
    ("PUT", "/alerts/orders/{alert_id}", "orders", "modify_alert"),
    ("DELETE", "/alerts/orders/{alert_id}", "orders", "cancel_alert"),
    ("GET", "/holdings", "default", "holdings"),
    ("GET", "/positions", "default", "positions"),
    ("DELETE", "/positions", "orders", "exit_all"),
    ("POST", "/positions/convert", "default", "convert"),
    ("GET", "/fundlimit", "default", "fund_limit"),
    ("POST", "/margincalculator", "default", "margin"),
    ("POST", "/margincalculator/multi", "default", "margin_multi"),
    ("GET", "/trades", "default", "trade_book"),
    ("GET", "/trades/{order_id}", "default", "trade_book"),
    ("GET", "/trades/{from_date}/{to_date}/{page}", "default", "trade_history"),
    ("GET", "/ledger", "default", "ledger"),
    ("POST", "/killswitch", "default", "kill_switch_set"),
    ("GET", "/killswitch", "default", "kill_switch_get"),
    ("POST", "/pnlExit", "default", "pnl_set"),
    ("GET", "/pnlExit", "default", "pnl_get"),
    ("DELETE", "/pnlExit", "default", "pnl_stop"),
    ("GET", "/edis/tpin", "default", "tpin"),
    ("POST", "/edis/form", "default", "edis_form"),
    ("GET", "/edis/inquire/{isin}", "default", "edis_inquire"),
    ("POST", "/charts/historical", "data", "chart_daily"),
    ("POST", "/charts/intraday", "data", "chart_intraday"),
    ("POST", "/charts/rollingoption", "data", "chart_expired"),
    ("POST", "/marketfeed/ltp", "quote", "ltp"),
    ("POST", "/marketfeed/ohlc", "quote", "ohlc"),
    ("POST", "/marketfeed/quote", "quote", "quote"),
    ("POST", "/optionchain", "option_chain", "option_chain"),
    ("POST", "/optionchain/expirylist", "data", "expiry_list"),
    ("GET", "/profile", "default", "profile"),
    ("POST", "/ip/setIP", "default", "set_ip"),
    ("PUT", "/ip/modifyIP", "default", "set_ip"),
    ("GET", "/ip/getIP", "default", "get_ip"),
    ("POST", "/globalstocks/orders", "orders", "us_place"),
    ("GET", "/globalstocks/orders", "default", "us_orders_list"),
    ("GET", "/globalstocks/orders/{order_id}", "default", "us_get"),
    ("PUT", "/globalstocks/orders/{order_id}", "orders", "us_modify"),
    ("DELETE", "/globalstocks/orders/{order_id}", "orders", "us_cancel"),
    ("GET", "/globalstocks/trades", "default", "us_trades_list"),
    ("GET", "/globalstocks/trades/{security_id}", "default", "us_trades_list"),
    ("GET", "/globalstocks/holdings", "default", "us_holdings"),
    ("POST", "/globalstocks/transEstimate", "default", "us_estimate"),
    ("POST", "/globalstocks/margincalculator", "default", "us_estimate"),
    ("GET", "/globalstocks/marketstatus", "default", "us_market_status"),
    ("GET", "/globalstocks/fundlimit", "default", "us_fund_limit"),
]
