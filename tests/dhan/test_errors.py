"""Every Dhan error code maps to its class; odd bodies still give typed errors."""

from __future__ import annotations

import pytest

from brokers import errors
from brokers.dhan import decode, routes

TRADING_CODES = [c for c in decode.ERROR_CODES if c.startswith("DH-")]
DATA_CODES = [c for c in decode.ERROR_CODES if not c.startswith("DH-")]

EXPECTED = {
    "DH-901": errors.TokenExpired, "DH-902": errors.AuthError, "DH-903": errors.AuthError,
    "DH-904": errors.RateLimitError, "DH-905": errors.InputError, "DH-906": errors.OrderError,
    "DH-907": errors.InputError, "DH-908": errors.ServerError, "DH-909": errors.ServerError,
    "DH-910": errors.ServerError, "800": errors.ServerError, "804": errors.InputError,
    "805": errors.RateLimitError, "806": errors.AuthError, "807": errors.TokenExpired, "808": errors.TokenExpired,
    "809": errors.TokenExpired, "810": errors.AuthError, "811": errors.InputError, "812": errors.InputError,
    "813": errors.InputError, "814": errors.InputError,
}


def test_table_is_complete_and_explicit():
    assert dict(decode.ERROR_CODES) == EXPECTED


@pytest.mark.parametrize("code", TRADING_CODES)
def test_trading_error_envelope(sb, dhan, code):
    dhan.transport.retries = 0  # a GET answered DH-904 would otherwise be retried (and succeed)
    body = {"errorType": "Some_Type", "errorCode": code, "errorMessage": f"message for {code}"}
    sb.fail_next(1, 400, path="/dhan/v2/holdings", body=body, content_type="application/json")
    with pytest.raises(errors.BrokerError) as e:
        dhan.get_holdings()
    assert type(e.value) is EXPECTED[code]
    assert e.value.code == code and e.value.status == 400 and e.value.broker == "dhan"
    assert f"message for {code}" in e.value.message and code in str(e.value)


@pytest.mark.parametrize("code", DATA_CODES)
def test_data_api_error_body(sb, dhan, code):
    dhan.transport.retries = 0
    body = {"data": {code: f"data error {code}"}, "status": "failed"}
    sb.fail_next(1, 400, path="/dhan/v2/marketfeed/ltp", body=body, content_type="application/json")
    with pytest.raises(errors.BrokerError) as e:
        dhan.ticker_data({"NSE_EQ": [1333]})
    assert type(e.value) is EXPECTED[code] and e.value.code == code
    assert e.value.message == f"data error {code}"


def test_failure_status_on_http_200_raises(sb, dhan):
    sb.fail_next(1, 200, path="/dhan/v2/fundlimit", body={"status": "failure", "remarks": "no such thing"},
                 content_type="application/json")
    with pytest.raises(errors.BrokerError) as e:
        dhan.get_fund_limits()
    assert "no such thing" in e.value.message


def test_unknown_code_falls_back_to_the_status(sb, dhan):
    body = {"errorType": "New", "errorCode": "DH-999", "errorMessage": "brand new"}
    sb.fail_next(1, 400, path="/dhan/v2/holdings", body=body, content_type="application/json")
    with pytest.raises(errors.InputError) as e:
        dhan.get_holdings()
    assert e.value.code == "DH-999"


def test_html_502_is_a_server_error(sb, dhan):
    dhan.transport.retries = 0
    sb.fail_next(1, 502, path="/dhan/v2/holdings")
    with pytest.raises(errors.ServerError) as e:
        dhan.get_holdings()
    assert e.value.status == 502


def test_401_without_body_is_token_expired(sb, dhan):
    sb.fail_next(1, 401, path="/dhan/v2/holdings", body="", content_type="text/plain")
    with pytest.raises(errors.TokenExpired):
        dhan.get_holdings()


def test_invalid_json_on_success_is_a_response_error(sb, dhan):
    sb.fail_next(1, 200, path="/dhan/v2/holdings", body="{not json", content_type="application/json")
    with pytest.raises(errors.ResponseError):
        dhan.get_holdings()


def test_refused_token_is_dh901(sb, dhan):
    sb.dhan.expire_sessions()
    with pytest.raises(errors.TokenExpired) as e:
        dhan.get_positions()
    assert e.value.code == "DH-901" and e.value.status == 401


def test_rate_limit_429_dh904(sb, dhan):
    sb.dhan.rate_limits["quote"] = (1, 60.0)
    dhan.transport.retries = 0
    dhan.ticker_data({"NSE_EQ": [1333]})
    with pytest.raises(errors.RateLimitError) as e:
        dhan.ticker_data({"NSE_EQ": [1333]})
    assert e.value.status == 429 and e.value.code == "DH-904"


def test_order_on_429_is_not_retried(sb, dhan):
    sb.dhan.rate_limits["orders"] = (1, 60.0)
    dhan.place_order("1333", "NSE_EQ", "BUY", 1, "LIMIT", "CNC", 1500)
    with pytest.raises(errors.RateLimitError):
        dhan.place_order("1333", "NSE_EQ", "BUY", 1, "LIMIT", "CNC", 1500)
    assert len(sb.requests("POST", "/dhan/v2/orders")) == 2


def test_get_retried_after_429(sb, dhan):
    sb.fail_next(2, 429, path="/dhan/v2/holdings", content_type="application/json",
                 body={"errorType": "Rate_Limit", "errorCode": "DH-904", "errorMessage": "slow down"})
    assert dhan.get_holdings()
    assert len(sb.requests("GET", "/dhan/v2/holdings")) == 3


def test_client_limiter_keeps_under_the_sandbox_limit(sb, make_dhan):
    from .conftest import CLIENT

    sb.dhan.rate_limits["quote"] = (2, 0.3)
    client = make_dhan(CLIENT, sb.dhan.issue_token(CLIENT), rate_limits={"quote": [(2, 0.3)]})
    for _ in range(5):
        client.ticker_data({"NSE_EQ": [1333]})
    statuses = [r.status for r in sb.requests("POST", "/dhan/v2/marketfeed/ltp")]
    assert statuses == [200] * 5


def test_default_limits_are_dhans():
    assert routes.DEFAULT_LIMITS["orders"][0] == (10, 1.0)
    assert routes.DEFAULT_LIMITS["option_chain"] == [(1, 3.0)]
    assert routes.DEFAULT_LIMITS["quote"] == [(1, 1.0)]
    assert (100000, 86400.0) in routes.DEFAULT_LIMITS["data"]
