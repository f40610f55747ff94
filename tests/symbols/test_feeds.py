"""Feed subscriptions by symbol, through a master given to the feed."""

from __future__ import annotations

import pytest

from brokers import errors
from brokers.dhan import DhanFeed
from brokers.kite import KiteFeed


def test_kite_feed_subscribes_by_symbol(msb, make_client):
    feed = KiteFeed(user_id="AB1234", enctoken="x")
    with pytest.raises(ValueError, match="feed.master"):
        feed.subscribe(["NSE:INFY"])
    feed.master = make_client("kite", msb).master()
    feed.subscribe(["NSE:INFY", 779521])
    feed.set_mode(feed.MODE_FULL, "NSE:SBIN")
    assert feed.subscribed_tokens == {408065: "quote", 779521: "full"}
    feed.unsubscribe(["NSE:INFY"])
    assert feed.subscribed_tokens == {779521: "full"}
    with pytest.raises(errors.InputError, match="closest: NSE:INFY"):
        feed.subscribe(["NSE:INFI"])


def test_dhan_feed_subscribes_by_symbol(msb, make_client):
    feed = DhanFeed("1100000001", "x.y.z")
    feed.master = make_client("dhan", msb).master()
    feed.subscribe(["NSE:INFY", ("NSE:SBIN", 17), ("NSE_EQ", "1333")])
    subs = feed.subscriptions
    assert set(subs) == {("NSE_EQ", "1594"), ("NSE_EQ", "3045"), ("NSE_EQ", "1333")}
    feed.unsubscribe("NSE:INFY")
    assert ("NSE_EQ", "1594") not in feed.subscriptions
