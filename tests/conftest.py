"""Shared fixtures: a fresh sandbox per test, clean environment, helpers."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from brokers.kite import Kite
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore

_SCRUB = ("KITE_", "DHAN_", "FYERS_", "BROKERS_", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy",
          "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's tokens or proxies."""
    for name in list(os.environ):
        if name.startswith(_SCRUB):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def _private_dirs(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    import platformdirs

    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_STATE_HOME", "state")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(home / "data" / "brokers"))
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(home / "cache" / "brokers"))


@pytest.fixture(scope="session", autouse=True)
def private_dirs_for_the_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every client defaults to FileStore(): no test, nor a module-scoped fixture,
    reads or writes the real user data or cache directory. The XDG variables reach
    subprocesses too."""
    with pytest.MonkeyPatch.context() as mp:
        _private_dirs(mp, tmp_path_factory.mktemp("run-home"))
        yield


@pytest.fixture(autouse=True)
def private_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """And each test its own directories, so that no test finds another's sessions."""
    _private_dirs(monkeypatch, tmp_path_factory.mktemp("home"))


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def wait_for(condition: Callable[[], bool], timeout: float = 5.0, interval: float = 0.01) -> bool:
    """Wait until ``condition()`` is true or ``timeout`` passes; returns the last value."""
    deadline = time.monotonic() + timeout
    event = threading.Event()
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return bool(condition())
        event.wait(interval)


# -- Kite ------------------------------------------------------------------------------
USER = "AB1234"


def web_login_kwargs(sb: Sandbox, user: str = USER) -> dict:
    acct = sb.kite.accounts[user]
    return {"user_id": user, "password": acct.password, "totp_secret": acct.totp_secret}


@pytest.fixture
def kite(sandbox: Sandbox, store: MemoryStore) -> Iterator[Kite]:
    """A Kite Web client logged in to the sandbox, with limits off so tests run fast."""
    sandbox.kite.rate_limits = {k: (1000, 1.0) for k in sandbox.kite.rate_limits}
    with Kite(store=store, rate_limits=False, **sandbox.kite_urls()) as k:
        k.authorize(**web_login_kwargs(sandbox))
        yield k


@pytest.fixture
def connect_kite(sandbox: Sandbox, store: MemoryStore) -> Iterator[Kite]:
    """A KiteConnect client (api_key + access_token) on the sandbox."""
    sandbox.kite.rate_limits = {k: (1000, 1.0) for k in sandbox.kite.rate_limits}
    token = sandbox.kite.issue_access_token(USER)
    with Kite(access_token=token, api_key=sandbox.kite.api_key, store=store, rate_limits=False,
              **sandbox.kite_urls()) as k:
        k.authorize()
        yield k
