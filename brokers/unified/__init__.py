"""One interface across brokers: ``brokers.connect()``, one set of models, orders
that never end in "unknown", and a paper broker that trades on live prices.

Example::

    import brokers

    broker = brokers.connect("dhan", client_id="1100000001", access_token=token)
    order = broker.place_order("NSE:INFY", "BUY", 1, order_type="LIMIT", price=1500, tag="s1")
    print(order.status, broker.positions())

See :mod:`brokers.unified.symbols` for the symbol notation and
:mod:`brokers.unified.enums` for the vocabulary and the order lifecycle.
"""

from .base import Broker
from .connect import connect
from .enums import OrderType, Product, Side, Status, Validity
from .feed import Feed
from .models import Candle, Funds, Holding, Order, Position, Quote, Tick, Trade
from .symbols import SymbolMap, format_symbol, parse_symbol

__all__ = ["Broker", "Candle", "Feed", "Funds", "Holding", "Order", "OrderType", "Position", "Product", "Quote",
           "Side", "Status", "SymbolMap", "Tick", "Trade", "Validity", "connect", "format_symbol", "parse_symbol"]
