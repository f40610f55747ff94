"""brokers.core.checks: path ids, numbers and JSON bodies, for many inputs."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokers.core import checks

from ..hostile_args import LOOSE_ID, bad_prices, bad_quantities, hostile_ids


@given(hostile_ids(LOOSE_ID))
def test_a_hostile_id_is_a_named_value_error(value: str) -> None:
    with pytest.raises(ValueError, match="order_id"):
        checks.path_id("order_id", value, checks.TOKEN)


@given(st.from_regex(checks.TOKEN, fullmatch=True))
def test_an_id_the_broker_issues_is_kept_and_needs_no_encoding(value: str) -> None:
    assert checks.path_id("order_id", value, checks.TOKEN) == value


@given(st.integers(min_value=0, max_value=10**12))
def test_int_ids_are_their_digits(value: int) -> None:
    assert checks.path_id("trigger_id", value, checks.DIGITS) == str(value)


@pytest.mark.parametrize("value", [True, 1.0, None, b"1", ["1"]])
def test_non_string_ids_are_refused(value: Any) -> None:
    with pytest.raises(ValueError, match="gtt_id"):
        checks.path_id("gtt_id", value, checks.DIGITS)


@given(bad_prices())
def test_bad_prices_are_named_value_errors(value: Any) -> None:
    with pytest.raises(ValueError, match="price") as e:
        checks.price("price", value)
    assert repr(value)[:20] in str(e.value) or isinstance(value, str)


@given(st.floats(min_value=0, max_value=1e9) | st.integers(min_value=0, max_value=10**9))
def test_good_prices_pass(value: Any) -> None:
    assert checks.price("price", value) == float(value)


@given(bad_quantities())
def test_bad_quantities_are_named_value_errors(value: Any) -> None:
    with pytest.raises(ValueError, match="quantity"):
        checks.quantity("quantity", value)


@given(st.integers(min_value=1, max_value=2**31 - 1))
def test_good_quantities_pass(value: int) -> None:
    assert checks.quantity("quantity", value) == value


def test_json_body_refuses_nan_and_objects_json_cannot_hold() -> None:
    for body in ({"x": math.nan}, {"x": [math.inf]}, {"x": object()}, {1.5: float("-inf")}):
        with pytest.raises(ValueError, match="data"):
            checks.json_body("data", body)
    assert checks.json_body("data", {"x": 1.5}) == {"x": 1.5}
