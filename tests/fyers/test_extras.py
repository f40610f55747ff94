"""The rest of FyersModel's methods: same names and arguments, right verb, path and payload."""

from __future__ import annotations

import inspect
from typing import Iterator, Tuple

import pytest

from brokers import errors
from brokers.fyers import Fyers
from brokers.sandbox import Sandbox

# FyersModel's public methods in fyers_apiv3 3.2.0 (is_async, log_path and close aside).
FYERS_MODEL = """get_profile tradebook funds positions holdings logout get_orders orderbook gtt_orderbook
market_status convert_position cancel_order cancel_gtt_order place_order place_gtt_order modify_order
modify_gtt_order exit_positions attach_position_legs place_multileg_order cancel_basket_orders
place_basket_orders modify_basket_orders history quotes quotes_v2 depth optionchain create_alert get_alert
delete_alert update_alert toggle_alert create_smart_order_step create_smart_order_limit
create_smart_order_trail create_smart_order_sip modify_smart_order cancel_smart_order pause_smart_order
resume_smart_order smart_orderbook_with_filter create_smartexit_trigger get_smartexit_triggers
update_smartexit_trigger activate_deactivate_smartexit_trigger orderhistory tradehistory charges_history
realised_profit_history tax_pnl_history ledger_history screeners_config screeners_query screeners_candlestick
screeners_technical futures_chain expiry_dates history_underlying_symbols fno_historical_data""".split()
# generate_data_token is left out on purpose: it is a TrueData vendor hook that shells out to pip.


@pytest.mark.parametrize("name", FYERS_MODEL)
def test_every_fyers_model_method_exists_with_its_argument(name):
    method = getattr(Fyers, name)
    params = [p for p in inspect.signature(method).parameters if p != "self"]
    # history(data) also takes history(symbol, start, end, ...) (the range download)
    assert params in ([], ["data"]) or (name == "history" and params[0] == "data")


@pytest.fixture(scope="module")
def shared() -> Iterator[Tuple[Sandbox, Fyers]]:
    with Sandbox() as sb:
        sb.fyers.rate_limits = [(100_000, 1.0)]  # many quick calls; limits are tested elsewhere
        with Fyers(client_id=sb.fyers.client_id, token=sb.fyers.issue_access_token(), rate_limits=False,
                   **sb.fyers_urls()) as client:
            yield sb, client


