"""History over any range: every interval of every broker, over several times its cap,
equals the sandbox's own series bar for bar."""

from __future__ import annotations

import datetime as dt

import pytest

from brokers import errors
from brokers.dhan import routes as dhan_routes
from brokers.fyers import routes as fyers_routes
from brokers.history import DAY, Candle
from brokers.ist import IST
from brokers.kite import routes as kite_routes
from brokers.sandbox.candles import CAPS

END = dt.date(2026, 11, 27)
SYMBOL = {"kite": "NSE:INFY", "dhan": "NSE:INFY", "fyers": "NSE:INFY-EQ"}
CASES = [(b, m) for b in ("kite", "dhan", "fyers") for m in CAPS[b]]


def expected(sb, start: dt.date, end: dt.date, minutes: int):
    inst = sb.market.find("NSE:INFY")
    a = dt.datetime.combine(start, dt.time(), IST)
    b = dt.datetime.combine(end, dt.time(23, 59, 59), IST)
    return [Candle(dt.datetime.fromtimestamp(r[0], IST), r[1], r[2], r[3], r[4], r[5])
            for r in sb.market.candles(inst, a, b, minutes)]


def test_caps_tables_agree_with_the_sandbox():
    assert kite_routes.HISTORY_CAPS == CAPS["kite"]
    assert dhan_routes.HISTORY_CAPS == CAPS["dhan"]
    assert fyers_routes.HISTORY_CAPS == CAPS["fyers"]


@pytest.mark.slow
@pytest.mark.parametrize("broker,minutes", CASES, ids=[f"{b}-{m}" for b, m in CASES])
def test_every_interval_over_three_caps_equals_the_sandbox_series(msb, make_client, broker, minutes):
    cap = CAPS[broker][minutes] or 1500
    start = END - dt.timedelta(days=3 * cap + 5)
    client = make_client(broker, msb)
    progress = []
    got = client.history(SYMBOL[broker], start, END, minutes, on_progress=lambda d, t: progress.append((d, t)))
    want = expected(msb, start, END, minutes)
    assert len(want) > 0 and got == want
    if CAPS[broker][minutes] is not None:
        assert len(progress) == 4 and progress[-1] == (4, 4)
    assert all(c.time.utcoffset() == dt.timedelta(hours=5, minutes=30) for c in got[:3])


def test_the_sandbox_refuses_a_range_over_the_cap(msb, make_client):
    kite = make_client("kite", msb)
    with pytest.raises(errors.InputError, match="interval exceeds max limit: 60 days"):
        kite.historical_data(408065, "2026-01-01 09:15:00", "2026-03-05 15:30:00", "minute")
    fyers = make_client("fyers", msb)
    with pytest.raises(errors.InputError, match="100 days"):
        fyers.history({"symbol": "NSE:INFY-EQ", "resolution": "5", "date_format": "1", "range_from": "2026-01-01",
                       "range_to": "2026-06-01"})
    dhan = make_client("dhan", msb)
    with pytest.raises(errors.InputError):
        dhan.intraday_minute_data("1594", "NSE_EQ", "EQUITY", "2026-01-01", "2026-06-01", 5)


def test_symbols_stand_in_for_ids(msb, make_client):
    kite = make_client("kite", msb)
    by_symbol = kite.historical_data("NSE:INFY", "2026-11-02 09:15:00", "2026-11-02 15:30:00", "minute")
    assert by_symbol == kite.historical_data(408065, "2026-11-02 09:15:00", "2026-11-02 15:30:00", "minute")
    dhan = make_client("dhan", msb)
    assert set(dhan.quote_data(["NSE:INFY", "NSE:SBIN"])["data"]["NSE_EQ"]) == {"1594", "3045"}
    assert dhan.ticker_data({"NSE_EQ": ["NSE:INFY"]})["data"]["NSE_EQ"]["1594"]["last_price"] > 0


