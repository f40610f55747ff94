"""The Fyers sandbox's state: the app, accounts, JWT-shaped tokens (with ``exp`` and
``hsm_key`` claims, as Fyers' are), the rate-limit windows, the order book with its
checks, and how sandbox instruments are named at Fyers (symbols, fytokens, topics)."""

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

from ...ist import IST
from ..market import Instrument, Market
from ..server import CallWindows, Request, Response

__all__ = ["FyersAccount", "FyersState", "err", "fyers_symbol", "fytoken", "hsm_topic", "ok"]


@dataclass
class FyersAccount:
    """A sandbox Fyers user."""

    fy_id: str
    name: str
    email: str
    pin: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def err(status: int, code: int, message: str, headers: Optional[Dict[str, str]] = None) -> Response:
    """Fyers' error envelope: ``{"s": "error", "code": <negative int>, "message"}``."""
    return Response(status, {"s": "error", "code": code, "message": message}, headers=headers or {})


def ok(**body: Any) -> Response:
    """Fyers' success envelope: ``{"s": "ok", "code": 200, "message": ""}`` plus ``body``."""
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


class FyersState:
    """What the Fyers sandbox knows; the route mixins read and change it under ``lock``.

    Attributes:
        client_id, secret_key, redirect_uri: the one app the sandbox knows.
        accounts: fy_id -> :class:`FyersAccount` (default ``XS00001``, PIN ``4826``).
        rate_limits: ``(calls, seconds)`` windows per app, answered with 429.
        token_lifetime: seconds an access token lives (its JWT ``exp``).
        logins: counts of ``authcode`` and ``refresh`` logins.
        order_listeners: callables ``(fy_id, kind, raw_dict)`` told of every order,
            trade and position change (the order socket pushes them).
        cash: fy_id -> cash available for trading (margin checks of new orders).
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
        self.logins: collections.Counter[str] = collections.Counter()
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
        self.opening_cash = 1_000_000.0
        self.cash: Dict[str, float] = {}  # fy_id -> opening cash, where not opening_cash
        self.by_symbol: Dict[str, Instrument] = {fyers_symbol(i): i for i in market.instruments}

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

    def _admit(self) -> bool:
        return self._windows.admit("app", self.rate_limits)

    @staticmethod
    def _body(req: Request) -> Any:
        try:
            return req.json()
        except ValueError:
            return None

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
            return None, err(400, bad[0], bad[1])
        i = self.by_symbol.get(d.get("symbol", ""))
        if i is None:
            return None, err(400, -300, "Invalid symbol")
        refused = self.refusal(user, d, i)
        if refused is not None:
            return None, refused
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
             "disclosedQty": d.get("disclosedQty", 0), "orderTag": d.get("orderTag", ""), "orderNumStatus": "",
             "discloseQty": d.get("disclosedQty", 0), "dqQtyRem": 0, "pan": "", "slNo": len(self.orders) + 1,
             "lp": i.last, "ch": round(i.last - i.close, 2), "chp": round((i.last - i.close) * 100 / i.close, 2)}
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
                 "tradeNumber": f"{o['id']}-{len(self.trades) + 1}", "symbol": o["symbol"], "orderTag": o["orderTag"],
                 "row": len(self.trades) + 1}
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
            "cfBuyQty": 0, "cfSellQty": 0, "qtyMulti_com": 1, "crossCurrency": "", "rbiRefRate": 1, "avgPrice": 0.0,
            "slNo": len(self.positions) + 1})
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
        p["netAvg"] = p["avgPrice"] = p["buyAvg"] if p["netQty"] > 0 else p["sellAvg"] if p["netQty"] < 0 else 0.0
        p["ltp"] = i.last
        p["qty"] = abs(p["netQty"])
        p["side"] = 1 if p["netQty"] > 0 else -1 if p["netQty"] < 0 else 0
        self._push(user, "positions", {"symbol": p["symbol"], "id": pid, "buy_avg": p["buyAvg"],
                                       "buy_qty": p["buyQty"], "sell_avg": p["sellAvg"], "sell_qty": p["sellQty"],
                                       "net_qty": p["netQty"], "tran_side": p["side"], "qty": p["qty"],
                                       "product_type": p["productType"], "fy_token": p["fyToken"],
                                       "exchange": p["exchange"], "segment": p["segment"]})

    def _own(self, oid: Any, user: str) -> Optional[Dict[str, Any]]:
        o = self.orders.get(str(oid)) if oid is not None else None
        return o if o is not None and o["clientId"] == user else None

    # -- funds and holdings: what Fyers' RMS checks before it takes an order --------------
    def funds_of(self, user: str) -> float:
        """The account's opening cash (``cash``, else ``opening_cash``)."""
        return self.cash.get(user, self.opening_cash)

    def required_margin(self, o: Dict[str, Any], i: Optional[Instrument] = None) -> float:
        """Margin an order blocks: the full value for CNC buys, a fifth of it otherwise (a
        round figure for intraday and F&O), nothing for a CNC sell (holdings cover it)."""
        if o.get("productType") == "CNC" and o.get("side") == -1:
            return 0.0
        i = i or self.by_symbol.get(str(o.get("symbol")))
        price = float(o.get("tradedPrice") or o.get("limitPrice") or o.get("stopPrice") or (i.last if i else 0.0))
        share = 1.0 if o.get("productType") == "CNC" else 0.2
        return round(price * int(o.get("qty") or 0) * share, 2)

    def used_margin(self, user: str) -> float:
        """Margin blocked by the user's live and traded orders today."""
        return round(sum(self.required_margin(o) for o in self.orders.values()
                         if o["clientId"] == user and o["status"] not in (1, 5)), 2)

    def sellable(self, user: str, symbol: str) -> int:
        """Shares the user may still sell CNC: holdings, plus today's CNC buys, less today's
        CNC sells (pending ones included)."""
        left = self.holdings_qty.get(symbol, 0)
        for o in self.orders.values():
            if o["clientId"] != user or o["productType"] != "CNC" or o["symbol"] != symbol or o["status"] in (1, 5):
                continue
            left += o["filledQty"] if o["side"] == 1 else -o["qty"]
        return left

    def refusal(self, user: str, d: Dict[str, Any], i: Instrument) -> Optional[Response]:
        """Fyers' answer when RMS refuses a new order (holdings, then margin), or None."""
        if d.get("productType") == "CNC" and d.get("side") == -1:
            left = self.sellable(user, str(d.get("symbol")))
            if d["qty"] > left:
                return err(400, -99, f"RMS:Check holdings: sell quantity {d['qty']}, available {max(0, left)}")
            return None
        need = self.required_margin(d, i)
        available = round(self.funds_of(user) - self.used_margin(user), 2)
        if need > available:
            return err(400, -99, f"RMS:Margin Exceeds, Required:{need:.2f}, Available:{available:.2f}")
        return None
