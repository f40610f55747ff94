"""core/client.py: the one re-login path, with a fake transport and fake flows (no server).

Rules pinned here for every broker: no session -> a local AuthError before any
request; a refused token -> compare-and-clear in the store, the expiry hook,
one login (single-flight across threads), one replay.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any, Dict, List, Optional

import pytest

from brokers import errors
from brokers.core.auth import AuthFlow
from brokers.core.client import BaseClient
from brokers.stores import MemoryStore, Session

KEY = "test-user"


def sess(token: str, **kw: Any) -> Session:
    return Session(broker="test", kind="access_token", token=token, **kw)


class FakeTransport:
    """Accepts the tokens in ``valid``; records every request's token."""

    def __init__(self) -> None:
        self.valid: set = set()
        self.sent: List[Optional[str]] = []
        self.lock = threading.Lock()

    def request(self, method: str, url: str, headers: Optional[Dict[str, str]] = None, **kw: Any) -> Any:
        token = (headers or {}).get("token")
        with self.lock:
            self.sent.append(token)
        if url.endswith("/login"):
            return {"token": kw["data"]["make"]}
        if token not in self.valid:
            raise errors.TokenExpired("refused", broker="test", status=403)
        return {"ok": token}

    def close(self) -> None:
        pass


class Stored(AuthFlow):
    name, locked, saves = "stored", True, False

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def login(self) -> Optional[Session]:
        return self.store.load(KEY)


class Relogin(AuthFlow):
    """A repeatable login that only sends: it mints the next token through send()."""

    name, locked = "relogin", True

    def __init__(self, send: Any, transport: FakeTransport) -> None:
        self.send, self.transport, self.count, self.dead = send, transport, 0, None

    @property
    def repeatable(self) -> bool:
        return True

    def refused(self, dead: Session) -> None:
        self.dead = dead.token

    def login(self) -> Optional[Session]:
        self.count += 1
        token = f"fresh{self.count}"
        self.transport.valid.add(token)
        return sess(self.send("POST", "http://x/login", data={"make": token})["token"])


class Client(BaseClient):
    broker = "test"

    def __init__(self, store: MemoryStore) -> None:
        super().__init__(store)
        self.transport = FakeTransport()  # type: ignore[assignment]

    def _session_keys(self) -> List[str]:
        return [KEY]

    def _passive_flows(self) -> List[AuthFlow]:
        return [Stored(self.store)]

    def _auth_headers(self) -> Dict[str, str]:
        assert self.session is not None
        return {"token": self.session.token}

    def call(self) -> Any:
        return self._send("GET", "http://x/holdings")


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def client(store: MemoryStore) -> Client:
    return Client(store)


def with_relogin(client: Client) -> Relogin:
    flow = Relogin(client._send_unauth, client.transport)
    client._set_repeat_login(flow)
    return flow


def test_no_session_is_a_local_auth_error_that_says_how_to_log_in(client):
    with pytest.raises(errors.AuthError, match="no Test session: .*authorize") as e:
        client.call()
    assert not isinstance(e.value, errors.TokenExpired)
    assert client.transport.sent == []


def test_a_stored_session_is_used_before_the_first_call(client, store):
    store.save(KEY, sess("s1"))
    client.transport.valid.add("s1")
    assert client.call() == {"ok": "s1"} and client.auth_flow == "stored"


def test_refused_token_clears_store_calls_hook_relogs_once_and_replays_once(client, store):
    store.save(KEY, sess("dead"))
    hooked: List[int] = []
    client.set_session_expiry_hook(lambda: hooked.append(1))
    flow = with_relogin(client)
    assert client.call() == {"ok": "fresh1"}
    assert client.transport.sent == ["dead", None, "fresh1"]  # call, login (unauthenticated), replay
    assert hooked == [1] and flow.count == 1 and flow.dead == "dead"
    assert store.load(KEY).token == "fresh1"  # the login was saved
    assert client.auth_flow == "relogin"


def test_a_refused_replay_is_not_replayed_again(client, store):
    store.save(KEY, sess("dead"))
    flow = with_relogin(client)
    flow.transport = FakeTransport()  # tokens it mints are never valid on the client's transport
    with pytest.raises(errors.TokenExpired):
        client.call()
    assert flow.count == 1 and len(client.transport.sent) == 3


def test_without_a_repeatable_login_the_refusal_reaches_the_caller_and_the_store_is_cleared(client, store):
    store.save(KEY, sess("dead"))
    with pytest.raises(errors.TokenExpired, match="refused"):
        client.call()
    assert store.load(KEY) is None


def test_compare_and_clear_keeps_a_session_saved_meanwhile(client, store):
    client.transport.valid.add("other")
    client.session = sess("dead")
    store.save(KEY, sess("other"))  # another process logged in after our call left
    assert client.call() == {"ok": "other"}  # the newer stored session is taken, not cleared
    assert store.load(KEY).token == "other"


def test_a_one_off_login_is_not_registered_for_relogin(client):
    class OneOff(AuthFlow):
        name = "one-off"

        def login(self) -> Optional[Session]:
            return None

    client._set_repeat_login(OneOff())
    assert client._repeat_login is None


def test_concurrent_refusals_share_one_login(client, store):
    store.save(KEY, sess("dead"))
    flow = with_relogin(client)
    client.session = sess("dead")
    results: List[Any] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait(timeout=5)
        results.append(client.call())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert results == [{"ok": "fresh1"}] * 8 and flow.count == 1


def test_hook_errors_are_logged_and_the_relogin_goes_on_by_default(client, store, caplog):
    store.save(KEY, sess("dead"))
    with_relogin(client)
    client.set_session_expiry_hook(lambda: 1 / 0)
    with caplog.at_level(logging.ERROR, logger="brokers.core.client"):
        assert client.call() == {"ok": "fresh1"}
    assert "expiry hook raised" in caplog.text and "ZeroDivisionError" in caplog.text


def test_hook_errors_reach_the_caller_when_the_client_asks_for_it(client, store):
    store.save(KEY, sess("dead"))
    flow = with_relogin(client)
    client.expiry_hook_raises = True
    client.set_session_expiry_hook(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        client.call()
    assert store.load(KEY) is None and flow.count == 0  # cleared first, no login after


def test_hook_must_be_callable(client):
    with pytest.raises(TypeError):
        client.set_session_expiry_hook("nope")  # type: ignore[arg-type]


def test_a_locally_expired_session_is_renewed_before_any_request(client, store):
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    client.session = sess("old", expires_at=past)
    flow = with_relogin(client)
    assert client.call() == {"ok": "fresh1"}
    assert client.transport.sent == [None, "fresh1"] and flow.count == 1


def test_a_locally_expired_session_without_relogin_is_token_expired_naming_the_time(client):
    past = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc)
    client.session = sess("old", expires_at=past)
    with pytest.raises(errors.TokenExpired, match="expired at 2026-01-02 03:04"):
        client.call()
    assert client.transport.sent == []


def test_unauthenticated_sends_skip_the_session(client):
    assert client._send("POST", "http://x/login", auth=False, data={"make": "t"}) == {"token": "t"}
    assert client.transport.sent == [None]
