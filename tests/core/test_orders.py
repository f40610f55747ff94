"""brokers.core.orders: an order call's answer, lost or unreadable, is OrderStateUnknown;
a refusal whose outcome is known keeps its class."""

from __future__ import annotations

import re
from typing import Any, NoReturn

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers import errors
from brokers.core import orders

from ..hostile_args import unreadable


def _unknown(message: str, **kw: Any) -> errors.BrokerError:
    return errors.OrderStateUnknown(message, broker="x", **kw)


def _raise(err: BaseException) -> NoReturn:
    raise err


@settings(max_examples=300)
@given(unreadable("order_id"))
def test_an_answer_without_a_readable_id_raises_what_the_caller_builds(answer: Any) -> None:
    with pytest.raises(errors.OrderStateUnknown, match="order_id"):
        orders.read_order_id(answer, ("order_id",), _unknown)


@given(st.from_regex(re.compile(r"[0-9A-Za-z-]{1,30}"), fullmatch=True) | st.integers(min_value=0))
def test_a_readable_id_is_returned_as_a_string(value: Any) -> None:
    assert orders.read_order_id({"order_id": value}, ("order_id",), errors.OrderStateUnknown) == str(value)


def test_attach_fills_what_to_reconcile_by() -> None:
    err = errors.OrderStateUnknown("lost")
    assert orders.attach(err, "t1", "42") is err
    assert (err.tag, err.order_id) == ("t1", "42")
    orders.attach(err, "other", "99")  # the first values win
    assert (err.tag, err.order_id) == ("t1", "42")


@pytest.mark.parametrize("err", [
    errors.ServerError("bad gateway", status=502), errors.ServerError("oops", status=500),
    errors.ResponseError("not json", status=200), errors.NetworkError("OMS unreachable", status=503),
])
def test_an_answer_that_cannot_be_read_is_unknown_with_the_tag(err: errors.BrokerError) -> None:
    with pytest.raises(errors.OrderStateUnknown) as e:
        orders.send_order(lambda: _raise(err), _unknown, "POST /orders", tag="t9", order_id="42")
    assert (e.value.tag, e.value.order_id, e.value.status) == ("t9", "42", err.status)
    assert err.message in e.value.message


@pytest.mark.parametrize("err", [
    errors.RateLimitError("slow down", status=429), errors.NetworkError("refused"), errors.Timeout("connect"),
    errors.OrderError("no margin", status=400), errors.InputError("bad", status=400), errors.TokenExpired("gone"),
])
def test_a_known_outcome_keeps_its_class(err: errors.BrokerError) -> None:
    with pytest.raises(type(err)) as e:
        orders.send_order(lambda: _raise(err), _unknown, "POST /orders", tag="t9")
    assert e.value is err


def test_a_lost_answer_gets_the_tag() -> None:
    lost = errors.OrderStateUnknown("no answer")
    with pytest.raises(errors.OrderStateUnknown) as e:
        orders.send_order(lambda: _raise(lost), _unknown, "POST /orders", tag="t9")
    assert e.value is lost and lost.tag == "t9"


def test_an_answer_passes_through() -> None:
    assert orders.send_order(lambda: {"order_id": "1"}, _unknown, "POST /orders") == {"order_id": "1"}
