"""``brokers symbols`` and ``brokers history`` against a sandbox."""

from __future__ import annotations

import pytest

from brokers.__main__ import main
from brokers.kite import Kite
from brokers.sandbox import client_urls
from brokers.stores import FileStore

USER = "AB1234"


@pytest.fixture
def logged_in(msb, tmp_path, monkeypatch):
    """A Kite session in a FileStore (as `brokers login` leaves it) and a temp master cache."""
    monkeypatch.setenv("BROKERS_CACHE_DIR", str(tmp_path / "cache"))
    acct = msb.kite.accounts[USER]
    with Kite(store=FileStore(tmp_path / "store"), **msb.kite_urls()) as kite:
        kite.authorize(user_id=USER, password=acct.password, totp_secret=acct.totp_secret)
    return tmp_path / "store"


@pytest.mark.parametrize("broker,query,first", [("kite", ["nifty", "24000", "ce"], "NFO:NIFTY"),
                                                ("dhan", ["infy"], "NSE:INFY"),
                                                ("fyers", ["sbin"], "NSE:SBIN-EQ")])
def test_symbols_prints_a_table(msb, tmp_path, capsys, broker, query, first):
    assert main(["symbols", broker, *query, "--sandbox", msb.url, "--limit", "3",
                 "--cache-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["symbol", "token", "type"] and len(lines) == 5
    assert lines[2].split()[0].startswith(first)


def test_symbols_no_match(msb, tmp_path, capsys):
    assert main(["symbols", "kite", "zzzqqq", "--sandbox", msb.url, "--cache-dir", str(tmp_path)]) == 1
    assert "no kite instrument matches" in capsys.readouterr().out


def _history(msb, store, out, *extra):
    return main(["--store", str(store), "history", "kite", "NSE:INFY", "--from", "2026-01-01", "--to", "2026-05-31",
                 "--interval", "minute", "--out", str(out), "--sandbox", msb.url, "--user-id", USER, *extra])


def test_history_writes_every_bar_with_plain_progress(msb, logged_in, tmp_path, capsys):
    out = tmp_path / "infy.csv"
    assert _history(msb, logged_in, out) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "time,open,high,low,close,volume" and lines[1].startswith("2026-01-01T09:15:00+05:30,")
    times = [line.split(",")[0] for line in lines[1:]]
    assert len(times) == len(set(times)) == 107 * 375  # 107 weekdays Jan-May 2026, no repeats at chunk edges
    err = capsys.readouterr().err
    assert "history: 3/3 requests, ETA" in err and "\r" not in err


def test_an_interrupted_download_resumes_to_the_same_file(msb, logged_in, tmp_path, monkeypatch):
    whole = tmp_path / "whole.csv"
    assert _history(msb, logged_in, whole) == 0
    part = tmp_path / "part.csv"
    real = Kite.historical_data
    calls = []

    def flaky(self, *args, **kw):
        calls.append(1)
        if len(calls) >= 2:
            raise KeyboardInterrupt  # killed during the second request
        return real(self, *args, **kw)

    monkeypatch.setattr(Kite, "historical_data", flaky)
    assert _history(msb, logged_in, part) == 130
    monkeypatch.setattr(Kite, "historical_data", real)
    done = part.read_bytes()
    assert 0 < len(done) < len(whole.read_bytes()) and whole.read_bytes().startswith(done)
    with open(part, "ab") as f:
        f.write(b"2026-02-02T10:0")  # a line torn by the interruption
    assert _history(msb, logged_in, part, "--resume") == 0
    assert part.read_bytes() == whole.read_bytes()
    assert _history(msb, logged_in, part, "--resume") == 0  # nothing left to fetch
    assert part.read_bytes() == whole.read_bytes()


def test_history_refuses_an_unknown_symbol(msb, logged_in, tmp_path, capsys):
    code = main(["--store", str(logged_in), "history", "kite", "NSE:INFI", "--from", "2026-01-01", "--to",
                 "2026-01-31", "--out", str(tmp_path / "x.csv"), "--sandbox", msb.url, "--user-id", USER])
    assert code == 1 and "closest: NSE:INFY" in capsys.readouterr().err


def test_progress_bar_on_a_terminal():
    import io

    from brokers.commands_data import _Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    out = Tty()
    bar = _Progress(out)
    bar(1, 4)
    bar(4, 4)
    text = out.getvalue()
    assert text.startswith("\r[#######") and "1/4 requests, ETA" in text and text.endswith("4/4 requests, ETA 0:00:00 \n")


@pytest.mark.parametrize("broker,symbol,interval", [("dhan", "NSE:INFY", "25"), ("fyers", "NSE:INFY-EQ", "120")])
def test_history_for_dhan_and_fyers(msb, tmp_path, monkeypatch, broker, symbol, interval):
    monkeypatch.setenv("BROKERS_CACHE_DIR", str(tmp_path / "cache"))
    store = FileStore(tmp_path / "store")
    if broker == "dhan":
        from brokers.dhan.auth import make_session, session_keys

        user = "1100000001"
        session = make_session(msb.dhan.issue_token(user), user)
        keys = session_keys(user)
    else:
        from brokers.fyers.auth import make_session, session_key

        user = msb.fyers.client_id
        session = make_session(user, msb.fyers.issue_access_token())
        keys = [session_key(user)]
    session.root = client_urls(msb.url, broker)["root"]  # a session belongs to the host that issued it
    for key in keys:
        store.save(key, session)
    out = tmp_path / "bars.csv"
    code = main(["--store", str(tmp_path / "store"), "history", broker, symbol, "--from", "2025-06-01", "--to",
                 "2026-05-31", "--interval", interval, "--out", str(out), "--sandbox", msb.url, "--user-id", user])
    assert code == 0
    lines = out.read_text().splitlines()
    times = [line.split(",")[0] for line in lines[1:]]
    assert len(times) == len(set(times)) > 1000 and times == sorted(times)
