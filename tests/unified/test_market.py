"""quote(), history(), positions/holdings/funds: the same models from every broker."""

from __future__ import annotations

import datetime as dt
from typing import Callable, Dict, List

import pytest

from brokers.unified import Broker, Candle, Funds, Holding, Quote

from .conftest import BROKERS


@pytest.fixture
def all_three(make_broker: Callable[..., Broker]) -> Dict[str, Broker]:
    return {name: make_broker(name) for name in BROKERS}


def test_quotes(all_three: Dict[str, Broker]) -> None:
    for name, broker in all_three.items():
        quotes = broker.quote("NSE:INFY", "NFO:NIFTY-2026-12-29-24300-CE")
        assert set(quotes) == {"NSE:INFY", "NFO:NIFTY-2026-12-29-24300-CE"}, name
        q = quotes["NSE:INFY"]
        assert isinstance(q, Quote) and q.last_price > 0 and q.close and q.time is not None, name
        with pytest.raises(ValueError, match=r"symbols\[0\]"):
            broker.quote("NSE:NOPE")


def test_history_in_every_broker(all_three: Dict[str, Broker]) -> None:
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 6)
    days: Dict[str, List[Candle]] = {n: b.history("NSE:INFY", start, end, "day") for n, b in all_three.items()}
    for name, candles in days.items():
        assert candles and all(isinstance(c, Candle) for c in candles), name
        assert all(start <= c.time.date() <= end for c in candles), name
        assert [c.time for c in candles] == sorted(c.time for c in candles), name
    minutes = all_three["kite"].history("NSE:INFY", "2026-11-05 09:15", "2026-11-05 10:15", "5minute")
    assert minutes and all(c.time.utcoffset() == dt.timedelta(hours=5, minutes=30) for c in minutes)
    with pytest.raises(ValueError, match="interval"):
        all_three["kite"].history("NSE:INFY", start, end, "week")
    with pytest.raises(ValueError, match="before start"):
        all_three["kite"].history("NSE:INFY", end, start)


def test_portfolio_models(all_three: Dict[str, Broker]) -> None:
    for name, broker in all_three.items():
        funds = broker.funds()
        assert isinstance(funds, Funds) and funds.available > 0, name
        holdings = broker.holdings()
        assert holdings and all(isinstance(h, Holding) and h.symbol.startswith("NSE:") and h.quantity > 0
                                for h in holdings), name
        assert "NSE:INFY" in {h.symbol for h in holdings}, name
