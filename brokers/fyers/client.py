"""The Fyers API v3 REST client: one thin method per endpoint.

Method names and arguments follow ``fyers_apiv3.fyersModel.FyersModel`` so
that code written for it moves over unchanged; the differences are the ones a
caller wants: errors raise typed exceptions (never a shared, mutable error
dict), bad arguments raise :class:`ValueError` before any network call, every
call has a timeout, nothing is written to log files in the working
directory, and an order call is never retried once it may have reached Fyers.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping, Optional, Sequence, cast

import requests

from .. import errors
from ..core import redact
from ..core.auth import AuthFlow
from ..core.client import BaseClient
from ..core.http import RateLimits, TimeoutType, Transport
from ..core.redact import mask
from ..stores import FileStore, SessionStore
from . import codec, routes
from . import validate as check
from .auth import FyersAuth, RefreshFlow, StoredSessionFlow, make_session, session_key, split_token
from .decode import decode, decode_json, decode_order, decode_text
from .extras import FyersExtras
from .symbols import SymbolsMixin, is_sdk_call

__all__ = ["Fyers"]

log = logging.getLogger(__name__)


class Fyers(FyersExtras, SymbolsMixin, BaseClient):
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
        self.transport = Transport(routes.BROKER, decode=decode, timeout=timeout, rate_limits=rate_limits,
                                   default_limits=routes.RATE_LIMITS, session=session,
                                   headers={"version": "3"})
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

    def _passive_flows(self) -> List[AuthFlow]:
        return [StoredSessionFlow(self.store, self.client_id)]

    def _login_hint(self) -> str:
        return "pass token=..., or log in with FyersAuth and a store"

    def _auth_headers(self) -> Dict[str, str]:
        assert self.session is not None  # BaseClient._send made sure of it
        return {"Authorization": f"{self.client_id}:{self.session.token}"}

    # -- plumbing ------------------------------------------------------------------------------
    def _get(self, path: str, params: Optional[Mapping[str, Any]] = None, *, data: bool = False) -> Dict[str, Any]:
        root = self.data_root if data else self.root
        self._ensure_session()
        return cast(Dict[str, Any], self._send("GET", root + path, params=params, group=routes.DEFAULT_GROUP))

    def _write(self, method: str, path: str, body: Any, *, order: bool = False,
               data: bool = False) -> Dict[str, Any]:
        root = self.data_root if data else self.root
        self._ensure_session()
        return cast(Dict[str, Any], self._send(method, root + path, json=body, group=routes.DEFAULT_GROUP,
                                               order=order, decode=decode_order if order else decode))

    # -- account -------------------------------------------------------------------------------
    def get_profile(self) -> Dict[str, Any]:
        """The user's profile (``GET /profile``): ``{"s": "ok", "data": {...}}``."""
        return self._get(routes.PROFILE)

    def funds(self) -> Dict[str, Any]:
        """Fund limits (``GET /funds``): ``{"fund_limit": [...]}``."""
        return self._get(routes.FUNDS)

    def holdings(self) -> Dict[str, Any]:
        """Holdings (``GET /holdings``): ``{"holdings": [...], "overall": {...}}``."""
        return self._get(routes.HOLDINGS)

    def positions(self) -> Dict[str, Any]:
        """Open positions (``GET /positions``): ``{"netPositions": [...], "overall": {...}}``."""
        return self._get(routes.POSITIONS)

    def tradebook(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Today's trades (``GET /tradebook``), optionally filtered (``{"order_tag": ...}``)."""
        return self._get(routes.TRADEBOOK, check.query(data))

    def orderbook(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Today's orders (``GET /orders``); ``{"id": "<order id>"}`` asks for one."""
        return self._get(routes.ORDERS, check.query(data))

    def get_orders(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Orders by id: ``{"id": "id1,id2"}``. Unlike fyers_apiv3, which downloads
        the whole book and filters it, this asks Fyers for the ids (``?id=``)."""
        d = check.query(data) or {}
        ids = d.get("id")
        wanted = ids.split(",") if isinstance(ids, str) else list(ids) if isinstance(ids, (list, tuple)) else None
        if not wanted:
            raise ValueError("data['id'] must hold one or more order ids ('id1,id2' or a list)")
        for i, v in enumerate(wanted):
            check.order_id(v, f"data['id'][{i}]")
        if len(wanted) == 1:
            return self._get(routes.ORDERS, {"id": wanted[0]})
        book = self._get(routes.ORDERS)
        keep = set(wanted)
        book["orderBook"] = [o for o in book.get("orderBook") or [] if str(o.get("id")) in keep]
        return book

    def logout(self) -> Dict[str, Any]:
        """End the session (``POST /logout``); the stored session is cleared too."""
        result = self._write("POST", routes.LOGOUT, None)
        if self.store is not None:
            stored = self.store.load(session_key(self.client_id))
            if stored is not None and self.session is not None and stored.token == self.session.token:
                self.store.clear(session_key(self.client_id))
        return result

    # -- orders --------------------------------------------------------------------------------
    def place_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Place an order (``POST /orders/sync``): ``{"id": "<order id>", "code": 1101, ...}``.

        Args:
            data: ``symbol``, ``qty``, ``type`` (1 limit, 2 market, 3 SL-M, 4 SL-L),
                ``side`` (1 buy, -1 sell), ``productType``, ``limitPrice``,
                ``stopPrice``, ``validity``, ``disclosedQty``, ``offlineOrder``,
                ``stopLoss``, ``takeProfit``, ``orderTag``.

        Raises:
            ValueError: a missing or invalid field (before any network call).
            brokers.errors.OrderError: Fyers rejected the order.
            brokers.errors.OrderStateUnknown: no answer; look for the order
                (by ``orderTag``) in :meth:`orderbook` before placing it again.
        """
        return self._write("POST", routes.ORDERS_SYNC, check.order(data), order=True)

    def modify_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Modify a pending order (``PATCH /orders/sync``): ``id`` and the fields to change."""
        return self._write("PATCH", routes.ORDERS_SYNC, check.modify_order(data), order=True)

    def cancel_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Cancel a pending order (``DELETE /orders/sync``): ``{"id": "<order id>"}``."""
        return self._write("DELETE", routes.ORDERS_SYNC, check.cancel(data), order=True)

    def place_basket_orders(self, data: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
        """Place up to 10 orders at once (``POST /multi-order/sync``)."""
        return self._write("POST", routes.MULTI_ORDER, check.basket(data, check.order), order=True)

    def modify_basket_orders(self, data: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
        """Modify up to 10 orders at once (``PATCH /multi-order/sync``)."""
        return self._write("PATCH", routes.MULTI_ORDER, check.basket(data, check.modify_order), order=True)

    def cancel_basket_orders(self, data: Sequence[Any]) -> Dict[str, Any]:
        """Cancel up to 10 orders at once (``DELETE /multi-order/sync``): ``[{"id": ...}, ...]``."""
        return self._write("DELETE", routes.MULTI_ORDER, check.cancel_basket(data), order=True)

    def place_multileg_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Place a 2- or 3-leg order (``POST /multileg/orders/sync``)."""
        return self._write("POST", routes.MULTILEG, check.multileg(data), order=True)

    def exit_positions(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Close positions (``DELETE /positions``): all of them by default
        (``{"exit_all": 1}``), or ``{"id": "NSE:SBIN-EQ-INTRADAY"}``."""
        return self._write("DELETE", routes.POSITIONS, check.exit_positions(data), order=True)

    def convert_position(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Convert a position's product type (``POST /positions`` with a JSON body).

        Args:
            data: ``symbol``, ``positionSide`` (1/-1), ``convertQty``,
                ``convertFrom``, ``convertTo`` (and ``overnight`` 0/1).
        """
        return self._write("POST", routes.POSITIONS, check.convert_position(data), order=True)

    # -- GTT -----------------------------------------------------------------------------------
    def gtt_orderbook(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """GTT orders (``GET /gtt/orders``)."""
        return self._get(routes.GTT_ORDERS, check.query(data))

    def place_gtt_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Place a GTT (one leg) or OCO (two legs) order (``POST /gtt/orders/sync``)."""
        return self._write("POST", routes.GTT_SYNC, check.gtt_order(data), order=True)

    def modify_gtt_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Modify a GTT order (``PATCH /gtt/orders/sync``)."""
        return self._write("PATCH", routes.GTT_SYNC, check.modify_gtt_order(data), order=True)

    def cancel_gtt_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Cancel a GTT order (``DELETE /gtt/orders/sync``): ``{"id": ...}``."""
        return self._write("DELETE", routes.GTT_SYNC, check.cancel(data), order=True)

    # -- market data ---------------------------------------------------------------------------
    def market_status(self) -> Dict[str, Any]:
        """Exchange/segment status (``GET /data/marketStatus``)."""
        return self._get(routes.MARKET_STATUS, data=True)

    def history(self, data: Any = None, *args: Any, **kw: Any) -> Any:
        """Candles, in two forms.

        ``history(data)`` (fyers_apiv3's form): one ``GET /data/history`` with
        ``symbol``, ``resolution``, ``date_format`` (0 epoch, 1 yyyy-mm-dd),
        ``range_from``, ``range_to``, ``cont_flag``; returns
        ``{"candles": [[epoch, o, h, l, c, v], ...]}``.

        ``history(symbol, start, end, interval="day", *, oi=False, continuous=False,
        on_progress=None, as_frame=False)``: any range, split into requests within
        Fyers' caps (100 days intraday, 366 daily), returned as
        :class:`~brokers.history.Candle` (see :meth:`brokers.kite.Kite.history`).
        """
        if not is_sdk_call(data, args, kw):
            return self._history_range(data, *args, **kw)
        return self._get(routes.HISTORY, check.history(data), data=True)

    def quotes(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Quotes for up to 50 symbols (``GET /data/quotes``): ``{"symbols": "NSE:SBIN-EQ,..."}``
        (a list of symbols works too)."""
        return self._get(routes.QUOTES, check.quotes(data), data=True)

    def depth(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Market depth (``GET /data/depth``): ``{"symbol": ..., "ohlcv_flag": 1}``."""
        return self._get(routes.DEPTH, check.depth(data), data=True)

    def optionchain(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Option chain (``GET /data/options-chain-v3``): ``symbol``, ``strikecount``, ``timestamp``."""
        return self._get(routes.OPTION_CHAIN, check.optionchain(data), data=True)

    def symbol_token(self, symbols: Sequence[str]) -> Dict[str, Any]:
        """Fyers tokens for symbols (``POST /data/symbol-token``), as the data socket needs:
        ``{"validSymbol": {"NSE:SBIN-EQ": "10100000003045"}, "invalidSymbol": [...]}``.

        This endpoint takes the bare token as ``Authorization`` (no ``APPID:``).
        """
        items = check.symbols(list(symbols), "symbols")
        bare = self._ensure_session().token
        return cast(Dict[str, Any], self._send("POST", self.data_root + routes.SYMBOL_TOKEN, json={"symbols": items},
                                               group=routes.DEFAULT_GROUP, auth=False,
                                               headers={"Authorization": bare}))

    # -- symbol master -------------------------------------------------------------------------
    def symbol_master(self, exchange_segment: str = "NSE_CM") -> List[Dict[str, Any]]:
        """The instruments of one segment, from Fyers' public symbol master CSV.

        Args:
            exchange_segment: one of ``NSE_CM``, ``NSE_FO``, ``NSE_CD``, ``NSE_COM``,
                ``BSE_CM``, ``BSE_FO``, ``MCX_COM``.

        Returns:
            One dict per row (see :func:`brokers.fyers.codec.parse_symbol_master`).
        """
        if exchange_segment not in routes.SEGMENTS:
            raise ValueError(f"exchange_segment must be one of {', '.join(routes.SEGMENTS)}; "
                             f"got {exchange_segment!r}")
        url = self.public_root + routes.SYMBOL_MASTER.format(segment=exchange_segment)
        text = self._send("GET", url, group=routes.PUBLIC_GROUP, auth=False, decode=decode_text)
        return codec.parse_symbol_master(text)

    def index_names(self) -> Dict[str, str]:
        """Fyers' index symbol -> data-socket name map (``NSE:NIFTY50-INDEX`` -> ``Nifty 50``)."""
        url = self.public_root + routes.INDEX_MAPPING
        body = self._send("GET", url, group=routes.PUBLIC_GROUP, auth=False, decode=decode_json)
        if not isinstance(body, dict):
            raise errors.ResponseError("index mapping is not a JSON object", broker=routes.BROKER)
        return {str(k): str(v) for k, v in body.items()}

    def __repr__(self) -> str:
        return f"Fyers(client_id={self.client_id!r}, token={mask(self.token)}, root={self.root!r})"
