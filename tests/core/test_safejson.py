"""safejson.loads: what json.loads gives for ordinary JSON, None for non-finite
numbers, and only ValueError for anything else, whatever the recursion limit."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.core.safejson import MAX_DEPTH, loads

from ..hostile import EXAMPLES, finite, nested

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=EXAMPLES)
@given(VALUES)
def test_ordinary_json_reads_as_json_loads_reads_it(value):
    text = json.dumps(value)
    assert loads(text) == json.loads(text) and loads(text.encode()) == json.loads(text)


@settings(max_examples=EXAMPLES)
@given(st.text(max_size=80) | st.binary(max_size=80))
def test_anything_else_is_a_value_or_a_value_error(text):
    try:
        assert finite(loads(text))
    except ValueError:
        pass


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999", "-1e400"])
def test_non_finite_numbers_read_as_none(token):
    assert loads(f'{{"p": {token}, "q": [1, {token}]}}') == {"p": None, "q": [1, None]}


@pytest.mark.parametrize("limit", [400, 1000, 100_000])
def test_nesting_is_bounded_whatever_the_recursion_limit(limit):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        assert loads(nested(MAX_DEPTH)) is not None
        for opener in "[{":
            with pytest.raises(ValueError, match="nested too deeply"):
                loads(nested(MAX_DEPTH + 1, opener))
            with pytest.raises(ValueError, match="nested too deeply"):
                loads(nested(200_000, opener))
    finally:
        sys.setrecursionlimit(old)


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"a": "[" * 1000, "b": "\\\"[[[" * 300, "c": [[1]]})
    assert loads(text) == json.loads(text)


def test_not_text():
    for bad in (None, 12, b"\xff\xfe", "{", ""):
        with pytest.raises(ValueError):
            loads(bad)  # type: ignore[arg-type]
