"""The scripts in examples/ run against the sandbox."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from brokers.kite import Kite
from brokers.stores import FileStore

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_daily_login_then_every_process_reuses_it(sandbox, tmp_path, monkeypatch):
    acct = sandbox.kite.accounts["AB1234"]
    monkeypatch.setenv("KITE_PASSWORD", acct.password)
    monkeypatch.setenv("KITE_TOTP_SECRET", acct.totp_secret)
    monkeypatch.setenv("BROKERS_STORE", str(tmp_path))
    assert load("daily_login").main("AB1234", **sandbox.kite_urls()) == "AB1234 logged in (web-login)"
    with Kite(store=FileStore(tmp_path), **sandbox.kite_urls()) as kite:
        assert kite.profile()["user_id"] == "AB1234"
        assert kite.auth_flow == "stored"
    assert sandbox.kite.logins["web"] == 1


def test_historical_download(kite, tmp_path):
    counts = load("historical_download").download(kite, ["NSE:INFY", "NSE:SBIN"], 10, tmp_path)
    assert set(counts) == {"NSE:INFY", "NSE:SBIN"} and all(n > 0 for n in counts.values())
    lines = (tmp_path / "NSE_INFY.csv").read_text().splitlines()
    assert lines[0] == "date,open,high,low,close,volume" and len(lines) == counts["NSE:INFY"] + 1


def test_xlwings_functions_and_queue_drained_by_the_excel_thread(sandbox, store):
    from .conftest import wait_for

    xl = load("xlwings_udfs")
    acct = sandbox.kite.accounts["AB1234"]
    kite = xl.client(store=store, **sandbox.kite_urls())
    kite.authorize(user_id=acct.user_id, password=acct.password, totp_secret=acct.totp_secret)
    assert xl.KITE_LTP("NSE:INFY") > 0
    table = xl.KITE_HOLDINGS()
    assert table[0] == ["symbol", "qty", "avg", "ltp", "pnl"] and len(table) == 5
    assert all(len(row) == 5 for row in table)
    feed = xl.start_ticks([408065, 779521], **sandbox.kite_feed_urls())
    try:
        assert wait_for(lambda: xl.ticks.qsize() >= 4, timeout=10)
        sheet = {}
        assert xl.drain_ticks(lambda token, ltp: sheet.__setitem__(token, ltp)) == 2
        assert set(sheet) == {408065, 779521} and all(v > 0 for v in sheet.values())
    finally:
        xl.stop_ticks()
    assert not feed.running


def test_kite_ticker_script_prints_ticks(capsys):
    load("kite_ticker").main()
    lines = [line.split() for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) >= 5
    assert {int(parts[0]) for parts in lines} <= {408065, 256265}
    assert {parts[1] for parts in lines} <= {"full", "quote"}


def test_fyers_quickstart_script(capsys):
    load("fyers_quickstart").main()
    out = capsys.readouterr().out
    assert "profile: Sandbox Trader" in out and "placed" in out
    assert any(line.startswith("tick NSE:SBIN-EQ") for line in out.splitlines())
    assert any(line.startswith("order ") and line.endswith("status 2") for line in out.splitlines())
