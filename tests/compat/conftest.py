"""Fixtures for the migration suites: a sandbox that every compat object is pointed at
(``brokers.compat.use_sandbox``), so the scripts under test name no URL, as scripts
written for the official SDKs do not."""

from __future__ import annotations

from typing import Iterator

import pytest

from brokers.compat import use_sandbox
from brokers.sandbox import Sandbox


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        sandbox.kite.rate_limits = {k: (10_000, 1.0) for k in sandbox.kite.rate_limits}
        sandbox.dhan.rate_limits = {k: (10_000, 1.0) for k in sandbox.dhan.rate_limits}
        sandbox.fyers.rate_limits = [(10_000, 1.0)]
        sandbox.dhan_feed.tick_interval = 0.05
        sandbox.kite_ticker.tick_interval = 0.05
        with use_sandbox(sandbox):
            yield sandbox
