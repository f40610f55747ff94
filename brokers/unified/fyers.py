"""The unified interface over :class:`~brokers.fyers.Fyers`, :class:`~brokers.fyers.FyersFeed`
and :class:`~brokers.fyers.FyersOrder`."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Dict, List, Mapping, Optional

from ..history import Candle
from ..symbols import SymbolMaster
from .base import Broker
from .convert import integer, num, opt_num, when
from .enums import OrderType, Product, Side, Status, Validity
from .feed import Feed
from .masters import master_of
from .models import Funds, Holding, Order, Position, Quote, Tick, Trade
from .orders import OrderRequest

__all__ = ["FyersBroker", "fyers_status"]

ORDER_TYPES = {OrderType.LIMIT: 1, OrderType.MARKET: 2, OrderType.STOP: 3, OrderType.STOP_LIMIT: 4}
_TYPES_BACK = {v: k for k, v in ORDER_TYPES.items()}
PRODUCTS = {Product.INTRADAY: "INTRADAY", Product.DELIVERY: "CNC", Product.MARGIN: "MARGIN"}
_PRODUCTS_BACK = {"INTRADAY": Product.INTRADAY, "CNC": Product.DELIVERY, "MARGIN": Product.MARGIN,
                  "MTF": Product.MARGIN, "CO": Product.INTRADAY, "BO": Product.INTRADAY}
# 1 cancelled, 2 traded, 4 transit, 5 rejected, 6 pending, 7 expired
STATUSES = {1: Status.CANCELLED, 2: Status.COMPLETE, 4: Status.PENDING, 5: Status.REJECTED, 6: Status.OPEN,
            7: Status.CANCELLED}
_RESOLUTIONS = {"minute": "1", "3minute": "3", "5minute": "5", "10minute": "10", "15minute": "15",
                "30minute": "30", "60minute": "60", "day": "D"}


def fyers_status(raw: Any, filled: int = 0) -> Status:
    """Fyers' numeric order status in the unified lifecycle."""
    status = STATUSES.get(integer(raw, -1), Status.PENDING)
    return Status.PARTIAL if status is Status.OPEN and filled > 0 else status


