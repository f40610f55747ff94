"""The sandbox playing Dhan (DhanHQ v2): token routes, the REST API, an order
book, rate limits answered with 429 + DH-904, and Dhan's error envelopes.

Mounted under ``/dhan/v2`` (the REST root), ``/dhan/auth`` (``auth.dhan.co``)
and ``/dhan/scrip`` (the scrip master CSVs). Fixture data is our own, shaped
after Dhan's docs. Tokens are JWT-shaped (``exp`` and ``dhanClientId`` in the
payload), so expiry can be read from them as from Dhan's.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlencode

import pyotp

from ..ist import IST
from .market import Instrument, Market
from .server import CallWindows, Request, Response, Router

__all__ = ["DhanAccount", "DhanSandbox", "DHAN_IDS"]

API = "/dhan/v2"
AUTH = "/dhan/auth"
SCRIP = "/dhan/scrip"

# Market token -> (exchange segment, Dhan security id, Dhan instrument name).
DHAN_IDS: Dict[int, Tuple[str, int, str]] = {
    408065: ("NSE_EQ", 1594, "EQUITY"),
    779521: ("NSE_EQ", 3045, "EQUITY"),
    738561: ("NSE_EQ", 2885, "EQUITY"),
    2953217: ("NSE_EQ", 11536, "EQUITY"),
    341249: ("NSE_EQ", 1333, "EQUITY"),
    128083204: ("BSE_EQ", 500325, "EQUITY"),
    256265: ("IDX_I", 13, "INDEX"),
    260105: ("IDX_I", 25, "INDEX"),
    13238786: ("NSE_FNO", 52175, "FUTIDX"),
    13241090: ("NSE_FNO", 52176, "OPTIDX"),
    412675: ("NSE_CURRENCY", 10093, "FUTCUR"),
    109134855: ("MCX_COMM", 440001, "FUTCOM"),
}
SEGMENTS = ("IDX_I", "NSE_EQ", "NSE_FNO", "NSE_CURRENCY", "BSE_EQ", "MCX_COMM", "BSE_CURRENCY", "BSE_FNO")
_JWT_KEY = b"dhan-sandbox-signing-key"


@dataclass
class DhanAccount:
    """A sandbox Dhan client."""

    client_id: str
    pin: str
    totp_secret: str
    name: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def err(status: int, code: str, message: str, kind: str = "Input_Exception") -> Response:
    """Dhan's trading-API error envelope."""
    return Response(status, {"errorType": kind, "errorCode": code, "errorMessage": message})


def data_err(code: str, message: str, status: int = 400) -> Response:
    """Dhan's data-API error body: ``{"data": {"<code>": "<message>"}, "status": "failed"}``."""
    return Response(status, {"data": {code: message}, "status": "failed"})


def _now_ist() -> str:
    return dt.datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S")


Handler = Callable[[Request, str], Response]


