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
    theirs = official.KiteTicker("key", "token")
    for frame, ticks in zip(frames, ours):
        assert theirs._parse_binary(frame) == ticks
