"""The Dhan REST client: session handling and Dhan's own token routes.

The endpoint methods live in mixins, one module per area:
:mod:`~brokers.dhan.orders`, :mod:`~brokers.dhan.account`, :mod:`~brokers.dhan.data`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Union, cast

from .. import errors
from ..core import redact
from ..core.auth import AuthFlow, run_flows
from ..core.http import RateLimits, TimeoutType, Transport
from ..core.redact import mask
from ..stores import FileStore, Session, SessionStore, bind
from . import routes
from .account import AccountMixin
from .auth import (
    ConsentLogin,
    GivenToken,
    PinTotpLogin,
    StoredSession,
    Totp,
    as_auth_error,
    make_session,
    session_keys,
)
from .base import DhanBase
from .data import DataMixin
from .decode import decode
from .global_stocks import GlobalStocksMixin
from .orders import OrdersMixin
from .symbols import SymbolsMixin

__all__ = ["Dhan"]

log = logging.getLogger(__name__)

_DEFAULT = object()


class Dhan(OrdersMixin, AccountMixin, DataMixin, GlobalStocksMixin, SymbolsMixin, DhanBase):
    """DhanHQ v2 REST client, with the method names and arguments of ``dhanhq`` 2.x.

    Every call sends the ``access-token`` and ``client-id`` headers; bodies are
    JSON. Nothing goes on the network until the first call. Errors raise
    :mod:`brokers.errors` classes keyed on Dhan's ``errorCode`` (DH-901 ->
    :class:`~brokers.errors.TokenExpired`, DH-904 -> :class:`~brokers.errors.RateLimitError`,
    DH-905 -> :class:`~brokers.errors.InputError`, DH-906 ->
    :class:`~brokers.errors.OrderError`, ...) instead of ``dhanhq``'s
    ``{"status": "failure"}`` dicts. Order calls are never retried.

    Args:
        client_id: the Dhan client id (read from the token or the store if omitted).
        access_token: a token from web.dhan.co or any of Dhan's token routes.
        store: where sessions are kept between processes (``EnvStore()`` reads
            ``DHAN_CLIENT_ID`` and ``DHAN_ACCESS_TOKEN``); keys ``dhan-<client_id>``
            and ``dhan``. Default: :class:`~brokers.stores.FileStore` (as every client).
        root: REST root (default ``https://api.dhan.co/v2``).
        auth_root: token-route root (default ``https://auth.dhan.co``).
        scrip_root: where the scrip master CSVs live.
        global_scrip_root: where the US stock list lives.
        timeout: seconds, or ``(connect, read)``.
        rate_limits: group (``orders``, ``data``, ``quote``, ``option_chain``,
            ``default``) -> list of ``(calls, seconds)``; ``False`` turns limiting off.
        cache_dir: where :meth:`fetch_security_list` keeps the day's CSV
            (default: the user cache directory); ``False``: no cache.
        session: a ``requests.Session`` to send through (proxies, certificates).

    Example::

        from brokers.dhan import Dhan

        with Dhan(client_id="1100000001", access_token=token) as dhan:
            print(dhan.get_holdings())
            dhan.place_order("1333", "NSE_EQ", "BUY", 1, "MARKET", "INTRADAY", 0, tag="run-42")
    """

    broker = "dhan"

    # dhanhq's constants, so that code written for it keeps working
    NSE, BSE, CUR, MCX, FNO, NSE_FNO, BSE_FNO, INDEX = (
        "NSE_EQ", "BSE_EQ", "NSE_CURRENCY", "MCX_COMM", "NSE_FNO", "NSE_FNO", "BSE_FNO", "IDX_I")
    BUY, SELL = "BUY", "SELL"
    CNC, INTRA, MARGIN, CO, BO, MTF = "CNC", "INTRADAY", "MARGIN", "CO", "BO", "MTF"
    LIMIT, MARKET, SL, SLM = "LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_MARKET"
    DAY, IOC = "DAY", "IOC"

    def __init__(
        self,
        client_id: Optional[str] = None,
        access_token: Optional[str] = None,
        *,
        store: Optional[SessionStore] = None,
        root: str = routes.API_ROOT,
        auth_root: str = routes.AUTH_ROOT,
        scrip_root: str = routes.SCRIP_ROOT,
        global_scrip_root: str = routes.GLOBAL_SCRIP_ROOT,
        timeout: TimeoutType = (5.0, 15.0),
        rate_limits: RateLimits = None,
        cache_dir: Union[str, Path, None, bool] = None,
        session: Any = None,
        retries: int = 3,
    ) -> None:
        super().__init__(store if store is not None else FileStore())
        if client_id is not None and (not isinstance(client_id, (str, int)) or isinstance(client_id, bool)
                                      or not str(client_id).strip()):
            raise ValueError(f"client_id must be a non-empty string, got {client_id!r}")
        if access_token is not None and (not isinstance(access_token, str) or not access_token.strip()):
            raise ValueError("access_token must be a non-empty string")
        self.client_id: Optional[str] = str(client_id).strip() if client_id is not None else None
        self.root = root.rstrip("/")
        self.auth_root = auth_root.rstrip("/")
        self.scrip_root = scrip_root.rstrip("/")
        self.global_scrip_root = global_scrip_root.rstrip("/")
        self.store = bind(self.store, self.root, default_root=routes.API_ROOT)
        if cache_dir is None or cache_dir is True:
            import platformdirs

            self.cache_dir: Optional[Path] = Path(platformdirs.user_cache_dir("brokers", appauthor=False)) / "dhan"
        else:
            self.cache_dir = None if cache_dir is False else Path(cache_dir)
        self.transport = Transport(
            "dhan", decode=decode, timeout=timeout, rate_limits=rate_limits,
            default_limits=routes.DEFAULT_LIMITS, session=session, retries=retries,
            headers={"Accept": "application/json"}, budget=self._rate_budget,
        )
        self._login: Optional[PinTotpLogin] = None
        if access_token:
            self._adopt(GivenToken(access_token, self.client_id).login(), save=store is not None, flow="token")

    # -- session -----------------------------------------------------------------------------
    @property
    def access_token(self) -> Optional[str]:
        """The current access token, or None."""
        return self.session.token if self.session else None

    def _adopt(self, session: Optional[Session], *, flow: str, save: bool) -> None:
        if session is None:
            return
        if self.client_id and session.user_id and session.user_id != self.client_id:
            raise errors.AuthError(f"the token belongs to client {session.user_id}, not {self.client_id}",
                                   broker="dhan")
        if not session.user_id and self.client_id:
            session.user_id = self.client_id
        self.client_id = self.client_id or session.user_id
        self.session = session
        self.auth_flow = flow
        if save and self.store is not None:
            for key in session_keys(self.client_id):
                stored = self.store.load(key)
                if stored is None or stored.token != session.token:
                    self.store.save(key, session)

    def _rate_account(self) -> Optional[str]:
        return self.client_id

    def _session_keys(self) -> List[str]:
        return list(session_keys(self.client_id))

    def _passive_flows(self) -> List[AuthFlow]:
        return [StoredSession(self.store, self.client_id)]

    def _login_hint(self) -> str:
        return ("pass client_id and access_token, a store that holds a session, "
                "or call authorize(pin=..., totp=...)")

    def _auth_headers(self) -> Dict[str, str]:
        session = self.session
        assert session is not None  # BaseClient._send made sure of it
        return {"access-token": session.token, "client-id": str(self.client_id or session.user_id or "")}

    def _renew_ahead(self) -> bool:
        """Ahead of expiry: a newer session another process saved, else Dhan's
        RenewToken (no PIN or TOTP needed while the token lives), else the re-login."""
        with self._lock():
            if self._first(self._passive_flows(), dead=self.session) is not None:
                return True
            try:
                self.renew_token()
                return True
            except errors.BrokerError as e:
                log.info("dhan: RenewToken refused (%s); trying a fresh login", e.message)
        return self._relogin(self.session)

    def authorize(self, *, pin: Optional[str] = None, totp: Totp = None, totp_secret: Optional[str] = None,
                  token_id: Optional[str] = None, app_id: Optional[str] = None,
                  app_secret: Optional[str] = None) -> Session:
        """Make sure the client holds a live session, logging in only if needed.

        Tries, in order: the token given to the constructor; the consent flow's
        ``token_id`` (with ``app_id``/``app_secret``); a live session in the store;
        a PIN+TOTP login. A PIN+TOTP login is saved to the store; with a
        ``totp_secret`` or a callable ``totp`` the client logs in again by itself
        when Dhan refuses the token (once per refused call).

        Args:
            pin: the account PIN.
            totp: a 6-digit code, or a callable that returns one (``pyotp.TOTP(s).now``).
            totp_secret: the TOTP secret; codes are made with ``pyotp``.
            token_id: the ``tokenId`` from the consent flow's redirect.
            app_id, app_secret: the API key and secret of the consent flow.

        Returns:
            The session in use (as ``Kite.authorize()`` does). ``dhan.auth_flow`` names
            the flow that gave it: ``"token"``, ``"consent"``, ``"stored"`` or ``"pin-totp"``.

        Raises:
            ValueError: a flow's arguments are incomplete (e.g. a PIN without a TOTP).
            brokers.errors.AuthError: no way to log in, or Dhan refused the credentials.
        """
        login = PinTotpLogin(self._send_unauth, self.auth_root, self.client_id, pin, totp, totp_secret)
        if login.applies:
            if not self.client_id:
                raise ValueError("PIN+TOTP login needs client_id (pass it to Dhan(...))")
            if not pin or not (totp or totp_secret):
                raise ValueError("PIN+TOTP login needs pin and one of totp or totp_secret")
            self._login = login
            self._set_repeat_login(login)
        if self.session is not None and not self.session.expired() and not token_id:
            self.auth_flow = self.auth_flow or "token"
            return self.session
        flows: List[AuthFlow] = []
        if token_id or app_id or app_secret:
            flows.append(ConsentLogin(self._send_unauth, self.auth_root, self.client_id, token_id, app_id,
                                      app_secret))
        flows.append(StoredSession(self.store, self.client_id))
        if self._login is not None:
            flows.append(self._login)
        flow, session = run_flows(flows, self._lock, "dhan",
                                  adopt=lambda f, s: self._adopt(s, flow=f.name, save=f.saves))
        return session

    # -- Dhan's token routes (DhanLogin in dhanhq) --------------------------------------------------
    def generate_token(self, pin: str, totp: Totp) -> Dict[str, Any]:
        """Get a 24-hour token with PIN and TOTP (``POST auth.dhan.co/app/generateAccessToken``),
        adopt it, save it to the store, and return Dhan's JSON. Dhan takes the PIN and
        code in the query string; that URL is never logged.

        Raises:
            ValueError: ``client_id``, ``pin`` or ``totp`` missing.
            brokers.errors.AuthError: Dhan refused them.
        """
        flow = PinTotpLogin(self._send_unauth, self.auth_root, self.client_id, pin, totp)
        data = flow.request()
        self._adopt(make_session(str(data["accessToken"]), str(data.get("dhanClientId") or self.client_id),
                                 expiry_time=data.get("expiryTime"), fresh=True), save=True, flow="pin-totp")
        return data

    def generate_login_session(self, app_id: str, app_secret: str) -> str:
        """Step 1 of the API-key consent flow (``POST /app/generate-consent``).

        Returns:
            The ``consentAppId``; send the user to :meth:`login_url` with it, then pass
            the ``tokenId`` from the redirect to :meth:`consume_token_id`. (``dhanhq``
            opens a browser here; a library should not.)
        """
        if not app_id or not app_secret:
            raise ValueError("generate_login_session needs app_id and app_secret")
        if not self.client_id:
            raise ValueError("generate_login_session needs client_id (pass it to Dhan(...))")
        redact.register(app_secret)
        refused: Optional[errors.BrokerError] = None
        try:
            data = self._send_unauth("POST", self.auth_root + routes.AUTH_CONSENT, params={"client_id": self.client_id},
                                     headers={"app_id": app_id, "app_secret": app_secret})
        except errors.BrokerError as exc:
            refused = exc
        if refused is not None:
            raise as_auth_error(refused, "consent")
        if not isinstance(data, dict) or not data.get("consentAppId"):
            raise errors.AuthError("generate-consent returned no consentAppId", broker="dhan")
        return str(data["consentAppId"])

    def login_url(self, consent_app_id: str) -> str:
        """The browser URL where the user logs in for the consent flow."""
        return f"{self.auth_root}{routes.AUTH_CONSENT_LOGIN}?consentAppId={consent_app_id}"

    def consume_token_id(self, token_id: str, app_id: str, app_secret: str) -> Dict[str, Any]:
        """Step 3 of the consent flow: exchange ``token_id`` for a token, adopt and
        save it, and return Dhan's JSON."""
        flow = ConsentLogin(self._send_unauth, self.auth_root, self.client_id, token_id, app_id, app_secret)
        data = flow.request()
        self._adopt(make_session(str(data["accessToken"]), str(data.get("dhanClientId") or self.client_id or "")
                                 or None, expiry_time=data.get("expiryTime"), fresh=True), save=True, flow="consent")
        return data

    def renew_token(self) -> Dict[str, Any]:
        """Extend a web-generated token that is still valid by another 24 hours
        (``GET /v2/RenewToken``); adopts and saves the new token; returns Dhan's JSON."""
        session = self._ensure_session()
        data = self._send("GET", self.root + routes.RENEW_TOKEN, auth=False, group="default",
                          headers={"access-token": session.token, "dhanClientId": str(self.client_id or "")})
        token = (data.get("token") or data.get("accessToken")) if isinstance(data, dict) else None
        if not token:
            raise errors.ResponseError("RenewToken returned no token", broker="dhan")
        assert isinstance(data, dict)
        self._adopt(make_session(str(token), self.client_id, expiry_time=data.get("expiryTime"), fresh=True),
                    save=True, flow="renew")
        return data

    def user_profile(self) -> Dict[str, Any]:
        """The token's profile and validity (``GET /v2/profile``): a cheap token check."""
        return cast(Dict[str, Any], self._call("user_profile"))

    get_profile = user_profile

    def _body_client_id(self) -> Optional[str]:
        if self.client_id is None:
            self._adopt(StoredSession(self.store, None).login(), save=False, flow="stored")
        return self.client_id

    def __repr__(self) -> str:
        return (f"Dhan(client_id={self.client_id!r}, session={mask(self.session.token if self.session else None)}, "
                f"root={self.root!r})")
