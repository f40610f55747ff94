"""Kite's ways of getting a session, in the documented fallback order.

1. :class:`GivenToken`: an ``enctoken`` or ``access_token`` passed to the
   constructor: no network.
2. :class:`ConnectLogin`: ``request_token`` + ``secret`` (+ ``api_key``): the
   KiteConnect exchange (``POST /session/token`` with the sha256 checksum).
3. :class:`StoredSession`: an unexpired session in the store.
4. :class:`WebLogin`: Kite Web login with ``user_id``, ``password`` and a TOTP
   (a code, a callable such as ``pyotp.TOTP(s).now``, or ``totp_secret``);
   prompts only on a terminal.

Every flow gets plain values and, when it logs in, a ``send`` callable (the
client's unauthenticated send); none knows the client. Flows 3 and 4 run under
the store's lock, so concurrent threads and processes that find no session log
in once between them.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import logging
import sys
from typing import Any, Callable, Dict, Optional, Sequence, Union

import pyotp
import requests

from .. import errors
from ..core import redact
from ..core.auth import AuthFlow, Send
from ..ist import end_of_day_ist, next_6am_ist
from ..stores import Session, SessionStore
from . import exceptions as ex
from .decode import decode
from .routes import SESSION_TOKEN, WEB_LOGIN, WEB_TWOFA

__all__ = [
    "ConnectLogin", "GivenToken", "StoredSession", "WebLogin", "checksum", "connect_session", "exchange",
    "web_login", "web_session",
]

log = logging.getLogger(__name__)

TwoFA = Union[str, Callable[[], str], None]


def checksum(api_key: str, token: str, api_secret: str) -> str:
    """KiteConnect's checksum: ``sha256(api_key + token + api_secret)`` in hex."""
    return hashlib.sha256(f"{api_key}{token}{api_secret}".encode("utf-8")).hexdigest()


def connect_session(data: Dict[str, Any], api_key: Optional[str]) -> Session:
    """A Session from KiteConnect's session response."""
    token = data.get("access_token")
    if not token:
        raise ex.DataException("the session response has no access_token", status=200)
    redact.register(str(token), data.get("refresh_token"), data.get("public_token"), data.get("enctoken"))
    return Session(broker="kite", kind="access_token", token=str(token), user_id=data.get("user_id"),
                   api_key=data.get("api_key") or api_key, expires_at=next_6am_ist(),
                   extra={k: data[k] for k in ("refresh_token", "public_token") if data.get(k)})


def web_session(user_id: str, enctoken: str) -> Session:
    """A Session for a Kite Web enctoken (valid until the end of the day, IST)."""
    redact.register(enctoken)
    return Session(broker="kite", kind="enctoken", token=enctoken, user_id=user_id, expires_at=end_of_day_ist())


def exchange(send: Send, url: str, api_key: str, field: str, token: str, api_secret: str, *,
             parse_login_time: bool = True) -> Dict[str, Any]:
    """POST ``token`` with its checksum to a KiteConnect session route; Kite's answer,
    ``login_time`` as a naive datetime when ``parse_login_time`` (as kiteconnect's
    ``generate_session`` does; its ``renew_access_token`` leaves Kite's string)."""
    redact.register(token, api_secret)
    data = send("POST", url, data={"api_key": api_key, field: token,
                                   "checksum": checksum(api_key, token, api_secret)})
    if not isinstance(data, dict):
        raise ex.DataException("the session response is not an object", status=200)
    value = data.get("login_time")
    if parse_login_time and isinstance(value, str) and len(value) == 19:
        data["login_time"] = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    return data


def _enctoken_cookie(response: requests.Response) -> str:
    decode(response)  # raises on an error body
    token = response.cookies.get("enctoken")
    if not token:
        raise ex.DataException("the 2FA response set no enctoken cookie", status=response.status_code)
    redact.register(token)
    return str(token)


def web_login(send: Send, web_root: str, user_id: str, password: str, code: Callable[[], str]) -> Session:
    """Kite Web login (``/api/login`` then ``/api/twofa``); the new session.

    Raises:
        brokers.kite.exceptions.LoginException: the user id or password was refused.
        brokers.kite.exceptions.TwoFAException: the second factor was refused.
    """
    refused: Optional[errors.BrokerError] = None
    try:
        step1 = send("POST", f"{web_root}{WEB_LOGIN}", data={"user_id": user_id, "password": password})
    except (ex.InputException, ex.GeneralException, ex.PermissionException, ex.TokenException) as e:
        refused = e
    if refused is not None:
        raise errors.derive(ex.LoginException, refused, f"Kite refused the login for {user_id}: {refused.message}",
                            error_type=getattr(refused, "error_type", None))
    if not isinstance(step1, dict) or not step1.get("request_id"):
        raise ex.DataException("the login response has no request_id", status=200)
    twofa_type = str(step1.get("twofa_type") or "totp")
    form = {"user_id": user_id, "request_id": step1["request_id"], "twofa_value": code(),
            "twofa_type": twofa_type, "skip_session": ""}
    try:
        enctoken = send("POST", f"{web_root}{WEB_TWOFA}", data=form, decode=_enctoken_cookie)
    except ex.TwoFAException:
        raise
    except (ex.InputException, ex.GeneralException, ex.TokenException) as e:
        refused = e
    if refused is not None:
        raise errors.derive(ex.TwoFAException, refused, f"Kite refused the {twofa_type} code: {refused.message}",
                            error_type=getattr(refused, "error_type", None))
    return web_session(user_id, enctoken)


