"""Fixtures for masters and history: a sandbox with generated masters, one client per broker."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from brokers.dhan import Dhan
from brokers.fyers import Fyers
from brokers.kite import Kite
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore

DHAN_CLIENT = "1100000001"


@pytest.fixture
def msb() -> Iterator[Sandbox]:
    """A sandbox serving small generated masters, its rate limits out of the way."""
    with Sandbox(masters="small") as sb:
        sb.kite.rate_limits = {k: (10_000, 1.0) for k in sb.kite.rate_limits}
        sb.dhan.rate_limits = {k: (10_000, 1.0) for k in sb.dhan.rate_limits}
        sb.fyers.rate_limits = [(10_000, 1.0)]
        yield sb


def _client(broker: str, sb: Sandbox, cache: Any, **kw: Any) -> Any:
    kw.setdefault("rate_limits", False)
    if broker == "kite":
        client: Any = Kite(access_token=sb.kite.issue_access_token("AB1234"), api_key=sb.kite.api_key,
                           store=MemoryStore(), **sb.kite_urls(), **kw)
        client.authorize()
    elif broker == "dhan":
        client = Dhan(DHAN_CLIENT, sb.dhan.issue_token(DHAN_CLIENT), store=MemoryStore(), cache_dir=False,
                      **sb.dhan_urls(), **kw)
    else:
        client = Fyers(client_id=sb.fyers.client_id, token=sb.fyers.issue_access_token(), store=MemoryStore(),
                       **sb.fyers_urls(), **kw)
    client.master_cache_dir = cache
    return client


@pytest.fixture
def make_client(tmp_path: Any) -> Iterator[Any]:
    """make_client(broker, sandbox, **kw): a client on the sandbox, masters cached in tmp_path."""
    made = []

    def make(broker: str, sb: Sandbox, **kw: Any) -> Any:
        client = _client(broker, sb, tmp_path / "cache", **kw)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
