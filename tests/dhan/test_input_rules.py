"""Issue 9's input rules on Dhan, for many inputs: ids never change the URL,
numbers are numbers, history ranges are ordered. A refused value never
reaches the sandbox."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator, Tuple

import pytest
import requests
from hypothesis import HealthCheck, given, settings

from brokers.dhan import Dhan
from brokers.sandbox import Sandbox

from ..hostile_args import bad_prices, bad_quantities, hostile_ids

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CLIENT = "1100000001"
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


@pytest.fixture(scope="module")
def box(tmp_path_factory: Any) -> Iterator[Tuple[Sandbox, Dhan]]:
    with Sandbox() as sb:
        sb.dhan.rate_limits = {k: (100_000, 1.0) for k in sb.dhan.rate_limits}
        session = requests.Session()
        session.trust_env = False
        with Dhan(CLIENT, sb.dhan.issue_token(CLIENT), rate_limits=False, session=session,
                  cache_dir=tmp_path_factory.mktemp("cache"), **sb.dhan_urls()) as dhan:
            yield sb, dhan


Call = Callable[[Dhan, Any], Any]
PATH_CALLS: "list[tuple[str, re.Pattern[str], Call]]" = [
    ("order_id", TOKEN, lambda d, x: d.modify_order(x, "LIMIT", None, 1, 10.0, 0, 0, "DAY")),
    ("order_id", TOKEN, lambda d, x: d.cancel_order(x)),
    ("order_id", TOKEN, lambda d, x: d.get_order_by_id(x)),
    ("correlation_id", re.compile(r"(?=.*\S)[A-Za-z0-9 _-]{1,30}"), lambda d, x: d.get_order_by_correlationID(x)),
    ("order_id", TOKEN, lambda d, x: d.modify_super_order(x, "LIMIT", "TARGET_LEG", targetPrice=10.0)),
    ("order_id", TOKEN, lambda d, x: d.cancel_super_order(x, "ENTRY_LEG")),
    ("order_leg", re.compile("ENTRY_LEG|TARGET_LEG|STOP_LOSS_LEG", re.I), lambda d, x: d.cancel_super_order("1", x)),
    ("order_id", TOKEN, lambda d, x: d.modify_forever(x, "SINGLE", "LIMIT", "ENTRY_LEG", 1, 10.0, 9.0, 0, "DAY")),
    ("order_id", TOKEN, lambda d, x: d.cancel_forever(x)),
    ("alert_id", TOKEN, lambda d, x: d.get_conditional_order(x)),
    ("alert_id", TOKEN, lambda d, x: d.modify_conditional_order(x, {"a": 1})),
    ("alert_id", TOKEN, lambda d, x: d.cancel_conditional_order(x)),
    ("order_id", TOKEN, lambda d, x: d.get_trade_book(x)),
    ("from_date", re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), lambda d, x: d.get_trade_history(x, "2026-11-03")),
    ("isin", re.compile(r"ALL|[A-Za-z]{2}[A-Za-z0-9]{9}[0-9]", re.I), lambda d, x: d.edis_inquiry(x)),
    ("order_id", TOKEN, lambda d, x: d.get_global_order_by_id(x)),
    ("order_id", TOKEN, lambda d, x: d.modify_global_order(x, "LIMIT", "BUY", "AAPL", 1, 10.0)),
    ("order_id", TOKEN, lambda d, x: d.cancel_global_order(x)),
    ("security_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}"), lambda d, x: d.get_global_trades_by_security(x)),
]


@pytest.mark.parametrize("name, valid, call", PATH_CALLS, ids=[f"{i}-{c[0]}" for i, c in enumerate(PATH_CALLS)])
@SETTINGS
@given(data=hostile_ids(re.compile(r"(?!)")))
def test_a_hostile_path_value_never_reaches_the_broker(box: Any, name: str, valid: Any, call: Call, data: str) -> None:
    sb, dhan = box
    if valid.fullmatch(data):
        return  # a value Dhan could issue: not hostile for this argument
    before = len(sb.requests())
    with pytest.raises(ValueError, match=name):
        call(dhan, data)
    assert len(sb.requests()) == before


def test_a_correlation_id_with_a_space_is_encoded_and_found(box: Any) -> None:
    sb, dhan = box
    placed = dhan.place_order(1333, "NSE_EQ", "BUY", 1, "MARKET", "INTRADAY", 0, tag="run 42")
    assert dhan.get_order_by_correlationID("run 42")["orderId"] == placed["orderId"]
    assert sb.requests("GET")[-1].path.endswith("/orders/external/run%2042")


ORDER = dict(security_id=1333, exchange_segment="NSE_EQ", transaction_type="BUY", quantity=1, order_type="LIMIT",
             product_type="INTRADAY", price=10.0)


@pytest.mark.parametrize("field", ["price", "trigger_price"])
@SETTINGS
@given(value=bad_prices())
def test_prices_are_finite_numbers_in_range(box: Any, field: str, value: Any) -> None:
    sb, dhan = box
    if value is None:
        return  # None is 0 for Dhan's optional prices
    before = len(sb.requests())
    with pytest.raises(ValueError, match=field):
        dhan.place_order(**{**ORDER, "order_type": "STOP_LOSS", "trigger_price": 10.0, field: value})
    assert len(sb.requests()) == before


@pytest.mark.parametrize("field", ["quantity", "disclosed_quantity"])
@SETTINGS
@given(value=bad_quantities())
def test_quantities_are_whole_numbers_in_range(box: Any, field: str, value: Any) -> None:
    sb, dhan = box
    if field == "disclosed_quantity" and value == 0 and not isinstance(value, (bool, float)):
        return
    before = len(sb.requests())
    with pytest.raises(ValueError, match=field):
        dhan.place_order(**{**ORDER, field: value})
    assert len(sb.requests()) == before


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10**30, "10", 10.0, True])
def test_the_issue_examples(box: Any, value: Any) -> None:
    sb, dhan = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match="quantity") as e:
        dhan.place_order(**{**ORDER, "quantity": value})
    assert repr(value) in str(e.value)
    assert len(sb.requests()) == before


@pytest.mark.parametrize("call", [
    lambda d: d.historical_daily_data(1333, "NSE_EQ", "EQUITY", "2026-11-10", "2026-11-02"),
    lambda d: d.intraday_minute_data(1333, "NSE_EQ", "EQUITY", "2026-11-10 09:15:00", "2026-11-10 09:14:00"),
    lambda d: d.expired_options_data(13, "NSE_FNO", "OPTIDX", "WEEK", 1, "ATM", "CALL", ["open"], "2026-11-10",
                                     "2026-11-01"),
    lambda d: d.get_trade_history("2026-11-10", "2026-11-01"),
    lambda d: d.ledger_report("2026-11-10", "2026-11-01"),
])
def test_a_range_that_ends_before_it_starts_is_refused(box: Any, call: Callable[[Dhan], Any]) -> None:
    sb, dhan = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match="to_date"):
        call(dhan)
    assert len(sb.requests()) == before


@pytest.mark.parametrize("sid", ["４０８", "1/2", "", "0", True, 1.0, "-1"])
def test_security_ids_are_ascii_numbers(box: Any, sid: Any) -> None:
    with pytest.raises((ValueError, TypeError), match="security_id"):
        box[1].place_order(**{**ORDER, "security_id": sid})


def test_a_body_that_cannot_be_encoded_is_an_input_error(box: Any) -> None:
    """A NaN inside a free-form condition is never sent and is not OrderStateUnknown."""
    sb, dhan = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match="body"):
        dhan.place_conditional_order({"comparingValue": float("nan")}, [{"quantity": 1}])
    assert len(sb.requests()) == before
