"""With DEBUG logging on everywhere, no Fyers secret shows up in logs, errors or reprs."""

from __future__ import annotations

import logging
import traceback
from typing import Iterator, List

import pytest

from brokers import errors
from brokers.fyers import Fyers
from brokers.fyers.auth import app_id_hash
from brokers.stores import MemoryStore

from .conftest import browser_login, make_auth


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


def test_no_secret_in_debug_logs_errors_or_reprs(sb, all_debug):
    fs = sb.fyers
    store = MemoryStore()
    texts: List[str] = []
    auth = make_auth(sb, store=store, state="st8")
    with auth:
        code = browser_login(sb, auth)
        tokens = auth.generate_token(auth_code=code)
        refreshed = auth.refresh_token(tokens["refresh_token"], fs.accounts["XS00001"].pin)
        try:
            auth.refresh_token(tokens["refresh_token"], "9999")
        except errors.AuthError as e:
            texts += [str(e), repr(e), e.body or ""]
        try:
            auth.generate_token(auth_code=code)  # spent code: refused
        except errors.AuthError as e:
            texts += [str(e), repr(e), e.body or ""]
        texts.append(repr(auth))
        with Fyers(store=store, auth=auth, pin=fs.accounts["XS00001"].pin, **sb.fyers_urls()) as f:
            f.get_profile()
            f.quotes({"symbols": "NSE:SBIN-EQ"})
            f.symbol_token(["NSE:SBIN-EQ"])
            f.place_order({"symbol": "NSE:SBIN-EQ", "qty": 1, "type": 2, "side": 1, "productType": "CNC"})
            fs.expire_sessions()
            f.funds()  # refused, refreshed with the PIN, replayed
            try:
                f.cancel_order({"id": "nope"})
            except errors.BrokerError as e:
                texts += [str(e), repr(e), e.body or ""]
            texts += [repr(f), repr(f.session), repr(store)]
            latest = f.token
    secrets = {
        "secret_key": fs.secret_key,
        "appIdHash": app_id_hash(fs.client_id, fs.secret_key),
        "auth_code": code,
        "pin": fs.accounts["XS00001"].pin,
        "access_token": tokens["access_token"],
        "refresh_token": tokens["refresh_token"],
        "refreshed_token": refreshed["access_token"],
        "latest_token": latest or "",
    }
    haystack = "\n".join(all_debug.lines + texts)
    assert len(all_debug.lines) > 5  # DEBUG logging really was on
    for name, value in secrets.items():
        assert value and value not in haystack, f"{name} leaked"
