"""Rate budgets: sliding-window call records that a store keeps per broker account.

A budget answers one question per call, atomically: *when may this call go out?*
:func:`reserve` finds the earliest moment at which every ``(calls, seconds)`` window
of the group has room, records the call at that moment (a reservation, possibly in
the future) and returns it. The caller then sleeps until its slot: one atomic
operation per call, never a poll. Reservations are handed out in order, so threads,
processes and hosts sharing a budget queue fairly.

Calls of a small window are paced (:data:`PACE`): never a burst at one instant.
A window allowing many calls (more than :data:`EXACT_CALLS`, such as 400 a minute or
5000 a day) keeps its calls in buckets of ``seconds / EXACT_CALLS`` and counts every
call of a bucket as made at the bucket's last moment: never fewer calls in a window
than were made, at the cost of at most one bucket's width of extra wait at the cap.
The state is a small JSON document, the same for every store (the Redis script
implements the same rules in Lua).

Example::

    budget = LocalBudget()
    wait = budget.reserve("orders", [(10, 1.0), (400, 60.0)], margin=0.05)
    time.sleep(wait)              # then send
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any, Callable, Dict, Sequence, Tuple

__all__ = ["Budget", "EXACT_CALLS", "LocalBudget", "penalise", "reserve"]

Window = Tuple[int, float]
State = Dict[str, Any]

#: Windows allowing up to this many calls keep every call's time exactly.
EXACT_CALLS = 50
#: Calls of a window that keeps exact times go out at least this share of the even
#: spacing (``seconds / calls``) apart: a burst of 10 reaches the broker over half a
#: second instead of at one instant, so it does not queue at the broker's door and
#: arrive with more jitter than the margin absorbs.
PACE = 0.5
#: Longest wait a 429 may impose on a budget (a bad header must not stop it for days).
MAX_PENALTY = 3600.0


def window_key(calls: int, seconds: float) -> str:
    return f"{int(calls)}/{float(seconds)!r}"


def reserve(state: State, group: str, windows: Sequence[Window], margin: float, now: float) -> float:
    """Record one call of ``group`` in ``state`` at the earliest moment (``>= now``)
    every window allows, and return that moment. ``state`` is changed in place; a
    damaged group record (from a corrupt file, say) is dropped and started afresh."""
    try:
        slot = _reserve(state, group, windows, margin, now)
        if math.isfinite(slot):
            return slot
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        pass
    state[group] = {}
    return _reserve(state, group, windows, margin, now)


def _reserve(state: State, group: str, windows: Sequence[Window], margin: float, now: float) -> float:
    g = state.get(group)
    if not isinstance(g, dict):
        g = state[group] = {}
    until = g.get("u")
    slot = now
    if until is not None and until > now:
        slot = float(until)
    else:
        g.pop("u", None)
    lists = []
    for calls, seconds in windows:
        key = window_key(calls, seconds)
        entries = g.get(key)
        if not isinstance(entries, list):
            entries = []
        gone = now - seconds - margin
        first = 0
        while first < len(entries) and entries[first][1] <= gone:  # sorted: the oldest go first
            first += 1
        if first:
            entries = entries[first:]
        if entries:
            slot = max(slot, entries[-1][1])  # first come, first served
            if 1 < calls <= EXACT_CALLS:
                slot = max(slot, entries[-1][1] + PACE * seconds / calls)
        seen = 0.0
        for e in reversed(entries):
            seen += e[2]
            if seen >= calls:  # the call `calls` back must leave the window first
                slot = max(slot, e[1] + seconds + margin)
                break
        lists.append((key, calls, seconds, entries))
    for key, calls, seconds, entries in lists:
        width = seconds / EXACT_CALLS if calls > EXACT_CALLS else 0.0
        if width and entries and slot - entries[-1][0] < width:
            last = entries[-1]
            entries[-1] = [last[0], slot, last[2] + 1]
        else:
            entries.append([slot, slot, 1])
        seen, cut = 0.0, 0
        for i in range(len(entries) - 1, -1, -1):
            seen += entries[i][2]
            if seen >= calls:
                cut = i
                break
        g[key] = entries[cut:] if cut else entries
    return float(slot)


def penalise(state: State, group: str, seconds: float, now: float) -> None:
    """No call of ``group`` before ``now + seconds`` (after a 429). Non-finite or
    negative waits are ignored; longer ones are capped at :data:`MAX_PENALTY`."""
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds <= 0:
        return
    g = state.get(group)
    if not isinstance(g, dict):
        g = state[group] = {}
    until = now + min(float(seconds), MAX_PENALTY)
    old = g.get("u")
    if not (isinstance(old, (int, float)) and math.isfinite(old) and old >= until):
        g["u"] = until


class Budget:
    """Where a rate limiter keeps its windows. One atomic store operation per method.

    Subclasses implement :meth:`reserve` and :meth:`penalise`.
    """

    def reserve(self, group: str, windows: Sequence[Window], margin: float) -> float:
        """Reserve the next slot for a call of ``group``; returns seconds to wait (>= 0)."""
        raise NotImplementedError

    def penalise(self, group: str, seconds: float) -> None:
        """Let no call of ``group`` go out for ``seconds`` (after a 429)."""
        raise NotImplementedError


class LocalBudget(Budget):
    """A budget in this process's memory, shared by every thread holding it.

    Args:
        clock: a monotonic time source (injected in tests).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.state: State = {}

    def reserve(self, group: str, windows: Sequence[Window], margin: float) -> float:
        with self._lock:
            now = self._clock()
            return max(0.0, reserve(self.state, group, windows, margin, now) - now)

    def penalise(self, group: str, seconds: float) -> None:
        with self._lock:
            penalise(self.state, group, seconds, self._clock())

    def __repr__(self) -> str:
        return f"LocalBudget(groups={sorted(self.state)!r})"
