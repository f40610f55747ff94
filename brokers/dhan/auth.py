"""Dhan's ways of getting an access token, as AuthFlows, and the token's expiry.

In the order :meth:`brokers.dhan.Dhan.authorize` tries them:

1. :class:`GivenToken`: the token passed to the constructor (no network).
2. :class:`ConsentLogin`: the API-key consent flow's ``tokenId`` exchanged for a
   token (``GET auth.dhan.co/app/consumeApp-consent``, headers ``app_id``/``app_secret``).
3. :class:`StoredSession`: a live session from the :class:`~brokers.stores.SessionStore`.
4. :class:`PinTotpLogin`: ``POST auth.dhan.co/app/generateAccessToken`` with the
   client id, PIN and TOTP. Dhan wants all three **in the query string**; the
   transport never logs a URL with its query, and the PIN and code are registered
   with :mod:`brokers.core.redact` before the request is built.

A Dhan access token is a JWT whose payload carries ``exp`` (and ``dhanClientId``);
:func:`token_expiry` reads it without checking the signature, falling back to
the documented 24 hours.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable, Dict, Optional, Sequence, Union

from .. import errors
from ..core import redact
from ..core.auth import AuthFlow, Send
from ..core.jwt import jwt_claims, jwt_expiry
from ..ist import IST
from ..stores import Session, SessionStore
from . import routes

__all__ = [
    "ConsentLogin", "GivenToken", "PinTotpLogin", "StoredSession", "as_auth_error", "make_session", "token_expiry",
]

log = logging.getLogger(__name__)

TOKEN_LIFETIME = dt.timedelta(hours=24)
Totp = Union[str, Callable[[], str], None]


def _parse_expiry_time(value: Any) -> Optional[dt.datetime]:
    """Dhan's ``expiryTime`` (ISO 8601; IST when it has no zone), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=IST)


def token_expiry(token: str, expiry_time: Any = None, *, issued: Optional[dt.datetime] = None,
                 assume_fresh: bool = False) -> Optional[dt.datetime]:
    """When ``token`` stops working: the JWT ``exp``, else Dhan's ``expiryTime``,
    else 24 hours after ``issued`` when the token is known to be fresh, else None."""
    exp = jwt_expiry(token)
    if exp is not None:
        return exp
    parsed = _parse_expiry_time(expiry_time)
    if parsed is not None:
        return parsed
    if assume_fresh:
        return (issued or dt.datetime.now(dt.timezone.utc)) + TOKEN_LIFETIME
    return None


def make_session(token: str, client_id: Optional[str], *, expiry_time: Any = None,
                 fresh: bool = False, extra: Optional[Dict[str, Any]] = None) -> Session:
    """A Dhan session record for ``token`` (the secret is registered for redaction)."""
    redact.register(token)
    claims = jwt_claims(token)
    # The token's own claim wins, so that a token of another client is caught early.
    client = str(claims["dhanClientId"]) if claims.get("dhanClientId") else client_id
    return Session(broker="dhan", kind="access_token", token=token, user_id=client,
                   expires_at=token_expiry(token, expiry_time, assume_fresh=fresh), extra=dict(extra or {}))


def session_keys(client_id: Optional[str]) -> Sequence[str]:
    """Store keys for a client: ``dhan-<client_id>`` first, then ``dhan``."""
    return (f"dhan-{client_id}", "dhan") if client_id else ("dhan",)


def as_auth_error(exc: errors.BrokerError, what: str) -> errors.BrokerError:
    """A refused login is an AuthError whatever status Dhan used; transport
    failures and rate limits keep their class (they say something else)."""
    if isinstance(exc, (errors.NetworkError, errors.RateLimitError, errors.ServerError)):
        return exc
    return errors.derive(errors.AuthError, exc, f"{what} refused: {exc.message}")


class GivenToken(AuthFlow):
    """The access token the user passed: used as is, no network."""

    name = "token"
    saves = False

    def __init__(self, token: Optional[str], client_id: Optional[str]) -> None:
        self.token = token
        self.client_id = client_id

    def login(self) -> Optional[Session]:
        if not self.token:
            return None
        return make_session(self.token, self.client_id)


class StoredSession(AuthFlow):
    """A live session from the store (``dhan-<client_id>``, then ``dhan``)."""

    name = "stored"
    locked = True
    saves = False

    def __init__(self, store: Optional[SessionStore], client_id: Optional[str]) -> None:
        self.store = store
        self.client_id = client_id

    def login(self) -> Optional[Session]:
        if self.store is None:
            return None
        for key in session_keys(self.client_id):
            session = self.store.load(key)
            if session is None or session.broker != "dhan":
                continue
            if self.client_id and session.user_id and session.user_id != self.client_id:
                continue
            redact.register(session.token)
            if session.expires_at is None:  # e.g. EnvStore without DHAN_EXPIRES_AT: ask the JWT
                session.expires_at = token_expiry(session.token)
                if session.expired():
                    log.warning("ignoring the stored Dhan token under %r: its JWT expired at %s", key,
                                session.expires_at)
                    continue
            return session
        return None


