"""The unified interface over :class:`~brokers.kite.Kite` and :class:`~brokers.kite.KiteFeed`."""

from __future__ import annotations

import datetime as dt
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

__all__ = ["KiteBroker", "kite_status"]

ORDER_TYPES = {OrderType.MARKET: "MARKET", OrderType.LIMIT: "LIMIT", OrderType.STOP: "SL-M",
               OrderType.STOP_LIMIT: "SL"}
_TYPES_BACK = {v: k for k, v in ORDER_TYPES.items()}
_PRODUCTS_BACK = {"MIS": Product.INTRADAY, "CNC": Product.DELIVERY, "NRML": Product.MARGIN,
                  "MTF": Product.MARGIN, "CO": Product.INTRADAY, "BO": Product.INTRADAY}
_FINAL = {"COMPLETE": Status.COMPLETE, "CANCELLED": Status.CANCELLED, "REJECTED": Status.REJECTED}


def kite_product(req: OrderRequest) -> str:
    if req.product is Product.INTRADAY:
        return "MIS"
    return "CNC" if req.product is Product.DELIVERY else "NRML"


def kite_status(raw: str, filled: int) -> Status:
    """Kite's status word (and the filled quantity) in the unified lifecycle."""
    word = (raw or "").upper()
    if word in _FINAL:
        return _FINAL[word]
    if word in ("OPEN", "TRIGGER PENDING") or word.startswith(("MODIFY", "CANCEL")):
        return Status.PARTIAL if filled > 0 else Status.OPEN
    return Status.PENDING