class FyersBroker(Broker):
    """:class:`~brokers.unified.base.Broker` over a :class:`~brokers.fyers.Fyers` client.

    Args:
        client: a Fyers client with a session.
        feed_url, order_feed_url: the data and order socket URLs (default Fyers' own).
        master: a SymbolMaster to map symbols with (default: the client's).
    """

    name = "fyers"

    def __init__(self, client: Any, *, feed_url: Optional[str] = None, order_feed_url: Optional[str] = None,
                 master: Optional[SymbolMaster] = None, **options: Any) -> None:
        super().__init__(master=master, **options)
        self.client = client
        self.feed_url = feed_url
        self.order_feed_url = order_feed_url

    def _load_master(self) -> SymbolMaster:
        return master_of(self.client, "fyers")

    def _name(self, row: Mapping[str, Any]) -> str:
        key = str(row.get("symbol") or "")
        return self.symbols.name_of(key=key) or key.upper()

    # -- orders ----------------------------------------------------------------------------
    def _place(self, req: OrderRequest) -> str:
        data: Dict[str, Any] = {"symbol": req.instrument.key, "qty": req.quantity, "type": ORDER_TYPES[req.order_type],
                                "side": req.side.sign, "productType": PRODUCTS[req.product],
                                "validity": req.validity.value, "disclosedQty": 0, "offlineOrder": False,
                                "orderTag": req.tag}
        if req.price is not None:
            data["limitPrice"] = req.price
        if req.trigger_price is not None:
            data["stopPrice"] = req.trigger_price
        return str(self.client.place_order(data)["id"])

    def _modify(self, order: Order, quantity: int, order_type: OrderType, price: Optional[float],
                trigger_price: Optional[float]) -> None:
        data: Dict[str, Any] = {"id": order.order_id, "qty": quantity, "type": ORDER_TYPES[order_type]}
        if price is not None:
            data["limitPrice"] = price
        if trigger_price is not None:
            data["stopPrice"] = trigger_price
        self.client.modify_order(data)

    def _cancel(self, order: Order) -> None:
        self.client.cancel_order({"id": order.order_id})

    def order_from(self, row: Mapping[str, Any]) -> Order:
        """An :class:`Order` from a Fyers order-book row."""
        filled = integer(row.get("filledQty"))
        kind = _TYPES_BACK.get(integer(row.get("type")), OrderType.MARKET)
        tag = str(row.get("orderTag") or "")
        return Order(
            order_id=str(row.get("id")), symbol=self._name(row), side=Side.BUY if integer(row.get("side")) == 1
            else Side.SELL, order_type=kind, product=_PRODUCTS_BACK.get(str(row.get("productType")), Product.INTRADAY),
            quantity=integer(row.get("qty")), status=fyers_status(row.get("status"), filled),
            raw_status=str(row.get("status")), filled_quantity=filled,
            price=opt_num(row.get("limitPrice")) if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None,
            trigger_price=opt_num(row.get("stopPrice")) if kind in (OrderType.STOP, OrderType.STOP_LIMIT) else None,
            average_price=num(row.get("tradedPrice")),
            validity=Validity.IOC if row.get("orderValidity") == "IOC" else Validity.DAY,
            # Fyers may prefix the tag it echoes ("1:tag"); ours are letters and digits only
            tag=tag.rsplit(":", 1)[-1] or None, message=row.get("message") or None,
            time=when(row.get("orderDateTime")), raw=dict(row))

    def _order(self, order_id: str) -> Order:
        rows = self.client.orderbook({"id": order_id}).get("orderBook") or []
        match = [r for r in rows if str(r.get("id")) == order_id] or rows
        if not match:
            from .. import errors
            raise errors.InputError(f"no order {order_id} in the order book", broker="fyers")
        return self.order_from(match[0])

    def _orders(self) -> List[Order]:
        return [self.order_from(r) for r in self.client.orderbook().get("orderBook") or []]

    # -- portfolio -------------------------------------------------------------------------
    def trades(self) -> List[Trade]:
        return [Trade(trade_id=str(t.get("tradeNumber")), order_id=str(t.get("orderNumber")), symbol=self._name(t),
                      side=Side.BUY if integer(t.get("side")) == 1 else Side.SELL,
                      product=_PRODUCTS_BACK.get(str(t.get("productType")), Product.INTRADAY),
                      quantity=integer(t.get("tradedQty")), price=num(t.get("tradePrice")),
                      time=when(t.get("orderDateTime")), raw=dict(t))
                for t in self.client.tradebook().get("tradeBook") or []]

    def positions(self) -> List[Position]:
        out = []
        for p in self.client.positions().get("netPositions") or []:
            net = integer(p.get("netQty"))
            buy, sell = num(p.get("buyAvg")), num(p.get("sellAvg"))
            out.append(Position(
                symbol=self._name(p), product=_PRODUCTS_BACK.get(str(p.get("productType")), Product.INTRADAY),
                quantity=net, average_price=num(p.get("netAvg")) or (buy if net > 0 else sell if net < 0 else 0.0),
                buy_quantity=integer(p.get("buyQty")), buy_price=buy, sell_quantity=integer(p.get("sellQty")),
                sell_price=sell, last_price=opt_num(p.get("ltp")), pnl=opt_num(p.get("pl")), raw=dict(p)))
        return out

    def holdings(self) -> List[Holding]:
        return [Holding(symbol=self._name(h), quantity=integer(h.get("quantity")), average_price=num(h.get("costPrice")),
                        last_price=opt_num(h.get("ltp")), pnl=opt_num(h.get("pl")), raw=dict(h))
                for h in self.client.holdings().get("holdings") or []]

    def funds(self) -> Funds:
        body = self.client.funds()
        rows = {integer(r.get("id")): num(r.get("equityAmount")) for r in body.get("fund_limit") or []}
        return Funds(available=rows.get(10, 0.0), used=rows.get(2, 0.0), total=rows.get(1), raw=dict(body))

    # -- market ----------------------------------------------------------------------------
    def _quote(self, symbols: List[str]) -> Dict[str, Quote]:
        keys = {self.symbols.instrument(s).key: s for s in symbols}
        body = self.client.quotes({"symbols": ",".join(keys)})
        out = {}
        for row in body.get("d") or []:
            sym = keys.get(str(row.get("n")))
            if sym is None or row.get("s") != "ok":
                continue
            v = row.get("v") or {}
            out[sym] = Quote(symbol=sym, last_price=num(v.get("lp")), bid=opt_num(v.get("bid")) or None,
                             ask=opt_num(v.get("ask")) or None, open=opt_num(v.get("open_price")),
                             high=opt_num(v.get("high_price")), low=opt_num(v.get("low_price")),
                             close=opt_num(v.get("prev_close_price")), volume=v.get("volume"),
                             time=when(integer(v.get("tt"))), raw=dict(v))
        return out

    def _history(self, symbol: str, start: dt.datetime, end: dt.datetime, interval: str) -> List[Candle]:
        body = self.client.history({"symbol": self.symbols.instrument(symbol).key, "resolution": _RESOLUTIONS[interval],
                                    "date_format": 0, "range_from": str(int(start.timestamp())),
                                    "range_to": str(int(end.timestamp())), "cont_flag": 1})
        return [Candle(when(c[0]) or start, num(c[1]), num(c[2]), num(c[3]), num(c[4]), integer(c[5]),
                       integer(c[6]) if len(c) > 6 else None) for c in body.get("candles") or []]

    def _open_feed(self, feed: Feed) -> None:
        from ..fyers import FyersFeed, FyersOrder

        keys = {self.symbols.instrument(s).key: s for s in feed.symbols}
        tokens = {k: str(self.symbols.instrument(s).token) for k, s in keys.items()}
        if self.client.token is None:
            self.client.get_profile()  # loads the stored session: the sockets need its token
        token = f"{self.client.client_id}:{self.client.token}"
        urls: Dict[str, Any] = {"url": self.feed_url} if self.feed_url else {}
        data = FyersFeed(token, litemode=feed.mode == "ltp", client=self.client, fytokens=tokens,
                         data_root=self.client.data_root, public_root=self.client.public_root, **urls)

        def on_tick(ws: Any, rows: List[Dict[str, Any]]) -> None:
            for t in rows:
                sym = keys.get(str(t.get("symbol")))
                if sym is None or t.get("ltp") is None:
                    continue
                feed.emit_tick(Tick(symbol=sym, last_price=num(t.get("ltp")),
                                    time=when(t.get("last_traded_time") or t.get("exch_feed_time")),
                                    volume=t.get("vol_traded_today"), bid=opt_num(t.get("bid_price")),
                                    ask=opt_num(t.get("ask_price")), open=opt_num(t.get("open_price")),
                                    high=opt_num(t.get("high_price")), low=opt_num(t.get("low_price")),
                                    close=opt_num(t.get("prev_close_price")), oi=t.get("OI"), raw=t))

        data.on_connect = lambda ws: ws.subscribe(list(keys))
        data.on_tick = on_tick
        feed.add_socket(data)
        if not feed.orders:
            return
        order_urls: Dict[str, Any] = {"url": self.order_feed_url} if self.order_feed_url else {}
        orders = FyersOrder(token, **order_urls)
        acked = threading.Event()

        def on_connect(ws: Any) -> None:
            acked.clear()
            ws.subscribe("OnOrders")

        def on_general(ws: Any, msg: Any) -> None:
            if isinstance(msg, dict) and msg.get("s") == "ok" and msg.get("code") == 1605:
                acked.set()  # Fyers acknowledged the subscription: updates will reach us

        orders.on_connect = on_connect
        orders.on_general = on_general
        # Read the order back, so a feed update is the same Order that order() returns.
        orders.on_order_update = lambda ws, msg: feed.emit_order(self._order(str((msg.get("orders") or {}).get("id"))))
        feed.add_socket(orders, ready=lambda: bool(orders.connected) and acked.is_set())
