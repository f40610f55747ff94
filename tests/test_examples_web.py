"""The Flask and Django examples, driven against the sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from brokers.stores import MemoryStore

from .test_examples import load

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_flask_redirect_login_and_views(sandbox, monkeypatch):
    pytest.importorskip("flask")
    monkeypatch.setenv("KITE_API_KEY", sandbox.kite.api_key)
    monkeypatch.setenv("KITE_API_SECRET", sandbox.kite.api_secret)
    sandbox.kite.redirect_url = "http://localhost/callback"
    app = load("flask_app").create_app(store=MemoryStore(), **sandbox.kite_urls())
    web = app.test_client()

    r = web.get("/holdings")  # nobody logged in yet: off to the login page
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    r = web.get("/login")
    assert r.status_code == 302
    login_page = r.headers["Location"]
    assert login_page.startswith(sandbox.url + "/kite/web/connect/login?api_key=" + sandbox.kite.api_key)
    # the user logs in at Kite, which redirects back with a request_token
    back = requests.get(login_page + "&user_id=AB1234", allow_redirects=False, timeout=5).headers["Location"]
    assert back.startswith("http://localhost/callback?request_token=")
    r = web.get(back.replace("http://localhost", ""))
    assert r.get_json() == {"logged_in": "AB1234"}
    assert {h["tradingsymbol"] for h in web.get("/holdings").get_json()} >= {"INFY"}
    assert web.get("/ltp/NSE:INFY").get_json()["NSE:INFY"]["instrument_token"] == 408065
    sandbox.kite.expire_sessions()
    assert web.get("/holdings").headers["Location"] == "/login"


DJANGO_VIEWS = """
import os, sys, threading, json
sys.path.insert(0, os.environ["SITE"])
os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
import django
django.setup()
from django.test import Client
results = []
def hit():
    r = Client().get("/holdings/")
    results.append((r.status_code, len(json.loads(r.content))))
threads = [threading.Thread(target=hit) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join(20)
print(json.dumps(results))
"""


def test_django_login_command_and_threaded_views(sandbox, tmp_path):
    pytest.importorskip("django")
    acct = sandbox.kite.accounts["AB1234"]
    env = dict(os.environ, KITE_USER_ID="AB1234", KITE_PASSWORD=acct.password, KITE_TOTP_SECRET=acct.totp_secret,
               BROKERS_STORE=str(tmp_path), KITE_ROOT=sandbox.kite_urls()["root"],
               KITE_WEB_ROOT=sandbox.kite_urls()["web_root"], SITE=str(EXAMPLES / "django_site"),
               PYTHONPATH=os.pathsep.join([str(EXAMPLES.parent), os.environ.get("PYTHONPATH", "")]))
    site = EXAMPLES / "django_site"
    sandbox.stall_next(1, seconds=1.0, path="/kite/web/api/login")  # make the two commands overlap
    cmds = [subprocess.Popen([sys.executable, "manage.py", "kite_login"], cwd=site, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [c.communicate(timeout=60) for c in cmds]
    assert [c.returncode for c in cmds] == [0, 0], [o[1][-500:] for o in outs]
    assert sorted(o[0].split()[-1] for o in outs) == ["(stored)", "(web-login)"]
    assert sandbox.kite.logins["web"] == 1

    out = subprocess.run([sys.executable, "-c", DJANGO_VIEWS], env=env, text=True, capture_output=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-800:]
    import json
    assert json.loads(out.stdout) == [[200, 4]] * 6
    assert sandbox.kite.logins["web"] == 1  # the web workers reused the command's session
