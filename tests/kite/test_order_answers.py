"""Issue 9: an order's answer that cannot be read means the order state is
unknown. For every Kite order call and many 200 answers without a readable id,
the call raises OrderStateUnknown carrying the tag / id, nothing else escapes,
and nothing returns None."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Optional, Tuple

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokers import errors
from brokers.kite import Kite
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore

from ..conftest import web_login_kwargs
from ..hostile_args import ANY_JSON, RAW_BODIES, STATUSES, unreadable

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
UUID = "550e8400-e29b-41d4-a716-446655440000"
GTT = dict(trigger_type="single", tradingsymbol="INFY", exchange="NSE", trigger_values=[1400.0], last_price=1500.0,
           orders=[{"transaction_type": "BUY", "quantity": 1, "order_type": "LIMIT", "product": "CNC",
                    "price": 1400.0}])
ALERT = dict(name="a", type="simple", lhs_exchange="NSE", lhs_tradingsymbol="INFY", lhs_attribute="LastTradedPrice",
             operator="<=", rhs_type="constant", rhs_constant=1.0)


@pytest.fixture(scope="module")
def box() -> Iterator[Tuple[Sandbox, Kite]]:
    with Sandbox() as sb:
        sb.kite.rate_limits = {k: (100_000, 1.0) for k in sb.kite.rate_limits}
        session = requests.Session()
        session.trust_env = False
        with Kite(store=MemoryStore(), rate_limits=False, session=session, **sb.kite_urls()) as kite:
            kite.authorize(**web_login_kwargs(sb))
            yield sb, kite


Call = Callable[[Kite], Any]
#: (what the answer must name, the tag / id to reconcile by, the call)
ORDER_CALLS: "list[tuple[str, Optional[str], Optional[str], Call]]" = [
    ("order_id", "t1", None, lambda k: k.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "MARKET", tag="t1")),
    ("order_id", "t2", None,
     lambda k: k.place_autoslice_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "MARKET", tag="t2")),
    ("order_id", "t3", None, lambda k: k.place_order("iceberg", "NSE", "INFY", "BUY", 10, "CNC", "LIMIT", price=1.0,
                                                     iceberg_legs=2, iceberg_quantity=5, tag="t3")),
    ("order_id", None, "42", lambda k: k.modify_order("regular", "42", quantity=2)),
    ("order_id", None, "43", lambda k: k.cancel_order("regular", "43")),
    ("order_id", None, "44", lambda k: k.exit_order("co", "44")),
    ("trigger_id", None, None, lambda k: k.place_gtt(**GTT)),
    ("trigger_id", None, "7", lambda k: k.modify_gtt(7, **GTT)),
    ("trigger_id", None, "8", lambda k: k.delete_gtt(8)),
    ("order_id", "mf", None, lambda k: k.place_mf_order("INF109K01Z48", "BUY", amount=100, tag="mf")),
    ("order_id", None, "m1", lambda k: k.cancel_mf_order("m1")),
    ("sip_id", "sip", None, lambda k: k.place_mf_sip("INF109K01Z48", 100, 12, "monthly", tag="sip")),
    ("sip_id", None, "s1", lambda k: k.modify_mf_sip("s1", amount=200)),
    ("sip_id", None, "s2", lambda k: k.cancel_mf_sip("s2")),
    ("uuid", None, None, lambda k: k.create_alert(**dict(ALERT, type="ato", basket={"name": "b", "items": []}))),
    ("uuid", None, UUID, lambda k: k.modify_alert(UUID, **ALERT)),
]
IDS = [f"{i}-{c[0]}" for i, c in enumerate(ORDER_CALLS)]


def _check(err: errors.OrderStateUnknown, tag: Optional[str], known: Optional[str]) -> None:
    assert err.tag == tag and err.order_id == known
    assert err.broker == "kite"


@pytest.mark.parametrize("key, tag, known, call", ORDER_CALLS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_an_unreadable_data_field_is_order_state_unknown(box: Any, key: str, tag: Optional[str],
                                                          known: Optional[str], call: Call, data: Any) -> None:
    sb, kite = box
    value = data.draw(unreadable(key))
    sb.fail_next(1, status=200, body=json.dumps({"status": "success", "data": value}),
                 content_type="application/json")
    with pytest.raises(errors.OrderStateUnknown) as e:
        call(kite)
    _check(e.value, tag, known)


@pytest.mark.parametrize("key, tag, known, call", ORDER_CALLS, ids=IDS)
@pytest.mark.parametrize("body", RAW_BODIES + ["null", "[]", "\"ok\"", "{}", "{\"status\": \"success\"}"])
@pytest.mark.parametrize("ctype", ["application/json", "text/html", "text/csv"])
def test_an_unreadable_body_is_order_state_unknown(box: Any, key: str, tag: Optional[str], known: Optional[str],
                                                   call: Call, body: str, ctype: str) -> None:
    sb, kite = box
    sb.fail_next(1, status=200, body=body, content_type=ctype)
    with pytest.raises(errors.OrderStateUnknown) as e:
        call(kite)
    _check(e.value, tag, known)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_gateway_error_on_an_order_is_order_state_unknown(box: Any, status: int) -> None:
    sb, kite = box
    sb.fail_next(1, status=status)
    with pytest.raises(errors.OrderStateUnknown) as e:
        kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "MARKET", tag="gw")
    assert e.value.tag == "gw"


def test_a_lost_answer_carries_the_tag(box: Any) -> None:
    sb, kite = box
    sb.drop_next(1, after=True)
    with pytest.raises(errors.OrderStateUnknown) as e:
        kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "MARKET", tag="lost")
    assert e.value.tag == "lost"
    assert any(o.get("tag") == "lost" for o in kite.orders())


def test_a_refusal_is_not_unknown(box: Any) -> None:
    """A readable error answer says what happened: it keeps its own class."""
    sb, kite = box
    sb.fail_next(1, status=400, body=json.dumps({"status": "error", "message": "Insufficient funds",
                                                 "error_type": "MarginException"}), content_type="application/json")
    with pytest.raises(errors.OrderError):
        kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "MARKET", tag="nofunds")


def test_readable_answers_still_work(box: Any) -> None:
    sb, kite = box
    oid = kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "LIMIT", price=1.0, tag="fine")
    assert isinstance(oid, str) and oid
    assert kite.cancel_order("regular", oid) == oid
    sb.fail_next(1, status=200, body=json.dumps({"status": "success", "data": {"order_id": 151220000000000}}),
                 content_type="application/json")
    assert kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "MARKET") == "151220000000000"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=ANY_JSON, status=STATUSES)
def test_whatever_the_answer_only_broker_errors_escape(box: Any, body: Any, status: int) -> None:
    """Any JSON answer at any status: a readable order id, or a BrokerError; never None,
    never KeyError / TypeError / ..."""
    sb, kite = box
    sb.fail_next(1, status=status, body=json.dumps(body), content_type="application/json")
    try:
        answer = kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "MARKET", tag="any")
    except errors.BrokerError as e:
        assert e.broker == "kite"
        if isinstance(e, errors.OrderStateUnknown):
            assert e.tag == "any"
    else:
        assert answer
