"""Fyers login: the OAuth2 auth-code flow, the refresh-token flow, and the session they make.

:class:`FyersAuth` mirrors ``fyers_apiv3.fyersModel.SessionModel``
(``generate_authcode``, ``set_token``, ``generate_token``) and adds
``refresh_token(refresh_token, pin)``, saving to a
:class:`~brokers.stores.SessionStore`, typed errors and a context manager.
:class:`StoredSessionFlow` and :class:`RefreshFlow` are the
:class:`~brokers.core.auth.AuthFlow` strategies the client uses to log in
again without the user.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Dict, Optional, Tuple, Union
from urllib.parse import urlencode

from .. import errors
from ..core import redact
from ..core.auth import AuthFlow, Send
from ..core.http import TimeoutType, Transport
from ..core.jwt import jwt_claims, jwt_expiry
from ..core.redact import mask
from ..stores import FileStore, Session, SessionStore, account_key, bind
from . import routes
from .decode import decode

__all__ = ["FyersAuth", "RefreshFlow", "StoredSessionFlow", "app_id_hash", "refresh", "session_key", "validate"]

log = logging.getLogger(__name__)


def app_id_hash(client_id: str, secret_key: str) -> str:
    """``sha256(client_id + ":" + secret_key)`` in hex, as Fyers asks for ``appIdHash``."""
    return hashlib.sha256(f"{client_id}:{secret_key}".encode()).hexdigest()


def session_key(client_id: str) -> str:
    """The store key of a Fyers app's session: ``"fyers-<client_id>"``."""
    return f"fyers-{client_id}"


def make_session(client_id: str, access_token: str, refresh_token: Optional[str] = None) -> Session:
    """A :class:`~brokers.stores.Session` for a Fyers access token (expiry from its JWT)."""
    claims = jwt_claims(access_token)
    extra: Dict[str, Any] = {}
    if refresh_token:
        extra["refresh_token"] = refresh_token
    if claims.get("fy_id"):
        extra["fy_id"] = str(claims["fy_id"])
    # user_id is the app id: EnvStore keys and FYERS_CLIENT_ID name the app, not the user.
    return Session(broker="fyers", kind="access_token", token=access_token, user_id=client_id,
                   api_key=client_id, expires_at=jwt_expiry(access_token), extra=extra)


def validate(send: Send, url: str, body: Dict[str, Any]) -> Dict[str, Any]:
    """POST a token request (``validate-authcode``, ``validate-refresh-token``).

    Raises:
        brokers.errors.AuthError: Fyers refused it, whatever code it chose for that.
        brokers.errors.NetworkError, RateLimitError, ServerError: as the transport says.
    """
    refused: Optional[errors.BrokerError] = None
    try:
        data = send("POST", url, json=body, group=routes.DEFAULT_GROUP)
    except (errors.InputError, errors.OrderError) as e:
        refused = e
    if refused is not None:
        # Raised outside the except block; the body carried the secrets, the error does not.
        raise errors.derive(errors.AuthError, refused)
    if not isinstance(data, dict):
        raise errors.ResponseError("the token answer is not a JSON object", broker=routes.BROKER)
    return data


def refresh(send: Send, root: str, app_hash: str, refresh_token: str, pin: str) -> Dict[str, Any]:
    """A new access token from a refresh token and the PIN (``POST /validate-refresh-token``);
    Fyers' answer, which holds a non-empty ``access_token``."""
    redact.register(refresh_token, pin)
    body = {"grant_type": "refresh_token", "appIdHash": app_hash, "refresh_token": refresh_token, "pin": pin}
    data = validate(send, root + routes.VALIDATE_REFRESH, body)
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        raise errors.AuthError("validate-refresh-token answered without an access_token",
                               broker=routes.BROKER, code=data.get("code"))
    redact.register(access)
    return data


