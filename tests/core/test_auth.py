"""core/auth.py: run_flows tries flows in order, holds the lock from the first
locked flow on, and adopts the session before the lock is released. Fake flows
and a fake send: no server."""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator, List, Optional

import pytest

from brokers import errors
from brokers.core.auth import AuthFlow, run_flows
from brokers.stores import Session

LOG: List[str] = []


def session(token: str) -> Session:
    return Session(broker="test", kind="access_token", token=token)


class Flow(AuthFlow):
    def __init__(self, name: str, result: Optional[str] = None, locked: bool = False,
                 error: Optional[BaseException] = None) -> None:
        self.name, self.result, self.locked, self.error = name, result, locked, error

    def login(self) -> Optional[Session]:
        LOG.append(f"login {self.name}")
        if self.error is not None:
            raise self.error
        return session(self.result) if self.result else None


@pytest.fixture(autouse=True)
def clear_log() -> None:
    LOG.clear()


@contextlib.contextmanager
def lock() -> Iterator[None]:
    LOG.append("lock")
    try:
        yield
    finally:
        LOG.append("unlock")


def test_first_flow_that_applies_wins():
    flow, s = run_flows([Flow("a"), Flow("b", "tb"), Flow("c", "tc")], lock, "test")
    assert flow.name == "b" and s.token == "tb"
    assert LOG == ["login a", "login b"]


def test_the_lock_is_taken_once_from_the_first_locked_flow_and_adopt_runs_under_it():
    adopted: List[Any] = []
    flows = [Flow("given"), Flow("stored", locked=True), Flow("login", "t", locked=True)]
    run_flows(flows, lock, "test", adopt=lambda f, s: (adopted.append((f.name, s.token)), LOG.append("adopt")))
    assert LOG == ["login given", "lock", "login stored", "login login", "adopt", "unlock"]
    assert adopted == [("login", "t")]


def test_no_flow_applies_is_an_auth_error():
    with pytest.raises(errors.AuthError, match="no way to log in") as e:
        run_flows([Flow("a"), Flow("b", locked=True)], lock, "test")
    assert e.value.broker == "test"
    assert LOG[-1] == "unlock"  # the lock is released


def test_a_failing_flow_stops_the_run_and_releases_the_lock():
    boom = errors.AuthError("refused", broker="test")
    with pytest.raises(errors.AuthError, match="refused"):
        run_flows([Flow("a", locked=True, error=boom), Flow("b", "t")], lock, "test")
    assert LOG == ["lock", "login a", "unlock"]


def test_flows_are_not_repeatable_by_default_and_refused_is_a_no_op():
    flow = Flow("a")
    assert flow.repeatable is False
    flow.refused(session("dead"))
    assert "Flow a" in repr(flow)


def test_concurrent_runs_log_in_once_when_the_flow_checks_the_store_under_the_lock():
    store: dict = {}
    real_lock = threading.Lock()
    logins: List[int] = []

    class Stored(AuthFlow):
        name, locked, saves = "stored", True, False

        def login(self) -> Optional[Session]:
            return store.get("s")

    class Login(AuthFlow):
        name, locked = "login", True

        def login(self) -> Optional[Session]:
            logins.append(1)
            return session(f"t{len(logins)}")

    results: List[str] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        barrier.wait(timeout=5)
        _, s = run_flows([Stored(), Login()], lambda: real_lock, "test",
                         adopt=lambda f, s: store.__setitem__("s", s) if f.saves else None)
        results.append(s.token)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert logins == [1] and results == ["t1"] * 6
