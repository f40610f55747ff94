"""Bad input raises before anything is sent, naming the argument; status words map
onto one lifecycle."""

from __future__ import annotations

from typing import Any, Callable, Dict

import pytest

import brokers
from brokers.sandbox import Sandbox
from brokers.unified import Broker, Status
from brokers.unified.dhan import dhan_status
from brokers.unified.fyers import fyers_status
from brokers.unified.kite import kite_status

from .conftest import BROKERS

BAD: Dict[str, Any] = {
    "symbol": (("NSE:NOPE", "BUY", 1), {}),
    "side": (("NSE:INFY", "HOLD", 1), {}),
    "quantity": (("NSE:INFY", "BUY", 0), {}),
    "lot size": (("NFO:NIFTY-2026-12-29-24300-CE", "BUY", 10), {}),
    "price is required": (("NSE:INFY", "BUY", 1), {"order_type": "LIMIT"}),
    "trigger_price is required": (("NSE:INFY", "SELL", 1), {"order_type": "STOP"}),
    "price: a MARKET order": (("NSE:INFY", "BUY", 1), {"price": 10.0}),
    "tag": (("NSE:INFY", "BUY", 1), {"tag": "has space"}),
    "product": (("NSE:INFY", "BUY", 1), {"product": "MARGIN"}),
    "index": (("NSE:NIFTY 50", "BUY", 1), {}),
    "order_type": (("NSE:INFY", "BUY", 1), {"order_type": "ICEBERG"}),
}


@pytest.mark.parametrize("name", BROKERS)
def test_bad_orders_raise_before_anything_is_sent(sb: Sandbox, make_broker: Callable[..., Broker],
                                                  name: str) -> None:
    broker = make_broker(name)
    assert broker.symbols  # the master is read once, before counting
    before = len(sb.requests("POST"))
    for why, (args, kw) in BAD.items():
        with pytest.raises(ValueError, match=why):
            broker.place_order(*args, **kw)
    assert len(sb.requests("POST")) == before


def test_derivatives_in_lots_and_delivery_means_margin(make_broker: Callable[..., Broker]) -> None:
    broker = make_broker("dhan")
    order = broker.place_order("NFO:NIFTY-2026-12-29-24300-CE", "BUY", 75, product="DELIVERY")
    assert order.quantity == 75 and order.product.value == "MARGIN" and order.status is Status.COMPLETE


def test_connect_checks_its_arguments(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="broker must be"):
        brokers.connect("zerodha")
    with pytest.raises(ValueError, match="unknown keyword 'passwrd'"):
        brokers.connect("kite", passwrd="x")
    with pytest.raises(ValueError, match="prices is required"):
        brokers.connect("paper")


def test_import_brokers_stays_light() -> None:
    import subprocess
    import sys

    code = "import sys, brokers; print('brokers.unified' in sys.modules, 'requests' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.parametrize("raw, filled, status", [
    ("COMPLETE", 5, Status.COMPLETE), ("OPEN", 0, Status.OPEN), ("OPEN", 2, Status.PARTIAL),
    ("TRIGGER PENDING", 0, Status.OPEN), ("CANCELLED", 0, Status.CANCELLED), ("REJECTED", 0, Status.REJECTED),
    ("PUT ORDER REQ RECEIVED", 0, Status.PENDING), ("VALIDATION PENDING", 0, Status.PENDING),
    ("MODIFY PENDING", 0, Status.OPEN),
])
def test_kite_words(raw: str, filled: int, status: Status) -> None:
    assert kite_status(raw, filled) is status


@pytest.mark.parametrize("raw, filled, status", [
    ("TRANSIT", 0, Status.PENDING), ("PENDING", 0, Status.OPEN), ("PART_TRADED", 3, Status.PARTIAL),
    ("TRADED", 5, Status.COMPLETE), ("CANCELLED", 0, Status.CANCELLED), ("REJECTED", 0, Status.REJECTED),
    ("EXPIRED", 0, Status.CANCELLED),
])
def test_dhan_words(raw: str, filled: int, status: Status) -> None:
    assert dhan_status(raw, filled) is status


@pytest.mark.parametrize("raw, filled, status", [
    (1, 0, Status.CANCELLED), (2, 5, Status.COMPLETE), (4, 0, Status.PENDING), (5, 0, Status.REJECTED),
    (6, 0, Status.OPEN), (6, 2, Status.PARTIAL), ("6", 0, Status.OPEN),
])
def test_fyers_codes(raw: Any, filled: int, status: Status) -> None:
    assert fyers_status(raw, filled) is status


@pytest.mark.parametrize("name", BROKERS)
def test_modify_then_cancel(make_broker: Callable[..., Broker], name: str) -> None:
    broker = make_broker(name)
    order = broker.place_order("NSE:SBIN", "BUY", 4, order_type="LIMIT", price=700.0, tag="mod1")
    changed = broker.modify_order(order.order_id, price=701.5)
    assert changed.price == 701.5 and changed.quantity == 4 and changed.status is Status.OPEN
    with pytest.raises(ValueError, match="pass quantity"):
        broker.modify_order(order.order_id)
    with pytest.raises(ValueError, match="price must be a finite number > 0; got -1.0"):
        broker.modify_order(order.order_id, price=-1.0)
    with pytest.raises(ValueError, match="trigger_price is required"):
        broker.modify_order(order.order_id, order_type="STOP_LIMIT")
    done = broker.cancel_order(order.order_id)
    assert done.status is Status.CANCELLED and done.order_id == order.order_id
    assert [o.order_id for o in broker.orders() if o.tag == "mod1"] == [order.order_id]


def test_connect_reuses_the_stored_session(sb: Sandbox, tmp_path: Any) -> None:
    from brokers.stores import FileStore

    from .conftest import sandbox_how

    first = brokers.connect("kite", store=FileStore(tmp_path), rate_limits=False, **sandbox_how(sb, "kite"))
    first.close()
    urls = {k: v for k, v in sandbox_how(sb, "kite").items() if k not in ("password", "totp_secret")}
    again = brokers.connect("kite", store=FileStore(tmp_path), rate_limits=False, **urls)
    try:
        assert again.client.auth_flow == "stored" and sb.kite.logins["web"] == 1
        assert again.funds().available > 0
    finally:
        again.close()
