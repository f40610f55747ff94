"""The budget rules (brokers.stores.budget) for many inputs, and a FileBudget shared by
processes: no window ever holds more calls than it allows, and a saturated budget
still hands out (nearly) every slot it may."""

from __future__ import annotations

import math
import multiprocessing
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.core.ratelimit import RateLimiter
from brokers.stores import FileStore, MemoryStore
from brokers.stores.budget import EXACT_CALLS, PACE, LocalBudget, penalise, reserve
from brokers.stores.files import FileBudget

MARGIN = 0.05


def _check_windows(slots, windows, margin=MARGIN):
    slots = sorted(slots)
    for calls, seconds in windows:
        for i in range(calls, len(slots)):
            # the call `calls` back left the window (plus the margin) before this one
            assert slots[i] - slots[i - calls] >= seconds + margin - 1e-9, (calls, seconds, i)


windows_st = st.lists(st.tuples(st.integers(1, 200), st.sampled_from([0.1, 0.5, 1.0, 3.0, 60.0])),
                      min_size=1, max_size=3, unique=True)


@settings(max_examples=200, deadline=None)
@given(windows=windows_st, gaps=st.lists(st.floats(0, 0.5, allow_nan=False), min_size=1, max_size=300),
       penalties=st.lists(st.tuples(st.integers(0, 299), st.floats(-1, 10)), max_size=3))
def test_no_window_ever_holds_more_than_it_allows(windows, gaps, penalties):
    state: dict = {}
    now, slots = 0.0, []
    pen = dict(penalties)
    for i, gap in enumerate(gaps):
        now += gap
        if i in pen:
            penalise(state, "g", pen[i], now)
        slot = reserve(state, "g", windows, MARGIN, now)
        assert slot >= now and (not slots or slot >= slots[-1])
        slots.append(slot)
    _check_windows(slots, windows)


@settings(max_examples=100, deadline=None)
@given(windows=windows_st, gaps=st.lists(st.floats(0, 0.3), min_size=2, max_size=100))
def test_calls_of_a_small_window_are_paced(windows, gaps):
    state: dict = {}
    now, slots = 0.0, []
    for gap in gaps:
        now += gap
        slots.append(reserve(state, "g", windows, MARGIN, now))
    for calls, seconds in windows:
        if 1 < calls <= EXACT_CALLS:
            assert all(b - a >= PACE * seconds / calls - 1e-9 for a, b in zip(slots, slots[1:]))


@settings(max_examples=100, deadline=None)
@given(windows=windows_st)
def test_a_saturated_budget_gives_nearly_every_slot(windows):
    state: dict = {}
    slots = [reserve(state, "g", windows, MARGIN, 0.0) for _ in range(400)]
    # the tightest window bounds the rate; a bucketed window costs at most one bucket
    rate = min(c / (sec + MARGIN + (sec / EXACT_CALLS if c > EXACT_CALLS else 0.0)) for c, sec in windows)
    longest = max(sec for _, sec in windows) + MARGIN
    assert slots[-1] - slots[0] <= len(slots) / rate + longest


@settings(max_examples=200, deadline=None)
@given(junk=st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=5) | st.integers(),
                         lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=4),
                         max_leaves=20))
def test_a_damaged_state_never_raises(junk):
    state = {"g": junk} if not isinstance(junk, dict) else {"g": junk, **junk}
    slot = reserve(state, "g", [(2, 1.0)], MARGIN, 5.0)
    assert math.isfinite(slot) and slot >= 5.0


def test_penalty_bounds():
    state: dict = {}
    for bad in (float("nan"), float("inf"), -5, 0):
        penalise(state, "g", bad, 0.0)
    assert reserve(state, "g", [(1, 1.0)], 0, 0.0) == 0.0
    penalise(state, "g", 1e12, 0.0)  # a silly header is capped, never an OverflowError
    assert reserve(state, "g", [(1, 1.0)], 0, 0.0) == 3600.0


def test_memory_store_shares_one_budget_per_account():
    store = MemoryStore()
    assert store.budget("kite-AB1234") is store.budget("kite-AB1234")
    assert store.budget("kite-AB1234") is not store.budget("kite-XY9999")
    with pytest.raises(ValueError):
        store.budget("../x")


def test_limiter_over_a_budget_sleeps_once_per_call():
    clock = [0.0]
    sleeps = []

    def sleep(s):
        sleeps.append(s)
        clock[0] += s

    budget = LocalBudget(clock=lambda: clock[0])
    a = RateLimiter({"g": [(2, 1.0)]}, margin=0.0, sleep=sleep, budget=budget)
    b = RateLimiter({"g": [(2, 1.0)]}, margin=0.0, sleep=sleep, budget=lambda: budget)
    for lim in (a, b, a, b, a):
        lim.acquire("g")
    # one budget for both limiters: a pair per second, paced a quarter second apart
    assert sleeps == pytest.approx([0.25, 0.75, 0.25, 0.75])


def _take_slots(path, n, windows, out):
    budget = FileBudget(path)
    slots = [budget._update(lambda g, now: reserve(g, "g", windows, MARGIN, now)) for _ in range(n)]
    out.put(slots)


def test_file_budget_is_one_budget_for_many_processes(tmp_path):
    windows = [(20, 0.2), (50, 1.0)]
    path = FileStore(tmp_path / "s")._dir() / "kite-AB1234.rate"
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_take_slots, args=(path, 40, windows, out)) for _ in range(4)]
    for p in procs:
        p.start()
    slots = []
    for _ in procs:
        slots += out.get(timeout=60)
    for p in procs:
        p.join(10)
    assert len(slots) == 160
    _check_windows(slots, windows)


def test_file_budget_threads_and_fork_safety(tmp_path):
    budget = FileStore(tmp_path / "s").budget("dhan-1")
    slots, lock = [], threading.Lock()

    def work():
        for _ in range(30):
            s = budget._update(lambda g, now: reserve(g, "g", [(10, 0.1)], MARGIN, now))
            with lock:
                slots.append(s)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(slots) == 120
    _check_windows(slots, [(10, 0.1)])


def test_file_budget_survives_garbage_and_reboots(tmp_path, caplog):
    path = FileStore(tmp_path / "s")._dir() / "kite-x.rate"
    path.write_bytes(b"\xff garbage")
    wall = [1_000_000.0]
    mono = [50.0]
    budget = FileBudget(path, clock=lambda: mono[0], wall=lambda: wall[0])
    assert budget.reserve("g", [(1, 10.0)], 0.0) == 0.0
    assert budget.reserve("g", [(1, 10.0)], 0.0) == pytest.approx(10.0)
    # a reboot: the monotonic clock starts again near zero, the wall clock moved on 2 s
    mono[0], wall[0] = 1.0, wall[0] + 2.0
    again = FileBudget(path, clock=lambda: mono[0], wall=lambda: wall[0])
    assert again.reserve("g", [(1, 10.0)], 0.0) == pytest.approx(18.0)  # the 2nd slot was at +10 s


def test_two_file_budgets_on_one_file_see_each_others_calls(tmp_path):
    path = FileStore(tmp_path / "s")._dir() / "kite-AB1234.rate"
    a, b = FileBudget(path), FileBudget(path)
    clock = [100.0]
    for budget in (a, b):
        budget._clock = lambda: clock[0]
    slots = []
    for i in range(40):
        budget = a if i % 3 else b  # the cache of one must not hide the other's calls
        slots.append(budget._update(lambda g, now: reserve(g, "g", [(5, 1.0)], MARGIN, now)))
        clock[0] += 0.01
    _check_windows(slots, [(5, 1.0)])
