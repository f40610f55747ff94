"""Kite's ways of getting a session, in the documented fallback order.

1. :class:`GivenToken`: an ``enctoken`` or ``access_token`` passed to the
   constructor: no network.
2. :class:`ConnectLogin`: ``request_token`` + ``secret`` (+ ``api_key``): the
   KiteConnect exchange (``POST /session/token`` with the sha256 checksum).
3. :class:`StoredSession`: an unexpired session in the store.
4. :class:`WebLogin`: Kite Web login with ``user_id``, ``password`` and a TOTP
   (a code, a callable such as ``pyotp.TOTP(s).now``, or ``totp_secret``);
   prompts only on a terminal.

Flows 3 and 4 run under the store's lock, so concurrent threads and processes
that find no session log in once between them.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Union

import pyotp

from .. import errors
from ..core import redact
from ..core.auth import AuthFlow
from ..ist import end_of_day_ist, next_6am_ist
from ..stores import Session
from . import exceptions as ex

if TYPE_CHECKING:  # pragma: no cover
    from .client import Kite

__all__ = ["ConnectLogin", "GivenToken", "StoredSession", "WebLogin", "checksum"]

log = logging.getLogger("brokers.kite.auth")

TwoFA = Union[str, Callable[[], str], None]


def checksum(api_key: str, token: str, api_secret: str) -> str:
    """KiteConnect's checksum: ``sha256(api_key + token + api_secret)`` in hex."""
    return hashlib.sha256(f"{api_key}{token}{api_secret}".encode("utf-8")).hexdigest()


def connect_session(kite: "Kite", data: Dict[str, Any]) -> Session:
    """A Session from KiteConnect's session response."""
    token = data.get("access_token")
    if not token:
        raise ex.DataException("the session response has no access_token", status=200)
    redact.register(token, data.get("refresh_token"), data.get("public_token"), data.get("enctoken"))
    return Session(broker="kite", kind="access_token", token=str(token), user_id=data.get("user_id"),
                   api_key=data.get("api_key") or kite.api_key, expires_at=next_6am_ist(),
                   extra={k: data[k] for k in ("refresh_token", "public_token") if data.get(k)})


class GivenToken(AuthFlow):
    """Step 1: a token passed to the constructor. No network."""

    name = "given-token"

    def __init__(self, kite: "Kite") -> None:
        self.kite = kite

    def login(self) -> Optional[Session]:
        k = self.kite
        if k._given_enctoken:
            return Session(broker="kite", kind="enctoken", token=k._given_enctoken, user_id=k._user_id)
        if k._given_access_token:
            if not k.api_key:
                raise ValueError("an access_token needs its api_key: pass api_key= to Kite() or authorize()")
            return Session(broker="kite", kind="access_token", token=k._given_access_token, api_key=k.api_key,
                           user_id=k._user_id)
        return None


class ConnectLogin(AuthFlow):
    """Step 2: exchange a ``request_token`` for an access token (KiteConnect)."""

    name = "connect-login"

    def __init__(self, kite: "Kite", request_token: Optional[str], secret: Optional[str]) -> None:
        self.kite = kite
        self.request_token = request_token
        self.secret = secret

    def login(self) -> Optional[Session]:
        given = {"request_token": self.request_token, "secret": self.secret, "api_key": self.kite.api_key}
        if not self.request_token and not self.secret:
            return None
        missing = [k for k, v in given.items() if not v]
        if missing:
            raise ValueError(f"KiteConnect login needs request_token, secret and api_key; missing: {', '.join(missing)}")
        data = self.kite.generate_session(str(self.request_token), str(self.secret))
        return self.kite.session if self.kite.session is not None else connect_session(self.kite, data)


class StoredSession(AuthFlow):
    """Step 3: a stored session that has not expired."""

    name = "stored"
    locked = True

    def __init__(self, kite: "Kite") -> None:
        self.kite = kite

    def login(self) -> Optional[Session]:
        store = self.kite.store
        if store is None:
            return None
        session = store.load(self.kite._store_key())
        if session is None or session.broker != "kite":
            return None
        if session.kind == "access_token" and not (session.api_key or self.kite.api_key):
            return None
        redact.register(session.token)
        return session


class WebLogin(AuthFlow):
    """Step 4: Kite Web login (user id, password, TOTP), prompting only on a TTY."""

    name = "web-login"
    locked = True

    def __init__(self, kite: "Kite", user_id: Optional[str], password: Optional[str], twofa: TwoFA,
                 totp_secret: Optional[str], interactive: Optional[bool] = None) -> None:
        self.kite = kite
        self.user_id = user_id
        self.password = password
        self.twofa = twofa
        self.totp_secret = totp_secret
        self.interactive = sys.stdin is not None and sys.stdin.isatty() if interactive is None else interactive
        redact.register(password, totp_secret, twofa if isinstance(twofa, str) else None)

    @property
    def can_repeat(self) -> bool:
        """True when this flow can log in again later without the user."""
        return bool(self.user_id and self.password and (callable(self.twofa) or self.totp_secret))

    def _code(self) -> str:
        if callable(self.twofa):
            code = str(self.twofa())
        elif self.twofa:
            code = str(self.twofa)
        elif self.totp_secret:
            try:
                code = pyotp.TOTP(self.totp_secret).now()
            except Exception:  # binascii.Error and friends: say which argument, not the secret
                raise ValueError("totp_secret is not a valid base32 TOTP secret") from None
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
        return self.kite._web_login(str(self.user_id), str(self.password), self._code)


def web_session(user_id: str, enctoken: str) -> Session:
    redact.register(enctoken)
    return Session(broker="kite", kind="enctoken", token=enctoken, user_id=user_id, expires_at=end_of_day_ist())
