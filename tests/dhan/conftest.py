"""Fixtures for the Dhan tests: a loopback sandbox and clients pointed at it."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from brokers.dhan import Dhan
from brokers.sandbox import Sandbox

CLIENT = "1100000001"
PIN = "246810"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """A sandbox whose Dhan rate limits are out of the way (tests that need them set them)."""
    with Sandbox() as sandbox:
        sandbox.dhan.rate_limits = {k: (10_000, 1.0) for k in sandbox.dhan.rate_limits}
        yield sandbox


@pytest.fixture
def make_dhan(sb: Sandbox, tmp_path: Any) -> Iterator[Any]:
    """A factory of clients on the sandbox (limiter off, fast retries, cache in tmp); all closed after."""
    made = []

    def make(*args: Any, **kw: Any) -> Dhan:
        kw.setdefault("rate_limits", False)
        kw.setdefault("cache_dir", tmp_path / "cache")
        kw.setdefault("timeout", (2.0, 5.0))
        opts = dict(sb.dhan_urls())
        opts.update(kw)
        client = Dhan(*args, **opts)
        client.transport.backoff = 0.001
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def dhan(sb: Sandbox, make_dhan: Any) -> Dhan:
    """A client holding a valid token of the sandbox's first account."""
    return make_dhan(CLIENT, sb.dhan.issue_token(CLIENT))
