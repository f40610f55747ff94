"""Fixtures for the unified interface: Brokers on a fresh sandbox."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

import brokers
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore
from brokers.unified import Broker

BROKERS = ("kite", "dhan", "fyers")


def load_strategy() -> Any:
    """examples/strategy.py as a module (the tests run it, and log in as it does)."""
    spec = importlib.util.spec_from_file_location(
        "example_strategy", Path(__file__).resolve().parents[2] / "examples" / "strategy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# The tests log in exactly as the example does: one definition, in examples/strategy.py.
sandbox_how: Callable[[Sandbox, str], Dict[str, Any]] = load_strategy().sandbox_how


def order_count(sb: Sandbox, name: str, tag: str) -> int:
    """How many orders carrying ``tag`` the sandbox's book holds for ``name``."""
    if name == "kite":
        return sb.kite.order_count(tag)
    if name == "fyers":
        return sb.fyers.order_count(tag)
    with sb.dhan.lock:
        return sum(1 for o in sb.dhan.orders.values() if o.get("correlationId") == tag)


ORDER_PATHS = {"kite": "/kite/web/oms/orders/regular", "dhan": "/dhan/v2/orders", "fyers": "/fyers/api/v3/orders/sync"}


@pytest.fixture(autouse=True)
def own_master_cache(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Masters cached by these tests stay in the test's own directory: the run's shared
    cache is keyed by host and port, and a later sandbox on the same port must not
    read this one's master."""
    monkeypatch.setenv("BROKERS_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def sb(sandbox: Sandbox) -> Sandbox:
    """The shared per-test sandbox, with the brokers' rate limits out of the way."""
    for part in (sandbox.kite, sandbox.dhan):
        part.rate_limits = {k: (10_000, 1.0) for k in part.rate_limits}
    return sandbox


@pytest.fixture
def make_broker(sb: Sandbox) -> Iterator[Callable[..., Broker]]:
    """``make_broker(name, **overrides)``: a Broker on the sandbox, closed after the test."""
    made: List[Broker] = []

    def make(name: str, **kw: Any) -> Broker:
        how = sandbox_how(sb, name)
        how.setdefault("store", MemoryStore())
        how.setdefault("rate_limits", False)
        how.update(kw)
        broker = brokers.connect(name, **how)
        made.append(broker)
        return broker

    yield make
    for b in made:
        b.close()