@pytest.mark.parametrize("broker", ["kite", "dhan"])
def test_an_unknown_symbol_names_the_closest(msb, make_client, broker):
    client = make_client(broker, msb)
    with pytest.raises(errors.InputError, match=r"'NSE:INFI'.*closest: NSE:INFY"):
        client.history("NSE:INFI", "2026-11-02", "2026-11-03", "day")


def test_bad_arguments_before_any_request(msb, make_client):
    kite = make_client("kite", msb)
    before = len(msb.requests())
    with pytest.raises(ValueError, match="interval"):
        kite.history("NSE:INFY", "2026-11-02", "2026-11-03", "7minute")
    with pytest.raises(ValueError, match="before end"):
        kite.history("NSE:INFY", "2026-11-05", "2026-11-03", "day")
    with pytest.raises(ValueError, match="end"):
        kite.history("NSE:INFY", "2026-11-02", "yesterday", "day")
    assert len(msb.requests()) == before


def test_oi_and_the_fyers_sdk_form(msb, make_client):
    kite = make_client("kite", msb)
    fut = kite.history("NFO:NIFTY26DECFUT", "2026-11-02", "2026-11-03", "60minute", oi=True)
    assert fut and all(c.oi == 50_000 for c in fut)
    fyers = make_client("fyers", msb)
    raw = fyers.history({"symbol": "NSE:INFY-EQ", "resolution": "D", "date_format": "1", "range_from": "2026-11-02",
                         "range_to": "2026-11-06"})
    assert [dt.datetime.fromtimestamp(r[0], IST).date() for r in raw["candles"]] == [
        dt.date(2026, 11, d) for d in range(2, 7)]
    assert [c.time.date() for c in fyers.history("NSE:INFY-EQ", "2026-11-02", "2026-11-06", "D")] == [
        dt.date(2026, 11, d) for d in range(2, 7)]


def test_as_frame(msb, make_client):
    pd = pytest.importorskip("pandas")
    kite = make_client("kite", msb)
    frame = kite.history("NSE:INFY", "2026-11-02", "2026-11-06", "day", as_frame=True)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["open", "high", "low", "close", "volume", "oi"]
    assert len(frame) == 5 and str(frame.index[0].tz) in ("IST", "UTC+05:30")


def test_daily_is_one_request_on_dhan(msb, make_client):
    dhan = make_client("dhan", msb)
    calls = []
    got = dhan.history("NSE:INFY", "2010-01-01", END, "day", on_progress=lambda d, t: calls.append(t))
    assert calls == [1] and got == expected(msb, dt.date(2010, 1, 1), END, DAY)


@pytest.mark.slow
@pytest.mark.parametrize("broker", ["kite", "dhan", "fyers"])
def test_a_long_download_under_the_brokers_own_limits(make_client, broker):
    """The broker's limits in the sandbox, the client's default limiter: every bar arrives
    (a 429 from scheduling jitter is retried; the benchmark measures the rate)."""
    from brokers.sandbox import Sandbox

    with Sandbox(masters="small") as sb:
        client = make_client(broker, sb, rate_limits=None)
        minutes = 60 if broker != "dhan" else 25
        got = client.history(SYMBOL[broker], END - dt.timedelta(days=CAPS[broker][minutes] * 8), END, minutes)
        assert got == expected(sb, END - dt.timedelta(days=CAPS[broker][minutes] * 8), END, minutes)


def test_a_refused_window_is_asked_again():
    from brokers.history import download

    calls = []
    start = dt.datetime(2026, 11, 2, tzinfo=IST)
    bar = Candle(start, 1.0, 1.0, 1.0, 1.0, 1)

    def fetch(a, b):
        calls.append(a)
        if len(calls) < 3:
            raise errors.RateLimitError("429", broker="kite", status=429, retry_after=0.01)
        return [bar]

    assert download(fetch, start, start + dt.timedelta(days=1), 60) == [bar] and len(calls) == 3

    def always(a, b):
        raise errors.RateLimitError("429", broker="kite", status=429, retry_after=0.01)

    with pytest.raises(errors.RateLimitError):
        download(always, start, start + dt.timedelta(days=1), 60)