def _require(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {type(value).__name__}")
    return value.strip()


class FyersAuth:
    """Log in to Fyers API v3 with the auth-code flow, and refresh with the PIN.

    Args:
        client_id: the app id, e.g. ``"XB12345-100"``.
        redirect_uri: the redirect URL registered with the app.
        secret_key: the app secret.
        state: an opaque value echoed back on the redirect (left out when None).
        response_type: ``"code"``.
        grant_type: ``"authorization_code"``.
        scope, nonce: optional extra query values for the auth-code URL.
        store: where to save the session (key ``"fyers-<client_id>"``); default
            :class:`~brokers.stores.FileStore` (as every client).
        root: the API root (tests point it at the sandbox).
        data_root, public_root: accepted so that the same URL keywords fit
            :class:`~brokers.fyers.Fyers` and this class (``**sandbox.fyers_urls()``);
            login uses ``root`` only.
        timeout: seconds, or ``(connect, read)``.

    Example::

        with FyersAuth(client_id, redirect_uri, secret_key, store=FileStore()) as auth:
            print("open", auth.generate_authcode())
            tokens = auth.generate_token(auth_code=input("auth_code: "))
        with Fyers(client_id, tokens["access_token"]) as fyers:
            fyers.get_profile()

    Unlike ``fyers_apiv3``, a refused exchange raises :class:`~brokers.errors.AuthError`
    (with Fyers' ``code`` and ``message``) instead of returning the error dict.
    """

    def __init__(
        self,
        client_id: str,
        redirect_uri: str,
        secret_key: str,
        state: Optional[str] = None,
        *,
        response_type: str = "code",
        grant_type: str = "authorization_code",
        scope: Optional[str] = None,
        nonce: Optional[str] = None,
        store: Optional[SessionStore] = None,
        root: str = routes.API_ROOT,
        data_root: str = routes.DATA_ROOT,
        public_root: str = routes.PUBLIC_ROOT,
        timeout: TimeoutType = (5.0, 15.0),
    ) -> None:
        self.client_id = _require("client_id", client_id)
        self.redirect_uri = _require("redirect_uri", redirect_uri)
        self._secret_key = _require("secret_key", secret_key)
        redact.register(self._secret_key, app_id_hash(self.client_id, self._secret_key))
        self.state = state
        self.response_type = response_type
        self.grant_type = grant_type
        self.scope = scope
        self.nonce = nonce
        self.root = root.rstrip("/")
        bound_store = bind(store if store is not None else FileStore(), self.root, default_root=routes.API_ROOT)
        assert bound_store is not None
        self.store: SessionStore = bound_store
        self.data_root = data_root.rstrip("/")
        self.public_root = public_root.rstrip("/")
        self._auth_code: Optional[str] = None
        # Token calls share Fyers' per-app limits (the app's budget in the store); they
        # are POSTs, so never retried.
        budget = lambda: bound_store.budget(account_key(routes.BROKER, self.client_id))  # noqa: E731
        self.transport = Transport(routes.BROKER, decode=decode, timeout=timeout,
                                   default_limits=routes.RATE_LIMITS, budget=budget)

    # -- fyers_apiv3 SessionModel names -----------------------------------------------------
    @property
    def secret_key(self) -> str:
        return self._secret_key

    def get_hash(self) -> str:
        """The ``appIdHash`` (hex string)."""
        return app_id_hash(self.client_id, self._secret_key)

    def generate_authcode(self) -> str:
        """The URL to open in a browser; after login Fyers redirects to
        ``redirect_uri?...&auth_code=...&state=...``. No network call."""
        query: Dict[str, str] = {"client_id": self.client_id, "redirect_uri": self.redirect_uri,
                                 "response_type": self.response_type}
        # fyers_apiv3 sends state=None literally when unset; leave it out instead.
        if self.state is not None:
            query["state"] = str(self.state)
        if self.scope is not None:
            query["scope"] = self.scope
        if self.nonce is not None:
            query["nonce"] = self.nonce
        return f"{self.root}{routes.GENERATE_AUTHCODE}?{urlencode(query)}"

    def set_token(self, token: str) -> None:
        """Remember the auth code for :meth:`generate_token` (``SessionModel`` style)."""
        self._auth_code = _require("auth_code", token)
        redact.register(self._auth_code)

    def generate_token(self, auth_code: Optional[str] = None) -> Dict[str, Any]:
        """Exchange the auth code for tokens (``POST /validate-authcode``).

        Args:
            auth_code: the code from the redirect; default: the one given to :meth:`set_token`.

        Returns:
            Fyers' dict: ``{"s": "ok", "code": 200, "message": "", "access_token": ...,
            "refresh_token": ...}``. The session is saved to the store, if one was given.

        Raises:
            ValueError: no auth code.
            brokers.errors.AuthError: Fyers refused the exchange (``code``, ``message``).
            brokers.errors.NetworkError: no answer.
        """
        code = auth_code if auth_code is not None else self._auth_code
        if code is None:
            raise ValueError("auth_code is required: pass generate_token(auth_code=...) or call set_token() first")
        code = _require("auth_code", code)
        redact.register(code)
        body = {"grant_type": self.grant_type, "appIdHash": self.get_hash(), "code": code}
        data = validate(self.transport.request, self.root + routes.VALIDATE_AUTHCODE, body)
        access = data.get("access_token")
        if not isinstance(access, str) or not access:
            raise errors.AuthError("validate-authcode answered without an access_token", broker=routes.BROKER,
                                   code=data.get("code"))
        refresh = data.get("refresh_token") if isinstance(data.get("refresh_token"), str) else None
        redact.register(access, refresh)
        self._save(access, refresh)
        log.info("fyers: auth code exchanged for an access token (app %s)", self.client_id)
        return data

    def refresh_token(self, refresh_token: str, pin: Union[str, int]) -> Dict[str, Any]:
        """A new access token from a refresh token and the user's PIN
        (``POST /validate-refresh-token``). The refresh token lasts about 15 days.

        Returns:
            Fyers' dict with ``access_token``. The session is saved to the store.

        Raises:
            ValueError: a missing refresh token or PIN.
            brokers.errors.AuthError: Fyers refused them.
        """
        rt = _require("refresh_token", refresh_token)
        pin_s = _require("pin", str(pin) if isinstance(pin, int) and not isinstance(pin, bool) else pin)
        data = refresh(self.transport.request, self.root, self.get_hash(), rt, pin_s)
        self._save(str(data["access_token"]), rt)
        log.info("fyers: access token refreshed (app %s)", self.client_id)
        return data

    # -- internals --------------------------------------------------------------------------
    def _save(self, access: str, refresh_token: Optional[str]) -> Session:
        session = make_session(self.client_id, access, refresh_token)
        self.store.save(session_key(self.client_id), session)
        return session

    def close(self) -> None:
        """Release the HTTP connections. Idempotent."""
        self.transport.close()

    def __enter__(self) -> FyersAuth:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"FyersAuth(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r}, "
                f"secret_key={mask(self._secret_key)})")


