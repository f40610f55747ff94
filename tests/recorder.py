"""What every feed test shares: :class:`FeedRecorder` (records every handler call of
a feed) and :func:`wait_for` (the one way to wait for a condition: no sleeps)."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Dict, List, Optional

WAIT = 5.0


def wait_for(predicate: Callable[[], Any], timeout: float = WAIT,
             cond: Optional[threading.Condition] = None) -> bool:
    """Wait until ``predicate()`` is true or ``timeout`` passes; returns the last value.

    With ``cond`` (a Condition notified whenever the predicate's state changes, as a
    recorder's is) it wakes on every notify; without, it polls every 10 ms, for state
    that cannot notify (a sandbox server's sessions).
    """
    deadline = time.monotonic() + timeout
    if cond is not None:
        with cond:
            return bool(cond.wait_for(predicate, timeout))
    pause = threading.Event()
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return bool(predicate())
        pause.wait(0.01)


class FeedRecorder:
    """Hooks every handler attribute (``on_*``) of ``feed``, of any broker, and records
    each call's arguments after the feed in ``calls[name]`` (one argument as itself,
    several as a tuple, none as None).

    Shortcuts: ``ticks`` (tick batches as delivered, or one flat list with
    ``flatten=True``; raw frames of ``parse_data=False`` go to ``raw`` instead),
    ``orders``, ``messages``, ``errors``, ``reconnects``, ``connects``, ``closes``,
    ``gave_up``.

    Example::

        rec = FeedRecorder(feed, flatten=True)
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.ticks)
    """

    def __init__(self, feed: Any, flatten: bool = False) -> None:
        self.flatten = flatten
        self.cond = threading.Condition()
        self.ticks: List[Any] = []
        self.raw: List[bytes] = []
        self.calls: Dict[str, List[Any]] = {}
        for name in [n for n in vars(feed) if n.startswith("on_")]:
            self.calls[name] = []
            setattr(feed, name, self._recorder(name))

    def _recorder(self, name: str) -> Callable[..., None]:
        def record(feed: Any, *args: Any) -> None:
            value = args[0] if len(args) == 1 else args if args else None
            with self.cond:
                self.calls[name].append(value)
                if name == "on_tick":
                    self._on_tick(value)
                self.cond.notify_all()
        return record

    def _on_tick(self, ticks: Any) -> None:
        if isinstance(ticks, (bytes, bytearray)):
            self.raw.append(bytes(ticks))
        elif self.flatten:
            self.ticks.extend(ticks)
        else:
            self.ticks.append(ticks)

    def on_tick(self, feed: Any, ticks: Any) -> None:
        """Record ticks as the feed's ``on_tick`` would (for tests that wrap it)."""
        with self.cond:
            self.calls.setdefault("on_tick", []).append(ticks)
            self._on_tick(ticks)
            self.cond.notify_all()

    def _list(self, name: str) -> List[Any]:
        return self.calls.setdefault(name, [])

    @property
    def orders(self) -> List[Any]:
        return self._list("on_order_update")

    @property
    def messages(self) -> List[Any]:
        return self._list("on_message")

    @property
    def errors(self) -> List[Any]:
        return self._list("on_error")

    @property
    def reconnects(self) -> List[Any]:
        return self._list("on_reconnect")

    @property
    def connects(self) -> int:
        return len(self._list("on_connect"))

    @property
    def closes(self) -> int:
        return len(self._list("on_close"))

    @property
    def gave_up(self) -> bool:
        return bool(self._list("on_noreconnect"))

    def wait(self, predicate: Callable[[], Any], timeout: float = WAIT) -> bool:
        """:func:`wait_for` on this recorder's condition."""
        return wait_for(predicate, timeout, self.cond)