class DhanSandbox:
    """State and routes of the Dhan part of the sandbox.

    Attributes:
        accounts: client id -> :class:`DhanAccount` (``1100000001`` and ``1100000002``).
        app_id, app_secret: the API key the consent flow accepts.
        rate_limits: group -> ``(calls, seconds)`` enforced with 429 + DH-904.
        token_lifetime: seconds a new token lives (24 h, as Dhan's).
        logins: successful logins by flow (``pin-totp``, ``consent``, ``renew``).
        order_listeners: callables ``(client_id, order_dict)`` told of every order
            change (the order-update socket pushes them).
        scrip_downloads: how many times the scrip master was served.

    Example::

        with Sandbox() as sb:
            token = sb.dhan.issue_token("1100000001")
            with Dhan("1100000001", token, **sb.dhan_urls()) as dhan:
                dhan.place_order("1333", "NSE_EQ", "BUY", 1, "MARKET", "CNC", 0)
            sb.dhan.expire_sessions()         # the next call gets DH-901
    """

    app_id = "sandbox-app-id"
    app_secret = "sandbox-app-secret"

    def __init__(self, market: Market) -> None:
        self.market = market
        self.lock = threading.RLock()
        self.accounts: Dict[str, DhanAccount] = {
            "1100000001": DhanAccount("1100000001", "246810", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "Sandbox Trader"),
            "1100000002": DhanAccount("1100000002", "135791", "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U", "Second Trader"),
        }
        self.tokens: Dict[str, Tuple[str, float]] = {}  # token -> (client id, exp epoch)
        self.token_lifetime = 86400.0
        self.logins: collections.Counter = collections.Counter()
        self.rate_limits: Dict[str, Tuple[int, float]] = {
            "orders": (10, 1.0), "data": (5, 1.0), "quote": (1, 1.0), "option_chain": (1, 3.0), "default": (20, 1.0)}
        self._windows = CallWindows()
        self.order_listeners: List[Callable[[str, Dict[str, Any]], None]] = []
        self.redirect_url = "http://127.0.0.1/dhan/callback"
        self._consents: Dict[str, str] = {}
        self._token_ids: Dict[str, str] = {}
        self._ids = itertools.count(1)
        self.orders: Dict[str, Dict[str, Any]] = {}
        self.super_orders: Dict[str, Dict[str, Any]] = {}
        self.forever_orders: Dict[str, Dict[str, Any]] = {}
        self.alerts: Dict[str, Dict[str, Any]] = {}
        self.trades: List[Dict[str, Any]] = []
        self.kill_switch: Dict[str, bool] = {}
        self.pnl_exit: Dict[str, Dict[str, Any]] = {}
        self.ips: Dict[str, Dict[str, str]] = {}
        self.scrip_downloads = 0
        self.holdings_qty: Dict[int, int] = {1594: 10, 3045: 25, 2885: 4, 11536: 2}

    # -- helpers for tests and the demo ---------------------------------------------------
    def totp(self, client_id: str = "1100000001") -> str:
        """The current TOTP code of a sandbox account."""
        return pyotp.TOTP(self.accounts[client_id].totp_secret).now()

    def issue_token(self, client_id: str = "1100000001", lifetime: Optional[float] = None) -> str:
        """A valid JWT-shaped access token for ``client_id``, without any login."""
        exp = int(time.time() + (self.token_lifetime if lifetime is None else lifetime))
        header = _b64(json.dumps({"typ": "JWT", "alg": "HS512"}).encode())
        payload = _b64(json.dumps({"iss": "dhan", "partnerId": "", "exp": exp, "tokenConsumerType": "SELF",
                                   "webhookUrl": "", "dhanClientId": client_id,
                                   "jti": secrets.token_hex(6)}).encode())
        sig = _b64(hmac.new(_JWT_KEY, f"{header}.{payload}".encode(), hashlib.sha512).digest())
        token = f"{header}.{payload}.{sig}"
        with self.lock:
            self.tokens[token] = (client_id, float(exp))
        return token

    def issue_token_id(self, client_id: str = "1100000001") -> str:
        """A consent-flow ``tokenId``, as the redirect after the browser login carries."""
        tid = secrets.token_urlsafe(16)
        with self.lock:
            self._token_ids[tid] = client_id
        return tid

    def expire_sessions(self, client_id: Optional[str] = None) -> None:
        """Make every token (of ``client_id``, or of everyone) invalid."""
        with self.lock:
            for tok in [t for t, (c, _) in self.tokens.items() if client_id in (None, c)]:
                del self.tokens[tok]

    def valid(self, token: str) -> Optional[str]:
        """The client id of a live token, or None."""
        with self.lock:
            entry = self.tokens.get(token)
        if entry is None or entry[1] <= time.time():
            return None
        return entry[0]

    def order_count(self, correlation_id: Optional[str] = None) -> int:
        with self.lock:
            return sum(1 for o in self.orders.values()
                       if correlation_id is None or o.get("correlationId") == correlation_id)

    def instrument(self, segment: str, security_id: Any) -> Optional[Instrument]:
        for token, (seg, sid, _) in DHAN_IDS.items():
            if seg == segment and str(sid) == str(security_id):
                return self.market.get(token)
        return None

    @staticmethod
    def ids(i: Instrument) -> Tuple[str, int, str]:
        return DHAN_IDS[i.token]

    # -- routing ------------------------------------------------------------------------
    def mount(self, router: Router) -> None:
        r = router
        r.add("POST", AUTH + "/app/generateAccessToken", self.generate_access_token)
        r.add("POST", AUTH + "/app/generate-consent", self.generate_consent)
        r.add("GET", AUTH + "/login/consentApp-login", self.consent_login)
        r.add("GET", AUTH + "/app/consumeApp-consent", self.consume_consent)
        r.add("GET", API + "/RenewToken", self.renew_token)
        r.add("GET", SCRIP + "/api-scrip-master.csv", self.scrip_compact)
        r.add("GET", SCRIP + "/api-scrip-master-detailed.csv", self.scrip_detailed)
        r.add("GET", SCRIP + "-global/us-stock-scrip-master.csv", self.scrip_global)
        from .dhan_global import routes as global_routes
        from .dhan_routes import routes as api_routes

        for method, path, group, handler in api_routes(self) + global_routes(self):
            r.add(method, API + path, self._guard(group, handler))

    def _guard(self, group: str, handler: Handler) -> Callable[[Request], Response]:
        def wrapped(req: Request) -> Response:
            client = self.valid(req.header("access-token") or "")
            if client is None:
                return err(401, "DH-901", "Client ID or user generated access token is invalid or expired.",
                           "Invalid_Authentication")
            if req.header("client-id") != client:
                return err(401, "DH-901", "The client-id header does not match the access token.",
                           "Invalid_Authentication")
            if not self._admit(client, group):
                return Response(429, {"errorType": "Rate_Limit", "errorCode": "DH-904",
                                      "errorMessage": "Too many requests on server from single user breaching "
                                                      "rate limits. Try throttling API calls."})
            if req.method in ("POST", "PUT") and req.body:
                if "json" not in (req.header("content-type") or ""):
                    return err(400, "DH-905", "Request body must be JSON.")
                try:
                    body = req.json()
                except ValueError:
                    return err(400, "DH-905", "Request body is not valid JSON.")
                if not isinstance(body, dict):
                    return err(400, "DH-905", "Request body must be a JSON object.")
                if "dhanClientId" in body and body["dhanClientId"] != client:
                    return err(400, "DH-905", "dhanClientId does not match the access token.")
            with self.lock:
                return handler(req, client)
        return wrapped

    def _admit(self, client: str, group: str) -> bool:
        return self._windows.admit((client, group), [self.rate_limits.get(group, self.rate_limits["default"])])

    # -- token routes -----------------------------------------------------------------------
    def generate_access_token(self, req: Request) -> Response:
        if req.body:
            return err(400, "DH-905", "Send dhanClientId, pin and totp as query parameters.")
        acct = self.accounts.get(req.arg("dhanClientId") or "")
        if acct is None or req.arg("pin") != acct.pin:
            return err(401, "DH-901", "Invalid client id or PIN.", "Invalid_Authentication")
        if not pyotp.TOTP(acct.totp_secret).verify(req.arg("totp") or "", valid_window=1):
            return err(401, "DH-901", "Invalid TOTP.", "Invalid_Authentication")
        token = self.issue_token(acct.client_id)
        with self.lock:
            self.logins["pin-totp"] += 1
            exp = self.tokens[token][1]
        return Response(200, {"dhanClientId": acct.client_id, "dhanClientName": acct.name,
                              "dhanClientUcc": "SBX" + acct.client_id[-4:], "givenPowerOfAttorney": False,
                              "accessToken": token,
                              "expiryTime": dt.datetime.fromtimestamp(exp, IST).replace(tzinfo=None).isoformat()})

    def _app_ok(self, req: Request) -> bool:
        return req.header("app_id") == self.app_id and req.header("app_secret") == self.app_secret

    def generate_consent(self, req: Request) -> Response:
        if not self._app_ok(req):
            return err(401, "DH-901", "Invalid app_id or app_secret.", "Invalid_Authentication")
        client = req.arg("client_id") or ""
        if client not in self.accounts:
            return err(400, "DH-905", "Invalid client_id.")
        cid = str(uuid.uuid4())
        with self.lock:
            self._consents[cid] = client
        return Response(200, {"consentAppId": cid, "consentAppStatus": "GENERATED", "status": "success"})

    def consent_login(self, req: Request) -> Response:
        with self.lock:
            client = self._consents.pop(req.arg("consentAppId") or "", None)
        if client is None:
            return Response(400, "<html><body>Unknown consentAppId.</body></html>", "text/html")
        target = f"{self.redirect_url}?{urlencode({'tokenId': self.issue_token_id(client)})}"
        return Response(302, "", headers={"Location": target})

    def consume_consent(self, req: Request) -> Response:
        if not self._app_ok(req):
            return err(401, "DH-901", "Invalid app_id or app_secret.", "Invalid_Authentication")
        with self.lock:
            client = self._token_ids.pop(req.arg("tokenId") or "", None)
        if client is None:
            return err(400, "DH-905", "Invalid or used tokenId.")
        token = self.issue_token(client)
        with self.lock:
            self.logins["consent"] += 1
            exp = self.tokens[token][1]
        return Response(200, {"dhanClientId": client, "dhanClientName": self.accounts[client].name,
                              "dhanClientUcc": "SBX" + client[-4:], "givenPowerOfAttorney": True,
                              "accessToken": token,
                              "expiryTime": dt.datetime.fromtimestamp(exp, IST).replace(tzinfo=None).isoformat()})

    def renew_token(self, req: Request) -> Response:
        client = self.valid(req.header("access-token") or "")
        if client is None or req.header("dhanclientid") != client:
            return err(401, "DH-901", "Token invalid or expired; only a valid token can be renewed.",
                       "Invalid_Authentication")
        token = self.issue_token(client)
        with self.lock:
            self.logins["renew"] += 1
            exp = self.tokens[token][1]
        return Response(200, {"dhanClientId": client, "token": token,
                              "expiryTime": dt.datetime.fromtimestamp(exp, IST).replace(tzinfo=None).isoformat()})

    # -- scrip master ---------------------------------------------------------------------------
    def _scrip_rows(self) -> List[Dict[str, Any]]:
        rows = []
        for i in self.market.instruments:
            seg, sid, kind = self.ids(i)
            exch = "BSE" if seg.startswith("BSE") else "MCX" if seg.startswith("MCX") else "NSE"
            rows.append({"exch": exch, "seg": {"IDX_I": "I", "NSE_EQ": "E", "BSE_EQ": "E", "NSE_FNO": "D",
                                               "NSE_CURRENCY": "C", "MCX_COMM": "M"}[seg],
                         "sid": sid, "kind": kind, "symbol": i.tradingsymbol, "lot": float(i.lot_size),
                         "expiry": f"{i.expiry} 14:30:00" if i.expiry else "", "strike": i.strike or -0.01,
                         "opt": "CE" if i.instrument_type == "CE" else "XX", "tick": i.tick_size,
                         "name": i.name, "isin": i.isin})
        return rows

    def scrip_compact(self, req: Request) -> Response:
        with self.lock:
            self.scrip_downloads += 1
        head = ("SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,"
                "SEM_TRADING_SYMBOL,SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,"
                "SEM_OPTION_TYPE,SEM_TICK_SIZE,SEM_EXPIRY_FLAG,SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME\n")
        lines = [f"{r['exch']},{r['seg']},{r['sid']},{r['kind']},0,{r['symbol']},{r['lot']},{r['symbol']},"
                 f"{r['expiry']},{r['strike']},{r['opt']},{r['tick'] * 100:g},{'M' if r['expiry'] else 'NA'},"
                 f"{r['kind'][:3]},{'EQ' if r['kind'] == 'EQUITY' else 'NA'},\"{r['name']}\"\n"
                 for r in self._scrip_rows()]
        return Response(200, head + "".join(lines), "text/csv")

    def scrip_global(self, req: Request) -> Response:
        from .dhan_global import scrip_csv

        with self.lock:
            self.scrip_downloads += 1
        return Response(200, scrip_csv(), "text/csv")

    def scrip_detailed(self, req: Request) -> Response:
        with self.lock:
            self.scrip_downloads += 1
        head = ("EXCH_ID,SEGMENT,SECURITY_ID,ISIN,INSTRUMENT,UNDERLYING_SECURITY_ID,UNDERLYING_SYMBOL,SYMBOL_NAME,"
                "DISPLAY_NAME,INSTRUMENT_TYPE,SERIES,LOT_SIZE,SM_EXPIRY_DATE,STRIKE_PRICE,OPTION_TYPE,TICK_SIZE,"
                "EXPIRY_FLAG\n")
        lines = [f"{r['exch']},{r['seg']},{r['sid']},{r['isin'] or 'NA'},{r['kind']},,{r['symbol']},"
                 f"\"{r['name']}\",\"{r['name']}\",{r['kind'][:3]},EQ,{r['lot']},{r['expiry'][:10]},{r['strike']},"
                 f"{r['opt']},{r['tick']},{'M' if r['expiry'] else 'NA'}\n" for r in self._scrip_rows()]
        return Response(200, head + "".join(lines), "text/csv")
