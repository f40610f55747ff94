"""SymbolMaster: lookups, search, derivatives views; the chunker's edges; full-size masters."""

from __future__ import annotations

import datetime as dt
from typing import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokers.history import chunks, interval_minutes
from brokers.ist import IST
from brokers.sandbox import Sandbox
from brokers.symbols import Instrument, SymbolMaster

from .conftest import _client


def _opt(token, symbol, expiry, strike, kind="CE", under="NIFTY"):
    return Instrument("kite", f"NFO:{symbol}", "NFO", "NFO-OPT", symbol, token, under, kind, under, expiry, strike,
                      kind, 75)


SMALL = SymbolMaster("kite", [
    Instrument("kite", "NSE:INFY", "NSE", "NSE", "INFY", 408065, "INFOSYS"),
    _opt(1, "NIFTY24D1924000CE", dt.date(2024, 12, 19), 24000.0),
    _opt(2, "NIFTY24DEC24000CE", dt.date(2024, 12, 26), 24000.0),
    _opt(3, "NIFTY24DEC24000PE", dt.date(2024, 12, 26), 24000.0, "PE"),
    _opt(4, "NIFTY24DEC23950CE", dt.date(2024, 12, 26), 23950.0),
    Instrument("kite", "NFO:NIFTY24DECFUT", "NFO", "NFO-FUT", "NIFTY24DECFUT", 5, "NIFTY", "FUT", "NIFTY",
               dt.date(2024, 12, 26), lot_size=75),
])


def test_lookups():
    assert SMALL["nse:infy"].token == 408065 and "NSE:INFY" in SMALL and "NSE:NOPE" not in SMALL
    assert SMALL.get(token=5).symbol == "NIFTY24DECFUT" and SMALL.get(token=99) is None
    with pytest.raises(KeyError):
        SMALL["NSE:NOPE"]
    assert [i.token for i in SMALL] == [408065, 1, 2, 3, 4, 5] and len(SMALL) == 6


def test_derivatives_views():
    assert SMALL.expiries("nifty") == [dt.date(2024, 12, 19), dt.date(2024, 12, 26)]
    assert [i.token for i in SMALL.options("NIFTY", "2024-12-26")] == [4, 2, 3]
    assert [i.token for i in SMALL.options("NIFTY")] == [1, 4, 2, 3]
    assert [i.token for i in SMALL.futures("NIFTY")] == [5]
    assert SMALL.options("INFY") == [] and SMALL.expiries("NOPE") == []
    with pytest.raises(ValueError, match="expiry"):
        SMALL.options("NIFTY", "soon")


@pytest.mark.parametrize("query", ["nifty 24000 ce", "NIFTY24000CE", "  Nifty   24000 ce ", "nifty 24000ce"])
def test_search_is_case_and_spacing_tolerant(query):
    assert [i.token for i in SMALL.search(query)] == [1, 2]


def test_search_ranks_and_limits():
    assert SMALL.search("infy")[0].key == "NSE:INFY"
    assert [i.token for i in SMALL.search("nifty", limit=2)] == [5, 1]  # the future before the options
    assert SMALL.search("zzz") == []
    with pytest.raises(ValueError):
        SMALL.search(" ")
    with pytest.raises(ValueError):
        SMALL.search("nifty", limit=0)
    assert SMALL.closest("NSE:INFI") == ["NSE:INFY"]


def test_dhan_ids_need_their_segment():
    rows = [Instrument("dhan", "NSE:INFY", "NSE", "NSE_EQ", "INFY", "1594"),
            Instrument("dhan", "NSE_FNO:X-Dec2026-FUT", "NFO", "NSE_FNO", "X-Dec2026-FUT", "1594",
                       instrument_type="FUT", underlying="X", expiry=dt.date(2026, 12, 29))]
    master = SymbolMaster("dhan", rows)
    with pytest.raises(ValueError, match="NSE_EQ, NSE_FNO"):
        master.get(token="1594")
    assert master.get(token=1594, segment="NSE_FNO").symbol == "X-Dec2026-FUT"
    assert master.get("NSE_EQ:INFY") is master.get("NSE:INFY")


