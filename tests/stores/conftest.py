"""Fixtures for the store tests: a real redis-server (see tests/redis_server.py)."""

from __future__ import annotations

import itertools

import pytest

from tests.redis_server import RedisServer

_prefixes = itertools.count()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One redis-server for the session (tests keep apart by key prefix)."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, which the test may stop and start."""
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def redis_store(redis_server):
    from brokers.stores import RedisStore

    store = RedisStore(redis_server.url, prefix=f"t{next(_prefixes)}:", lease=2.0)
    yield store
    store.client.close()
