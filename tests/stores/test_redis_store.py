"""RedisStore against a real redis-server: the store contract, TTLs, the lease lock,
StoreError when Redis is away, and the budget script agreeing with the Python rules."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokers import errors
from brokers.stores import RedisStore, Session
from brokers.stores.budget import reserve
from brokers.stores.redisstore import RedisBudget, safe_url
from tests.test_stores import StoreContract, _future, _session


class TestRedisStore(StoreContract):
    @pytest.fixture
    def s(self, redis_store):
        return redis_store

    def test_session_ttl_is_its_expiry(self, s):
        s.save("kite-AB1234", _session(expires_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=300)))
        ttl = s.client.pttl(f"{s.prefix}s:kite-AB1234")
        assert 290_000 < ttl <= 300_000

    def test_json_not_pickle(self, s):
        s.save("kite-AB1234", _session(expires_at=_future()))
        record = json.loads(s.client.get(f"{s.prefix}s:kite-AB1234"))
        assert record["token"] == "tok-123456"

    def test_garbage_is_absent_with_one_warning(self, s, caplog):
        for i, junk in enumerate([b"\xff\xfe", b"[" * 100000, b'{"broker": "kite", "kind": "x", "token": 5}']):
            s.client.set(f"{s.prefix}s:k{i}", junk)
            caplog.clear()
            assert s.load(f"k{i}") is None
            assert len([r for r in caplog.records if r.levelname == "WARNING"]) == 1

    def test_sessions_lists_expiry(self, s):
        s.save("kite-AB1234", _session(expires_at=_future()))
        s.client.set(f"{s.prefix}s:dhan", b"not json")
        s.update_state("paper", lambda cur: {"cash": 1})
        infos = {i.key: i for i in s.sessions()}
        assert set(infos) == {"kite-AB1234", "dhan"}
        assert infos["kite-AB1234"].expires_at is not None and infos["dhan"].problem

    def test_state_documents(self, s):
        assert s.read_state("paper") is None
        s.update_state("paper", lambda cur: {"n": (cur or {"n": 0})["n"] + 1})
        s.update_state("paper", lambda cur: {"n": (cur or {"n": 0})["n"] + 1})
        assert s.read_state("paper") == {"n": 2}

    def test_client_argument(self, redis_server):
        import redis

        client = redis.Redis.from_url(redis_server.url)
        store = RedisStore(client=client, prefix="given:")
        store.save("dhan", Session("dhan", "access_token", "t" * 20, user_id="1"))
        assert store.load("dhan").token == "t" * 20
        assert str(redis_server.port) in repr(store)


def test_lock_is_released_only_by_its_owner(redis_store):
    with redis_store.lock("kite"):
        name = f"{redis_store.prefix}lock:kite"
        token = redis_store.client.get(name)
        assert token
        redis_store.client.set(name, b"someone-else")  # our lease was lost and taken
    assert redis_store.client.get(name) == b"someone-else"  # we did not delete theirs


@pytest.mark.slow
def test_lease_is_renewed_while_held(redis_store):
    name = f"{redis_store.prefix}lock:kite"
    with redis_store.lock("kite"):
        time.sleep(redis_store.lease * 1.5)  # longer than the lease: renewal must keep it
        assert redis_store.client.get(name) is not None
    assert redis_store.client.get(name) is None


def _hold_lock_forever(url, prefix, ready):
    store = RedisStore(url, prefix=prefix, lease=1.0)
    with store.lock("kite"):
        ready.set()
        threading.Event().wait(60)


@pytest.mark.slow
def test_a_dead_holder_blocks_for_at_most_the_lease(redis_store, redis_server):
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold_lock_forever, args=(redis_server.url, redis_store.prefix, ready))
    proc.start()
    try:
        assert ready.wait(30)
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(10)
        got = threading.Event()

        def take():
            with redis_store.lock("kite"):
                got.set()

        t = threading.Thread(target=take)
        t.start()
        assert got.wait(10)  # the 1 s lease ran out: we got it
        t.join(5)
    finally:
        proc.kill()
        proc.join(5)


def test_unreachable_redis_is_store_error_without_password():
    store = RedisStore("redis://:hunter2secret@127.0.0.1:1/0", timeout=1.0)
    for op in (lambda: store.load("kite"), lambda: store.save("kite", _session()), lambda: store.keys(),
               lambda: store.budget("kite-AB1234").reserve("orders", [(10, 1.0)], 0.05)):
        with pytest.raises(errors.StoreError) as info:
            op()
        text = str(info.value) + repr(info.value)
        assert "127.0.0.1:1" in text and "hunter2secret" not in text
        assert info.value.__context__ is None or "hunter2secret" not in str(info.value.__context__)
        assert isinstance(info.value, errors.BrokerError)


@pytest.mark.parametrize("url, shown", [
    ("redis://:pw@h:6379/0", "redis://h:6379/0"),
    ("redis://user:pw@h:6380/2", "redis://user@h:6380/2"),
    ("rediss://h/1", "rediss://h/1"),
])
def test_safe_url(url, shown):
    assert safe_url(url) == shown


_windows = st.lists(st.tuples(st.integers(1, 120), st.sampled_from([0.5, 1.0, 2.0, 60.0])), min_size=1, max_size=3,
                    unique_by=lambda w: w)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(windows=_windows, gaps=st.lists(st.floats(0, 0.7), min_size=1, max_size=60),
       penalty=st.one_of(st.none(), st.floats(0.01, 5)))
def test_the_lua_script_follows_the_python_rules(redis_store, windows, gaps, penalty):
    """One Lua script per call in Redis, the same answers as brokers.stores.budget.reserve."""
    clock = [1000.0]
    key = f"{redis_store.prefix}rate:prop-{time.monotonic_ns()}"
    remote = RedisBudget(redis_store, key, now=lambda: clock[0])
    local: dict = {}
    for i, gap in enumerate(gaps):
        clock[0] += gap
        if penalty is not None and i == len(gaps) // 2:
            from brokers.stores.budget import penalise

            penalise(local, "g", penalty, clock[0])
            remote.penalise("g", penalty)
        want = reserve(local, "g", windows, 0.05, clock[0]) - clock[0]
        got = remote.reserve("g", windows, 0.05)
        assert got == pytest.approx(max(0.0, want), abs=1e-3)