@given(st.integers(0, 4000), st.integers(1, 3000), st.sampled_from([None, 1, 60, 90, 100, 366, 2000]))
def test_chunks_cover_the_range_once(offset, length, cap):
    start = dt.datetime(2015, 1, 1, tzinfo=IST) + dt.timedelta(hours=offset)
    stop = start + dt.timedelta(hours=length)
    windows = chunks(start, stop, cap)
    assert windows[0][0] == start and windows[-1][1] == stop
    assert all(a < b for a, b in windows) and all(w[1] == n[0] for w, n in zip(windows, windows[1:]))
    assert cap is None or all(b - a <= dt.timedelta(days=cap) for a, b in windows)


def test_interval_words():
    assert [interval_minutes(x) for x in ("minute", "5minute", 25, "15m", "D", "day", "60")] == [1, 5, 25, 15,
                                                                                               1440, 1440, 60]
    with pytest.raises(ValueError):
        interval_minutes("fortnight")


@pytest.fixture(scope="module")
def full() -> Iterator[Sandbox]:
    with Sandbox(masters="full") as sb:
        yield sb


@pytest.mark.slow
def test_full_size_masters(full, tmp_path):
    kite = _client("kite", full, tmp_path)
    try:
        m = kite.master()
    finally:
        kite.close()
    assert len(m) >= 90_000
    for under in ("NIFTY", "BANKNIFTY", "RELIANCE", "INFY", "TCS"):
        assert len(m.expiries(under)) >= 3 and len(m.options(under, m.expiries(under)[0])) >= 40
    weekly = [i for i in m.options("NIFTY") if not i.symbol.startswith(f"NIFTY{i.expiry:%y}{i.expiry:%b}".upper())]
    assert weekly and len(m.expiries("NIFTY")) >= 6  # weekly and monthly
    assert m["NSE:INFY"].token == 408065 and m.search("banknifty fut")[0].instrument_type == "FUT"
    dhan = _client("dhan", full, tmp_path)
    try:
        d = dhan.master()
    finally:
        dhan.close()
    assert len(d) >= 90_000 and d["NSE:INFY"].token == "1594"
    by_id = {}
    for i in d:
        by_id.setdefault(i.token, set()).add(i.segment)
    assert sum(1 for segs in by_id.values() if len(segs) > 1) > 100  # ids repeat across segments
    assert d.options("NIFTY")[0].underlying == "NIFTY"
    fyers = _client("fyers", full, tmp_path)
    try:
        f = fyers.master()
    finally:
        fyers.close()
    assert len(f) >= 90_000 and f["NSE:SBIN-EQ"].token == "10100000003045"
    assert f.futures("NIFTY")[0].key.startswith("NSE:NIFTY")


def _small_kite_master() -> SymbolMaster:
    from brokers.kite.codec import parse_master
    from brokers.sandbox.masters import kite_csv
    from brokers.sandbox.universe import universe

    return SymbolMaster.from_rows("kite", parse_master(kite_csv(universe("small", dt.date(2026, 11, 30), []))))


MEDIUM = _small_kite_master()
SYMBOLS = sorted({i.symbol for i in MEDIUM})


@given(st.sampled_from(SYMBOLS), st.lists(st.sampled_from(["", " ", "  "]), min_size=12, max_size=12),
       st.booleans())
def test_any_symbol_is_found_first_whatever_the_spacing_and_case(symbol, gaps, lower):
    import re

    parts = re.findall(r"[A-Za-z]+|\d+(?:\.\d+)?", symbol)
    query = "".join(p + gaps[n % len(gaps)] for n, p in enumerate(parts))
    query = query.lower() if lower else query
    best = MEDIUM.search(query, limit=3)[0]
    assert re.sub(r"[^A-Z0-9]", "", best.symbol.upper()) == re.sub(r"[^A-Z0-9]", "", symbol.upper())
