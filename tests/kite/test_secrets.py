"""With DEBUG logging on for every logger, no secret shows anywhere."""

from __future__ import annotations

import logging
import socket
import traceback

import pyotp
import pytest

from brokers import errors
from brokers.kite import Kite
from brokers.stores import MemoryStore

from .conftest import USER


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def debug_logs():
    root = logging.getLogger()
    handler = Capture()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("urllib3", "urllib3.connectionpool", "requests", "brokers"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)


def _dead_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_no_secret_in_logs_errors_reprs_or_tracebacks(sandbox, debug_logs):
    acct = sandbox.kite.accounts[USER]
    codes = []

    def twofa() -> str:
        codes.append(pyotp.TOTP(acct.totp_secret).now())
        return codes[-1]

    texts = []
    store = MemoryStore()
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        kite.authorize(user_id=USER, password=acct.password, twofa=twofa)
        kite.profile()
        sandbox.kite.expire_sessions()
        kite.holdings()  # 403, re-login with a fresh code, replay
        texts += [repr(kite), repr(kite.session), repr(store)]
        enctokens = [kite.enctoken]

    rt = sandbox.kite.issue_request_token(USER)
    with Kite(api_key=sandbox.kite.api_key, store=store, **sandbox.kite_urls()) as kite:
        data = kite.generate_session(rt, sandbox.kite.api_secret)
        access, refresh = data["access_token"], data["refresh_token"]
        kite.invalidate_access_token()  # Kite wants the token in the query string
        try:
            kite.profile()
        except errors.BrokerError as e:
            texts += [str(e), repr(e), "".join(traceback.format_exception(type(e), e, e.__traceback__))]
        texts.append(repr(kite))

    # A network error on a URL that carries the token: the traceback must not show it.
    with Kite(access_token=access, api_key=sandbox.kite.api_key, store=MemoryStore(),
              root=f"http://127.0.0.1:{_dead_port()}", retries=0) as kite:
        kite.authorize()
        try:
            kite.invalidate_access_token()
        except errors.NetworkError as e:
            texts += [str(e), "".join(traceback.format_exception(type(e), e, e.__traceback__))]
        else:  # pragma: no cover
            pytest.fail("expected a network error")

    # A failed login's error text.
    with Kite(store=MemoryStore(), **sandbox.kite_urls()) as kite:
        try:
            kite.authorize(user_id=USER, password="Wr0ng-Passw0rd!", totp_secret=acct.totp_secret)
        except errors.AuthError as e:
            texts += [str(e), repr(e)]

    secrets = [acct.password, acct.totp_secret, sandbox.kite.api_secret, rt, access, refresh, "Wr0ng-Passw0rd!",
               *codes, *enctokens]
    everything = "\n".join(debug_logs.lines + texts)
    assert len(codes) == 2 and debug_logs.lines, "the scenario did not run"
    assert any("urllib3" in line for line in debug_logs.lines), "urllib3 debug lines were not captured"
    for secret in secrets:
        assert secret and secret not in everything, f"a secret leaked: {secret[:3]}..."
