"""The unified interface over :class:`~brokers.dhan.Dhan`, :class:`~brokers.dhan.DhanFeed`
and :class:`~brokers.dhan.DhanOrder`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional

from ..history import Candle
from ..symbols import Instrument, SymbolMaster
from .base import Broker
from .convert import integer, num, opt_num, when
from .enums import OrderType, Product, Side, Status, Validity
from .feed import Feed
from .masters import master_of
from .models import Funds, Holding, Order, Position, Quote, Tick, Trade
from .orders import OrderRequest

__all__ = ["DhanBroker", "dhan_status"]

ORDER_TYPES = {OrderType.MARKET: "MARKET", OrderType.LIMIT: "LIMIT", OrderType.STOP: "STOP_LOSS_MARKET",
               OrderType.STOP_LIMIT: "STOP_LOSS"}
_TYPES_BACK = {v: k for k, v in ORDER_TYPES.items()}
PRODUCTS = {Product.INTRADAY: "INTRADAY", Product.DELIVERY: "CNC", Product.MARGIN: "MARGIN"}
_PRODUCTS_BACK = {"INTRADAY": Product.INTRADAY, "CNC": Product.DELIVERY, "MARGIN": Product.MARGIN,
                  "MTF": Product.MARGIN, "CO": Product.INTRADAY, "BO": Product.INTRADAY}
STATUSES = {"TRANSIT": Status.PENDING, "PENDING": Status.OPEN, "TRIGGERED": Status.OPEN,
            "PART_TRADED": Status.PARTIAL, "TRADED": Status.COMPLETE, "CANCELLED": Status.CANCELLED,
            "REJECTED": Status.REJECTED, "EXPIRED": Status.CANCELLED, "CLOSED": Status.COMPLETE}
_MODES = {"ltp": "ticker", "quote": "quote", "full": "full"}
_INDICES = frozenset({"NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "NIFTYNXT50", "SENSEX", "BANKEX"})


def dhan_status(raw: str, filled: int = 0) -> Status:
    """Dhan's ``orderStatus`` in the unified lifecycle."""
    status = STATUSES.get((raw or "").upper(), Status.PENDING)
    return Status.PARTIAL if status is Status.OPEN and filled > 0 else status


def chart_instrument(inst: Instrument) -> str:
    """Dhan's ``instrument`` word for the chart calls."""
    kind = inst.instrument_type
    if kind == "INDEX":
        return "INDEX"
    if kind not in ("FUT", "CE", "PE"):
        return "EQUITY"
    fut = kind == "FUT"
    if inst.exchange in ("CDS", "BCD"):
        return "FUTCUR" if fut else "OPTCUR"
    if inst.exchange == "MCX":
        return "FUTCOM" if fut else "OPTFUT"
    index = (inst.underlying or "").upper().replace(" ", "") in _INDICES
    return ("FUT" if fut else "OPT") + ("IDX" if index else "STK")


