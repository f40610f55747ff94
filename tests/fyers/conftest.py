"""Fixtures for the Fyers tests: a logged-in client on the sandbox (`sandbox` and `make_sandbox` are in tests/conftest.py)."""

from __future__ import annotations

import logging
import traceback
from typing import Iterator, List
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from brokers.fyers import Fyers, FyersAuth
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore


@pytest.fixture
def mstore() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def token(sandbox: Sandbox) -> str:
    return sandbox.fyers.issue_access_token()


@pytest.fixture
def fyers(sandbox: Sandbox, token: str) -> Iterator[Fyers]:
    with Fyers(client_id=sandbox.fyers.client_id, token=token, **sandbox.fyers_urls()) as client:
        yield client


def make_auth(sandbox: Sandbox, **kw: object) -> FyersAuth:
    fs = sandbox.fyers
    return FyersAuth(fs.client_id, fs.redirect_uri, fs.secret_key, **sandbox.fyers_urls(), **kw)  # type: ignore[arg-type]


def browser_login(sandbox: Sandbox, auth: FyersAuth, fy_id: str = "XS00001") -> str:
    """Follow generate_authcode() as a browser would; the auth_code from the redirect."""
    r = requests.get(auth.generate_authcode() + f"&fy_id={fy_id}", allow_redirects=False, timeout=5)
    assert r.status_code == 302
    query = parse_qs(urlsplit(r.headers["Location"]).query)
    return query["auth_code"][0]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "".join(traceback.format_exception(*record.exc_info))
        self.lines.append(f"{record.name}: {text}")


@pytest.fixture
def all_debug() -> Iterator[_Collect]:
    handler = _Collect()
    root = logging.getLogger()
    saved = {name: lg.level for name, lg in logging.root.manager.loggerDict.items()
             if isinstance(lg, logging.Logger)}
    old_root = root.level
    for name in saved:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_root)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
