"""Issue 9: an order's answer that cannot be read means the order state is
unknown, for every Dhan order call and many 200 answers without a readable id."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Optional, Tuple

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokers import errors
from brokers.dhan import Dhan
from brokers.sandbox import Sandbox

from ..hostile_args import ANY_JSON, RAW_BODIES, STATUSES, unreadable

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CLIENT = "1100000001"
ERROR_KEYS = ("errorCode", "errorType", "errorMessage")


@pytest.fixture(scope="module")
def box(tmp_path_factory: Any) -> Iterator[Tuple[Sandbox, Dhan]]:
    with Sandbox() as sb:
        sb.dhan.rate_limits = {k: (100_000, 1.0) for k in sb.dhan.rate_limits}
        session = requests.Session()
        session.trust_env = False
        with Dhan(CLIENT, sb.dhan.issue_token(CLIENT), rate_limits=False, session=session,
                  cache_dir=tmp_path_factory.mktemp("cache"), **sb.dhan_urls()) as dhan:
            yield sb, dhan


Call = Callable[[Dhan], Any]
ORDER_CALLS: "list[tuple[str, Optional[str], Optional[str], Call]]" = [
    ("orderId", "t1", None, lambda d: d.place_order(1333, "NSE_EQ", "BUY", 1, "MARKET", "INTRADAY", 0, tag="t1")),
    ("orderId", "t2", None, lambda d: d.place_slice_order(1333, "NSE_EQ", "BUY", 1, "MARKET", "INTRADAY", 0,
                                                           tag="t2")),
    ("orderId", None, "41", lambda d: d.modify_order("41", "LIMIT", None, 1, 10.0, 0, 0, "DAY")),
    ("orderId", None, "42", lambda d: d.cancel_order("42")),
    ("orderId", "s1", None, lambda d: d.place_super_order(1333, "NSE_EQ", "BUY", 1, "LIMIT", "INTRADAY", 10.0,
                                                           targetPrice=11.0, tag="s1")),
    ("orderId", None, "43", lambda d: d.modify_super_order("43", "LIMIT", "TARGET_LEG", targetPrice=11.0)),
    ("orderId", None, "44", lambda d: d.cancel_super_order("44", "ENTRY_LEG")),
    ("orderId", "f1", None, lambda d: d.place_forever(1333, "NSE_EQ", "BUY", "CNC", "LIMIT", 1, 10.0, 9.5, tag="f1")),
    ("orderId", None, "45", lambda d: d.modify_forever("45", "SINGLE", "LIMIT", "ENTRY_LEG", 1, 10.0, 9.0, 0, "DAY")),
    ("orderId", None, "46", lambda d: d.cancel_forever("46")),
    ("alertId", None, None, lambda d: d.place_conditional_order({"a": 1}, [{"b": 2}])),
    ("alertId", None, "47", lambda d: d.modify_conditional_order("47", {"a": 1})),
    ("alertId", None, "48", lambda d: d.cancel_conditional_order("48")),
    ("orderId", "g1", None, lambda d: d.place_global_order("AAPL", "BUY", "MARKET", 1, tag="g1")),
    ("orderId", None, "49", lambda d: d.modify_global_order("49", "LIMIT", "BUY", "AAPL", 1, 10.0)),
    ("orderId", None, "50", lambda d: d.cancel_global_order("50")),
]
IDS = [f"{i}-{c[0]}" for i, c in enumerate(ORDER_CALLS)]


def _not_an_error(value: Any) -> bool:
    """Dhan's decoder reads these as error answers (a readable refusal)."""
    if not isinstance(value, dict):
        return True
    if any(value.get(k) for k in ERROR_KEYS):
        return False
    return str(value.get("status", "")).lower() not in ("failure", "failed", "error")


@pytest.mark.parametrize("key, tag, known, call", ORDER_CALLS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_an_unreadable_answer_is_order_state_unknown(box: Any, key: str, tag: Optional[str], known: Optional[str],
                                                      call: Call, data: Any) -> None:
    sb, dhan = box
    value = data.draw(unreadable(key).filter(_not_an_error))
    sb.fail_next(1, status=200, body=json.dumps(value), content_type="application/json")
    with pytest.raises(errors.OrderStateUnknown) as e:
        call(dhan)
    assert (e.value.tag, e.value.order_id, e.value.broker) == (tag, known, "dhan")


@pytest.mark.parametrize("key, tag, known, call", ORDER_CALLS, ids=IDS)
@pytest.mark.parametrize("body", RAW_BODIES + ["null", "[]", "[{}]", "\"ok\""])
def test_an_empty_or_unreadable_body_is_order_state_unknown(box: Any, key: str, tag: Optional[str],
                                                            known: Optional[str], call: Call, body: str) -> None:
    sb, dhan = box
    sb.fail_next(1, status=200, body=body, content_type="application/json")
    with pytest.raises(errors.OrderStateUnknown) as e:
        call(dhan)
    assert (e.value.tag, e.value.order_id) == (tag, known)


def test_a_slice_answer_needs_every_child_id(box: Any) -> None:
    sb, dhan = box
    sb.fail_next(1, status=200, body=json.dumps([{"orderId": "1"}, {"orderStatus": "PENDING"}]),
                 content_type="application/json")
    with pytest.raises(errors.OrderStateUnknown):
        dhan.place_slice_order(1333, "NSE_EQ", "BUY", 1, "MARKET", "INTRADAY", 0, tag="sl")


def test_readable_answers_and_refusals_keep_their_meaning(box: Any) -> None:
    sb, dhan = box
    placed = dhan.place_order(1333, "NSE_EQ", "BUY", 1, "MARKET", "INTRADAY", 0, tag="fine")
    assert placed["orderId"]
    sb.fail_next(1, status=400, body=json.dumps({"errorType": "Order_Error", "errorCode": "DH-906",
                                                 "errorMessage": "Insufficient funds"}),
                 content_type="application/json")
    with pytest.raises(errors.OrderError):
        dhan.place_order(1333, "NSE_EQ", "BUY", 1, "MARKET", "INTRADAY", 0, tag="refused")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=ANY_JSON, status=STATUSES)
def test_whatever_the_answer_only_broker_errors_escape(box: Any, body: Any, status: int) -> None:
    """Any JSON answer at any status: a readable order id, or a BrokerError; never None,
    never KeyError / TypeError / ..."""
    sb, dhan = box
    sb.fail_next(1, status=status, body=json.dumps(body), content_type="application/json")
    try:
        answer = dhan.place_order(1333, "NSE_EQ", "BUY", 1, "MARKET", "INTRADAY", 0, tag="any")
    except errors.BrokerError as e:
        assert e.broker == "dhan"
        if isinstance(e, errors.OrderStateUnknown):
            assert e.tag == "any"
    else:
        assert answer


@pytest.mark.parametrize("call", [
    lambda d: d.exit_all_positions(),
    lambda d: d.convert_position("INTRADAY", "NSE_EQ", "LONG", 1333, 1, "CNC"),
])
@pytest.mark.parametrize("body", ["", "null", "[]", "{}", "\"ok\"", "[" * 100_000])
def test_order_calls_without_an_id_still_need_an_answer(box: Any, call: Call, body: str) -> None:
    sb, dhan = box
    sb.fail_next(1, status=200, body=body, content_type="application/json")
    with pytest.raises(errors.OrderStateUnknown):
        call(dhan)