class StoredSessionFlow(AuthFlow):
    """A stored, unexpired session for the app (another process may have logged in)."""

    name = "stored"
    locked = True
    saves = False

    def __init__(self, store: Optional[SessionStore], client_id: str, exclude: Optional[str] = None) -> None:
        self.store = store
        self.client_id = client_id
        self.exclude = exclude

    def login(self) -> Optional[Session]:
        if self.store is None:
            return None
        session = self.store.load(session_key(self.client_id))
        if session is None or session.broker != "fyers" or session.token == self.exclude:
            return None
        redact.register(session.token)
        return session


class RefreshFlow(AuthFlow):
    """A new access token from the refresh token and the PIN.

    Args:
        send: the client's unauthenticated send.
        root: the API root.
        client_id: the app id.
        app_hash: :func:`app_id_hash` of the app id and secret.
        pin: the user's PIN (None: the flow never applies).
        refresh_token: the refresh token; when a session is refused,
            :meth:`refused` takes the one that session carried.
    """

    name = "refresh"
    locked = True

    def __init__(self, send: Send, root: str, client_id: str, app_hash: str, pin: Optional[str],
                 refresh_token: Optional[str] = None) -> None:
        self.send = send
        self.root = root
        self.client_id = client_id
        self.app_hash = app_hash
        self.pin = pin
        self.refresh_token = refresh_token
        redact.register(pin, refresh_token)

    @property
    def repeatable(self) -> bool:
        return bool(self.pin)

    def refused(self, dead: Session) -> None:
        token = dead.extra.get("refresh_token")
        if isinstance(token, str) and token:
            self.refresh_token = token

    def login(self) -> Optional[Session]:
        if not self.pin or not self.refresh_token:
            return None
        data = refresh(self.send, self.root, self.app_hash, self.refresh_token, self.pin)
        log.info("fyers: access token refreshed (app %s)", self.client_id)
        return make_session(self.client_id, str(data["access_token"]), self.refresh_token)


def split_token(client_id: Optional[str], token: str) -> Tuple[Optional[str], str]:
    """Accept ``"APPID:token"`` as well as a bare token; returns (client_id, token).

    Raises:
        ValueError: the prefix names another app than ``client_id``.
    """
    if ":" in token:
        prefix, _, bare = token.partition(":")
        if client_id is not None and prefix != client_id:
            raise ValueError(f"token is for app {prefix!r}, not client_id {client_id!r}")
        return prefix, bare
    return client_id, token