class KiteBroker(Broker):
    """:class:`~brokers.unified.base.Broker` over a :class:`~brokers.kite.Kite` client.

    Args:
        client: an authorized Kite.
        feed_url: the ticker's URL (default Kite's own).
        master: a SymbolMaster to map symbols with (default: the client's).
        **options: :class:`~brokers.unified.base.Broker`'s (``reconcile_timeout``, ``settle``).
    """

    name = "kite"

    def __init__(self, client: Any, *, feed_url: Optional[str] = None, master: Optional[SymbolMaster] = None,
                 **options: Any) -> None:
        super().__init__(master=master, **options)
        self.client = client
        self.feed_url = feed_url

    def _load_master(self) -> SymbolMaster:
        return master_of(self.client, "kite")

    def _name(self, row: Mapping[str, Any]) -> str:
        key = f"{row.get('exchange')}:{row.get('tradingsymbol')}"
        return self.symbols.name_of(key=key) or key.upper()

    # -- orders ----------------------------------------------------------------------------
    def _place(self, req: OrderRequest) -> str:
        inst = req.instrument
        return str(self.client.place_order(
            "regular", inst.exchange, inst.symbol, req.side.value, req.quantity, kite_product(req),
            ORDER_TYPES[req.order_type], price=req.price, validity=req.validity.value,
            trigger_price=req.trigger_price, tag=req.tag))

    def _modify(self, order: Order, quantity: int, order_type: OrderType, price: Optional[float],
                trigger_price: Optional[float]) -> None:
        self.client.modify_order(str((order.raw or {}).get("variety") or "regular"), order.order_id,
                                 quantity=quantity, price=price, order_type=ORDER_TYPES[order_type],
                                 trigger_price=trigger_price)

    def _cancel(self, order: Order) -> None:
        self.client.cancel_order(str((order.raw or {}).get("variety") or "regular"), order.order_id)

    def order_from(self, row: Mapping[str, Any]) -> Order:
        """An :class:`Order` from a Kite order row (orders(), order_history(), a postback)."""
        filled = integer(row.get("filled_quantity"))
        kind = _TYPES_BACK.get(str(row.get("order_type")), OrderType.MARKET)
        raw_status = str(row.get("status") or "")
        return Order(
            order_id=str(row.get("order_id")), symbol=self._name(row),
            side=Side(str(row.get("transaction_type") or "BUY").upper()), order_type=kind,
            product=_PRODUCTS_BACK.get(str(row.get("product")), Product.INTRADAY), quantity=integer(row.get("quantity")),
            status=kite_status(raw_status, filled), raw_status=raw_status, filled_quantity=filled,
            price=opt_num(row.get("price")) if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None,
            trigger_price=opt_num(row.get("trigger_price")) if kind in (OrderType.STOP, OrderType.STOP_LIMIT) else None,
            average_price=num(row.get("average_price")),
            validity=Validity.IOC if row.get("validity") == "IOC" else Validity.DAY, tag=row.get("tag") or None,
            message=row.get("status_message") or None,
            time=when(row.get("exchange_update_timestamp") or row.get("order_timestamp")), raw=dict(row))

    def _order(self, order_id: str) -> Order:
        return self.order_from(self.client.order_history(order_id)[-1])

    def _orders(self) -> List[Order]:
        return [self.order_from(r) for r in self.client.orders()]

    # -- portfolio -------------------------------------------------------------------------
    def trades(self) -> List[Trade]:
        return [Trade(trade_id=str(t.get("trade_id")), order_id=str(t.get("order_id")), symbol=self._name(t),
                      side=Side(str(t.get("transaction_type")).upper()),
                      product=_PRODUCTS_BACK.get(str(t.get("product")), Product.INTRADAY),
                      quantity=integer(t.get("quantity")), price=num(t.get("average_price")),
                      time=when(t.get("fill_timestamp") or t.get("exchange_timestamp")), raw=dict(t))
                for t in self.client.trades()]

    def positions(self) -> List[Position]:
        out = []
        for p in self.client.positions().get("net", []):
            bq, sq = integer(p.get("buy_quantity")), integer(p.get("sell_quantity"))
            bv, sv = num(p.get("buy_value")), num(p.get("sell_value"))
            out.append(Position(
                symbol=self._name(p), product=_PRODUCTS_BACK.get(str(p.get("product")), Product.INTRADAY),
                quantity=integer(p.get("quantity")), average_price=num(p.get("average_price")), buy_quantity=bq,
                buy_price=num(p.get("buy_price")) or (bv / bq if bq else 0.0), sell_quantity=sq,
                sell_price=num(p.get("sell_price")) or (sv / sq if sq else 0.0), last_price=opt_num(p.get("last_price")),
                pnl=opt_num(p.get("pnl")), raw=dict(p)))
        return out

    def holdings(self) -> List[Holding]:
        return [Holding(symbol=self._name(h), quantity=integer(h.get("quantity")) + integer(h.get("t1_quantity")),
                        average_price=num(h.get("average_price")), last_price=opt_num(h.get("last_price")),
                        pnl=opt_num(h.get("pnl")), raw=dict(h))
                for h in self.client.holdings()]

    def funds(self) -> Funds:
        m = self.client.margins("equity")
        avail = m.get("available") or {}
        return Funds(available=num(m.get("net")), used=num((m.get("utilised") or {}).get("debits")),
                     total=opt_num(avail.get("opening_balance")), raw=dict(m))

    # -- market ----------------------------------------------------------------------------
    def _quote(self, symbols: List[str]) -> Dict[str, Quote]:
        keys = {s: self.symbols.instrument(s).key for s in symbols}
        data = self.client.quote(*keys.values())
        out = {}
        for s, key in keys.items():
            q = data.get(key) or {}
            ohlc, depth = q.get("ohlc") or {}, q.get("depth") or {}
            out[s] = Quote(symbol=s, last_price=num(q.get("last_price")), bid=_best(depth.get("buy")),
                           ask=_best(depth.get("sell")), open=opt_num(ohlc.get("open")), high=opt_num(ohlc.get("high")),
                           low=opt_num(ohlc.get("low")), close=opt_num(ohlc.get("close")),
                           volume=q.get("volume"), oi=q.get("oi"), time=when(q.get("last_trade_time")), raw=dict(q))
        return out

    def _history(self, symbol: str, start: dt.datetime, end: dt.datetime, interval: str) -> List[Candle]:
        token = self.symbols.instrument(symbol).token
        rows = self.client.historical_data(int(token), start.replace(tzinfo=None), end.replace(tzinfo=None), interval)
        return [Candle(when(r["date"]) or start, num(r["open"]), num(r["high"]), num(r["low"]), num(r["close"]),
                       integer(r.get("volume")), r.get("oi")) for r in rows]

    def _open_feed(self, feed: Feed) -> None:
        from ..kite import KiteFeed

        options = {"url": self.feed_url} if self.feed_url else {}
        sock = KiteFeed.from_kite(self.client, **options)
        tokens = {int(self.symbols.instrument(s).token): s for s in feed.symbols}

        def on_connect(ws: Any) -> None:
            ws.subscribe(list(tokens))
            ws.set_mode(feed.mode, list(tokens))

        def on_tick(ws: Any, ticks: List[Dict[str, Any]]) -> None:
            for t in ticks:
                sym = tokens.get(t.get("instrument_token"))  # type: ignore[arg-type]
                if sym is None:
                    continue
                ohlc, depth = t.get("ohlc") or {}, t.get("depth") or {}
                feed.emit_tick(Tick(symbol=sym, last_price=num(t.get("last_price")),
                                    time=when(t.get("exchange_timestamp") or t.get("last_trade_time")),
                                    volume=t.get("volume_traded"), bid=_best(depth.get("buy")),
                                    ask=_best(depth.get("sell")), open=opt_num(ohlc.get("open")),
                                    high=opt_num(ohlc.get("high")), low=opt_num(ohlc.get("low")),
                                    close=opt_num(ohlc.get("close")), oi=t.get("oi"), raw=t))

        sock.on_connect = on_connect
        sock.on_tick = on_tick
        if feed.orders:  # Kite's updates come on the ticker's own socket
            sock.on_order_update = lambda ws, row: feed.emit_order(self.order_from(row))
        feed.add_socket(sock)


def _best(levels: Any) -> Optional[float]:
    if isinstance(levels, list) and levels and isinstance(levels[0], dict):
        return opt_num(levels[0].get("price")) or None
    return None
