"""A thread-safe rate limiter with several sliding windows per group.

Brokers publish limits such as "10 orders a second, 400 a minute, 5000 a day".
:class:`RateLimiter` keeps, per group, the times of the most recent calls and
lets a call through only when every window of its group has room, so the
broker never counts more than ``calls`` requests in any ``seconds`` window,
however many threads share the client. A token bucket would allow a burst at a
window boundary and break that promise.

Example::

    limiter = RateLimiter({"quote": [(1, 1.0)], "orders": [(10, 1.0), (400, 60.0)]})
    limiter.acquire("orders")     # blocks until the call may go out
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Callable, Deque, Dict, List, Mapping, Sequence, Tuple

__all__ = ["RateLimiter", "Window"]

Window = Tuple[int, float]


class RateLimiter:
    """Sliding-window limits per group, shared by every thread that holds it.

    Args:
        limits: group name -> list of ``(calls, seconds)`` windows. A group that
            is not listed is not limited.
        margin: extra seconds added to every window, to absorb scheduling jitter
            and clock differences between us and the broker.
        clock: monotonic time source (injected in tests).
        sleep: how to wait (injected in tests).

    Raises:
        ValueError: a window whose calls or seconds are not positive.
    """

    def __init__(
        self,
        limits: Mapping[str, Sequence[Window]],
        *,
        margin: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits: Dict[str, List[Window]] = {}
        for group, windows in limits.items():
            checked = []
            for w in windows:
                try:
                    calls, seconds = int(w[0]), float(w[1])
                except (TypeError, ValueError, IndexError):
                    raise ValueError(f"rate_limits[{group!r}]: {w!r} is not a (calls, seconds) pair") from None
                if calls < 1 or seconds <= 0:
                    raise ValueError(f"rate_limits[{group!r}]: calls and seconds must be positive, got {w!r}")
                checked.append((calls, seconds))
            self.limits[group] = checked
        self.margin = margin
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._history: Dict[str, Deque[float]] = {
            g: collections.deque(maxlen=max(c for c, _ in ws)) for g, ws in self.limits.items() if ws
        }

    def _wait_needed(self, group: str, now: float) -> float:
        history = self._history[group]
        wait = 0.0
        for calls, seconds in self.limits[group]:
            if len(history) >= calls:
                # The call `calls` back must have left the window before this one goes.
                wait = max(wait, history[-calls] + seconds + self.margin - now)
        return wait

    def acquire(self, group: str) -> float:
        """Block until a call in ``group`` may be made, and record it.

        Returns:
            The seconds spent waiting.
        """
        if group not in self._history:
            return 0.0
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                wait = self._wait_needed(group, now)
                if wait <= 0:
                    self._history[group].append(now)
                    return waited
            self._sleep(wait)
            waited += wait

    def penalise(self, group: str, seconds: float) -> None:
        """Make the next call in ``group`` wait at least ``seconds`` (after a 429)."""
        if group not in self._history or seconds <= 0:
            return
        with self._lock:
            history = self._history[group]
            until = self._clock() + seconds
            # Fill the tightest window so that no call goes before `until`.
            calls, window = min(self.limits[group], key=lambda w: w[1])
            stamp = until - window - self.margin
            for _ in range(calls):
                history.append(stamp)
