"""The Dhan sandbox's state: accounts, JWT-shaped tokens, rate-limit windows, the
order book with its checks, and Dhan's answer envelopes.

Tokens are JWT-shaped (``exp`` and ``dhanClientId`` in the payload), so expiry can
be read from them as from Dhan's. Fixture data is our own, shaped after Dhan's docs.
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
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import pyotp

from ...ist import IST
from ..market import Instrument, Market
from ..server import CallWindows, Request, Response

__all__ = ["DHAN_IDS", "SEGMENTS", "DhanAccount", "DhanState", "body", "data_err", "err", "now"]

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

PRODUCTS = ("CNC", "INTRADAY", "MARGIN", "MTF", "CO", "BO")
ORDER_TYPES = ("LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_MARKET")
OPEN = ("PENDING", "TRANSIT", "PART_TRADED")


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



def now() -> str:
    return dt.datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S")


def body(req: Request) -> Dict[str, Any]:
    """The JSON object of a request body ({} if it is not one)."""
    try:
        data = req.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class DhanState:
    """What the Dhan sandbox knows; the route mixins read and change it under ``lock``.

    Attributes:
        accounts: client id -> :class:`DhanAccount` (``1100000001`` and ``1100000002``).
        app_id, app_secret: the API key the consent flow accepts.
        rate_limits: group -> ``(calls, seconds)`` enforced with 429 + DH-904.
        token_lifetime: seconds a new token lives (24 h, as Dhan's).
        logins: successful logins by flow (``pin-totp``, ``consent``, ``renew``).
        order_listeners: callables ``(client_id, order_dict)`` told of every order
            change (the order-update socket pushes them).
        scrip_downloads: how many times the scrip master was served.
        cash: client id -> cash available for trading (margin checks of new orders).
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
        self.logins: collections.Counter[str] = collections.Counter()
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
        self.opening_cash = 1_000_000.0
        self.cash: Dict[str, float] = {}  # client id -> opening cash, where not opening_cash
        self.us_orders: Dict[str, Dict[str, Any]] = {}
        self.us_trades: List[Dict[str, Any]] = []

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

    def _admit(self, client: str, group: str) -> bool:
        return self._windows.admit((client, group), [self.rate_limits.get(group, self.rate_limits["default"])])

    def _check_order(self, b: Dict[str, Any], client: str, rms: bool = True) -> Optional[Response]:
        """Dhan's answer to a bad or refused order, or None. ``rms=False``: the holding and
        margin checks wait (a forever order is checked when it triggers)."""
        missing = [k for k in ("dhanClientId", "transactionType", "exchangeSegment", "productType", "orderType",
                               "validity", "securityId", "quantity") if b.get(k) in (None, "")]
        if missing:
            return err(400, "DH-905", f"Missing required fields: {', '.join(missing)}")
        if b["transactionType"] not in ("BUY", "SELL") or b["productType"] not in PRODUCTS \
                or b["orderType"] not in ORDER_TYPES or b["validity"] not in ("DAY", "IOC"):
            return err(400, "DH-905", "Invalid transactionType, productType, orderType or validity.")
        if self.instrument(b["exchangeSegment"], b["securityId"]) is None:
            return err(400, "DH-905", "Invalid securityId for the exchangeSegment.")
        if not isinstance(b["quantity"], int) or b["quantity"] <= 0:
            return err(400, "DH-905", "quantity must be a positive integer.")
        if b["orderType"] in ("LIMIT", "STOP_LOSS") and not b.get("price"):
            return err(400, "DH-905", "price is required for LIMIT and STOP_LOSS orders.")
        if self.kill_switch.get(client):
            return err(400, "DH-906", "Kill switch is active; trading is disabled for the day.", "Order_Error")
        return self.refusal(b, client) if rms else None

    def _new_order(self, b: Dict[str, Any], client: str) -> Dict[str, Any]:
        i = self.instrument(b["exchangeSegment"], b["securityId"])
        assert i is not None
        market = b["orderType"] in ("MARKET",)
        stamp = now()
        order = {
            "dhanClientId": client, "orderId": str(5125000000 + next(self._ids)),
            "exchangeOrderId": str(1100000000000000 + next(self._ids)), "correlationId": b.get("correlationId", ""),
            "orderStatus": "TRADED" if market else "PENDING", "transactionType": b["transactionType"],
            "exchangeSegment": b["exchangeSegment"], "productType": b["productType"], "orderType": b["orderType"],
            "validity": b["validity"], "tradingSymbol": i.tradingsymbol, "securityId": str(b["securityId"]),
            "quantity": b["quantity"], "disclosedQuantity": b.get("disclosedQuantity", 0),
            "price": float(b.get("price") or 0), "triggerPrice": float(b.get("triggerPrice") or 0),
            "afterMarketOrder": bool(b.get("afterMarketOrder")), "boProfitValue": b.get("boProfitValue"),
            "boStopLossValue": b.get("boStopLossValue"), "legName": b.get("legName", ""), "createTime": stamp,
            "updateTime": stamp, "exchangeTime": stamp, "drvExpiryDate": i.expiry or None,
            "drvOptionType": "CALL" if i.instrument_type == "CE" else None, "drvStrikePrice": i.strike,
            "omsErrorCode": None, "omsErrorDescription": None, "algoId": "0",
            "remainingQuantity": 0 if market else b["quantity"], "averageTradedPrice": i.last if market else 0.0,
            "filledQty": b["quantity"] if market else 0, "modifications": 0,
        }
        if b.get("afterMarketOrder"):
            order["amoTime"] = b.get("amoTime")
        return order

    def _record(self, order: Dict[str, Any]) -> None:
        self.orders[order["orderId"]] = order
        if order["orderStatus"] == "TRADED" and not any(t["orderId"] == order["orderId"] for t in self.trades):
            self.trades.append({
                "dhanClientId": order["dhanClientId"], "orderId": order["orderId"],
                "exchangeOrderId": order["exchangeOrderId"], "exchangeTradeId": str(900000 + next(self._ids)),
                "transactionType": order["transactionType"], "exchangeSegment": order["exchangeSegment"],
                "productType": order["productType"], "orderType": order["orderType"],
                "tradingSymbol": order["tradingSymbol"], "customSymbol": order["tradingSymbol"],
                "securityId": order["securityId"], "tradedQuantity": order["quantity"],
                "tradedPrice": order["averageTradedPrice"], "createTime": order["createTime"],
                "updateTime": order["updateTime"], "exchangeTime": order["exchangeTime"],
                "drvExpiryDate": order["drvExpiryDate"], "drvOptionType": order["drvOptionType"],
                "drvStrikePrice": order["drvStrikePrice"]})
        for listener in list(self.order_listeners):
            try:
                listener(order["dhanClientId"], dict(order))
            except Exception:  # a broken listener must not fail the order
                pass

    # -- funds and holdings: what Dhan's RMS checks before it takes an order --------------
    def funds_of(self, client: str) -> float:
        """The account's opening cash (``cash``, else ``opening_cash``)."""
        return self.cash.get(client, self.opening_cash)

    def required_margin(self, o: Dict[str, Any]) -> float:
        """Margin an order blocks: the full value for CNC buys, a fifth of it otherwise (a
        round figure for intraday and F&O), nothing for a CNC sell (holdings cover it)."""
        if o.get("productType") == "CNC" and o.get("transactionType") == "SELL":
            return 0.0
        i = self.instrument(str(o.get("exchangeSegment")), o.get("securityId"))
        price = float(o.get("averageTradedPrice") or o.get("price") or o.get("triggerPrice") or (i.last if i else 0))
        share = 1.0 if o.get("productType") == "CNC" else 0.2
        return round(price * int(o.get("quantity") or 0) * share, 2)

    def used_margin(self, client: str) -> float:
        """Margin blocked by the client's live and traded orders today."""
        return round(sum(self.required_margin(o) for o in self.orders.values()
                         if o["dhanClientId"] == client and o["orderStatus"] not in ("CANCELLED", "REJECTED")), 2)

    def sellable(self, client: str, security_id: Any) -> int:
        """Shares the client may still sell CNC: holdings, plus today's CNC buys, less
        today's CNC sells (pending ones included)."""
        left = self.holdings_qty.get(int(security_id), 0) if str(security_id).isdigit() else 0
        for o in self.orders.values():
            if (o["dhanClientId"] != client or o["productType"] != "CNC" or o["securityId"] != str(security_id)
                    or o["orderStatus"] in ("CANCELLED", "REJECTED")):
                continue
            left += o["filledQty"] if o["transactionType"] == "BUY" else -o["quantity"]
        return left

    def refusal(self, b: Dict[str, Any], client: str) -> Optional[Response]:
        """Dhan's answer when RMS refuses a new order (holdings, then margin), or None."""
        if b.get("productType") == "CNC" and b.get("transactionType") == "SELL":
            left = self.sellable(client, b.get("securityId"))
            if b["quantity"] > left:
                return err(400, "DH-906", f"RMS: insufficient holdings. Sell quantity {b['quantity']}, "
                                          f"available {max(0, left)}.", "Order_Error")
            return None
        need = self.required_margin(b)
        available = round(self.funds_of(client) - self.used_margin(client), 2)
        if need > available:
            return err(400, "DH-906", f"RMS: insufficient margin. Required {need:,.2f}, available "
                                      f"{available:,.2f}.", "Order_Error")
        return None
