"""Hypothesis strategies for the argument and answer rules of issue 9: hostile
ids, numbers that are not numbers, and order answers from which no id can be
read. (Hostile feed frames are in ``tests/hostile.py``.)"""

from __future__ import annotations

import math
import re
from typing import Any, Pattern

from hypothesis import strategies as st

#: Values seen to move a request elsewhere or to be cut silently.
FIXED_IDS = ["../../user/profile", "1/../../session/token", "1#x", "1?x=1", "", " ", "1 ", "\t1", "1\n", "..", ".",
             "a/b", "%2e%2e", "1%2F2", "４０８０６５", "ünïcode", "1;x", "1\\..\\x", "\x00", "-1/..", "x" * 200]

_SEPARATORS = st.sampled_from(["/", "?", "#", "%", " ", "\t", "\n", "..", "\\", "ä", "٣", "\u200b", "&", "="])


def hostile_ids(valid: Pattern[str]) -> st.SearchStrategy[str]:
    """Strings that are not ids matching ``valid``: the fixed list, and text with a
    separator, a dot-segment or a non-ASCII character spliced in."""
    spliced = st.builds(lambda a, sep, b: a + sep + b, st.text(max_size=8), _SEPARATORS, st.text(max_size=8))
    return st.one_of(st.sampled_from(FIXED_IDS), spliced, st.text(max_size=20)).filter(
        lambda s: not valid.fullmatch(s))


LOOSE_ID = re.compile(r"[A-Za-z0-9_-]+")


def bad_prices() -> st.SearchStrategy[Any]:
    """Not a finite price in [0, 1e9]: NaN, infinities, negatives, huge values, strings, bools."""
    return st.one_of(
        st.sampled_from([math.nan, math.inf, -math.inf, -1, -0.01, 1e10, 10**30, "10", "nan", True, False, [1]]),
        st.floats().filter(lambda f: not math.isfinite(f) or f < 0 or f > 1e9),
        st.integers().filter(lambda i: i < 0 or i > 10**9),
        st.text(max_size=6),
    )


def bad_quantities() -> st.SearchStrategy[Any]:
    """Not a whole number in 1..2**31-1."""
    return st.one_of(
        st.sampled_from([math.nan, math.inf, -math.inf, 0, -1, 10**30, 2**31, "10", "1", 1.0, 1.5, True, False,
                         None, "４０"]),
        st.floats(),
        st.integers().filter(lambda i: i < 1 or i >= 2**31),
        st.text(max_size=6),
    )


_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=8)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def unreadable(key: str) -> st.SearchStrategy[Any]:
    """JSON values from which ``value[key]`` is not a readable id."""
    fixed = st.sampled_from([{}, None, [], "ok", {key: None}, {key: ""}, {key: "  "}, {key: 1.5}, {key: True},
                             {key: []}, {key: {}}, {key: [1]}, 0, "", {"data": {key: "1"}}])
    wrong = st.dictionaries(st.just(key), st.one_of(st.none(), st.floats(), st.booleans(), st.lists(st.integers()),
                                                   st.just(""), st.just(" \n")), min_size=1)
    return st.one_of(fixed, wrong, _JSON.filter(lambda v: not (isinstance(v, dict) and key in v)))


#: Raw 200 bodies that are not JSON at all.
RAW_BODIES = ["", " ", "ok", "<html><body>OK</body></html>", "{", "[1,", "\x00\x01", "nul", "[" * 100_000,
              "{\"data\": " + "[" * 50_000 + "]" * 50_000 + "}"]


_KEYS = st.sampled_from(["status", "data", "error_type", "message", "order_id", "s", "code", "id", "errorCode",
                         "errorType", "errorMessage", "remarks", "orderId", "trigger_id", "alertId"])
_WORDS = st.sampled_from(["error", "success", "ok", "failure", "failed", "TokenException", "DH-906", "-99"])

#: Any JSON answer, biased towards the keys and words the decoders look at.
ANY_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5), _WORDS),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(_KEYS | st.text(max_size=4), c, max_size=4),
    max_leaves=10,
)
STATUSES = st.sampled_from([200, 201, 202, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503])
