"""kiteconnect (the official SDK) and brokers.compat.kiteconnect side by side on the same
sandbox and the same recorded frames. Skipped unless kiteconnect is installed (never a
dependency); see test_side_by_side_dhanhq.py for how to run it."""

from __future__ import annotations

import os
import time
from typing import Any, Iterator, List

import pytest

from brokers.compat.kiteconnect import KiteTicker
from brokers.sandbox import Sandbox

from ..conftest import wait_for

official = pytest.importorskip("kiteconnect")

INFY, NIFTY = 408065, 256265


@pytest.fixture
def ist() -> Iterator[None]:
    """kiteconnect builds tick datetimes in the machine's zone; ours are IST always."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_same_ticks_from_the_same_frames(sb: Sandbox, ist: None) -> None:
    kws = KiteTicker(sb.kite.api_key, sb.kite.issue_access_token("AB1234"))
    frames: List[bytes] = []
    ours: List[Any] = []
    kws.on_message = lambda ws, payload, is_binary: frames.append(payload) if is_binary else None
    kws.on_ticks = lambda ws, ticks: ours.append(ticks)
    kws.on_connect = lambda ws, response: (ws.subscribe([INFY, NIFTY]), ws.set_mode(ws.MODE_FULL, [INFY, NIFTY]))
    kws.connect(threaded=True)
    try:
        assert wait_for(lambda: len(frames) >= 3)
    finally:
        kws.close()
    theirs = official.KiteTicker("fake_api_key", "fake-kite-token-0123456789")
    for frame, ticks in zip(frames, ours):
        assert theirs._parse_binary(frame) == ticks


def _pair(sb: Sandbox) -> Any:
    from brokers.compat.kiteconnect import KiteConnect

    token = sb.kite.issue_access_token("AB1234")
    theirs = official.KiteConnect(sb.kite.api_key, access_token=token, root=sb.kite_urls()["root"])
    return theirs, KiteConnect(sb.kite.api_key, access_token=token)


def test_same_answers(sb: Sandbox, ist: None) -> None:
    theirs, mine = _pair(sb)
    calls = [("profile", ()), ("margins", ()), ("holdings", ()), ("positions", ()), ("orders", ()),
             ("trades", ()), ("instruments", ("NSE",)), ("mf_holdings", ()), ("get_gtts", ())]
    for name, args in calls:
        assert getattr(theirs, name)(*args) == getattr(mine, name)(*args), name


def test_same_session_answers(sb: Sandbox) -> None:
    theirs = official.KiteConnect(sb.kite.api_key, root=sb.kite_urls()["root"])
    from brokers.compat.kiteconnect import KiteConnect

    mine = KiteConnect(sb.kite.api_key)
    a = theirs.generate_session(sb.kite.issue_request_token("AB1234"), sb.kite.api_secret)
    b = mine.generate_session(sb.kite.issue_request_token("AB1234"), sb.kite.api_secret)
    volatile = {"access_token", "refresh_token", "public_token", "enctoken", "login_time"}  # compared by type
    assert {k: v for k, v in a.items() if k not in volatile} == {k: v for k, v in b.items() if k not in volatile}
    assert type(a["login_time"]) is type(b["login_time"])
    ra = theirs.renew_access_token(a["refresh_token"], sb.kite.api_secret)
    rb = mine.renew_access_token(b["refresh_token"], sb.kite.api_secret)
    assert {k: v for k, v in ra.items() if k not in volatile} == {k: v for k, v in rb.items() if k not in volatile}
    assert type(ra.get("login_time")) is type(rb.get("login_time"))


def test_same_exception_classes(sb: Sandbox) -> None:
    theirs, mine = _pair(sb)
    for status, error_type in ((503, "NetworkException"), (400, "TokenException"), (500, "InputException"),
                               (403, "PermissionException"), (502, "DataException")):
        body = '{"status": "error", "message": "m", "error_type": "%s"}' % error_type
        raised = []
        for client in (theirs, mine):
            # 4: our client retries a GET on 502/503/504 (kiteconnect does not)
            sb.fail_next(4, status, body=body, content_type="application/json")  # kiteconnect urljoins the root away
            with pytest.raises(Exception) as e:
                client.profile()
            sb.faults.clear()
            raised.append((type(e.value).__name__, e.value.code))
        assert raised[0] == raised[1], (status, error_type)
