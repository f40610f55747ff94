"""FeedRecorder: records every handler call of a feed; wait() blocks on a condition (no sleeps)."""

from __future__ import annotations

import threading
from typing import Any, Callable, List

WAIT = 5.0


class FeedRecorder:
    """Hooks every common handler of ``feed``. Ticks are kept as the batches the feed
    delivered; subclasses override :meth:`_on_tick` to keep them otherwise."""

    def __init__(self, feed: Any) -> None:
        self.ticks: List[Any] = []
        self.orders: List[dict] = []
        self.messages: List[Any] = []
        self.errors: List[BaseException] = []
        self.reconnects: List[int] = []
        self.connects = 0
        self.closes = 0
        self.gave_up = False
        self.cond = threading.Condition()
        feed.on_tick = self._on_tick
        if hasattr(feed, "on_order_update"):
            feed.on_order_update = lambda f, o: self._add(self.orders, o)
        feed.on_message = lambda f, m: self._add(self.messages, m)
        feed.on_error = lambda f, e: self._add(self.errors, e)
        feed.on_reconnect = lambda f, n: self._add(self.reconnects, n)
        feed.on_connect = lambda f: self._set("connects", self.connects + 1)
        feed.on_close = lambda f, c, r: self._set("closes", self.closes + 1)
        feed.on_noreconnect = lambda f: self._set("gave_up", True)

    def _on_tick(self, feed: Any, ticks: Any) -> None:
        self._add(self.ticks, ticks)

    def _add(self, items: List[Any], item: Any) -> None:
        with self.cond:
            items.append(item)
            self.cond.notify_all()

    def _set(self, name: str, value: Any) -> None:
        with self.cond:
            setattr(self, name, value)
            self.cond.notify_all()

    def wait(self, predicate: Callable[[], bool], timeout: float = WAIT) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout)