class GivenToken(AuthFlow):
    """Step 1: a token passed to the constructor. No network."""

    name = "given-token"
    saves = False

    def __init__(self, enctoken: Optional[str], access_token: Optional[str], api_key: Optional[str],
                 user_id: Optional[str]) -> None:
        self.enctoken = enctoken
        self.access_token = access_token
        self.api_key = api_key
        self.user_id = user_id

    def login(self) -> Optional[Session]:
        if self.enctoken:
            return Session(broker="kite", kind="enctoken", token=self.enctoken, user_id=self.user_id)
        if self.access_token:
            if not self.api_key:
                raise ValueError("an access_token needs its api_key: pass api_key= to Kite() or authorize()")
            return Session(broker="kite", kind="access_token", token=self.access_token, api_key=self.api_key,
                           user_id=self.user_id)
        return None


class ConnectLogin(AuthFlow):
    """Step 2: exchange a ``request_token`` for an access token (KiteConnect)."""

    name = "connect-login"

    def __init__(self, send: Send, root: str, api_key: Optional[str], request_token: Optional[str],
                 secret: Optional[str]) -> None:
        self.send = send
        self.root = root
        self.api_key = api_key
        self.request_token = request_token
        self.secret = secret
        self.data: Optional[Dict[str, Any]] = None
        redact.register(request_token, secret)

    def login(self) -> Optional[Session]:
        given = {"request_token": self.request_token, "secret": self.secret, "api_key": self.api_key}
        if not self.request_token and not self.secret:
            return None
        missing = [k for k, v in given.items() if not v]
        if missing:
            raise ValueError(f"KiteConnect login needs request_token, secret and api_key; missing: {', '.join(missing)}")
        self.data = exchange(self.send, f"{self.root}{SESSION_TOKEN}", str(self.api_key), "request_token",
                             str(self.request_token), str(self.secret))
        return connect_session(self.data, self.api_key)


class StoredSession(AuthFlow):
    """Step 3: a stored session that has not expired (the first of ``keys`` that has one)."""

    name = "stored"
    locked = True
    saves = False

    def __init__(self, store: Optional[SessionStore], keys: Sequence[str], api_key: Optional[str]) -> None:
        self.store = store
        self.keys = list(keys)
        self.api_key = api_key

    def login(self) -> Optional[Session]:
        if self.store is None:
            return None
        for key in self.keys:
            session = self.store.load(key)
            if session is None or session.broker != "kite":
                continue
            if session.kind == "access_token" and not (session.api_key or self.api_key):
                continue
            redact.register(session.token)
            return session
        return None


class WebLogin(AuthFlow):
    """Step 4: Kite Web login (user id, password, TOTP), prompting only on a TTY."""

    name = "web-login"
    locked = True

    def __init__(self, send: Send, web_root: str, user_id: Optional[str], password: Optional[str], twofa: TwoFA,
                 totp_secret: Optional[str], interactive: Optional[bool] = None) -> None:
        self.send = send
        self.web_root = web_root
        self.user_id = user_id
        self.password = password
        self.twofa = twofa
        self.totp_secret = totp_secret
        self.interactive = sys.stdin is not None and sys.stdin.isatty() if interactive is None else interactive
        redact.register(password, totp_secret, twofa if isinstance(twofa, str) else None)

    @property
    def repeatable(self) -> bool:
        """True when this flow can log in again later without the user."""
        return bool(self.user_id and self.password and (callable(self.twofa) or self.totp_secret))

    can_repeat = repeatable

    def _code(self) -> str:
        if callable(self.twofa):
            code = str(self.twofa())
        elif self.twofa:
            code = str(self.twofa)
        elif self.totp_secret:
            code = _totp_now(self.totp_secret)
        elif self.interactive:
            code = input("Kite TOTP code: ").strip()
        else:
            raise errors.AuthError("Kite Web login needs twofa= (a code or a callable such as pyotp.TOTP(s).now) "
                                   "or totp_secret=", broker="kite")
        redact.register(code)
        return code

    def login(self) -> Optional[Session]:
        if not self.user_id and self.interactive:
            self.user_id = input("Kite user id: ").strip()
        if not self.password and self.interactive:
            self.password = getpass.getpass("Kite password: ")
            redact.register(self.password)
        missing = [n for n, v in (("user_id", self.user_id), ("password", self.password)) if not v]
        if missing:
            raise errors.AuthError(
                "no stored Kite session and nothing to log in with: pass "
                f"{' and '.join(missing)} (with twofa= or totp_secret=) to authorize(), "
                "or a request_token and secret, or an enctoken/access_token to Kite()", broker="kite")
        log.info("kite: web login as %s", self.user_id)
        return web_login(self.send, self.web_root, str(self.user_id), str(self.password), self._code)


def _totp_now(secret: str) -> str:
    try:
        return str(pyotp.TOTP(secret).now())
    except Exception:  # binascii.Error and friends
        pass
    # Raised outside the except block: the decoder's error would quote the secret.
    raise ValueError("totp_secret is not a valid base32 TOTP secret")
