from __future__ import annotations

from typing import Iterator

import pytest

from brokers.kite import Kite
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore

USER = "AB1234"
PASSWORD = "sandbox-password"


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
