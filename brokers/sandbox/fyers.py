"""The sandbox playing Fyers API v3: the auth-code and refresh-token login, the
REST routes with our own fixture data, Fyers' error codes, rate limits answered
with 429 (``Retry-After`` and ``X-Retry-After-Ms``), an order book that orders
change, and the public symbol master files.

Mounted under ``/fyers/api/v3`` (trading API), ``/fyers/data`` (market data)
and ``/fyers/public`` (symbol master). Access tokens are JWT-shaped (unsigned)
with ``exp`` and ``hsm_key`` claims, as Fyers' are; the websocket parts live in
``sandbox/fyers_feed.py``.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import hashlib
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlencode

from ..ist import IST
from .candles import cap_days
from .market import Instrument, Market
from .server import CallWindows, Request, Response, Router

__all__ = ["FyersAccount", "FyersSandbox"]

API = "/fyers/api/v3"
DATA = "/fyers/data"
PUBLIC = "/fyers/public"


@dataclass
class FyersAccount:
    """A sandbox Fyers user."""

    fy_id: str
    name: str
    email: str
    pin: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _err(status: int, code: int, message: str, headers: Optional[Dict[str, str]] = None) -> Response:
    return Response(status, {"s": "error", "code": code, "message": message}, headers=headers or {})


def _ok(**body: Any) -> Response:
    out: Dict[str, Any] = {"s": "ok", "code": 200, "message": ""}
    out.update(body)
    return Response(200, out)


# Market instruments -> Fyers symbol, fytoken prefix, index socket name.
_PREFIX = {"NSE": "1010", "NFO": "1011", "CDS": "1012", "MCX": "1120", "BSE": "1210"}
_INDEX_SYMBOLS = {"NIFTY 50": ("NSE:NIFTY50-INDEX", "Nifty 50"), "NIFTY BANK": ("NSE:NIFTYBANK-INDEX", "Nifty Bank")}
_SEGMENT_FILES = {"NSE_CM": ("NSE",), "NSE_FO": ("NFO",), "NSE_CD": ("CDS",), "MCX_COM": ("MCX",),
                  "BSE_CM": ("BSE",), "BSE_FO": (), "NSE_COM": ()}


def fyers_symbol(i: Instrument) -> str:
    """The Fyers symbol of a sandbox instrument (``NSE:INFY-EQ``, ``NSE:NIFTY50-INDEX``, ...)."""
    if i.is_index:
        return _INDEX_SYMBOLS.get(i.tradingsymbol, (f"NSE:{i.tradingsymbol.replace(' ', '')}-INDEX", ""))[0]
    if i.exchange == "NSE":
        return f"NSE:{i.tradingsymbol}-EQ"
    if i.exchange == "BSE":
        return f"BSE:{i.tradingsymbol}-A"
    if i.exchange in ("NFO", "CDS"):
        return f"NSE:{i.tradingsymbol}"
    return f"{i.exchange}:{i.tradingsymbol}"


def fytoken(i: Instrument) -> str:
    """A Fyers token: 4-digit exchange+segment code, 6 zeros, the exchange token."""
    return f"{_PREFIX.get(i.exchange, '1010')}000000{i.token >> 8}"


_HSM_SEG = {"NSE": "nse_cm", "NFO": "nse_fo", "CDS": "cde_fo", "MCX": "mcx_fo", "BSE": "bse_cm"}


def hsm_topic(i: Instrument, depth: bool = False) -> str:
    """The data-socket topic of a sandbox instrument (``sf|nse_cm|3045``, ``if|nse_cm|Nifty 50``)."""
    seg = _HSM_SEG.get(i.exchange, "nse_cm")
    if i.is_index:
        return f"if|{seg}|{_INDEX_SYMBOLS.get(i.tradingsymbol, ('', i.tradingsymbol))[1]}"
    return f"{'dp' if depth else 'sf'}|{seg}|{i.token >> 8}"


class FyersSandbox:
    """State and routes of the Fyers part of the sandbox.

    Attributes:
        client_id, secret_key, redirect_uri: the one app the sandbox knows.
        accounts: fy_id -> :class:`FyersAccount` (default ``XS00001``, PIN ``4826``).
        rate_limits: ``(calls, seconds)`` windows per app, answered with 429.
        token_lifetime: seconds an access token lives (its JWT ``exp``).
        logins: counts of ``authcode`` and ``refresh`` logins.
        order_listeners: callables ``(fy_id, kind, raw_dict)`` told of every order,
            trade and position change (the order socket pushes them).
    """

    client_id = "SANDBOX1-100"
    secret_key = "sandbox-fyers-secret-key"
    redirect_uri = "http://127.0.0.1/fyers/callback"

    def __init__(self, market: Market) -> None:
        self.market = market
        self.lock = threading.RLock()
        self.accounts: Dict[str, FyersAccount] = {
            "XS00001": FyersAccount("XS00001", "Sandbox Trader", "trader@example.com", "4826"),
        }
        self.tokens: Dict[str, str] = {}  # access token -> fy_id
        self.hsm_keys: Dict[str, str] = {}  # hsm_key -> fy_id
        self.refresh_tokens: Dict[str, str] = {}
        self._auth_codes: Dict[str, str] = {}
        self.token_lifetime = 8 * 3600.0
        self.logins: collections.Counter = collections.Counter()
        self.rate_limits: List[Tuple[int, float]] = [(10, 1.0), (200, 60.0)]
        self.retry_after_ms = 1000
        self._windows = CallWindows()
        self.order_listeners: List[Callable[[str, str, Dict[str, Any]], None]] = []
        self.last_headers: Dict[str, str] = {}
        self._ids = itertools.count(1)
        self.orders: Dict[str, Dict[str, Any]] = {}
        self.trades: List[Dict[str, Any]] = []
        self.positions: Dict[str, Dict[str, Any]] = {}
        self.gtts: Dict[str, Dict[str, Any]] = {}
        self.holdings_qty: Dict[str, int] = {"NSE:INFY-EQ": 10, "NSE:SBIN-EQ": 25}
        self.by_symbol: Dict[str, Instrument] = {fyers_symbol(i): i for i in market.instruments}

    # -- helpers for tests ----------------------------------------------------------------------
    def app_id_hash(self) -> str:
        return hashlib.sha256(f"{self.client_id}:{self.secret_key}".encode()).hexdigest()

    def issue_auth_code(self, fy_id: str = "XS00001") -> str:
        """An auth code, as the redirect after a browser login carries."""
        code = "ac." + secrets.token_urlsafe(18)
        with self.lock:
            self._auth_codes[code] = fy_id
        return code

    def issue_access_token(self, fy_id: str = "XS00001", lifetime: Optional[float] = None) -> str:
        """A valid access token (JWT-shaped, with ``exp`` and ``hsm_key``), without any login."""
        now = time.time()
        hsm_key = secrets.token_hex(16)
        claims = {"iss": "api.sandbox.fyers", "iat": int(now), "exp": int(now + (lifetime or self.token_lifetime)),
                  "sub": "access_token", "fy_id": fy_id, "appType": 100, "hsm_key": hsm_key,
                  "nonce": secrets.token_hex(4)}
        token = ".".join([_b64(b'{"alg":"HS256","typ":"JWT"}'), _b64(json.dumps(claims).encode()),
                          _b64(secrets.token_bytes(24))])
        with self.lock:
            self.tokens[token] = fy_id
            self.hsm_keys[hsm_key] = fy_id
        return token

    def issue_refresh_token(self, fy_id: str = "XS00001") -> str:
        token = "rt." + secrets.token_urlsafe(24)
        with self.lock:
            self.refresh_tokens[token] = fy_id
        return token

    def expire_sessions(self, fy_id: Optional[str] = None) -> None:
        """Make every access token (of ``fy_id``, or of everyone) invalid."""
        with self.lock:
            for tok in [t for t, u in self.tokens.items() if fy_id in (None, u)]:
                del self.tokens[tok]
            for key in [k for k, u in self.hsm_keys.items() if fy_id in (None, u)]:
                del self.hsm_keys[key]

    def valid(self, token: str) -> Optional[str]:
        with self.lock:
            return self.tokens.get(token)

    def order_count(self, tag: Optional[str] = None) -> int:
        with self.lock:
            return sum(1 for o in self.orders.values() if tag is None or o.get("orderTag") == tag)

    def symbol_tokens(self) -> Dict[str, str]:
        """Every sandbox symbol -> its fytoken."""
        return {s: fytoken(i) for s, i in self.by_symbol.items()}

    # -- routing --------------------------------------------------------------------------------
    def mount(self, router: Router) -> None:
        r = router
        r.add("GET", API + "/generate-authcode", self.generate_authcode)
        r.add("POST", API + "/validate-authcode", self.validate_authcode)
        r.add("POST", API + "/validate-refresh-token", self.validate_refresh)
        r.add("POST", DATA + "/symbol-token", self.symbol_token)
        r.add("GET", PUBLIC + "/sym_details/index_hsm_mapping.json", self.index_mapping)
        r.add("GET", PUBLIC + "/sym_details/{name}", self.symbol_master)
        routes: List[Tuple[str, str, Callable[[Request, str], Response]]] = [
            ("GET", API + "/profile", self.profile),
            ("GET", API + "/funds", self.funds),
            ("GET", API + "/holdings", self.holdings),
            ("GET", API + "/positions", self.get_positions),
            ("POST", API + "/positions", self.convert_position),
            ("DELETE", API + "/positions", self.exit_positions),
            ("GET", API + "/tradebook", self.tradebook),
            ("GET", API + "/orders", self.orderbook),
            ("POST", API + "/orders/sync", self.place_order),
            ("PATCH", API + "/orders/sync", self.modify_order),
            ("DELETE", API + "/orders/sync", self.cancel_order),
            ("POST", API + "/multi-order/sync", self.place_basket),
            ("PATCH", API + "/multi-order/sync", self.modify_basket),
            ("DELETE", API + "/multi-order/sync", self.cancel_basket),
            ("POST", API + "/multileg/orders/sync", self.place_multileg),
            ("GET", API + "/gtt/orders", self.gtt_orderbook),
            ("POST", API + "/gtt/orders/sync", self.place_gtt),
            ("PATCH", API + "/gtt/orders/sync", self.modify_gtt),
            ("DELETE", API + "/gtt/orders/sync", self.cancel_gtt),
            ("POST", API + "/logout", self.logout),
            ("GET", DATA + "/marketStatus", self.market_status),
            ("GET", DATA + "/history", self.history),
            ("GET", DATA + "/quotes", self.quotes),
            ("GET", DATA + "/depth", self.depth),
            ("GET", DATA + "/options-chain-v3", self.optionchain),
        ]
        for method, path, handler in routes:
            r.add(method, path, self._guard(handler))
        # The rest of FyersModel's endpoints: echoed back, so tests see verb, path and payload.
        echo = [("PATCH", API, "/positions"), ("POST", DATA, "/quotes")]
        echo += [(m, API, "/price-alert") for m in ("GET", "POST", "PUT", "DELETE")] + [("PUT", API, "/toggle-alert")]
        echo += [("POST", API, f"/smart-order/{k}") for k in ("step", "limit", "trail", "sip")]
        echo += [("PATCH", API, "/smart-order/modify"), ("DELETE", API, "/smart-order/cancel"),
                 ("PATCH", API, "/smart-order/pause"), ("PATCH", API, "/smart-order/resume"),
                 ("GET", API, "/smart-order/orderbook"), ("GET", API, "/flows/tc/se"), ("POST", API, "/flows/tc/se"),
                 ("PUT", API, "/flows/tc/se"), ("POST", API, "/flows/tc/se/activate")]
        echo += [("GET", API, p) for p in ("/order-history", "/trade-history", "/charges-history",
                                           "/realised-pnl-history", "/tax-pnl-history", "/ledger-history",
                                           "/screeners/config", "/screeners/query", "/screeners/candlestick",
                                           "/screeners/technical")]
        echo += [("GET", DATA, p) for p in ("/futures-chain", "/history/fno/expired/expiry-dates",
                                            "/history/fno/expired/underlying-symbols",
                                            "/history/fno/expired/historical-data")]
        for method, root, path in echo:
            r.add(method, root + path, self._guard(self._echo(root)))

    def _guard(self, handler: Callable[[Request, str], Response]) -> Callable[[Request], Response]:
        def wrapped(req: Request) -> Response:
            self.last_headers = dict(req.headers)
            app, _, token = (req.header("authorization") or "").partition(":")
            user = self.valid(token) if app == self.client_id else None
            if user is None:
                return _err(401, -16, "Could not authenticate the user. Please log in again.")
            if not self._admit():
                ms = self.retry_after_ms
                return _err(429, -353, "API limit exceeded. Try after some time.",
                            {"Retry-After": str(max(1, ms // 1000)), "X-Retry-After-Ms": str(ms)})
            with self.lock:
                return handler(req, user)
        return wrapped

    def _echo(self, root: str) -> Callable[[Request, str], Response]:
        def handler(req: Request, user: str) -> Response:
            return _ok(data={"method": req.method, "root": root.rsplit("/", 1)[-1] if root == DATA else "api",
                             "path": req.path[len(root):], "query": {k: v[0] for k, v in req.query.items()},
                             "body": self._body(req)})
        return handler

    def _admit(self) -> bool:
        return self._windows.admit("app", self.rate_limits)

    @staticmethod
    def _body(req: Request) -> Any:
        try:
            return req.json()
        except ValueError:
            return None

    # -- login ----------------------------------------------------------------------------------
    def generate_authcode(self, req: Request) -> Response:
        if req.arg("client_id") != self.client_id:
            return _err(400, -352, "Invalid app id")
        if req.arg("redirect_uri") != self.redirect_uri:
            return _err(400, -50, "redirect_uri does not match the app's")
        fy_id = req.arg("fy_id")  # the sandbox's shortcut for the browser login
        if fy_id in self.accounts:
            query = {"s": "ok", "code": "200", "auth_code": self.issue_auth_code(fy_id)}
            if req.arg("state") is not None:
                query["state"] = req.arg("state") or ""
            return Response(302, "", headers={"Location": f"{self.redirect_uri}?{urlencode(query)}"})
        return Response(200, "<html><body>Fyers sandbox login: add &fy_id=XS00001 to log in.</body></html>",
                        "text/html")

    def validate_authcode(self, req: Request) -> Response:
        body = self._body(req) or {}
        if body.get("grant_type") != "authorization_code":
            return _err(400, -441, "invalid grant type")
        if body.get("appIdHash") != self.app_id_hash():
            return _err(400, -371, "Please provide sha256 hash of appId and app secret")
        code = body.get("code")
        with self.lock:
            user = self._auth_codes.pop(code, None) if isinstance(code, str) else None
        if user is None:
            return _err(400, -374, "Please provide a valid auth code")
        with self.lock:
            self.logins["authcode"] += 1
        return _ok(access_token=self.issue_access_token(user), refresh_token=self.issue_refresh_token(user))

    def validate_refresh(self, req: Request) -> Response:
        body = self._body(req) or {}
        if body.get("grant_type") != "refresh_token":
            return _err(400, -441, "invalid grant type")
        if body.get("appIdHash") != self.app_id_hash():
            return _err(400, -371, "Please provide sha256 hash of appId and app secret")
        with self.lock:
            user = self.refresh_tokens.get(str(body.get("refresh_token")))
        if user is None:
            return _err(400, -437, "Refresh token is invalid or expired")
        if str(body.get("pin")) != self.accounts[user].pin:
            return _err(400, -437, "Invalid PIN")
        with self.lock:
            self.logins["refresh"] += 1
        return _ok(access_token=self.issue_access_token(user))

    def logout(self, req: Request, user: str) -> Response:
        token = (req.header("authorization") or "").partition(":")[2]
        with self.lock:
            self.tokens.pop(token, None)
        return _ok(message="you are successfully logged out")

    # -- account --------------------------------------------------------------------------------
    def profile(self, req: Request, user: str) -> Response:
        a = self.accounts[user]
        return _ok(data={"fy_id": a.fy_id, "name": a.name, "display_name": a.name.split()[0], "email_id": a.email,
                         "PAN": "XXXXX1234X", "mobile_number": "99XXXXXX99", "totp": True,
                         "pin_change_date": "01-01-2026 10:00:00", "pwd_to_expire": 90, "ddpi_enabled": False,
                         "mtf_enabled": False, "image": None})

    def funds(self, req: Request, user: str) -> Response:
        rows = [(1, "Total Balance", 100000.0, 50000.0), (2, "Utilized Amount", 274.95, 0.0),
                (3, "Clear Balance", 99725.05, 50000.0), (10, "Available Balance", 99725.05, 50000.0)]
        return _ok(fund_limit=[{"id": i, "title": t, "equityAmount": e, "commodityAmount": c} for i, t, e, c in rows])

    def holdings(self, req: Request, user: str) -> Response:
        rows: List[Dict[str, Any]] = []
        for n, (sym, qty) in enumerate(sorted(self.holdings_qty.items()), 1):
            i = self.by_symbol[sym]
            cost = round(i.close * 0.9, 2)
            rows.append({"holdingType": "HLD", "quantity": qty, "costPrice": cost, "marketVal": round(i.last * qty, 2),
                         "remainingQuantity": qty, "pl": round((i.last - cost) * qty, 2), "ltp": i.last, "id": n,
                         "fyToken": fytoken(i), "exchange": 10, "symbol": sym, "segment": 10, "isin": i.isin,
                         "qty_t1": 0, "remainingPledgeQuantity": 0, "collateralQuantity": 0})
        total = round(sum(r["marketVal"] for r in rows), 2)
        invested = round(sum(r["costPrice"] * r["quantity"] for r in rows), 2)
        return _ok(holdings=rows, overall={"count_total": len(rows), "total_investment": invested,
                                           "total_current_value": total, "total_pl": round(total - invested, 2),
                                           "pnl_perc": round((total - invested) / invested * 100, 2) if invested else 0})

    def get_positions(self, req: Request, user: str) -> Response:
        rows = list(self.positions.values())
        return _ok(netPositions=rows, overall={"count_total": len(rows),
                                               "count_open": sum(1 for p in rows if p["netQty"]),
                                               "pl_total": 0.0, "pl_realized": 0.0, "pl_unrealized": 0.0})

    def tradebook(self, req: Request, user: str) -> Response:
        tag = req.arg("order_tag")
        return _ok(tradeBook=[t for t in self.trades if tag in (None, t.get("orderTag"))])

    # -- orders ---------------------------------------------------------------------------------
    def _push(self, user: str, kind: str, raw: Dict[str, Any]) -> None:
        for listener in list(self.order_listeners):
            try:
                listener(user, kind, dict(raw))
            except Exception:  # a broken listener must not fail the order
                pass

    def _raw_order(self, o: Dict[str, Any]) -> Dict[str, Any]:
        """An order as the order socket sends it (raw snake_case fields, raw OMS status)."""
        raw_status = {2: 90, 1: 91, 5: 92, 6: 22, 4: 11}.get(o["status"], 22)
        return {"client_id": o["clientId"], "id": o["id"], "id_exchange": o["exchOrdId"], "qty": o["qty"],
                "qty_remaining": o["remainingQuantity"], "qty_filled": o["filledQty"], "price_limit": o["limitPrice"],
                "price_stop": o["stopPrice"], "price_traded": o["tradedPrice"], "ord_type": o["type"],
                "fy_token": o["fyToken"], "exchange": o["exchange"], "segment": o["segment"], "symbol": o["symbol"],
                "instrument": o["instrument"], "oms_msg": o["message"], "offline_flag": o["offlineOrder"],
                "time_oms": o["orderDateTime"], "validity": o["orderValidity"], "product_type": o["productType"],
                "tran_side": o["side"], "org_ord_status": raw_status, "ord_source": "API",
                "symbol_exch": o["ex_sym"], "symbol_desc": o["description"], "ordertag": o.get("orderTag", "")}

    @staticmethod
    def _check_order(d: Any) -> Optional[Tuple[int, str]]:
        if not isinstance(d, dict):
            return -50, "Invalid input"
        if d.get("side") not in (1, -1):
            return -313, "Invalid side"
        if d.get("type") not in (1, 2, 3, 4):
            return -101, "Invalid order type"
        if d.get("productType") not in ("CNC", "INTRADAY", "MARGIN", "CO", "BO", "MTF"):
            return -314, "Invalid productType"
        qty = d.get("qty")
        if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
            return -310, "Invalid qty"
        if d["type"] in (1, 4) and not d.get("limitPrice"):
            return -308, "Invalid limitPrice"
        if d["type"] in (3, 4) and not d.get("stopPrice"):
            return -309, "Invalid stopPrice"
        return None

    def _new_order(self, user: str, d: Dict[str, Any]) -> Tuple[Optional[Dict[str, Any]], Optional[Response]]:
        bad = self._check_order(d)
        if bad:
            return None, _err(400, bad[0], bad[1])
        i = self.by_symbol.get(d.get("symbol", ""))
        if i is None:
            return None, _err(400, -300, "Invalid symbol")
        if d["qty"] > 100000:
            return None, _err(400, -99, "RMS:Margin Exceeds, Required:95.00, Available:74.80")
        oid = str(26112800000000 + next(self._ids))
        market = d["type"] == 2
        now = dt.datetime.now(IST).strftime("%d-%b-%Y %H:%M:%S")
        o = {"clientId": user, "id": oid, "exchOrdId": str(1100000000000000 + next(self._ids)), "qty": d["qty"],
             "remainingQuantity": 0 if market else d["qty"], "filledQty": d["qty"] if market else 0,
             "status": 2 if market else 6, "limitPrice": float(d.get("limitPrice") or 0),
             "stopPrice": float(d.get("stopPrice") or 0), "tradedPrice": i.last if market else 0.0,
             "type": d["type"], "fyToken": fytoken(i), "exchange": 10 if i.exchange != "MCX" else 11,
             "segment": 10 if i.exchange in ("NSE", "BSE") else 11, "symbol": d["symbol"], "instrument": 0,
             "message": "TRADE CONFIRMED" if market else "", "offlineOrder": bool(d.get("offlineOrder", False)),
             "orderDateTime": now, "orderValidity": d.get("validity", "DAY"), "productType": d["productType"],
             "side": d["side"], "source": "API", "ex_sym": i.tradingsymbol, "description": i.name,
             "disclosedQty": d.get("disclosedQty", 0), "orderTag": d.get("orderTag", ""), "orderNumStatus": ""}
        o["orderNumStatus"] = f"{oid}:{o['status']}"
        self.orders[oid] = o
        self._push(user, "orders", self._raw_order(o))
        if market:
            self._fill(user, o, i)
        return o, None

    def _fill(self, user: str, o: Dict[str, Any], i: Instrument) -> None:
        now = o["orderDateTime"]
        trade = {"clientId": user, "orderDateTime": now, "orderNumber": o["id"], "exchangeOrderNo": o["exchOrdId"],
                 "exchange": o["exchange"], "side": o["side"], "segment": o["segment"], "orderType": o["type"],
                 "fyToken": o["fyToken"], "productType": o["productType"], "tradedQty": o["qty"],
                 "tradePrice": i.last, "tradeValue": round(i.last * o["qty"], 2),
                 "tradeNumber": f"{o['id']}-{len(self.trades) + 1}", "symbol": o["symbol"], "orderTag": o["orderTag"]}
        self.trades.append(trade)
        self._push(user, "trades", {"id_fill": trade["tradeNumber"], "id": o["id"], "qty_traded": o["qty"],
                                    "price_traded": i.last, "traded_val": trade["tradeValue"],
                                    "product_type": o["productType"], "client_id": user, "id_exchange": o["exchOrdId"],
                                    "ord_type": o["type"], "tran_side": o["side"], "symbol": o["symbol"],
                                    "fill_time": now, "fy_token": o["fyToken"], "exchange": o["exchange"],
                                    "segment": o["segment"], "ordertag": o["orderTag"]})
        pid = f"{o['symbol']}-{o['productType']}"
        p = self.positions.setdefault(pid, {
            "symbol": o["symbol"], "id": pid, "buyAvg": 0.0, "buyQty": 0, "buyVal": 0.0, "sellAvg": 0.0, "sellQty": 0,
            "sellVal": 0.0, "netAvg": 0.0, "netQty": 0, "side": 0, "qty": 0, "productType": o["productType"],
            "realized_profit": 0.0, "unrealized_profit": 0.0, "pl": 0.0, "ltp": i.last, "fyToken": o["fyToken"],
            "exchange": o["exchange"], "segment": o["segment"], "dayBuyQty": 0, "daySellQty": 0,
            "cfBuyQty": 0, "cfSellQty": 0, "qtyMulti_com": 1, "crossCurrency": "", "rbiRefRate": 1})
        if o["side"] == 1:
            p["buyQty"] += o["qty"]
            p["dayBuyQty"] += o["qty"]
            p["buyVal"] = round(p["buyVal"] + i.last * o["qty"], 2)
            p["buyAvg"] = round(p["buyVal"] / p["buyQty"], 2)
        else:
            p["sellQty"] += o["qty"]
            p["daySellQty"] += o["qty"]
            p["sellVal"] = round(p["sellVal"] + i.last * o["qty"], 2)
            p["sellAvg"] = round(p["sellVal"] / p["sellQty"], 2)
        p["netQty"] = p["buyQty"] - p["sellQty"]
        p["qty"] = abs(p["netQty"])
        p["side"] = 1 if p["netQty"] > 0 else -1 if p["netQty"] < 0 else 0
        self._push(user, "positions", {"symbol": p["symbol"], "id": pid, "buy_avg": p["buyAvg"],
                                       "buy_qty": p["buyQty"], "sell_avg": p["sellAvg"], "sell_qty": p["sellQty"],
                                       "net_qty": p["netQty"], "tran_side": p["side"], "qty": p["qty"],
                                       "product_type": p["productType"], "fy_token": p["fyToken"],
                                       "exchange": p["exchange"], "segment": p["segment"]})

    def place_order(self, req: Request, user: str) -> Response:
        o, err = self._new_order(user, self._body(req))
        if err is not None:
            return err
        assert o is not None
        return Response(200, {"s": "ok", "code": 1101,
                              "message": f"Order Submitted Successfully. Your Order Ref. No.{o['id']}", "id": o["id"]})

    def _own(self, oid: Any, user: str) -> Optional[Dict[str, Any]]:
        o = self.orders.get(str(oid)) if oid is not None else None
        return o if o is not None and o["clientId"] == user else None

    def _modify(self, user: str, d: Any) -> Response:
        if not isinstance(d, dict):
            return _err(400, -50, "Invalid input")
        o = self._own(d.get("id"), user)
        if o is None:
            return _err(400, -51, "Invalid order id")
        if o["status"] != 6:
            return _err(400, {1: -161, 2: -162, 5: -164}.get(o["status"], -163), "Order is not pending")
        for src, dst in (("qty", "qty"), ("limitPrice", "limitPrice"), ("stopPrice", "stopPrice"), ("type", "type")):
            if src in d:
                o[dst] = d[src]
        o["remainingQuantity"] = o["qty"]
        self._push(user, "orders", self._raw_order(o))
        return Response(200, {"s": "ok", "code": 1102, "message": "Successfully modified order", "id": o["id"]})

    def _cancel(self, user: str, d: Any) -> Response:
        o = self._own(d.get("id") if isinstance(d, dict) else None, user)
        if o is None:
            return _err(400, -51, "Invalid order id")
        if o["status"] != 6:
            return _err(400, {1: -161, 2: -162, 5: -164}.get(o["status"], -163),
                        {1: "Order already cancelled", 2: "Order already traded"}.get(o["status"], "Cannot cancel"))
        o["status"] = 1
        o["orderNumStatus"] = f"{o['id']}:1"
        o["message"] = "CANCELLED"
        self._push(user, "orders", self._raw_order(o))
        return Response(200, {"s": "ok", "code": 1103, "message": "Successfully cancelled order", "id": o["id"]})

    def modify_order(self, req: Request, user: str) -> Response:
        return self._modify(user, self._body(req))

    def cancel_order(self, req: Request, user: str) -> Response:
        return self._cancel(user, self._body(req))

    def orderbook(self, req: Request, user: str) -> Response:
        oid = req.arg("id")
        rows = [o for o in self.orders.values() if o["clientId"] == user and oid in (None, o["id"])]
        if oid is not None and not rows:
            return _err(400, -51, "Invalid order id")
        return _ok(orderBook=rows)

    @staticmethod
    def _multi(results: List[Response]) -> Response:
        data = [{"statusCode": r.status, "body": r.body, "statusDescription": "OK" if r.status == 200 else "Error"}
                for r in results]
        return _ok(data=data)

    def place_basket(self, req: Request, user: str) -> Response:
        rows = self._body(req)
        if not isinstance(rows, list) or not rows or len(rows) > 10:
            return _err(400, -50, "Provide 1 to 10 orders")
        out = []
        for d in rows:
            o, err = self._new_order(user, d)
            out.append(err if err is not None else Response(200, {
                "s": "ok", "code": 1101, "message": "Order Submitted Successfully", "id": o["id"]}))  # type: ignore[index]
        return self._multi(out)

    def modify_basket(self, req: Request, user: str) -> Response:
        rows = self._body(req)
        if not isinstance(rows, list) or not rows:
            return _err(400, -50, "Provide 1 to 10 orders")
        return self._multi([self._modify(user, d) for d in rows])

    def cancel_basket(self, req: Request, user: str) -> Response:
        rows = self._body(req)
        if not isinstance(rows, list) or not rows:
            return _err(400, -50, "Provide 1 to 10 order ids")
        return self._multi([self._cancel(user, d) for d in rows])

    def place_multileg(self, req: Request, user: str) -> Response:
        d = self._body(req)
        if not isinstance(d, dict) or d.get("orderType") not in ("2L", "3L") or not isinstance(d.get("legs"), dict):
            return _err(400, -50, "Invalid input")
        ids = []
        for leg in d["legs"].values():
            body = dict(leg, productType=d.get("productType"), validity=d.get("validity"))
            o, err = self._new_order(user, body)
            if err is not None:
                return err
            ids.append(o["id"])  # type: ignore[index]
        return Response(200, {"s": "ok", "code": 1101, "message": "Order Submitted Successfully", "id": ids[0]})

    def convert_position(self, req: Request, user: str) -> Response:
        d = self._body(req)
        if not isinstance(d, dict):
            return _err(400, -50, "Invalid input")
        pid = f"{d.get('symbol')}-{d.get('convertFrom')}"
        p = self.positions.get(pid)
        if p is None or not p["netQty"]:
            return _err(400, -397, "Position quantity is zero")
        if int(d.get("convertQty") or 0) > p["qty"]:
            return _err(400, -310, "Convert quantity exceeds the position")
        newid = f"{d['symbol']}-{d['convertTo']}"
        self.positions[newid] = dict(p, id=newid, productType=d["convertTo"])
        del self.positions[pid]
        return _ok(message="Position converted successfully")

    def exit_positions(self, req: Request, user: str) -> Response:
        d = self._body(req) or {}
        open_ids = [pid for pid, p in self.positions.items() if p["netQty"]]
        if d.get("exit_all") == 1:
            targets = open_ids
        else:
            ids = d.get("id")
            targets = [x for x in (ids if isinstance(ids, list) else [ids]) if x in open_ids]
        if not targets:
            return _err(400, -398, "No open positions to exit")
        for pid in targets:
            p = self.positions[pid]
            self._new_order(user, {"symbol": p["symbol"], "qty": abs(p["netQty"]), "type": 2,
                                   "side": -1 if p["netQty"] > 0 else 1, "productType": p["productType"]})
        return _ok(message="All positions are closed" if d.get("exit_all") == 1 else "Position exited")

    # -- GTT ------------------------------------------------------------------------------------
    def gtt_orderbook(self, req: Request, user: str) -> Response:
        return _ok(orderBook=[g for g in self.gtts.values() if g["clientId"] == user])

    def place_gtt(self, req: Request, user: str) -> Response:
        d = self._body(req)
        if not isinstance(d, dict) or d.get("side") not in (1, -1) or not isinstance(d.get("orderInfo"), dict):
            return _err(400, -50, "Invalid input")
        if d.get("symbol") not in self.by_symbol:
            return _err(400, -300, "Invalid symbol")
        gid = str(25112800000 + next(self._ids))
        self.gtts[gid] = {"id": gid, "clientId": user, "symbol": d["symbol"], "side": d["side"],
                          "productType": d.get("productType"), "orderInfo": d["orderInfo"], "gttOrderStatus": 1,
                          "oco": "leg2" in d["orderInfo"]}
        return Response(200, {"s": "ok", "code": 1101, "message": "Successfully placed GTT order", "id": gid})

    def modify_gtt(self, req: Request, user: str) -> Response:
        d = self._body(req)
        g = self.gtts.get(str(d.get("id"))) if isinstance(d, dict) else None
        if g is None or g["clientId"] != user:
            return _err(400, -51, "Invalid GTT order id")
        g["orderInfo"] = d.get("orderInfo", g["orderInfo"])
        return Response(200, {"s": "ok", "code": 1102, "message": "Successfully modified GTT order", "id": g["id"]})

    def cancel_gtt(self, req: Request, user: str) -> Response:
        d = self._body(req)
        g = self.gtts.get(str(d.get("id"))) if isinstance(d, dict) else None
        if g is None or g["clientId"] != user:
            return _err(400, -51, "Invalid GTT order id")
        del self.gtts[g["id"]]
        return Response(200, {"s": "ok", "code": 1103, "message": "Successfully cancelled GTT order", "id": g["id"]})

    # -- market data ----------------------------------------------------------------------------
    def market_status(self, req: Request, user: str) -> Response:
        rows = [{"exchange": e, "market_type": "NORMAL", "segment": s, "status": "OPEN"}
                for e, s in ((10, 10), (10, 11), (10, 12), (11, 20), (12, 10))]
        return _ok(marketStatus=rows)

    def history(self, req: Request, user: str) -> Response:
        i = self.by_symbol.get(req.arg("symbol") or "")
        if i is None:
            return _err(400, -300, "Invalid symbol")
        res = req.arg("resolution") or ""
        minutes = 1440 if res in ("D", "1D", "Day") else int(res) if res.isdigit() else None
        if minutes is None:
            return _err(400, -50, "Invalid resolution")
        try:
            if req.arg("date_format") == "1":
                start = dt.datetime.strptime(req.arg("range_from") or "", "%Y-%m-%d").replace(tzinfo=IST)
                end = dt.datetime.strptime(req.arg("range_to") or "", "%Y-%m-%d").replace(tzinfo=IST)
                end = end.replace(hour=23, minute=59)
            else:
                start = dt.datetime.fromtimestamp(int(req.arg("range_from") or ""), IST)
                end = dt.datetime.fromtimestamp(int(req.arg("range_to") or ""), IST)
        except ValueError:
            return _err(400, -50, "Invalid range_from or range_to")
        if minutes == 1440:
            start = start.replace(hour=0, minute=0)
        cap = cap_days("fyers", minutes)
        if cap is not None and end - start > dt.timedelta(days=cap):
            return _err(422, -50, f"Invalid input: range_from to range_to can be at most {cap} days for this resolution")
        candles = [[int(ts), o, h, low, c, v] for ts, o, h, low, c, v in self.market.candles(i, start, end, minutes)]
        return _ok(candles=candles)

    def _quote(self, sym: str, i: Instrument) -> Dict[str, Any]:
        ch = round(i.last - i.close, 2)
        depth = self.market.depth(i)
        return {"ch": ch, "chp": round(ch / i.close * 100, 2), "lp": i.last, "spread": round(
            depth["sell"][0]["price"] - depth["buy"][0]["price"], 4), "ask": depth["sell"][0]["price"],
            "bid": depth["buy"][0]["price"], "open_price": i.open, "high_price": i.high, "low_price": i.low,
            "prev_close_price": i.close, "atp": round((i.high + i.low) / 2, 2), "volume": i.volume,
            "short_name": i.tradingsymbol, "exchange": sym.split(":")[0], "description": f"{sym.split(':')[0]}:{i.name}",
            "original_name": sym, "symbol": sym, "fyToken": fytoken(i), "tt": str(int(i.last_trade))}

    def quotes(self, req: Request, user: str) -> Response:
        syms = [s for s in (req.arg("symbols") or "").split(",") if s]
        if not syms or len(syms) > 50:
            return _err(400, -50, "Provide 1 to 50 symbols")
        d = []
        for s in syms:
            i = self.by_symbol.get(s)
            d.append({"n": s, "s": "ok", "v": self._quote(s, i)} if i else
                     {"n": s, "s": "error", "v": {"errmsg": "invalid symbol"}})
        if all(x["s"] == "error" for x in d):
            return _err(400, -300, "Invalid symbol")
        return _ok(d=d)

    def depth(self, req: Request, user: str) -> Response:
        sym = req.arg("symbol") or ""
        i = self.by_symbol.get(sym)
        if i is None:
            return _err(400, -300, "Invalid symbol")
        book = self.market.depth(i)
        q = self._quote(sym, i)
        body = {"totalbuyqty": i.buy_qty, "totalsellqty": i.sell_qty,
                "bids": [{"price": b["price"], "volume": b["quantity"], "ord": b["orders"]} for b in book["buy"]],
                "ask": [{"price": a["price"], "volume": a["quantity"], "ord": a["orders"]} for a in book["sell"]],
                "o": i.open, "h": i.high, "l": i.low, "c": i.close, "chp": q["chp"], "tick_Size": i.tick_size,
                "ch": q["ch"], "ltq": i.last_qty, "ltt": int(i.last_trade), "ltp": i.last, "v": i.volume,
                "atp": q["atp"], "lower_ckt": round(i.close * 0.8, 2), "upper_ckt": round(i.close * 1.2, 2),
                "expiry": "", "oi": i.oi, "oiflag": False, "pdoi": i.oi, "oipercent": 0.0}
        return _ok(d={sym: body})

    def optionchain(self, req: Request, user: str) -> Response:
        sym = req.arg("symbol") or ""
        i = self.by_symbol.get(sym)
        if i is None:
            return _err(400, -300, "Invalid symbol")
        chain = [{"symbol": sym, "fyToken": fytoken(i), "ltp": i.last, "ltpch": round(i.last - i.close, 2),
                  "option_type": "", "strike_price": -1, "description": i.name, "exchange": "NSE"}]
        for o in self.market.instruments:
            if o.instrument_type in ("CE", "PE") and i.tradingsymbol.replace(" ", "").startswith(o.name):
                chain.append({"symbol": fyers_symbol(o), "fyToken": fytoken(o), "ltp": o.last, "oi": o.oi,
                              "option_type": o.instrument_type, "strike_price": o.strike, "volume": o.volume,
                              "bid": round(o.last - 0.05, 2), "ask": round(o.last + 0.05, 2)})
        expiry = int(dt.datetime(2026, 12, 29, 15, 30, tzinfo=IST).timestamp())
        return _ok(data={"optionsChain": chain, "expiryData": [{"date": "29-12-2026", "expiry": str(expiry)}],
                         "callOi": sum(c.get("oi", 0) for c in chain if c.get("option_type") == "CE"),
                         "putOi": sum(c.get("oi", 0) for c in chain if c.get("option_type") == "PE"),
                         "indiavixData": {}})

    def symbol_token(self, req: Request) -> Response:
        auth = req.header("authorization") or ""
        if self.valid(auth) is None:  # this endpoint takes the bare token, no "APPID:"
            return _err(401, -16, "Could not authenticate the user. Please log in again.")
        body = self._body(req) or {}
        syms = body.get("symbols") if isinstance(body, dict) else None
        if not isinstance(syms, list):
            return _err(400, -50, "Provide symbols")
        valid = {s: fytoken(self.by_symbol[s]) for s in syms if s in self.by_symbol}
        return Response(200, {"s": "ok", "validSymbol": valid, "invalidSymbol": [s for s in syms if s not in valid]})

    # -- public files ---------------------------------------------------------------------------
    def index_mapping(self, req: Request) -> Response:
        return Response(200, {sym: name for sym, name in _INDEX_SYMBOLS.values()})

    def symbol_master(self, req: Request) -> Response:
        name = req.params["name"]
        seg = name[:-4] if name.endswith(".csv") else None
        if seg not in _SEGMENT_FILES:
            return Response(404, "<html><body>404 Not Found</body></html>", "text/html")
        lines = []
        for i in self.market.instruments:
            if i.exchange not in _SEGMENT_FILES[seg]:
                continue
            sym = fyers_symbol(i)
            expiry = str(int(dt.datetime.strptime(i.expiry, "%Y-%m-%d").replace(tzinfo=IST).timestamp())) \
                if i.expiry else ""
            kind = {"EQ": 0, "FUT": 11, "CE": 14, "PE": 14}.get(i.instrument_type, 0)
            cells = [fytoken(i), i.name, kind, i.lot_size, i.tick_size, i.isin, "0915-1530|1815-1915:",
                     "2026-11-27", expiry, sym, 10 if i.exchange != "MCX" else 11,
                     {"NSE": 10, "BSE": 10, "NFO": 11, "CDS": 12, "MCX": 20}[i.exchange], i.token >> 8,
                     i.name, "", i.strike if i.strike else -1, i.instrument_type if i.instrument_type in ("CE", "PE")
                     else "XX", "", "None", 0]
            lines.append(",".join(str(c) for c in cells))
        return Response(200, "\n".join(lines) + "\n", "text/csv")
