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