class PinTotpLogin(AuthFlow):
    """Client id + PIN + TOTP -> a 24-hour token (``POST /app/generateAccessToken``).

    Args:
        send: the client's transport call (method, url, **kw) without auth headers.
        auth_root: ``https://auth.dhan.co`` or the sandbox's.
        client_id: the Dhan client id.
        pin: the account PIN.
        totp: a 6-digit code, or a callable returning one (``pyotp.TOTP(s).now``).
        totp_secret: the TOTP secret (base32) instead of ``totp``.
    """

    name = "pin-totp"
    locked = True

    def __init__(self, send: Send, auth_root: str, client_id: Optional[str], pin: Optional[str],
                 totp: Totp = None, totp_secret: Optional[str] = None) -> None:
        self.send = send
        self.auth_root = auth_root.rstrip("/")
        self.client_id = client_id
        self.pin = pin
        self.totp = totp
        self.totp_secret = totp_secret
        redact.register(pin if pin is None else str(pin), totp_secret,
                        totp if isinstance(totp, str) else None)

    @property
    def applies(self) -> bool:
        return bool(self.pin) or bool(self.totp) or bool(self.totp_secret)

    @property
    def repeatable(self) -> bool:
        """A TOTP secret or callable can make a new code; a one-off code cannot."""
        return bool(self.client_id and self.pin and (self.totp_secret or callable(self.totp)))

    def _code(self) -> str:
        if self.totp_secret:
            import pyotp

            try:
                return str(pyotp.TOTP(self.totp_secret).now())
            except Exception:  # binascii.Error quoting the secret
                pass
            raise ValueError("totp_secret is not a valid base32 TOTP secret")
        if callable(self.totp):
            return str(self.totp())
        return str(self.totp)

    def request(self) -> Dict[str, Any]:
        """Ask Dhan for a token; returns Dhan's JSON.

        Raises:
            ValueError: the client id, PIN or TOTP is missing.
            brokers.errors.AuthError: Dhan refused the PIN or code.
        """
        missing = [n for n, v in (("client_id", self.client_id), ("pin", self.pin),
                                  ("totp or totp_secret", self.totp or self.totp_secret)) if not v]
        if missing:
            raise ValueError(f"PIN+TOTP login needs {', '.join(missing)}")
        code = self._code()
        redact.register(code, str(self.pin))
        params = {"dhanClientId": self.client_id, "pin": str(self.pin), "totp": code}
        refused: Optional[errors.BrokerError] = None
        try:
            data = self.send("POST", self.auth_root + routes.AUTH_PIN_TOTP, params=params, group="default")
        except errors.BrokerError as exc:
            refused = exc
        del params, code  # nothing below may carry them
        if refused is not None:
            raise as_auth_error(refused, "PIN+TOTP login")
        if not isinstance(data, dict) or not data.get("accessToken"):
            raise errors.AuthError("PIN+TOTP login returned no accessToken", broker="dhan")
        redact.register(str(data["accessToken"]))
        return data

    def login(self) -> Optional[Session]:
        if not self.applies:
            return None
        data = self.request()
        log.info("dhan: logged in with PIN+TOTP as %s", data.get("dhanClientId") or self.client_id)
        return make_session(str(data["accessToken"]), str(data.get("dhanClientId") or self.client_id),
                            expiry_time=data.get("expiryTime"), fresh=True,
                            extra={k: data[k] for k in ("dhanClientName", "dhanClientUcc", "givenPowerOfAttorney")
                                   if k in data})


class ConsentLogin(AuthFlow):
    """The API-key consent flow's last step: ``tokenId`` -> token
    (``GET /app/consumeApp-consent``, headers ``app_id`` and ``app_secret``).

    The first steps (:meth:`brokers.dhan.Dhan.generate_login_session` and the
    browser login) give the ``tokenId`` on the redirect URL.
    """

    name = "consent"

    def __init__(self, send: Send, auth_root: str, client_id: Optional[str], token_id: Optional[str],
                 app_id: Optional[str], app_secret: Optional[str]) -> None:
        self.send = send
        self.auth_root = auth_root.rstrip("/")
        self.client_id = client_id
        self.token_id = token_id
        self.app_id = app_id
        self.app_secret = app_secret
        redact.register(token_id, app_secret)

    def request(self) -> Dict[str, Any]:
        """Exchange the token id; returns Dhan's JSON.

        Raises:
            ValueError: ``token_id``, ``app_id`` or ``app_secret`` is missing.
            brokers.errors.AuthError: Dhan refused them.
        """
        missing = [n for n, v in (("token_id", self.token_id), ("app_id", self.app_id),
                                  ("app_secret", self.app_secret)) if not v]
        if missing:
            raise ValueError(f"the consent flow needs {', '.join(missing)}")
        refused: Optional[errors.BrokerError] = None
        try:
            data = self.send("GET", self.auth_root + routes.AUTH_CONSUME, params={"tokenId": self.token_id},
                             headers={"app_id": str(self.app_id), "app_secret": str(self.app_secret)},
                             group="default")
        except errors.BrokerError as exc:
            refused = exc
        if refused is not None:
            raise as_auth_error(refused, "consent login")
        if not isinstance(data, dict) or not data.get("accessToken"):
            raise errors.AuthError("the consent exchange returned no accessToken", broker="dhan")
        redact.register(str(data["accessToken"]))
        return data

    def login(self) -> Optional[Session]:
        if not self.token_id:
            return None
        data = self.request()
        return make_session(str(data["accessToken"]), str(data.get("dhanClientId") or self.client_id or "") or None,
                            expiry_time=data.get("expiryTime"), fresh=True)