SMART = {"symbol": "NSE:SBIN-EQ", "side": 1, "qty": 5, "productType": "CNC"}
CASES = [
    ("attach_position_legs", {"positionId": "NSE:SBIN-EQ-INTRADAY", "stopLoss": 2}, "PATCH", "api", "/positions"),
    ("quotes_v2", {"symbols": ["NSE:SBIN-EQ"]}, "POST", "data", "/quotes"),
    ("create_alert", {"symbol": "NSE:SBIN-EQ", "value": 900}, "POST", "api", "/price-alert"),
    ("get_alert", {"archive": 1}, "GET", "api", "/price-alert"),
    ("delete_alert", {"alertId": "3870991"}, "DELETE", "api", "/price-alert"),
    ("update_alert", {"alertId": "3870991", "value": 901}, "PUT", "api", "/price-alert"),
    ("toggle_alert", {"alertId": "3870991"}, "PUT", "api", "/toggle-alert"),
    ("create_smart_order_step", SMART, "POST", "api", "/smart-order/step"),
    ("create_smart_order_limit", SMART, "POST", "api", "/smart-order/limit"),
    ("create_smart_order_trail", SMART, "POST", "api", "/smart-order/trail"),
    ("create_smart_order_sip", SMART, "POST", "api", "/smart-order/sip"),
    ("modify_smart_order", {"flowId": "f1", "qty": 2}, "PATCH", "api", "/smart-order/modify"),
    ("cancel_smart_order", {"flowId": "f1"}, "DELETE", "api", "/smart-order/cancel"),
    ("pause_smart_order", {"flowId": "f1"}, "PATCH", "api", "/smart-order/pause"),
    ("resume_smart_order", {"flowId": "f1"}, "PATCH", "api", "/smart-order/resume"),
    ("smart_orderbook_with_filter", {"page_no": 1}, "GET", "api", "/smart-order/orderbook"),
    ("create_smartexit_trigger", {"name": "x"}, "POST", "api", "/flows/tc/se"),
    ("get_smartexit_triggers", None, "GET", "api", "/flows/tc/se"),
    ("update_smartexit_trigger", {"flowId": "f2"}, "PUT", "api", "/flows/tc/se"),
    ("activate_deactivate_smartexit_trigger", {"flowId": "f2"}, "POST", "api", "/flows/tc/se/activate"),
    ("orderhistory", {"from_date": "2026-01-01"}, "GET", "api", "/order-history"),
    ("tradehistory", {"from_date": "2026-01-01"}, "GET", "api", "/trade-history"),
    ("charges_history", {"page_no": 1}, "GET", "api", "/charges-history"),
    ("realised_profit_history", {"page_no": 1}, "GET", "api", "/realised-pnl-history"),
    ("tax_pnl_history", {"page_no": 1}, "GET", "api", "/tax-pnl-history"),
    ("ledger_history", {"page_no": 1}, "GET", "api", "/ledger-history"),
    ("screeners_query", {"q": "rsi"}, "GET", "api", "/screeners/query"),
    ("screeners_candlestick", {"pattern": "doji"}, "GET", "api", "/screeners/candlestick"),
    ("screeners_technical", {"ind": "rsi"}, "GET", "api", "/screeners/technical"),
    ("futures_chain", {"symbol": "NSE:NIFTY50-INDEX"}, "GET", "data", "/futures-chain"),
    ("expiry_dates", {"symbol": "NSE:NIFTY"}, "GET", "data", "/history/fno/expired/expiry-dates"),
    ("history_underlying_symbols", {"segment": "FO"}, "GET", "data", "/history/fno/expired/underlying-symbols"),
    ("fno_historical_data", {"symbol": "NSE:NIFTY"}, "GET", "data", "/history/fno/expired/historical-data"),
]


@pytest.mark.parametrize("name, data, verb, root, path", CASES)
def test_extra_methods_send_the_right_request(shared, name, data, verb, root, path):
    _, client = shared
    out = getattr(client, name)(data)["data"]
    assert (out["method"], out["root"], out["path"]) == (verb, root, path)
    if verb == "GET":
        assert out["query"] == {k: str(v) for k, v in (data or {}).items()}
    else:
        assert out["body"] == data


def test_screeners_config_takes_no_argument(shared):
    assert shared[1].screeners_config()["data"]["path"] == "/screeners/config"


@pytest.mark.parametrize("name, data, needle", [
    ("delete_alert", {}, "alertId"),
    ("toggle_alert", {"alertId": ""}, "alertId"),
    ("modify_smart_order", {"qty": 1}, "flowId"),
    ("create_smart_order_limit", {"symbol": "SBIN"}, "symbol"),
    ("create_smart_order_step", dict(SMART, side=0), "side"),
    ("create_smart_order_sip", dict(SMART, qty=0), "qty"),
    ("attach_position_legs", {"stopLoss": 1}, "positionId"),
    ("quotes_v2", {"symbols": ["SBIN"]}, "symbols"),
    ("create_alert", "NSE:SBIN-EQ", "dict"),
])
def test_extra_methods_check_arguments_first(shared, name, data, needle):
    sb, client = shared
    before = len(sb.requests())
    with pytest.raises((ValueError, TypeError), match=needle):
        getattr(client, name)(data)
    assert len(sb.requests()) == before


def test_smart_order_is_an_order_call(shared):
    sb, client = shared
    before = len(sb.requests("POST", "/fyers/api/v3/smart-order/limit"))
    sb.drop_next(1, path="/fyers/api/v3/smart-order/limit", after=True)
    with pytest.raises(errors.OrderStateUnknown):
        client.create_smart_order_limit(SMART)
    assert len(sb.requests("POST", "/fyers/api/v3/smart-order/limit")) == before + 1
