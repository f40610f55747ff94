"""The Kite sandbox's state: accounts, tokens, rate-limit windows and the order book,
and the answer envelopes every Kite handler uses."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import pyotp

from ...ist import IST
from ..market import Market
from ..server import CallWindows, Response

__all__ = ["KiteAccount", "KiteState", "err", "ist", "kite_date", "ok"]


def err(status: int, error_type: str, message: str, data: Any = None) -> Response:
    """Kite's error envelope: ``{"status": "error", "message", "error_type"[, "data"]}``."""
    body: Dict[str, Any] = {"status": "error", "message": message, "error_type": error_type}
    if data is not None:
        body["data"] = data
    return Response(status, body)


def ok(data: Any) -> Response:
    """Kite's success envelope: ``{"status": "success", "data": ...}``."""
    return Response(200, {"status": "success", "data": data})


def kite_date(value: Optional[str]) -> dt.datetime:
    value = value or ""
    fmt = "%Y-%m-%d" if len(value) == 10 else "%Y-%m-%d %H:%M:%S"
    return dt.datetime.strptime(value, fmt).replace(tzinfo=IST)


def ist(ts: float) -> str:
    """``yyyy-mm-dd hh:mm:ss`` in IST, as Kite writes times."""
    return dt.datetime.fromtimestamp(ts, IST).strftime("%Y-%m-%d %H:%M:%S")


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


class KiteState:
    """What the Kite sandbox knows; the route mixins read and change it under ``lock``.

    Attributes:
        accounts: user id -> :class:`KiteAccount` (default ``AB1234``).
        api_key, api_secret: the one KiteConnect app the sandbox knows.
        rate_limits: group -> ``(calls, seconds)`` the sandbox enforces with 429.
        logins: how many web and KiteConnect logins succeeded.
        order_listeners: callables ``(user_id, order_dict)`` told of every order change
            (the ticker server pushes them as order updates).
        cash: user id -> cash available for trading (margin checks of new orders).
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
        self.opening_cash = 1_000_000.0
        self.cash: Dict[str, float] = {}  # user id -> opening cash, where not opening_cash

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

    def _admit(self, user: str, group: str) -> bool:
        return self._windows.admit((user, group), [self.rate_limits.get(group, self.rate_limits["default"])])

    def _new_order(self, user: str, variety: str, f: Dict[str, str]) -> Dict[str, Any]:
        order_id = str(250101000000000 + next(self._ids))
        ins = self.market.find(f"{f.get('exchange')}:{f.get('tradingsymbol')}")
        qty = int(f.get("quantity") or 0)
        market = f.get("order_type") == "MARKET"
        price = float(f.get("price") or 0)
        now = ist(time.time())
        status = "COMPLETE" if market else "OPEN"
        fill = (ins.last if ins else price) if market else 0.0
        return {"placed_by": user, "order_id": order_id, "exchange_order_id": str(1300000000000000 + next(self._ids)),
                "parent_order_id": None, "status": status, "status_message": None, "status_message_raw": None,
                "order_timestamp": now, "exchange_update_timestamp": now, "exchange_timestamp": now,
                "variety": variety, "modified": False, "exchange": f.get("exchange"),
                "tradingsymbol": f.get("tradingsymbol"), "instrument_token": ins.token if ins else 0,
                "order_type": f.get("order_type"), "transaction_type": f.get("transaction_type"),
                "validity": f.get("validity", "DAY"), "validity_ttl": 0, "product": f.get("product"),
                "quantity": qty, "disclosed_quantity": int(f.get("disclosed_quantity") or 0), "price": price,
                "trigger_price": float(f.get("trigger_price") or 0), "average_price": fill,
                "filled_quantity": qty if market else 0, "pending_quantity": 0 if market else qty,
                "cancelled_quantity": 0, "market_protection": 0, "meta": {}, "tag": f.get("tag"),
                "tags": [f["tag"]] if f.get("tag") else [], "guid": uuid.uuid4().hex}

    def _record(self, order: Dict[str, Any]) -> None:
        self.orders[order["order_id"]] = order
        self.order_history.setdefault(order["order_id"], []).append(dict(order))
        for listener in list(self.order_listeners):
            try:
                listener(order["placed_by"], dict(order))
            except Exception:  # a broken listener must not fail the order
                pass

    def _own_order(self, user: str, order_id: str) -> Optional[Dict[str, Any]]:
        o = self.orders.get(order_id)
        return o if o is not None and o["placed_by"] == user else None

    # -- funds and holdings: what Kite's RMS checks before it takes an order --------------
    def funds_of(self, user: str) -> float:
        """The account's opening cash (``cash``, else ``opening_cash``)."""
        return self.cash.get(user, self.opening_cash)

    def required_margin(self, o: Dict[str, Any]) -> float:
        """Margin an order blocks: the full value for CNC buys, a fifth of it for
        intraday and F&O (a round figure), nothing for a CNC sell (holdings cover it)."""
        if o.get("product") == "CNC" and o.get("transaction_type") == "SELL":
            return 0.0
        i = self.market.find(f"{o.get('exchange')}:{o.get('tradingsymbol')}")
        price = float(o.get("average_price") or o.get("price") or o.get("trigger_price") or (i.last if i else 0.0))
        share = 1.0 if o.get("product") == "CNC" else 0.2
        return round(price * int(o.get("quantity") or 0) * share, 2)  # Kite counts F&O in units, not lots

    def used_margin(self, user: str) -> float:
        """Margin blocked by the user's live and filled orders today."""
        return round(sum(self.required_margin(o) for o in self.orders.values()
                         if o["placed_by"] == user and o["status"] not in ("CANCELLED", "REJECTED")), 2)

    def sellable(self, user: str, tradingsymbol: str) -> int:
        """Shares of ``tradingsymbol`` the user may still sell CNC: holdings, plus today's
        CNC buys, less today's CNC sells (pending ones included)."""
        left = self.holdings_qty.get(tradingsymbol, 0)
        for o in self.orders.values():
            if (o["placed_by"] != user or o["product"] != "CNC" or o["tradingsymbol"] != tradingsymbol
                    or o["status"] in ("CANCELLED", "REJECTED")):
                continue
            left += o["filled_quantity"] if o["transaction_type"] == "BUY" else -o["quantity"]
        return left

    def refusal(self, user: str, f: Dict[str, Any]) -> Optional[Response]:
        """Kite's answer when RMS refuses a new order (holdings, then margin), or None."""
        qty = int(f.get("quantity") or 0)
        if f.get("product") == "CNC" and f.get("transaction_type") == "SELL":
            left = self.sellable(user, str(f.get("tradingsymbol")))
            if qty > left:
                return err(400, "HoldingException", f"Insufficient holdings to sell {qty} "
                                                    f"{f.get('tradingsymbol')}: {max(0, left)} available.")
            return None
        need = self.required_margin(f)
        available = round(self.funds_of(user) - self.used_margin(user), 2)
        if need > available:
            return err(400, "MarginException", f"Insufficient funds. Required margin is {need:.2f} but "
                                               f"available margin is {available:.2f}.")
        return None
