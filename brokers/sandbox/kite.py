"""The sandbox playing Zerodha Kite: web login with TOTP, KiteConnect sessions,
the REST routes, an order book, rate limits.

Mounted under ``/kite/connect`` (the KiteConnect API root) and ``/kite/web``
(the Kite Web host: ``/api/login``, ``/api/twofa``, ``/connect/login`` and the
web API under ``/oms``).
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlencode

import pyotp

from .kite_routes import KiteRoutes, _err, _ist, _ok
from .market import Market
from .server import CallWindows, Request, Response, Router

__all__ = ["KiteAccount", "KiteSandbox"]

CONNECT = "/kite/connect"
WEB = "/kite/web"
OMS = WEB + "/oms"


@dataclass
class KiteAccount:
    """A sandbox Kite user."""

    user_id: str
    password: str
    totp_secret: str
    user_name: str
    email: str


@dataclass
class _Token:
    user_id: str
    kind: str  # "access_token" | "enctoken"
    api_key: Optional[str] = None


class KiteSandbox(KiteRoutes):
    """State and routes of the Kite part of the sandbox.

    Attributes:
        accounts: user id -> :class:`KiteAccount` (default ``AB1234``).
        api_key, api_secret: the one KiteConnect app the sandbox knows.
        rate_limits: group -> ``(calls, seconds)`` the sandbox enforces with 429.
        logins: how many web and KiteConnect logins succeeded.
        order_listeners: callables ``(user_id, order_dict)`` told of every order change
            (the ticker server pushes them as order updates).
    """

    api_key = "sandbox_api_key"
    api_secret = "sandbox_api_secret"

    def __init__(self, market: Market) -> None:
        self.market = market
        self.lock = threading.RLock()
        self.accounts: Dict[str, KiteAccount] = {
            "AB1234": KiteAccount("AB1234", "sandbox-password", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                                  "Sandbox Trader", "trader@example.com"),
            "CD5678": KiteAccount("CD5678", "second-password", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU",
                                  "Second Trader", "second@example.com"),
        }
        self.tokens: Dict[str, _Token] = {}
        self.refresh_tokens: Dict[str, str] = {}
        self._request_tokens: Dict[str, str] = {}
        self._pending_twofa: Dict[str, str] = {}
        self.logins: collections.Counter[str] = collections.Counter()
        self.rate_limits: Dict[str, Tuple[int, float]] = {
            "quote": (1, 1.0), "historical": (3, 1.0), "orders": (10, 1.0), "default": (10, 1.0)}
        self._windows = CallWindows()
        self.order_listeners: List[Callable[[str, Dict[str, Any]], None]] = []
        self.redirect_url = "http://127.0.0.1/kite/callback"
        self._ids = itertools.count(1)
        self.orders: Dict[str, Dict[str, Any]] = {}  # order_id -> latest state
        self.order_history: Dict[str, List[Dict[str, Any]]] = {}
        self.trades: List[Dict[str, Any]] = []
        self.gtts: Dict[int, Dict[str, Any]] = {}
        self.alerts: Dict[str, Dict[str, Any]] = {}
        self.mf_orders: Dict[str, Dict[str, Any]] = {}
        self.mf_sips: Dict[str, Dict[str, Any]] = {}
        self.holdings_qty: Dict[str, int] = {"INFY": 10, "SBIN": 25, "RELIANCE": 4, "TCS": 2}

    # -- helpers for tests and the demo -------------------------------------------------
    def totp(self, user_id: str = "AB1234") -> str:
        """The current TOTP code of a sandbox account."""
        return pyotp.TOTP(self.accounts[user_id].totp_secret).now()

    def issue_request_token(self, user_id: str = "AB1234") -> str:
        """A KiteConnect request token, as the redirect after a browser login carries."""
        tok = secrets.token_urlsafe(16)
        with self.lock:
            self._request_tokens[tok] = user_id
        return tok

    def issue_access_token(self, user_id: str = "AB1234") -> str:
        """A valid KiteConnect access token for ``user_id``, without any login."""
        tok = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[tok] = _Token(user_id, "access_token", self.api_key)
        return tok

    def issue_enctoken(self, user_id: str = "AB1234") -> str:
        """A valid Kite Web enctoken for ``user_id``, without any login."""
        tok = secrets.token_urlsafe(30).replace("-", "+").replace("_", "/") + "=="
        with self.lock:
            self.tokens[tok] = _Token(user_id, "enctoken")
        return tok

    def expire_sessions(self, user_id: Optional[str] = None) -> None:
        """Make every token (of ``user_id``, or of everyone) invalid, as 06:00 IST does."""
        with self.lock:
            for tok in [t for t, s in self.tokens.items() if user_id in (None, s.user_id)]:
                del self.tokens[tok]

    def valid(self, token: str, kind: Optional[str] = None) -> Optional[str]:
        """The user id of a live token, or None."""
        with self.lock:
            t = self.tokens.get(token)
        if t is None or (kind and t.kind != kind):
            return None
        return t.user_id

    def order_count(self, tag: Optional[str] = None) -> int:
        with self.lock:
            return sum(1 for o in self.orders.values() if tag is None or o.get("tag") == tag)

    # -- routing ------------------------------------------------------------------------
    def mount(self, router: Router) -> None:
        r = router
        r.add("GET", WEB + "/connect/login", self.connect_login)
        r.add("POST", WEB + "/api/login", self.web_login)
        r.add("POST", WEB + "/api/twofa", self.web_twofa)
        # KiteConnect is served under /kite/connect and also at the root, because
        # kiteconnect's urljoin drops any path from its root (so it can be pointed here too).
        for prefix in (CONNECT, ""):
            r.add("POST", prefix + "/session/token", self.session_token)
            r.add("POST", prefix + "/session/refresh_token", self.session_refresh)
            r.add("DELETE", prefix + "/session/token", self.session_delete)
            r.add("GET", prefix + "/instruments", self.instruments)
            r.add("GET", prefix + "/instruments/{exchange}", self.instruments)
        routes: List[Tuple[str, str, str, Callable[[Request, str], Response]]] = [
            ("GET", "/user/profile", "default", self.profile),
            ("GET", "/user/profile/full", "default", self.profile_full),
            ("GET", "/user/margins", "default", self.margins),
            ("GET", "/user/margins/{segment}", "default", self.margins),
            ("POST", "/orders/{variety}", "orders", self.place_order),
            ("PUT", "/orders/{variety}/{order_id}", "orders", self.modify_order),
            ("DELETE", "/orders/{variety}/{order_id}", "orders", self.cancel_order),
            ("GET", "/orders", "default", self.list_orders),
            ("GET", "/orders/{order_id}", "default", self.get_order_history),
            ("GET", "/orders/{order_id}/trades", "default", self.get_order_trades),
            ("GET", "/trades", "default", self.list_trades),
            ("GET", "/portfolio/positions", "default", self.positions),
            ("PUT", "/portfolio/positions", "default", self.convert_position),
            ("GET", "/portfolio/holdings", "default", self.holdings),
            ("GET", "/portfolio/holdings/auctions", "default", self.auctions),
            ("GET", "/portfolio/holdings/summary", "default", self.holdings_summary),
            ("GET", "/portfolio/holdings/compact", "default", self.holdings_compact),
            ("POST", "/portfolio/holdings/authorise", "default", self.holdings_authorise),
            ("GET", "/quote", "quote", self.quote),
            ("GET", "/quote/ohlc", "quote", self.ohlc),
            ("GET", "/quote/ltp", "quote", self.ltp),
            ("GET", "/instruments/historical/{token}/{interval}", "historical", self.historical),
            ("GET", "/instruments/trigger_range/{transaction_type}", "default", self.trigger_range),
            ("GET", "/gtt/triggers", "default", self.gtt_list),
            ("POST", "/gtt/triggers", "default", self.gtt_place),
            ("GET", "/gtt/triggers/{trigger_id}", "default", self.gtt_get),
            ("PUT", "/gtt/triggers/{trigger_id}", "default", self.gtt_modify),
            ("DELETE", "/gtt/triggers/{trigger_id}", "default", self.gtt_delete),
            ("POST", "/margins/orders", "default", self.order_margins),
            ("POST", "/margins/basket", "default", self.basket_margins),
            ("POST", "/charges/orders", "default", self.charges),
            ("GET", "/mf/orders", "default", self.mf_order_list),
            ("GET", "/mf/orders/{order_id}", "default", self.mf_order_get),
            ("POST", "/mf/orders", "default", self.mf_order_place),
            ("DELETE", "/mf/orders/{order_id}", "default", self.mf_order_cancel),
            ("GET", "/mf/sips", "default", self.mf_sip_list),
            ("GET", "/mf/sips/{sip_id}", "default", self.mf_sip_get),
            ("POST", "/mf/sips", "default", self.mf_sip_place),
            ("PUT", "/mf/sips/{sip_id}", "default", self.mf_sip_modify),
            ("DELETE", "/mf/sips/{sip_id}", "default", self.mf_sip_cancel),
            ("GET", "/mf/holdings", "default", self.mf_holdings),
            ("GET", "/mf/holdings/{isin}", "default", self.mf_holding),
            ("GET", "/mf/allotments", "default", self.mf_allotments),
            ("GET", "/mf/instruments", "default", self.mf_instruments),
            ("GET", "/alerts", "default", self.alert_list),
            ("POST", "/alerts", "default", self.alert_create),
            ("DELETE", "/alerts", "default", self.alert_delete),
            ("GET", "/alerts/{uuid}", "default", self.alert_get),
            ("PUT", "/alerts/{uuid}", "default", self.alert_modify),
            ("GET", "/alerts/{uuid}/history", "default", self.alert_history),
        ]
        for method, path, group, handler in routes:
            r.add(method, CONNECT + path, self._guard(group, handler, "access_token"))
            r.add(method, path, self._guard(group, handler, "access_token"))
            r.add(method, OMS + path, self._guard(group, handler, "enctoken"))

    def _guard(self, group: str, handler: Callable[[Request, str], Response], kind: str) -> Callable[[Request], Response]:
        def wrapped(req: Request) -> Response:
            auth = req.header("authorization") or ""
            if kind == "access_token":
                scheme, _, cred = auth.partition(" ")
                key, _, token = cred.partition(":")
                user = self.valid(token, kind) if scheme == "token" and key == self.api_key else None
            else:
                scheme, _, token = auth.partition(" ")
                user = self.valid(token, kind) if scheme == "enctoken" else None
            if user is None:
                return _err(403, "TokenException", "Incorrect `api_key` or `access_token`.")
            if not self._admit(user, group):
                return Response(429, {"status": "error", "message": "Too many requests",
                                      "error_type": "NetworkException"}, headers={"Retry-After": "1"})
            with self.lock:
                return handler(req, user)
        return wrapped

    def _admit(self, user: str, group: str) -> bool:
        return self._windows.admit((user, group), [self.rate_limits.get(group, self.rate_limits["default"])])

    # -- login --------------------------------------------------------------------------
    def connect_login(self, req: Request) -> Response:
        if req.arg("api_key") != self.api_key:
            return _err(400, "InputException", "Invalid `api_key`.")
        user = req.arg("user_id")
        if user in self.accounts:  # the sandbox's shortcut for the browser step
            token = self.issue_request_token(user)
            target = f"{self.redirect_url}?{urlencode({'request_token': token, 'action': 'login', 'status': 'success'})}"
            return Response(302, "", headers={"Location": target})
        return Response(200, "<html><body>Kite sandbox login: add &user_id=AB1234 to log in.</body></html>",
                        "text/html")

    def web_login(self, req: Request) -> Response:
        form = req.form
        acct = self.accounts.get(form.get("user_id", ""))
        if acct is None or form.get("password") != acct.password:
            return _err(400, "InputException", "Invalid `user_id` or `password`.")
        request_id = secrets.token_urlsafe(12)
        with self.lock:
            self._pending_twofa[request_id] = acct.user_id
        return _ok({"user_id": acct.user_id, "request_id": request_id, "twofa_type": "totp",
                    "twofa_types": ["totp"], "twofa_status": "active",
                    "profile": {"user_name": acct.user_name, "user_shortname": acct.user_name.split()[0],
                                "avatar_url": None}})

    def web_twofa(self, req: Request) -> Response:
        form = req.form
        with self.lock:
            user = self._pending_twofa.get(form.get("request_id", ""))
        if user is None or user != form.get("user_id"):
            return _err(400, "InputException", "Invalid `request_id`. Log in again.")
        if not pyotp.TOTP(self.accounts[user].totp_secret).verify(form.get("twofa_value", ""), valid_window=1):
            return _err(400, "TwoFAException", "Invalid TOTP.", {"attempts_remaining": 4})
        with self.lock:
            self._pending_twofa.pop(form.get("request_id", ""), None)
            self.logins["web"] += 1
        enctoken = self.issue_enctoken(user)
        resp = _ok({"profile": {}})
        resp.headers["Set-Cookie"] = f"enctoken={enctoken}; Path=/; HttpOnly"
        return resp

    def _session_data(self, user: str, access_token: str, refresh: str) -> Dict[str, Any]:
        acct = self.accounts[user]
        return {"user_type": "individual", "email": acct.email, "user_name": acct.user_name,
                "user_shortname": acct.user_name.split()[0], "broker": "ZERODHA",
                "exchanges": ["NSE", "BSE", "NFO", "CDS", "MCX"], "products": ["CNC", "NRML", "MIS"],
                "order_types": ["MARKET", "LIMIT", "SL", "SL-M"], "avatar_url": None, "user_id": user,
                "api_key": self.api_key, "access_token": access_token, "public_token": secrets.token_hex(8),
                "refresh_token": refresh, "enctoken": "", "silo": "sandbox",
                "login_time": _ist(time.time()), "meta": {"demat_consent": "consent"}}

    def session_token(self, req: Request) -> Response:
        form = req.form
        if form.get("api_key") != self.api_key:
            return _err(403, "TokenException", "Invalid `api_key`.")
        rt = form.get("request_token", "")
        expected = hashlib.sha256((self.api_key + rt + self.api_secret).encode()).hexdigest()
        if form.get("checksum") != expected:
            return _err(403, "TokenException", "Invalid `checksum`.")
        with self.lock:
            user = self._request_tokens.pop(rt, None)
        if user is None:
            return _err(403, "TokenException", "Token is invalid or has expired.")
        access = self.issue_access_token(user)
        refresh = secrets.token_urlsafe(16)
        with self.lock:
            self.refresh_tokens[refresh] = user
            self.logins["connect"] += 1
        return _ok(self._session_data(user, access, refresh))

    def session_refresh(self, req: Request) -> Response:
        form = req.form
        rt = form.get("refresh_token", "")
        expected = hashlib.sha256((self.api_key + rt + self.api_secret).encode()).hexdigest()
        with self.lock:
            user = self.refresh_tokens.get(rt)
        if form.get("api_key") != self.api_key or form.get("checksum") != expected or user is None:
            return _err(403, "TokenException", "Invalid refresh token.")
        return _ok(self._session_data(user, self.issue_access_token(user), rt))

    def session_delete(self, req: Request) -> Response:
        with self.lock:
            if req.arg("access_token"):
                self.tokens.pop(req.arg("access_token") or "", None)
            if req.arg("refresh_token"):
                self.refresh_tokens.pop(req.arg("refresh_token") or "", None)
        return _ok(True)

