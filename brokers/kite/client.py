"""The Kite client: KiteConnect (api_key + access_token) and Kite Web (enctoken).

The login code is :mod:`brokers.kite.auth` (flows that only send); re-login after
a refused token is :class:`~brokers.core.client.BaseClient`'s one path.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, cast

import requests

from ..core import redact
from ..core.auth import AuthFlow, run_flows
from ..core.http import RateLimits, TimeoutType, Transport
from ..core.redact import mask
from ..stores import FileStore, MemoryStore, Session, SessionStore, bind
from . import exceptions as ex
from .alerts import AlertsMixin
from .auth import (
    ConnectLogin,
    GivenToken,
    StoredSession,
    TwoFA,
    WebLogin,
    connect_session,
    exchange,
)
from .decode import FAMILY, decode
from .market import MarketMixin
from .mf import MutualFundsMixin
from .orders import OrdersMixin
from .portfolio import PortfolioMixin
from .routes import LOGIN_PATH, RATE_LIMITS, WEB_ROOT
from .symbols import SymbolsMixin

__all__ = ["Kite", "KiteConnect"]

log = logging.getLogger(__name__)


class Kite(OrdersMixin, PortfolioMixin, MarketMixin, MutualFundsMixin, AlertsMixin, SymbolsMixin):
    """Zerodha Kite, over KiteConnect (``api_key`` + ``access_token``) or Kite Web
    (``enctoken``), with kiteconnect 5.x's methods, arguments and return values.

    Args:
        enctoken: a Kite Web session token, if you have one.
        access_token: a KiteConnect access token (needs ``api_key``).
        api_key: your KiteConnect app's key.
        user_id: the Kite user id (chooses the stored session).
        store: where sessions are kept between processes (default
            :class:`~brokers.stores.FileStore`; :class:`~brokers.stores.MemoryStore`
            keeps nothing on disk).
        root: KiteConnect API root (default ``_default_root_uri``, ``https://api.kite.trade``).
        web_root: Kite Web host (default ``https://kite.zerodha.com``; login under
            ``/api``, the web API under ``/oms``).
        timeout: seconds, or ``(connect, read)``.
        rate_limits: group -> ``[(calls, seconds), ...]`` overriding Kite's
            documented limits (groups ``quote``, ``historical``, ``orders``,
            ``default``); ``False`` turns limiting off.
        retries: how many times a GET is repeated after a network error, 429 or
            502/503/504. Orders are never repeated.
        session: a ``requests.Session`` to send with (proxies, certificates).

    Nothing touches the network until the first call. Errors raise
    :mod:`brokers.kite.exceptions` classes, never failure dicts.

    Example::

        with Kite(store=FileStore()) as kite:
            kite.authorize(user_id="AB1234", password=pwd, twofa=pyotp.TOTP(secret).now)
            kite.holdings()
    """

    def __init__(
        self,
        enctoken: Optional[str] = None,
        access_token: Optional[str] = None,
        api_key: Optional[str] = None,
        *,
        user_id: Optional[str] = None,
        store: Optional[SessionStore] = None,
        root: Optional[str] = None,
        web_root: str = WEB_ROOT,
        timeout: TimeoutType = (5.0, 10.0),
        rate_limits: RateLimits = None,
        retries: int = 3,
        session: Optional[requests.Session] = None,
    ) -> None:
        if enctoken and access_token:
            raise ValueError("pass an enctoken or an access_token, not both")
        super().__init__(store if store is not None else FileStore())
        self._given_enctoken = enctoken
        self._given_access_token = access_token
        self.api_key = api_key
        self._user_id = user_id
        self.root = (root or self._default_root_uri).rstrip("/")
        self.web_root = web_root.rstrip("/")
        self.store = bind(self.store, self.root, self.web_root, default_root=self._default_root_uri)
        redact.register(enctoken, access_token)
        self.transport = Transport("kite", decode=decode, timeout=timeout, rate_limits=rate_limits,
                                   default_limits=RATE_LIMITS, retries=retries, error_classes=FAMILY,
                                   session=session, headers={"X-Kite-Version": "3"}, budget=self._rate_budget)

    # -- identity -----------------------------------------------------------------------
    @property
    def enctoken(self) -> Optional[str]:
        """The Kite Web token in use (after authorize()), else None."""
        return self.session.token if self.session and self.session.kind == "enctoken" else None

    @property
    def access_token(self) -> Optional[str]:
        """The KiteConnect access token in use, else None."""
        return self.session.token if self.session and self.session.kind == "access_token" else None

    @property
    def user_id(self) -> Optional[str]:
        return (self.session.user_id if self.session else None) or self._user_id

    def __repr__(self) -> str:
        kind = self.session.kind if self.session else None
        return (f"Kite(user_id={self.user_id!r}, session={kind!r}, token={mask(self.session.token if self.session else None)}, "
                f"store={self.store!r})")

    def _rate_account(self) -> Optional[str]:
        return self.user_id or self.api_key

    def _store_key(self, user_id: Optional[str] = None) -> str:
        user = user_id or self._user_id
        return f"kite-{user}" if user else "kite"

    def _session_keys(self) -> List[str]:
        keys = [self._store_key()]
        if self.user_id and f"kite-{self.user_id}" not in keys:
            keys.append(f"kite-{self.user_id}")
        return keys + (["kite"] if "kite" not in keys else [])

    def _lock_key(self) -> str:
        return self._store_key()

    def _passive_flows(self) -> List[AuthFlow]:
        return [GivenToken(self._given_enctoken, self._given_access_token, self.api_key, self._user_id),
                StoredSession(self.store, self._session_keys(), self.api_key)]

    def _login_hint(self) -> str:
        return ("call kite.authorize(user_id=..., password=..., twofa=...) (Kite Web), "
                "kite.authorize(request_token=..., secret=...) (KiteConnect), or pass an enctoken or "
                "access_token (with api_key) to Kite()")

    def _adopt(self, session: Session, *, flow: str, save: bool) -> None:
        """Make ``session`` current; a login is stored under the user's key and the default key."""
        self.session = session
        self.auth_flow = flow
        if session.user_id:
            self._user_id = session.user_id
        if session.api_key and not self.api_key:
            self.api_key = session.api_key
        if save and self.store is not None:
            for key in {self._store_key(session.user_id), "kite"}:
                self.store.save(key, session)

    # -- authorize ----------------------------------------------------------------------
    def authorize(
        self,
        *,
        user_id: Optional[str] = None,
        password: Optional[str] = None,
        twofa: TwoFA = None,
        totp_secret: Optional[str] = None,
        request_token: Optional[str] = None,
        secret: Optional[str] = None,
        api_secret: Optional[str] = None,
        api_key: Optional[str] = None,
        interactive: Optional[bool] = None,
    ) -> Session:
        """Get a session by the first way that applies, in this order:

        1. an ``enctoken`` or ``access_token`` given to the constructor (no network);
        2. ``request_token`` + ``secret`` (+ ``api_key``): the KiteConnect login;
        3. a stored session that has not expired (no login);
        4. Kite Web login with ``user_id``, ``password`` and ``twofa`` (a code, or
           a callable such as ``pyotp.TOTP(s).now``) or ``totp_secret``. What is
           missing is asked for on a terminal (password through getpass); in a
           non-interactive process an AuthError says what to pass.

        Logins (2 and 4) are saved to the store. Steps 3 and 4 hold the store's
        lock, so threads and processes that all find no session log in once.
        With a callable ``twofa`` or a ``totp_secret``, a session refused later
        (403) is renewed by logging in again once, and the call replayed once.

        Args:
            interactive: force (True) or forbid (False) prompting; default: prompt
                only when stdin is a terminal.

        Returns:
            The session now in use.

        Raises:
            ValueError: KiteConnect arguments given partly; an access token without api_key.
            brokers.errors.AuthError: no way to log in, or the broker refused the login.
        """
        if api_key:
            self.api_key = api_key
        if user_id:
            self._user_id = user_id
        redact.register(secret, api_secret, request_token)
        send = self._send_unauth
        web = WebLogin(send, self.web_root, self._user_id, password, twofa, totp_secret, interactive)
        flows = [GivenToken(self._given_enctoken, self._given_access_token, self.api_key, self._user_id),
                 ConnectLogin(send, self.root, self.api_key, request_token, secret or api_secret),
                 StoredSession(self.store, [self._store_key()], self.api_key), web]
        flow, session = run_flows(flows, self._lock, "kite",
                                  adopt=lambda f, s: self._adopt(s, flow=f.name, save=f.saves))
        self._set_repeat_login(web)
        log.info("kite: authorized %s via %s", session.user_id or "?", flow.name)
        return session

    # -- KiteConnect session endpoints --------------------------------------------------
    def login_url(self) -> str:
        """The KiteConnect login page for your app: open it in a browser; Kite
        redirects to your app with ``request_token``."""
        if not self.api_key:
            raise ValueError("login_url() needs api_key")
        return f"{self.web_root}{LOGIN_PATH}?api_key={self.api_key}&v=3"

    def generate_session(self, request_token: str, api_secret: str) -> Dict[str, Any]:
        """Exchange a ``request_token`` for an access token (and save the session).

        Returns:
            Kite's user/session dict, ``login_time`` as a naive datetime.
        """
        if not request_token or not api_secret:
            raise ValueError("generate_session() needs request_token and api_secret")
        return self._exchange("api.token", "request_token", request_token, api_secret)

    def renew_access_token(self, refresh_token: str, api_secret: str) -> Dict[str, Any]:
        """Get a new access token from a refresh token (and save the session).

        Returns:
            Kite's dict as kiteconnect returns it (``login_time``, if any, as Kite's string).
        """
        return self._exchange("api.token.renew", "refresh_token", refresh_token, api_secret, parse_login_time=False)

    def _exchange(self, route: str, field: str, token: str, api_secret: str, *,
                  parse_login_time: bool = True) -> Dict[str, Any]:
        """POST ``token`` with its checksum to a KiteConnect session route; save the session."""
        if not self.api_key:
            raise ValueError("a KiteConnect login needs api_key (pass it to Kite() or authorize())")
        data = exchange(self._send_unauth, self.root + self._routes[route], self.api_key, field, token, api_secret,
                        parse_login_time=parse_login_time)
        self._adopt(connect_session(data, self.api_key), flow="connect-login", save=True)
        return data

    def set_access_token(self, access_token: str) -> None:
        """Use an access token (kiteconnect's way; ``api_key`` must be set)."""
        if not self.api_key:
            raise ValueError("set_access_token() needs api_key")
        redact.register(access_token)
        self.session = Session(broker="kite", kind="access_token", token=access_token, api_key=self.api_key,
                               user_id=self._user_id)

    def invalidate_access_token(self, access_token: Optional[str] = None) -> bool:
        """Log the access token out at Kite and forget it locally."""
        token = access_token or self.access_token or self._given_access_token
        if not token or not self.api_key:
            raise ValueError("invalidate_access_token() needs api_key and an access token")
        redact.register(token)
        result = self._send_unauth("DELETE", self.root + self._routes["api.token.invalidate"],
                                   params={"api_key": self.api_key, "access_token": token})
        self._forget(token)
        return cast(bool, result)

    def invalidate_refresh_token(self, refresh_token: str) -> bool:
        """Invalidate a refresh token."""
        if not self.api_key:
            raise ValueError("invalidate_refresh_token() needs api_key")
        redact.register(refresh_token)
        return cast(bool, self._send_unauth("DELETE", self.root + self._routes["api.token.invalidate"],
                                            params={"api_key": self.api_key, "refresh_token": refresh_token}))

    def logout(self) -> None:
        """End the session: invalidate a KiteConnect token at Kite, and clear the
        stored session either way (Kite Web has no documented logout)."""
        token = self.session.token if self.session else None
        if self.access_token and self.api_key:
            try:
                self.invalidate_access_token()
            except ex.KiteException as e:
                log.info("kite: invalidating the access token failed (%s); clearing it locally", e.message)
        if token:
            self._forget(token)

    def _forget(self, token: str) -> None:
        if self.store is not None:
            for key in self._session_keys():
                stored = self.store.load(key)
                if stored is not None and stored.token == token:
                    self.store.clear(key)
        if self.session is not None and self.session.token == token:
            self.session = None
        # A token given to the constructor is not picked up again once logged out.
        if token in (self._given_enctoken, self._given_access_token):
            self._given_enctoken = self._given_access_token = None


class KiteConnect(Kite):
    """kiteconnect 5.2.2's ``KiteConnect``, for code that moves over by changing the import::

        from brokers.kite import KiteConnect      # was: from kiteconnect import KiteConnect
        kite = KiteConnect(api_key="your_api_key")
        data = kite.generate_session("request_token", api_secret="your_secret")

    What kiteconnect code and its subclasses touch works as there: every constructor
    argument (``pool``: ``HTTPAdapter`` arguments; ``disable_ssl``: no certificate
    check; ``proxies``; ``timeout``, default 7 s; ``debug``: DEBUG logging of the
    ``brokers`` logger, secrets masked); ``access_token``, ``api_key`` and ``root``
    are plain attributes, readable and assignable at any time (assigning a token is
    :meth:`set_access_token`); ``reqsession`` is the ``requests.Session`` in use, and
    a subclass may replace it; ``_routes``, ``_get``/``_post``/``_put``/``_delete``
    and ``_request`` are kiteconnect's chain (see :class:`~brokers.kite.base.KiteBase`).
    Sessions are kept in a :class:`~brokers.stores.MemoryStore` unless ``store=``
    says otherwise, as kiteconnect keeps nothing on disk. An exception raised by the
    session-expiry hook reaches the caller, as in kiteconnect.
    """

    expiry_hook_raises = True

    def __init__(self, api_key: str, access_token: Optional[str] = None, root: Optional[str] = None,
                 debug: bool = False, timeout: Optional[float] = None, proxies: Optional[Dict[str, str]] = None,
                 pool: Optional[Dict[str, Any]] = None, disable_ssl: bool = False, **kw: Any) -> None:
        session = kw.pop("session", None) or requests.Session()
        if proxies:
            session.proxies.update(proxies)
        if pool:
            adapter = requests.adapters.HTTPAdapter(**pool)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        if disable_ssl:
            session.verify = False
        self.debug = debug
        self.disable_ssl = disable_ssl
        self.proxies = dict(proxies or {})
        if debug:
            logging.getLogger("brokers").setLevel(logging.DEBUG)
        kw.setdefault("store", MemoryStore())
        super().__init__(access_token=access_token, api_key=api_key, root=root,
                         timeout=timeout or 7.0, session=session, **kw)

    @property
    def access_token(self) -> Optional[str]:
        """The access token in use (as given, before any call), else None. Assigning
        one is :meth:`set_access_token`; assigning None forgets the session."""
        session = self.session
        if session is not None:
            return session.token if session.kind == "access_token" else None
        return self._given_access_token

    @access_token.setter
    def access_token(self, value: Optional[str]) -> None:
        if value is None:
            self._given_access_token = None
            self.session = None
        else:
            self.set_access_token(value)

    @property
    def reqsession(self) -> requests.Session:
        """The ``requests.Session`` every call goes through; assign another to replace it."""
        return self.transport.session

    @reqsession.setter
    def reqsession(self, session: requests.Session) -> None:
        self.transport.session = session

    @property
    def timeout(self) -> Any:
        """Seconds each call may take (kiteconnect's attribute)."""
        return self.transport.timeout

    @timeout.setter
    def timeout(self, value: Any) -> None:
        self.transport.timeout = value
