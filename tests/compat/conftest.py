"""Fixtures for the migration suites: a sandbox that every compat object is pointed at
(``brokers.compat.use_sandbox``), so the scripts under test name no URL, as scripts
written for the official SDKs do not."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest

from brokers.compat import use_sandbox
from brokers.sandbox import Sandbox


@pytest.fixture
def sb(make_sandbox: Callable[..., Sandbox]) -> Iterator[Sandbox]:
    """The test's sandbox (``make_sandbox`` of tests/conftest.py: limits lifted, fast
    ticks), with every compat object pointed at it."""
    sandbox = make_sandbox(tick_interval=0.05)
    with use_sandbox(sandbox):
        yield sandbox
