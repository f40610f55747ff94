"""Order calls under faults: never repeated, never duplicated, reconcilable by correlation id."""

from __future__ import annotations

import pytest

from brokers import errors

from .conftest import CLIENT

ORDER = ("1333", "NSE_EQ", "BUY", 1, "LIMIT", "CNC", 1600)


def test_answer_lost_after_the_order_was_placed(sandbox, dhan):
    sandbox.drop_next(1, path="/dhan/v2/orders", after=True)
    with pytest.raises(errors.OrderStateUnknown) as e:
        dhan.place_order(*ORDER, tag="lost-1")
    assert "correlation" in e.value.message or "tag" in e.value.message
    assert len(sandbox.requests("POST", "/dhan/v2/orders")) == 1  # sent once, not retried
    assert sandbox.dhan.order_count("lost-1") == 1
    found = dhan.get_order_by_correlationID("lost-1")  # the documented way to reconcile
    assert found["orderStatus"] == "PENDING"


def test_connection_dropped_before_the_order_was_placed(sandbox, dhan):
    sandbox.drop_next(1, path="/dhan/v2/orders")
    with pytest.raises(errors.OrderStateUnknown):
        dhan.place_order(*ORDER, tag="drop-1")
    assert sandbox.dhan.order_count("drop-1") == 0
    assert len(sandbox.requests("POST", "/dhan/v2/orders")) == 1
    with pytest.raises(errors.InputError):  # nothing under that tag: safe to place again
        dhan.get_order_by_correlationID("drop-1")


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_error_on_an_order_is_unknown_state(sandbox, dhan, status):
    sandbox.fail_next(1, status, path="/dhan/v2/orders")
    with pytest.raises(errors.OrderStateUnknown) as e:
        dhan.place_order(*ORDER)
    assert e.value.status == status
    assert len(sandbox.requests("POST", "/dhan/v2/orders")) == 1


def test_read_timeout_on_an_order(sandbox, make_dhan):
    client = make_dhan(CLIENT, sandbox.dhan.issue_token(CLIENT), timeout=(2.0, 0.3))
    sandbox.stall_next(1, seconds=1.0, path="/dhan/v2/orders")
    with pytest.raises(errors.OrderStateUnknown):
        client.place_order(*ORDER, tag="slow-1")
    sandbox.faults.released.set()  # let the stalled handler finish now
    assert len(sandbox.requests("POST", "/dhan/v2/orders")) <= 1


@pytest.mark.parametrize("call", [
    lambda d: d.modify_order("5125000001", "LIMIT", None, 1, 1600, 0, 0, "DAY"),
    lambda d: d.cancel_order("5125000001"),
    lambda d: d.place_super_order(*ORDER, targetPrice=1700),
    lambda d: d.place_forever("1333", "NSE_EQ", "BUY", "CNC", "LIMIT", 1, 1500, 1505),
    lambda d: d.cancel_forever("1"),
    lambda d: d.exit_all_positions(),
])
def test_every_order_call_is_never_retried(sandbox, dhan, call):
    sandbox.fail_next(1, 503, path="/dhan/v2/")
    with pytest.raises(errors.OrderStateUnknown):
        call(dhan)
    assert len(sandbox.requests()) == 1


def test_reads_are_retried(sandbox, dhan):
    sandbox.fail_next(2, 503, path="/dhan/v2/orders")
    assert dhan.get_order_list() == []
    assert len(sandbox.requests("GET", "/dhan/v2/orders")) == 3


def test_no_duplicate_under_repeated_faults(sandbox, dhan):
    """A strategy that retries only after checking its tag places each order once."""
    for n in range(5):
        tag = f"loop-{n}"
        (sandbox.drop_next if n % 2 else sandbox.fail_next)(1, path="/dhan/v2/orders", **({"after": True} if n % 2 else {}))
        try:
            dhan.place_order(*ORDER, tag=tag)
        except errors.OrderStateUnknown:
            try:
                dhan.get_order_by_correlationID(tag)
            except errors.InputError:
                dhan.place_order(*ORDER, tag=tag)
        assert sandbox.dhan.order_count(tag) == 1
    assert sandbox.dhan.order_count() == 5


def test_connection_refused_says_the_order_was_not_sent(make_dhan):
    client = make_dhan(CLIENT, "not-a-jwt-token", root="http://127.0.0.1:9/dhan/v2")
    with pytest.raises(errors.NetworkError) as e:
        client.place_order(*ORDER)
    assert not isinstance(e.value, errors.OrderStateUnknown)
    assert "not sent" in e.value.message
