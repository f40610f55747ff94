"""Fixtures for the unified interface: Brokers on a fresh sandbox."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List

import pytest

import brokers
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore
from brokers.unified import Broker

BROKERS = ("kite", "dhan", "fyers")


def sandbox_how(sb: Sandbox, name: str) -> Dict[str, Any]:
    """Every keyword that points ``brokers.connect(name, ...)`` at the sandbox (REST and
    feeds) and logs in to its first account."""
    urls = getattr(sb, "broker_urls", None)
    if callable(urls):
        how = dict(urls(name))
    elif name == "kite":
        how = dict(sb.kite_urls(), feed_url=sb.kite_feed_urls()["url"])
    elif name == "dhan":
        how = dict(sb.dhan_urls(), feed_url=sb.dhan_feed_urls()["url"], order_feed_url=sb.dhan_order_urls()["url"])
    else:
        how = dict(sb.fyers_urls(), feed_url=sb.fyers_feed_urls()["url"], order_feed_url=sb.fyers_order_url())
    if name == "kite":
        acct = sb.kite.accounts["AB1234"]
        how.update(user_id="AB1234", password=acct.password, totp_secret=acct.totp_secret)
    elif name == "dhan":
        cid = next(iter(sb.dhan.accounts))
        how.update(client_id=cid, access_token=sb.dhan.issue_token(cid))
    else:
        how.update(client_id=sb.fyers.client_id, token=sb.fyers.issue_access_token())
    return how


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
