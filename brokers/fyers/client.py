"""The Fyers API v3 REST client: session handling; the endpoint methods live in
mixins, one module per area: :mod:`~brokers.fyers.account`,
:mod:`~brokers.fyers.orders`, :mod:`~brokers.fyers.market`, :mod:`~brokers.fyers.extras`.

Method names and arguments follow ``fyers_apiv3.fyersModel.FyersModel`` so
that code written for it moves over unchanged; the differences are the ones a
caller wants: errors raise typed exceptions (never a shared, mutable error
dict), bad arguments raise :class:`ValueError` before any network call, every
call has a timeout, nothing is written to log files in the working
directory, and an order call is never retried once it may have reached Fyers.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Optional

import requests

from ..core import redact
from ..core.auth import AuthFlow
from ..core.http import RateLimits, TimeoutType, Transport
from ..core.redact import mask
from ..stores import FileStore, SessionStore, bind
from . import routes
from .account import AccountMixin
from .auth import FyersAuth, RefreshFlow, StoredSessionFlow, make_session, session_key, split_token
from .decode import decode
from .extras import FyersExtras
from .market import MarketMixin
from .orders import OrdersMixin
from .symbols import SymbolsMixin

__all__ = ["Fyers"]

log = logging.getLogger(__name__)


class Fyers(AccountMixin, OrdersMixin, MarketMixin, FyersExtras, SymbolsMixin):
    """Fyers API v3 (``FyersModel`` methods), synchronous, on one HTTP session.

    Args:
        client_id: the app id (``"XB12345-100"``).
        token: the access token (``"APPID:token"`` is accepted too). When None,
            the session stored under ``"fyers-<client_id>"`` is used.
        store: a :class:`~brokers.stores.SessionStore` to read the session from
            (and to clear when Fyers refuses it); default
            :class:`~brokers.stores.FileStore` (as every client).
        auth: a :class:`FyersAuth` for refreshing a refused token, with ``pin``.
        pin: the user's PIN, to refresh with the stored refresh token.
        root: the trading API root (``https://api-t1.fyers.in/api/v3``).
        data_root: the market data root (``https://api-t1.fyers.in/data``).
        public_root: where the symbol master files live (``https://public.fyers.in``).
        timeout: seconds, or ``(connect, read)``.
        rate_limits: ``{"default": [(calls, seconds), ...]}`` to replace Fyers'
            10/s, 200/min, 100000/day, or ``False`` to turn limiting off.
        session: a ``requests.Session`` to use (proxies, certificates).
        is_async, log_path, log_level: accepted for ``FyersModel`` compatibility;
            ``is_async=True`` is refused, and no log files are ever written.

    Construction makes no network call. Alerts, smart orders, smart exit triggers,
    reports, screeners and expired-F&O data come from :class:`~brokers.fyers.extras.FyersExtras`.

    Example::

        with Fyers(client_id="XB12345-100", token=access_token) as fyers:
            fyers.get_profile()
            fyers.quotes({"symbols": "NSE:SBIN-EQ,NSE:INFY-EQ"})
    """

    broker = "fyers"

    def __init__(
        self,
        client_id: Optional[str] = None,
        token: Optional[str] = None,
        *,
        store: Optional[SessionStore] = None,
        auth: Optional[FyersAuth] = None,
        pin: Optional[str] = None,
        root: str = routes.API_ROOT,
        data_root: str = routes.DATA_ROOT,
        public_root: str = routes.PUBLIC_ROOT,
        timeout: TimeoutType = (5.0, 15.0),
        rate_limits: RateLimits = None,
        session: Optional[requests.Session] = None,
        is_async: bool = False,
        log_path: Optional[str] = None,
        log_level: Optional[str] = None,
    ) -> None:
        if is_async:
            raise ValueError("is_async=True is not supported: brokers is synchronous (call it from a thread "
                             "pool in async code)")
        # log_path and log_level are accepted so FyersModel(...) calls move over unchanged;
        # nothing is written to files: configure the "brokers" logger instead.
        del log_path, log_level
        super().__init__(store if store is not None else FileStore())
        if token is not None:
            if not isinstance(token, str) or not token.strip():
                raise ValueError("token must be a non-empty string")
            client_id, token = split_token(client_id, token.strip())
        if client_id is not None and (not isinstance(client_id, str) or not client_id.strip()):
            raise ValueError("client_id must be a non-empty string")
        if client_id is None and auth is not None:
            client_id = auth.client_id
        if client_id is None:
            raise ValueError("client_id is required (the app id, e.g. 'XB12345-100')")
        self.client_id = client_id.strip()
        self.auth = auth
        self._pin = str(pin) if pin is not None else None
        redact.register(token, self._pin)
        self.root = root.rstrip("/")
        self.data_root = data_root.rstrip("/")
        self.public_root = public_root.rstrip("/")
        self.store = bind(self.store, self.root, default_root=routes.API_ROOT)
        self.transport = Transport(routes.BROKER, decode=decode, timeout=timeout, rate_limits=rate_limits,
                                   default_limits=routes.RATE_LIMITS, session=session,
                                   headers={"version": "3"}, budget=self._rate_budget)
        if token is not None:
            self.session = make_session(self.client_id, token)
            self.auth_flow = "token"
        if auth is not None:
            self._set_repeat_login(RefreshFlow(self._send_unauth, self.root, self.client_id, auth.get_hash(),
                                               self._pin))

    # -- session -----------------------------------------------------------------------------
    @property
    def token(self) -> Optional[str]:
        """The access token in use (None until one is given or loaded)."""
        return self.session.token if self.session else None

    def _session_keys(self) -> List[str]:
        return [session_key(self.client_id)]

    def _rate_account(self) -> Optional[str]:
        return self.client_id

    def _passive_flows(self) -> List[AuthFlow]:
        return [StoredSessionFlow(self.store, self.client_id)]

    def _login_hint(self) -> str:
        return "pass token=..., or log in with FyersAuth and a store"

    def _auth_headers(self) -> Dict[str, str]:
        assert self.session is not None  # BaseClient._send made sure of it
        return {"Authorization": f"{self.client_id}:{self.session.token}"}

    def generate_data_token(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A data-vendor token (``POST /data-token``), as ``fyers_apiv3``'s method of the
        same name: Fyers' JSON. ``data`` is sent as the JSON body unchanged (e.g.
        ``{"vendorApp": "<vendor app id>"}``).

        Raises:
            ValueError: ``data`` is not a dict.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"data must be a dict, got {type(data).__name__}")
        return self._call("generate_data_token", body=dict(data))

    def logout(self) -> Dict[str, Any]:
        """End the session (``POST /logout``); the stored session is cleared too."""
        result = self._call("logout")
        if self.store is not None:
            stored = self.store.load(session_key(self.client_id))
            if stored is not None and self.session is not None and stored.token == self.session.token:
                self.store.clear(session_key(self.client_id))
        return result

    def __repr__(self) -> str:
        return f"Fyers(client_id={self.client_id!r}, token={mask(self.token)}, root={self.root!r})"
