"""The scripts in examples/ run against the sandbox."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

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


def _run_example(args, env_extra, timeout=60):
    import os
    import subprocess

    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=EXAMPLES.parent)


def test_daily_login_from_its_own_command_line_against_a_running_sandbox(sandbox, tmp_path):
    acct = sandbox.kite.accounts["AB1234"]
    env = {"KITE_PASSWORD": acct.password, "KITE_TOTP_SECRET": acct.totp_secret, "BROKERS_STORE": str(tmp_path)}
    proc = _run_example(["examples/daily_login.py", "AB1234", "--sandbox", sandbox.url], env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "AB1234 logged in (web-login)"
    proc = _run_example(["examples/daily_login.py"], {**env, "BROKERS_SANDBOX": sandbox.url,
                                                      "KITE_USER_ID": "AB1234"})
    assert proc.returncode == 0 and proc.stdout.strip() == "AB1234 logged in (stored)", proc.stderr


@pytest.mark.parametrize("args,env,needle", [
    ([], {"KITE_PASSWORD": "x", "KITE_TOTP_SECRET": "y"}, "give the Kite user id"),
    (["AB1234"], {}, "set KITE_PASSWORD and KITE_TOTP_SECRET"),
])
def test_daily_login_says_what_is_missing(args, env, needle, monkeypatch):
    for var in ("KITE_USER_ID", "KITE_PASSWORD", "KITE_TOTP_SECRET", "BROKERS_SANDBOX"):
        monkeypatch.delenv(var, raising=False)
    proc = _run_example(["examples/daily_login.py", *args], env)
    assert proc.returncode == 2 and needle in proc.stderr and "Traceback" not in proc.stderr


def test_historical_download_from_its_own_command_line(sandbox, tmp_path):
    acct = sandbox.kite.accounts["AB1234"]
    store = tmp_path / "store"
    env = {"KITE_PASSWORD": acct.password, "KITE_TOTP_SECRET": acct.totp_secret, "BROKERS_STORE": str(store)}
    assert _run_example(["examples/daily_login.py", "AB1234", "--sandbox", sandbox.url], env).returncode == 0
    env = {"BROKERS_SANDBOX": sandbox.url, "BROKERS_STORE": str(store)}
    proc = _run_example(["examples/historical_download.py", "NSE:INFY", "--days", "5", "--out",
                         str(tmp_path / "out")], env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "NSE_INFY.csv").read_text().startswith("date,open,high,low,close,volume")


def test_xlwings_ltp_of_an_unknown_instrument_is_na_not_an_exception(sandbox, store):
    xl = load("xlwings_udfs")
    acct = sandbox.kite.accounts["AB1234"]
    kite = xl.client(store=store, **sandbox.kite_urls())
    kite.authorize(user_id=acct.user_id, password=acct.password, totp_secret=acct.totp_secret)
    assert str(xl.KITE_LTP("NSE:NOPE")).startswith("#N/A")
    assert isinstance(xl.KITE_LTP("NSE:INFY"), float)


def test_xlwings_queue_keeps_the_newest_ticks_when_excel_does_not_drain(monkeypatch):
    import queue

    xl = load("xlwings_udfs")
    monkeypatch.setattr(xl, "ticks", queue.Queue(maxsize=3))

    class FakeFeed:
        def __init__(self, **kw):
            self.on_tick = None

        def connect(self, threaded=False):
            pass

    class FakeKite:
        session, enctoken, user_id = object(), "tok", "AB1234"

    monkeypatch.setattr(xl, "KiteFeed", FakeFeed)
    monkeypatch.setattr(xl, "client", lambda **kw: FakeKite())
    feed = xl.start_ticks([1])
    feed.on_tick(feed, [{"instrument_token": 1, "last_price": float(p)} for p in range(10)])
    got = []
    assert xl.drain_ticks(lambda token, ltp: got.append(ltp)) == 1
    assert got == [9.0]


def test_historical_download_refuses_an_unknown_symbol_before_downloading(kite, tmp_path):
    from brokers import errors

    with pytest.raises(errors.InputError, match="NSE:INFYY"):
        load("historical_download").download(kite, ["NSE:INFY", "NSE:INFYY"], 10, tmp_path / "out")
    assert not (tmp_path / "out").exists()
