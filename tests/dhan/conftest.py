"""Fixtures for the Dhan tests: clients pointed at the sandbox (`sandbox` and `make_sandbox` are in tests/conftest.py)."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from brokers.dhan import Dhan
from brokers.sandbox import Sandbox

CLIENT = "1100000001"
PIN = "246810"


@pytest.fixture
def make_dhan(sandbox: Sandbox, tmp_path: Any) -> Iterator[Any]:
    """A factory of clients on the sandbox (limiter off, fast retries, cache in tmp); all closed after."""
    made = []

    def make(*args: Any, **kw: Any) -> Dhan:
        kw.setdefault("rate_limits", False)
        kw.setdefault("cache_dir", tmp_path / "cache")
        kw.setdefault("timeout", (2.0, 5.0))
        opts = dict(sandbox.dhan_urls())
        opts.update(kw)
        client = Dhan(*args, **opts)
        client.transport.backoff = 0.001
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def dhan(sandbox: Sandbox, make_dhan: Any) -> Dhan:
    """A client holding a valid token of the sandbox's first account."""
    return make_dhan(CLIENT, sandbox.dhan.issue_token(CLIENT))
