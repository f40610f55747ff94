"""No PIN, TOTP code, TOTP secret or token in any log record, exception or repr, with DEBUG on everywhere."""

from __future__ import annotations

import logging
from typing import List

import pytest

from brokers import errors
from brokers.stores import MemoryStore

from .conftest import CLIENT, PIN


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def debug_everywhere():
    root = logging.getLogger()
    handler = _Capture()
    old_level = root.level
    levels = {}
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    for name in list(logging.root.manager.loggerDict) + ["urllib3", "urllib3.connectionpool", "brokers"]:
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _text(record: logging.LogRecord) -> str:
    formatter = logging.Formatter("%(name)s %(message)s")
    out = formatter.format(record)
    return out


def test_no_secret_in_logs_errors_or_reprs(sandbox, make_dhan, debug_everywhere):
    totp_secret = sandbox.dhan.accounts[CLIENT].totp_secret
    seen_errors: List[BaseException] = []
    client = make_dhan(CLIENT, store=MemoryStore())

    # a refused login first (wrong code), then a good one
    # (digits that appear nowhere else in the logs, so a hit means a leak)
    wrong_code = "864297" if sandbox.dhan.totp() != "864297" else "864279"
    with pytest.raises(errors.AuthError) as e:
        client.authorize(pin=PIN, totp=wrong_code)
    seen_errors.append(e.value)
    code = sandbox.dhan.totp()
    data = client.generate_token(PIN, code)
    client.authorize(pin=PIN, totp_secret=totp_secret)
    token = client.access_token
    assert token == data["accessToken"]

    client.get_holdings()
    placed = client.place_order("1333", "NSE_EQ", "BUY", 1, "LIMIT", "CNC", 1500, tag="secret-1")
    client.cancel_order(placed["orderId"])
    with pytest.raises(errors.OrderError) as e:  # an error from Dhan
        client.cancel_order(placed["orderId"])
    seen_errors.append(e.value)
    sandbox.drop_next(1, path="/dhan/v2/orders", after=True)
    with pytest.raises(errors.OrderStateUnknown) as e:  # a network failure
        client.place_order("1333", "NSE_EQ", "BUY", 1, "LIMIT", "CNC", 1500)
    seen_errors.append(e.value)
    sandbox.dhan.expire_sessions()
    client.get_positions()  # refused, logged in again with the TOTP secret, replayed
    token2 = client.access_token
    sandbox.dhan.expire_sessions()
    sandbox.dhan.accounts[CLIENT].pin = "999999"  # the re-login now fails
    with pytest.raises(errors.AuthError) as e:
        client.get_positions()
    seen_errors.append(e.value)

    secrets = [PIN, code, wrong_code, totp_secret, token, token2]
    texts = [_text(r) for r in debug_everywhere.records]
    assert any("generateAccessToken" in t for t in texts)  # the login really was logged (URL without query)
    assert any("urllib3" in t for t in texts)  # and urllib3 did log at DEBUG
    for t in texts:
        for s in secrets:
            assert s not in t, t
    for err in seen_errors:
        for s in secrets:
            assert s not in str(err) and s not in repr(err) and s not in (err.body or "")
    for s in (token2, totp_secret, PIN):
        assert s not in repr(client) and s not in repr(client.session)
