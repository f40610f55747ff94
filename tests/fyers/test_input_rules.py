"""Issue 9's input rules on Fyers, for many inputs: ids are what Fyers issues,
numbers are numbers, history ranges are ordered, a body that cannot be
encoded is an input error. A refused value never reaches the sandbox."""

from __future__ import annotations

import math
import re
from typing import Any, Iterator, Tuple

import pytest
import requests
from hypothesis import HealthCheck, given, settings

from brokers.fyers import Fyers
from brokers.sandbox import Sandbox

from ..hostile_args import bad_prices, bad_quantities, hostile_ids

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9:_.-]{0,63}")
ORDER = {"symbol": "NSE:SBIN-EQ", "qty": 1, "type": 1, "side": 1, "productType": "INTRADAY", "limitPrice": 10.0}


@pytest.fixture(scope="module")
def box() -> Iterator[Tuple[Sandbox, Fyers]]:
    with Sandbox() as sb:
        session = requests.Session()
        session.trust_env = False
        with Fyers(client_id=sb.fyers.client_id, token=sb.fyers.issue_access_token(), rate_limits=False,
                   session=session, **sb.fyers_urls()) as fyers:
            yield sb, fyers


CALLS = [
    lambda f, x: f.cancel_order({"id": x}),
    lambda f, x: f.modify_order({"id": x, "qty": 1}),
    lambda f, x: f.cancel_gtt_order({"id": x}),
    lambda f, x: f.get_orders({"id": [x]}),
    lambda f, x: f.cancel_basket_orders([x]),
]


@pytest.mark.parametrize("call", CALLS)
@SETTINGS
@given(data=hostile_ids(ORDER_ID))
def test_hostile_order_ids_are_refused(box: Any, call: Any, data: str) -> None:
    sb, fyers = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match="id"):
        call(fyers, data)
    assert len(sb.requests()) == before


@SETTINGS
@given(data=hostile_ids(re.compile("NSE_CM|NSE_FO|NSE_CD|NSE_COM|BSE_CM|BSE_FO|MCX_COM")))
def test_the_symbol_master_segment_is_one_fyers_serves(box: Any, data: str) -> None:
    sb, fyers = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match="exchange_segment"):
        fyers.symbol_master(data)
    assert len(sb.requests()) == before


@pytest.mark.parametrize("field", ["limitPrice", "stopPrice"])
@SETTINGS
@given(value=bad_prices())
def test_prices_are_finite_numbers_in_range(box: Any, field: str, value: Any) -> None:
    sb, fyers = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match=field):
        fyers.place_order({**ORDER, "type": 4, "stopPrice": 10.0, field: value})
    assert len(sb.requests()) == before


@pytest.mark.parametrize("field", ["qty", "disclosedQty"])
@SETTINGS
@given(value=bad_quantities())
def test_quantities_are_whole_numbers_in_range(box: Any, field: str, value: Any) -> None:
    sb, fyers = box
    if field == "disclosedQty" and value == 0 and not isinstance(value, (bool, float)):
        return
    before = len(sb.requests())
    with pytest.raises(ValueError, match=field):
        fyers.place_order({**ORDER, field: value})
    assert len(sb.requests()) == before


def test_a_body_that_cannot_be_encoded_is_an_input_error(box: Any) -> None:
    """NaN in a field the checks do not know: still never sent, and not OrderStateUnknown."""
    sb, fyers = box
    before = len(sb.requests())
    for bad in (math.nan, math.inf, object()):
        with pytest.raises(ValueError, match="data"):
            fyers.place_order({**ORDER, "extra": bad})
    assert len(sb.requests()) == before


@pytest.mark.parametrize("data", [
    {"date_format": 1, "range_from": "2026-11-10", "range_to": "2026-11-02"},
    {"date_format": 0, "range_from": 1762000000, "range_to": 1761000000},
    {"date_format": "0", "range_from": "999", "range_to": "99"},
])
def test_a_history_range_that_ends_before_it_starts_is_refused(box: Any, data: Any) -> None:
    sb, fyers = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match="range_to"):
        fyers.history({"symbol": "NSE:SBIN-EQ", "resolution": "D", **data})
    assert len(sb.requests()) == before


@pytest.mark.parametrize("when", ["２０２６-11-02", True, 1.5, "1e9"])
def test_history_dates_are_ascii(box: Any, when: Any) -> None:
    with pytest.raises(ValueError, match="range_from"):
        box[1].history({"symbol": "NSE:SBIN-EQ", "resolution": "D", "date_format": 1 if isinstance(when, str) else 0,
                        "range_from": when, "range_to": "2026-11-10" if isinstance(when, str) else 1762000000})


@pytest.mark.parametrize("count", [math.inf, math.nan, 1.5, True, "５", "0", 51, -1, "1e3", None])
def test_strikecount_is_a_whole_number(box: Any, count: Any) -> None:
    with pytest.raises(ValueError, match="strikecount"):
        box[1].optionchain({"symbol": "NSE:NIFTY50-INDEX", "strikecount": count})
