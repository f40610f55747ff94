"""Server hints are bounded: any Retry-After / X-Retry-After-Ms is parsed without
raising, a wait longer than max_wait raises RateLimitError at once with retry_after
set, no sleep is ever longer than max_wait, and a bad header never damages the
limiter."""

from __future__ import annotations

import email.utils
import math
import time
from typing import Any, Dict, List, Optional

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers import errors
from brokers.core.http import Transport
from brokers.core.ratelimit import RateLimiter
from brokers.core.response import MAX_HINT, error_from, read_json, retry_after_seconds

NASTY = ["100000", "1e12", "1E400", "inf", "-inf", "Infinity", "nan", "NaN", "-1", "-0.5", "0x10", "", " ",
         "soon", "1,5", "9" * 400, "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 1990 00:00:00 GMT",
         "Sun, 06 Nov 1994 08:49:37 GMT", "31 Dec 10000 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 +9999",
         "\x00", "🙂", "2", "0", "0.25"]


def response(status: int = 429, headers: Optional[Dict[str, str]] = None, body: bytes = b"{}") -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body
    r.headers["Content-Type"] = "application/json"
    for k, v in (headers or {}).items():
        r.headers[k] = v
    return r


def check(value: Optional[float]) -> None:
    assert value is None or (isinstance(value, float) and math.isfinite(value) and 0 <= value <= MAX_HINT)


@pytest.mark.parametrize("value", NASTY)
@pytest.mark.parametrize("header", ["Retry-After", "X-Retry-After-Ms"])
def test_nasty_hints_parse_to_none_or_a_bounded_number(header, value):
    check(retry_after_seconds(response(headers={header: value})))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.floats().map(repr), st.integers().map(str),
                 st.datetimes().map(lambda d: email.utils.format_datetime(d.replace(tzinfo=None), usegmt=False))),
       st.sampled_from(["Retry-After", "X-Retry-After-Ms"]))
def test_any_hint_parses_to_none_or_a_bounded_number(value, header):
    try:
        r = response(headers={header: value})
    except ValueError:  # requests refuses some header values outright
        return
    check(retry_after_seconds(r))


def test_plain_values():
    assert retry_after_seconds(response(headers={"Retry-After": "2"})) == 2.0
    assert retry_after_seconds(response(headers={"X-Retry-After-Ms": "150", "Retry-After": "9"})) == 0.15
    assert retry_after_seconds(response(headers={"Retry-After": "Mon, 01 Jan 1990 00:00:00 GMT"})) == 0.0
    assert retry_after_seconds(response(headers={"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"})) == MAX_HINT
    assert retry_after_seconds(response(headers={"Retry-After": "1e12"})) == MAX_HINT
    for bad in ("inf", "nan", "-1", "soon"):
        assert retry_after_seconds(response(headers={"Retry-After": bad})) is None


class Replay(requests.Session):
    """A requests.Session that answers from a list instead of the network."""

    def __init__(self, answers: List[requests.Response]) -> None:
        super().__init__()
        self.answers = answers
        self.calls = 0

    def request(self, *a: Any, **k: Any) -> requests.Response:  # type: ignore[override]
        self.calls += 1
        return self.answers.pop(0)


def _status(r: requests.Response, message: Optional[str] = None) -> errors.BrokerError:
    cls = errors.RateLimitError if r.status_code == 429 else errors.ServerError
    return error_from(cls, r, "test", message)


def decode(r: requests.Response) -> Any:
    body = read_json(r, "test", _status)
    if r.status_code >= 400:
        raise _status(r)
    return body


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: List[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert math.isfinite(seconds) and seconds >= 0
        self.slept.append(seconds)
        self.now += seconds


def transport(answers: List[requests.Response], clock: FakeClock, **kw: Any) -> Transport:
    limiter = RateLimiter({"default": [(5, 1.0)]}, clock=clock, sleep=clock.sleep)
    return Transport("test", decode=decode, session=Replay(answers), limiter=limiter, sleep=clock.sleep,
                     backoff=0.01, **kw)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.floats(allow_nan=True).map(repr)),
       st.sampled_from(["Retry-After", "X-Retry-After-Ms"]))
def test_no_wait_exceeds_max_wait_and_the_limiter_survives(value, header):
    clock = FakeClock()
    try:
        first = response(headers={header: value})
    except ValueError:
        return
    t = transport([first, response(200, body=b'{"ok": 1}'), response(200, body=b'{"ok": 2}')], clock, max_wait=30.0)
    hint = retry_after_seconds(first)
    try:
        assert t.request("GET", "http://x/y") == {"ok": 1}
        assert hint is None or hint <= 30.0
    except errors.RateLimitError as e:
        assert hint is not None and hint > 30.0
        assert e.retry_after == hint and clock.slept == []  # at once, with the hint
    assert all(s <= 30.0 for s in clock.slept)
    # The limiter is unharmed: the next call goes through and waits at most max_wait.
    before = len(clock.slept)
    assert t.request("GET", "http://x/y") in ({"ok": 1}, {"ok": 2})
    assert sum(clock.slept[before:]) <= 30.0 + 1.0 + t.limiter.margin


def test_a_27_hour_hint_raises_at_once_instead_of_sleeping():
    clock = FakeClock()
    t = transport([response(headers={"Retry-After": "100000"})], clock)
    started = time.monotonic()
    with pytest.raises(errors.RateLimitError, match="more than max_wait") as e:
        t.request("GET", "http://x/y")
    assert e.value.retry_after == 100000.0 and clock.slept == []
    assert time.monotonic() - started < 5  # never slept for real


def test_a_short_hint_is_honoured_and_given_to_the_limiter():
    clock = FakeClock()
    t = transport([response(headers={"Retry-After": "2"}), response(200, body=b"[1]")], clock)
    assert t.request("GET", "http://x/y") == [1]
    assert 2.0 in clock.slept


def test_max_wait_must_be_finite():
    for bad in (float("inf"), float("nan"), -1):
        with pytest.raises(ValueError, match="max_wait"):
            Transport("test", decode=decode, max_wait=bad)