class DhanBroker(Broker):
    """:class:`~brokers.unified.base.Broker` over a :class:`~brokers.dhan.Dhan` client.

    Args:
        client: an authorized Dhan.
        feed_url, order_feed_url: the market-feed and order-update socket URLs
            (default Dhan's own).
        master: a SymbolMaster to map symbols with (default: the client's).
    """

    name = "dhan"

    def __init__(self, client: Any, *, feed_url: Optional[str] = None, order_feed_url: Optional[str] = None,
                 master: Optional[SymbolMaster] = None, **options: Any) -> None:
        super().__init__(master=master, **options)
        self.client = client
        self.feed_url = feed_url
        self.order_feed_url = order_feed_url

    def _load_master(self) -> SymbolMaster:
        return master_of(self.client, "dhan")

    def _name(self, row: Mapping[str, Any]) -> str:
        seg, sid = str(row.get("exchangeSegment") or ""), row.get("securityId")
        return self.symbols.name_of(token=sid, segment=seg) or f"{seg}:{row.get('tradingSymbol')}".upper()

    # -- orders ----------------------------------------------------------------------------
    def _place(self, req: OrderRequest) -> str:
        inst = req.instrument
        answer = self.client.place_order(
            inst.token, inst.segment, req.side.value, req.quantity, ORDER_TYPES[req.order_type],
            PRODUCTS[req.product], req.price or 0, trigger_price=req.trigger_price or 0,
            validity=req.validity.value, tag=req.tag)
        return str(answer["orderId"])

    def _modify(self, order: Order, quantity: int, order_type: OrderType, price: Optional[float],
                trigger_price: Optional[float]) -> None:
        self.client.modify_order(order.order_id, ORDER_TYPES[order_type], None, quantity, price or 0,
                                 trigger_price or 0, 0, order.validity.value)

    def _cancel(self, order: Order) -> None:
        self.client.cancel_order(order.order_id)

    def order_from(self, row: Mapping[str, Any]) -> Order:
        """An :class:`Order` from a Dhan order row."""
        filled = integer(row.get("filledQty"))
        kind = _TYPES_BACK.get(str(row.get("orderType")), OrderType.MARKET)
        raw_status = str(row.get("orderStatus") or "")
        return Order(
            order_id=str(row.get("orderId")), symbol=self._name(row),
            side=Side(str(row.get("transactionType") or "BUY").upper()), order_type=kind,
            product=_PRODUCTS_BACK.get(str(row.get("productType")), Product.INTRADAY),
            quantity=integer(row.get("quantity")), status=dhan_status(raw_status, filled), raw_status=raw_status,
            filled_quantity=filled,
            price=opt_num(row.get("price")) if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None,
            trigger_price=opt_num(row.get("triggerPrice")) if kind in (OrderType.STOP, OrderType.STOP_LIMIT) else None,
            average_price=num(row.get("averageTradedPrice")),
            validity=Validity.IOC if row.get("validity") == "IOC" else Validity.DAY,
            tag=row.get("correlationId") or None, message=row.get("omsErrorDescription") or None,
            time=when(row.get("updateTime") or row.get("createTime")), raw=dict(row))

    def _order(self, order_id: str) -> Order:
        row = self.client.get_order_by_id(order_id)
        if isinstance(row, list):
            row = row[0]
        return self.order_from(row)

    def _orders(self) -> List[Order]:
        return [self.order_from(r) for r in self.client.get_order_list()]

    # -- portfolio -------------------------------------------------------------------------
    def trades(self) -> List[Trade]:
        return [Trade(trade_id=str(t.get("exchangeTradeId")), order_id=str(t.get("orderId")), symbol=self._name(t),
                      side=Side(str(t.get("transactionType")).upper()),
                      product=_PRODUCTS_BACK.get(str(t.get("productType")), Product.INTRADAY),
                      quantity=integer(t.get("tradedQuantity")), price=num(t.get("tradedPrice")),
                      time=when(t.get("exchangeTime") or t.get("updateTime")), raw=dict(t))
                for t in self.client.get_trade_book()]

    def positions(self) -> List[Position]:
        out = []
        for p in self.client.get_positions():
            net = integer(p.get("netQty"))
            buy, sell = num(p.get("buyAvg")), num(p.get("sellAvg"))
            pnl = opt_num(p.get("realizedProfit"))
            if pnl is not None:
                pnl += num(p.get("unrealizedProfit"))
            out.append(Position(
                symbol=self._name(p), product=_PRODUCTS_BACK.get(str(p.get("productType")), Product.INTRADAY),
                quantity=net, average_price=buy if net > 0 else sell if net < 0 else 0.0,
                buy_quantity=integer(p.get("buyQty")), buy_price=buy, sell_quantity=integer(p.get("sellQty")),
                sell_price=sell, last_price=opt_num(p.get("lastTradedPrice")), pnl=pnl, raw=dict(p)))
        return out

    def holdings(self) -> List[Holding]:
        out = []
        for h in self.client.get_holdings():
            sid = h.get("securityId")
            sym = (self.symbols.name_of(token=sid, segment="NSE_EQ") or self.symbols.name_of(token=sid, segment="BSE_EQ")
                   or f"NSE:{h.get('tradingSymbol')}")
            qty, avg, last = integer(h.get("totalQty")), num(h.get("avgCostPrice")), opt_num(h.get("lastTradedPrice"))
            out.append(Holding(symbol=sym, quantity=qty, average_price=avg, last_price=last,
                               pnl=round((last - avg) * qty, 2) if last is not None else None, raw=dict(h)))
        return out

    def funds(self) -> Funds:
        f = self.client.get_fund_limits()
        return Funds(available=num(f.get("availabelBalance", f.get("availableBalance"))),
                     used=num(f.get("utilizedAmount")), total=opt_num(f.get("sodLimit")), raw=dict(f))

    # -- market ----------------------------------------------------------------------------
    def _quote(self, symbols: List[str]) -> Dict[str, Quote]:
        wanted: Dict[str, List[int]] = {}
        for s in symbols:
            inst = self.symbols.instrument(s)
            wanted.setdefault(inst.segment, []).append(int(inst.token))
        body = self.client.quote_data(wanted)
        data = body.get("data", body) if isinstance(body, dict) else {}
        out = {}
        for s in symbols:
            inst = self.symbols.instrument(s)
            q = (data.get(inst.segment) or {}).get(str(inst.token)) or {}
            ohlc, depth = q.get("ohlc") or {}, q.get("depth") or {}
            out[s] = Quote(symbol=s, last_price=num(q.get("last_price")), bid=_best(depth.get("buy")),
                           ask=_best(depth.get("sell")), open=opt_num(ohlc.get("open")), high=opt_num(ohlc.get("high")),
                           low=opt_num(ohlc.get("low")), close=opt_num(ohlc.get("close")), volume=q.get("volume"),
                           oi=q.get("oi"), time=when(q.get("last_trade_time")), raw=dict(q))
        return out

    def _history(self, symbol: str, start: dt.datetime, end: dt.datetime, interval: str) -> List[Candle]:
        inst = self.symbols.instrument(symbol)
        kind = chart_instrument(inst)
        if interval == "day":
            body = self.client.historical_daily_data(inst.token, inst.segment, kind, start.date(),
                                                     end.date() + dt.timedelta(days=1))
        else:
            minutes = 1 if interval == "minute" else int(interval.replace("minute", ""))
            if minutes not in (1, 5, 15, 25, 60):
                raise ValueError(f"interval: Dhan has 1, 5, 15, 25 and 60 minute candles; got {interval!r}")
            body = self.client.intraday_minute_data(inst.token, inst.segment, kind, start, end, minutes)
        cols = [body.get(k) or [] for k in ("timestamp", "open", "high", "low", "close", "volume")]
        ois = body.get("open_interest") or []
        return [Candle(when(ts) or start, num(o), num(h), num(lo), num(c), integer(v), ois[n] if n < len(ois) else None)
                for n, (ts, o, h, lo, c, v) in enumerate(zip(*cols))]

    def _open_feed(self, feed: Feed) -> None:
        from ..dhan import DhanFeed, DhanOrder
        from ..dhan.routes import SEGMENT_NAMES

        by_id = {}
        instruments = []
        for s in feed.symbols:
            inst = self.symbols.instrument(s)
            by_id[(inst.segment, str(inst.token))] = s
            instruments.append((inst.segment, int(inst.token), _MODES[feed.mode]))
        ticks = DhanFeed.from_dhan(self.client, instruments, **({"url": self.feed_url} if self.feed_url else {}))

        def on_tick(ws: Any, rows: List[Dict[str, Any]]) -> None:
            for t in rows:
                if t.get("type") not in ("Ticker Data", "Quote Data", "Full Data"):
                    continue
                seg = t.get("exchange_segment")
                seg = SEGMENT_NAMES.get(seg, str(seg)) if isinstance(seg, int) else str(seg)
                sym = by_id.get((seg, str(t.get("security_id"))))
                if sym is None:
                    continue
                depth = t.get("depth") or []
                feed.emit_tick(Tick(symbol=sym, last_price=num(t.get("LTP")), time=when(t.get("LTT")),
                                    volume=t.get("volume"), bid=opt_num(depth[0].get("bid_price")) if depth else None,
                                    ask=opt_num(depth[0].get("ask_price")) if depth else None,
                                    open=opt_num(t.get("open")), high=opt_num(t.get("high")),
                                    low=opt_num(t.get("low")), close=opt_num(t.get("close")), oi=t.get("OI"), raw=t))

        ticks.on_tick = on_tick
        feed.add_socket(ticks)
        if not feed.orders:
            return
        orders = DhanOrder.from_dhan(self.client, **({"url": self.order_feed_url} if self.order_feed_url else {}))
        # The update's own fields differ from the order book's; read the order back so
        # that a feed update is the same Order that order() returns.
        orders.on_order_update = lambda ws, data: feed.emit_order(self._order(str(data.get("OrderNo"))))
        feed.add_socket(orders)


def _best(levels: Any) -> Optional[float]:
    if isinstance(levels, list) and levels and isinstance(levels[0], dict):
        return opt_num(levels[0].get("price")) or None
    return None
