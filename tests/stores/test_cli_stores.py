"""The CLI with every store kind: `--store /path` and `--store redis://...`."""

from __future__ import annotations

import io
import sys

from brokers.__main__ import main
from brokers.stores import RedisStore


def _cli(args, capsys, monkeypatch, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_login_sessions_whoami_logout_through_redis(sandbox, redis_server, capsys, monkeypatch):
    acct = sandbox.dhan.accounts["1100000001"]
    monkeypatch.setenv("DHAN_SECRET_VAR", acct.totp_secret)
    base = ["--store", redis_server.url]
    code, out, err = _cli(base + ["login", "dhan", "--user-id", acct.client_id, "--totp-secret-env",
                                  "DHAN_SECRET_VAR", "--sandbox", sandbox.url], capsys, monkeypatch,
                          stdin=acct.pin + "\n")
    assert code == 0, err
    assert redis_server.url.split("//")[1] in out
    token = RedisStore(redis_server.url).load("dhan").token
    code, out, err = _cli(base + ["sessions"], capsys, monkeypatch)
    assert code == 0 and "dhan-1100000001" in out and sandbox.url in out and "IST" in out and token not in out
    code, out, err = _cli(base + ["whoami", "--sandbox", sandbox.url], capsys, monkeypatch)
    assert code == 0 and out.strip() == "dhan: 1100000001 (access_token)"
    code, out, err = _cli(base + ["logout", "dhan"], capsys, monkeypatch)
    assert code == 0 and "cleared 2" in out
    code, out, err = _cli(base + ["sessions"], capsys, monkeypatch)
    assert "no stored sessions" in out


def test_sessions_lists_unreadable_and_expired_records(tmp_path, capsys, monkeypatch):
    (tmp_path / "s").mkdir(mode=0o700)
    (tmp_path / "s" / "kite.json").write_bytes(b"\xff\xfe")
    code, out, err = _cli(["--store", str(tmp_path / "s"), "sessions"], capsys, monkeypatch)
    assert code == 0 and "kite" in out and "unreadable" in out and "UTF-8" in out


def test_unreachable_redis_is_one_line(capsys, monkeypatch):
    code, out, err = _cli(["--store", "redis://:sekrit@127.0.0.1:1/0", "sessions"], capsys, monkeypatch)
    assert code != 0 and "127.0.0.1:1" in err and "sekrit" not in out + err and err.count("\n") == 1
