"""Issue 9: an order's answer that cannot be read means the order state is
unknown, for every Fyers order call that answers with an id."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Optional, Tuple

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokers import errors
from brokers.fyers import Fyers
from brokers.sandbox import Sandbox

from ..hostile_args import ANY_JSON, RAW_BODIES, STATUSES, unreadable

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ORDER = {"symbol": "NSE:SBIN-EQ", "qty": 1, "type": 2, "side": 1, "productType": "INTRADAY"}
GTT = {"side": 1, "symbol": "NSE:SBIN-EQ", "productType": "CNC",
       "orderInfo": {"leg1": {"price": 10.0, "triggerPrice": 10.0, "qty": 1}}}
LEG = {"symbol": "NSE:SBIN-EQ", "qty": 1, "side": 1, "type": 1, "limitPrice": 10.0}


@pytest.fixture(scope="module")
def box() -> Iterator[Tuple[Sandbox, Fyers]]:
    with Sandbox() as sb:
        session = requests.Session()
        session.trust_env = False
        with Fyers(client_id=sb.fyers.client_id, token=sb.fyers.issue_access_token(), rate_limits=False,
                   session=session, **sb.fyers_urls()) as fyers:
            yield sb, fyers


Call = Callable[[Fyers], Any]
ORDER_CALLS: "list[tuple[Optional[str], Optional[str], Call]]" = [
    ("t1", None, lambda f: f.place_order({**ORDER, "orderTag": "t1"})),
    (None, "41", lambda f: f.modify_order({"id": "41", "qty": 2})),
    (None, "42", lambda f: f.cancel_order({"id": "42"})),
    (None, None, lambda f: f.place_multileg_order({"productType": "INTRADAY", "orderType": "2L", "validity": "IOC",
                                                   "legs": {"leg1": LEG, "leg2": dict(LEG, side=-1)}})),
    (None, None, lambda f: f.place_gtt_order(GTT)),
    (None, "43", lambda f: f.modify_gtt_order({"id": "43", "orderInfo": {"leg1": {"price": 1, "triggerPrice": 1}}})),
    (None, "44", lambda f: f.cancel_gtt_order({"id": "44"})),
    (None, None, lambda f: f.place_basket_orders([ORDER])),
    (None, None, lambda f: f.modify_basket_orders([{"id": "45", "qty": 2}])),
    (None, None, lambda f: f.cancel_basket_orders(["46"])),
]


def _ok(value: Any) -> Any:
    """Fyers' decoder reads ``s: error`` as a refusal; keep the rest, marked ``ok`` when a dict."""
    return {**value, "s": "ok"} if isinstance(value, dict) else value


@pytest.mark.parametrize("tag, known, call", ORDER_CALLS)
@SETTINGS
@given(data=st.data())
def test_an_unreadable_answer_is_order_state_unknown(box: Any, tag: Optional[str], known: Optional[str],
                                                      call: Call, data: Any) -> None:
    sb, fyers = box
    value = _ok(data.draw(unreadable("id")))
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        value["data"] = "not a list"  # a basket answer needs its list of results
    sb.fail_next(1, status=200, body=json.dumps(value), content_type="application/json")
    with pytest.raises(errors.OrderStateUnknown) as e:
        call(fyers)
    assert (e.value.tag, e.value.order_id, e.value.broker) == (tag, known, "fyers")


@pytest.mark.parametrize("tag, known, call", ORDER_CALLS)
@pytest.mark.parametrize("body", RAW_BODIES + ["null", "[]", "\"ok\"", "{\"s\": \"ok\"}",
                                               "{\"s\": \"ok\", \"data\": [{\"statusCode\": 200}]}"])
def test_an_empty_or_unreadable_body_is_order_state_unknown(box: Any, tag: Optional[str], known: Optional[str],
                                                            call: Call, body: str) -> None:
    sb, fyers = box
    sb.fail_next(1, status=200, body=body, content_type="application/json")
    with pytest.raises(errors.OrderStateUnknown) as e:
        call(fyers)
    assert (e.value.tag, e.value.order_id) == (tag, known)


def test_readable_answers_and_refusals_keep_their_meaning(box: Any) -> None:
    sb, fyers = box
    assert fyers.place_order(ORDER)["id"]
    answer = fyers.place_basket_orders([ORDER, {**ORDER, "symbol": "NSE:NOPE-EQ"}])
    assert [item["statusCode"] for item in answer["data"]] == [200, 400]
    sb.fail_next(1, status=400, body=json.dumps({"s": "error", "code": -99, "message": "rejected"}),
                 content_type="application/json")
    with pytest.raises(errors.OrderError):
        fyers.place_order(ORDER)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=ANY_JSON, status=STATUSES)
def test_whatever_the_answer_only_broker_errors_escape(box: Any, body: Any, status: int) -> None:
    """Any JSON answer at any status: a readable order id, or a BrokerError; never None,
    never KeyError / TypeError / ..."""
    sb, fyers = box
    sb.fail_next(1, status=status, body=json.dumps(body), content_type="application/json")
    try:
        answer = fyers.place_order({**ORDER, "orderTag": "any"})
    except errors.BrokerError as e:
        assert e.broker == "fyers"
        if isinstance(e, errors.OrderStateUnknown):
            assert e.tag == "any"
    else:
        assert answer


NO_ID_CALLS = [
    lambda f: f.exit_positions(),
    lambda f: f.convert_position({"symbol": "NSE:SBIN-EQ", "positionSide": 1, "convertQty": 1,
                                  "convertFrom": "INTRADAY", "convertTo": "CNC"}),
    lambda f: f.attach_position_legs({"positionId": "NSE:SBIN-EQ-INTRADAY", "stopLoss": 1}),
    lambda f: f.create_smart_order_limit({"symbol": "NSE:SBIN-EQ", "side": 1, "qty": 1}),
    lambda f: f.cancel_smart_order({"flowId": "f1"}),
]


@pytest.mark.parametrize("call", NO_ID_CALLS)
@pytest.mark.parametrize("body", ["", "null", "[]", "{}", "\"ok\"", "{\"s\": \"okay\"}", "{\"code\": 200}",
                                  "[" * 100_000])
def test_order_calls_without_an_id_still_need_an_ok(box: Any, call: Call, body: str) -> None:
    sb, fyers = box
    sb.fail_next(1, status=200, body=body, content_type="application/json")
    with pytest.raises(errors.OrderStateUnknown):
        call(fyers)
