"""A rate limiter with several sliding windows per group, over a shared budget.

Brokers publish limits such as "10 orders a second, 400 a minute, 5000 a day" per
account. :class:`RateLimiter` lets a call through only when every window of its
group has room, so the broker never counts more than ``calls`` requests in any
``seconds`` window (a token bucket would allow a burst at a window boundary).

Where the windows are kept is the limiter's *budget*
(:class:`~brokers.stores.budget.Budget`): by default one in this process's memory;
a client gives its store's budget for its account (``store.budget("kite-AB1234")``),
so that every thread, process or host sharing the store shares one budget. Each call
costs one atomic operation on the budget, which reserves the next free slot; the
caller then sleeps until that slot. Nobody polls.

Example::

    limiter = RateLimiter({"quote": [(1, 1.0)], "orders": [(10, 1.0), (400, 60.0)]})
    limiter.acquire("orders")     # blocks until the call may go out
"""

from __future__ import annotations

import time
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ..stores.budget import Budget, LocalBudget

__all__ = ["RateLimiter", "Window"]

Window = Tuple[int, float]
BudgetSource = Union[Budget, Callable[[], Budget]]


class RateLimiter:
    """Sliding-window limits per group, shared by everything that shares its budget.

    Args:
        limits: group name -> list of ``(calls, seconds)`` windows. A group that
            is not listed is not limited.
        margin: extra seconds added to every window, to absorb scheduling jitter
            and clock differences between us and the broker.
        clock: monotonic time source of the default in-memory budget (tests).
        sleep: how to wait (injected in tests).
        budget: where the windows are kept: a :class:`~brokers.stores.budget.Budget`,
            or a callable returning one on each call (a client whose account becomes
            known at login). Default: a budget of this limiter alone.

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
        budget: Optional[BudgetSource] = None,
    ) -> None:
        self.limits: Dict[str, List[Window]] = {}
        for group, windows in limits.items():
            checked = []
            for w in windows:
                try:
                    calls, seconds = int(w[0]), float(w[1])
                except (TypeError, ValueError, IndexError, OverflowError):
                    raise ValueError(f"rate_limits[{group!r}]: {w!r} is not a (calls, seconds) pair") from None
                if calls < 1 or not seconds > 0 or seconds == float("inf"):
                    raise ValueError(f"rate_limits[{group!r}]: calls and seconds must be positive, got {w!r}")
                checked.append((calls, seconds))
            if checked:
                self.limits[group] = checked
        self.margin = margin
        self._sleep = sleep
        self._budget: BudgetSource = budget if budget is not None else LocalBudget(clock)

    @property
    def budget(self) -> Budget:
        """The budget the next call will use."""
        b = self._budget
        return b if isinstance(b, Budget) else b()

    def acquire(self, group: str) -> float:
        """Block until a call in ``group`` may be made, and record it.

        Returns:
            The seconds spent waiting.

        Raises:
            brokers.errors.StoreError: the shared budget cannot be reached (Redis down):
                the call is not made.
        """
        windows = self.limits.get(group)
        if not windows:
            return 0.0
        wait = self.budget.reserve(group, windows, self.margin)
        if wait > 0:
            self._sleep(wait)
        return wait

    def penalise(self, group: str, seconds: float) -> None:
        """Make the next call in ``group`` wait at least ``seconds`` (after a 429)."""
        if group in self.limits:
            self.budget.penalise(group, seconds)
