"""The command line: login for each broker, sessions, whoami, logout, wrong arguments, demo."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from brokers.__main__ import main


def run(args, capsys, monkeypatch, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_kite_login_sessions_whoami_logout(sandbox, tmp_path, capsys, monkeypatch):
    acct = sandbox.kite.accounts["AB1234"]
    monkeypatch.setenv("MY_TOTP", acct.totp_secret)
    base = ["--store", str(tmp_path)]
    code, out, err = run(base + ["login", "kite", "--user-id", "AB1234", "--totp-secret-env", "MY_TOTP",
                                 "--sandbox", sandbox.url], capsys, monkeypatch, stdin=acct.password + "\n")
    assert code == 0, err
    assert "kite: logged in as AB1234 (web-login)" in out
    assert acct.password not in out + err
    # a second login finds the stored session and asks nothing
    code, out, _ = run(base + ["login", "kite", "--user-id", "AB1234", "--sandbox", sandbox.url], capsys,
                       monkeypatch)
    assert code == 0 and "(stored)" in out
    code, out, _ = run(base + ["sessions"], capsys, monkeypatch)
    token = sandbox.kite.tokens and next(iter(sandbox.kite.tokens))
    assert code == 0 and "kite-AB1234" in out and "enctoken" in out and token not in out
    code, out, _ = run(base + ["whoami", "--sandbox", sandbox.url], capsys, monkeypatch)
    assert code == 0 and out.strip() == "kite: AB1234 Sandbox Trader (enctoken)"
    code, out, _ = run(base + ["logout", "kite"], capsys, monkeypatch)
    assert code == 0 and "cleared 2" in out
    code, out, _ = run(base + ["whoami"], capsys, monkeypatch)
    assert "no live sessions" in out


def test_kite_login_without_a_password_is_a_one_line_error(sandbox, tmp_path, capsys, monkeypatch):
    code, out, err = run(["--store", str(tmp_path), "login", "kite", "--user-id", "AB1234", "--sandbox",
                          sandbox.url], capsys, monkeypatch)
    assert code == 2 and err.count("\n") == 1 and "Kite password" in err


def test_dhan_login_with_pin_and_totp(sandbox, tmp_path, capsys, monkeypatch):
    acct = sandbox.dhan.accounts["1100000001"]
    monkeypatch.setenv("DHAN_SECRET_VAR", acct.totp_secret)
    code, out, err = run(["--store", str(tmp_path), "login", "dhan", "--user-id", acct.client_id,
                          "--totp-secret-env", "DHAN_SECRET_VAR", "--sandbox", sandbox.url], capsys, monkeypatch,
                         stdin=acct.pin + "\n")
    assert code == 0, err
    assert f"dhan: logged in as {acct.client_id} (pin-totp)" in out
    code, out, _ = run(["--store", str(tmp_path), "whoami", "--sandbox", sandbox.url], capsys, monkeypatch)
    assert out.strip() == f"dhan: {acct.client_id} (access_token)"


def test_dhan_pasted_token(sandbox, tmp_path, capsys, monkeypatch):
    token = sandbox.dhan.issue_token("1100000001")
    code, out, _ = run(["--store", str(tmp_path), "login", "dhan", "--user-id", "1100000001", "--paste-token"],
                       capsys, monkeypatch, stdin=token + "\n")
    assert code == 0 and "saved" in out and token not in out
    code, out, _ = run(["--store", str(tmp_path), "whoami", "--sandbox", sandbox.url], capsys, monkeypatch)
    assert "dhan: 1100000001" in out


def test_fyers_auth_code_login(sandbox, tmp_path, capsys, monkeypatch):
    app = sandbox.fyers
    monkeypatch.setenv("FY_SECRET", app.secret_key)
    redirected = f"{app.redirect_uri}?s=ok&code=200&auth_code={app.issue_auth_code('XS00001')}&state=None"
    code, out, err = run(["--store", str(tmp_path), "login", "fyers", "--user-id", app.client_id,
                          "--redirect-uri", app.redirect_uri, "--secret-key-env", "FY_SECRET", "--sandbox",
                          sandbox.url], capsys, monkeypatch, stdin=redirected + "\n")
    assert code == 0, err
    assert "generate-authcode" in err or "auth" in err  # the URL to open was shown
    assert f"fyers: logged in to app {app.client_id}" in out
    code, out, _ = run(["--store", str(tmp_path), "whoami", "--sandbox", sandbox.url], capsys, monkeypatch)
    assert out.startswith("fyers: XS00001")


@pytest.mark.parametrize("args", [["login"], ["login", "zerodha"], ["demo", "--seconds", "x"], ["frobnicate"]])
def test_wrong_arguments_exit_2_with_one_line(args):
    proc = subprocess.run([sys.executable, "-m", "brokers", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("brokers")


def test_help_for_every_command():
    for cmd in ("demo", "login", "whoami", "logout", "sessions", "sandbox"):
        proc = subprocess.run([sys.executable, "-m", "brokers", cmd, "--help"], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0 and "usage: brokers " + cmd in proc.stdout


def test_sandbox_command_prints_urls_and_accounts(capsys, monkeypatch):
    code, out, _ = run(["sandbox", "--for", "0"], capsys, monkeypatch)
    assert code == 0 and "sandbox running at http://127.0.0.1:" in out
    assert "totp_secret=" in out and "XS00001" in out and "1100000001" in out


def test_demo_runs_offline_and_exits_cleanly():
    proc = subprocess.run([sys.executable, "-m", "brokers", "demo", "--seconds", "1"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    for section in ("Kite: Kite Web login", "reused it via stored", "Kite: holdings", "Kite: a week of daily candles",
                    "order update pushed on the feed", "ticks received; feed closed", "Dhan: PIN + TOTP login",
                    "Dhan: DhanFeed and DhanOrder", "Fyers: the auth-code login", "Fyers: FyersFeed and FyersOrder"):
        assert section in out, section
    assert out.count("order update pushed") == 3
    assert "Traceback" not in proc.stderr


def _kite_login(sandbox, tmp_path, capsys, monkeypatch, *extra):
    acct = sandbox.kite.accounts["AB1234"]
    monkeypatch.setenv("MY_TOTP", acct.totp_secret)
    return run(["--store", str(tmp_path), "login", "kite", "--user-id", "AB1234", "--totp-secret-env", "MY_TOTP",
                "--sandbox", sandbox.url, *extra], capsys, monkeypatch, stdin=acct.password + "\n")


def test_login_force_logs_in_again_and_a_dead_url_is_refused(sandbox, tmp_path, capsys, monkeypatch):
    assert _kite_login(sandbox, tmp_path, capsys, monkeypatch)[0] == 0
    code, out, _ = _kite_login(sandbox, tmp_path, capsys, monkeypatch, "--force")
    assert code == 0 and "(web-login)" in out and sandbox.kite.logins["web"] == 2
    code, out, err = run(["--store", str(tmp_path), "login", "kite", "--user-id", "AB1234", "--sandbox",
                          "http://127.0.0.1:9"], capsys, monkeypatch)
    assert code == 2 and err.count("\n") == 1 and "nothing answers at http://127.0.0.1:9" in err


def test_a_stored_session_is_checked_against_the_sandbox_it_is_used_with(sandbox, tmp_path, capsys, monkeypatch):
    assert _kite_login(sandbox, tmp_path, capsys, monkeypatch)[0] == 0
    sandbox.kite.expire_sessions("AB1234")
    code, out, err = _kite_login(sandbox, tmp_path, capsys, monkeypatch)
    assert code == 0 and "(web-login)" in out and sandbox.kite.logins["web"] == 2


@pytest.mark.parametrize("broker,flag", [("kite", "--paste-token"), ("kite", "--redirect-uri=x"),
                                         ("dhan", "--secret-key-env=V"), ("fyers", "--paste-token"),
                                         ("fyers", "--totp-secret-env=V")])
def test_a_flag_for_another_broker_is_refused(broker, flag, tmp_path, capsys, monkeypatch):
    code, _, err = run(["--store", str(tmp_path), "login", broker, "--user-id", "X", flag], capsys, monkeypatch)
    assert code == 2 and err.count("\n") == 1 and flag.split("=")[0] in err and f"not {broker}" in err


def test_whoami_reports_every_session_bad_ones_included(sandbox, tmp_path, capsys, monkeypatch):
    assert _kite_login(sandbox, tmp_path, capsys, monkeypatch)[0] == 0
    token = sandbox.dhan.issue_token("1100000001")
    assert run(["--store", str(tmp_path), "login", "dhan", "--user-id", "1100000001", "--paste-token"],
               capsys, monkeypatch, stdin=token + "\n")[0] == 0
    (tmp_path / "fyers.json").write_bytes(b"\xff\xfe not json")
    sandbox.kite.expire_sessions("AB1234")  # the broker now refuses the stored Kite session
    code, out, _ = run(["--store", str(tmp_path), "whoami", "--sandbox", sandbox.url], capsys, monkeypatch)
    lines = out.strip().splitlines()
    assert code == 1
    assert any(line.startswith("dhan: 1100000001") for line in lines)
    assert any(line.startswith("fyers: unreadable session record") for line in lines)
    kite_line = next(line for line in lines if line.startswith("kite"))
    assert "failed" in kite_line and "removed from the store" in kite_line


def test_sessions_prints_every_expiry_in_ist(sandbox, tmp_path, capsys, monkeypatch):
    assert _kite_login(sandbox, tmp_path, capsys, monkeypatch)[0] == 0
    token = sandbox.dhan.issue_token("1100000001")
    assert run(["--store", str(tmp_path), "login", "dhan", "--user-id", "1100000001", "--paste-token"],
               capsys, monkeypatch, stdin=token + "\n")[0] == 0
    code, out, _ = run(["--store", str(tmp_path), "sessions"], capsys, monkeypatch)
    rows = [line for line in out.splitlines() if line.strip().startswith(("kite", "dhan"))]
    assert code == 0 and len(rows) >= 2
    assert all(" IST" in row and "+00:00" not in row and "+05:30" not in row for row in rows)


def test_logout_leaves_no_lock_files(sandbox, tmp_path, capsys, monkeypatch):
    assert _kite_login(sandbox, tmp_path, capsys, monkeypatch)[0] == 0
    assert list(tmp_path.glob("*.lock"))
    assert run(["--store", str(tmp_path), "logout"], capsys, monkeypatch)[0] == 0
    assert not list(tmp_path.glob("*.lock")) and not list(tmp_path.glob("*.json"))
