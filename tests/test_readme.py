"""Every ``.. code-block:: python`` in README.rst runs, in order, against the sandbox.

The blocks are written for a real account; here the default hosts point at the
sandbox, the default FileStore lives in a temporary directory, and the names the
blocks take as given (``pwd``, ``secret``, ``request_token``, ``token``) come from
the sandbox's account.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.rst"


def python_blocks(text: str):
    blocks = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == ".. code-block:: python":
            i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                body.append(lines[i][4:])
                i += 1
            blocks.append("\n".join(body).strip("\n"))
        else:
            i += 1
    return blocks


def test_readme_has_the_two_commands():
    text = README.read_text()
    assert "python -m brokers demo" in text and re.search(r"^\s+tox$", text, re.M)


def test_every_python_block_runs(sandbox, tmp_path, monkeypatch, request):
    import platformdirs

    from brokers.kite import Kite

    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "store"))
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(tmp_path / "cache"))
    urls = sandbox.kite_urls()
    monkeypatch.setitem(Kite.__init__.__kwdefaults__, "root", urls["root"])
    monkeypatch.setitem(Kite.__init__.__kwdefaults__, "web_root", urls["web_root"])
    monkeypatch.setattr(Kite, "_default_root_uri", urls["root"])  # KiteConnect(root=None), as in kiteconnect
    from brokers.kite import feed as kite_feed

    ws = sandbox.kite_feed_urls()["url"]
    monkeypatch.setattr(kite_feed, "WEB_URL", ws)
    monkeypatch.setattr(kite_feed, "CONNECT_URL", ws)
    sandbox.kite.api_key, sandbox.kite.api_secret = "your_api_key", "your_api_secret"
    from brokers.dhan import Dhan, DhanFeed, DhanOrder
    from brokers.fyers import Fyers, FyersAuth, FyersFeed, FyersOrder
    from brokers.sandbox import client_urls

    for cls, broker in ((Dhan, "dhan"), (Fyers, "fyers"), (FyersAuth, "fyers")):
        for name, value in client_urls(sandbox.url, broker).items():
            if name in (cls.__init__.__kwdefaults__ or {}):
                monkeypatch.setitem(cls.__init__.__kwdefaults__, name, value)
    monkeypatch.setitem(DhanFeed.__init__.__kwdefaults__, "url", sandbox.dhan_feed_urls()["url"])
    monkeypatch.setitem(DhanOrder.__init__.__kwdefaults__, "url", sandbox.dhan_order_urls()["url"])
    for name, value in sandbox.fyers_feed_urls().items():
        monkeypatch.setitem(FyersFeed.__init__.__kwdefaults__, name, value)
    monkeypatch.setitem(FyersOrder.__init__.__kwdefaults__, "url", sandbox.fyers_order_url())
    fy = sandbox.fyers
    fy.client_id, fy.redirect_uri = "XA1234-100", "https://example.com/fyers"
    dhan_acct = sandbox.dhan.accounts["1100000001"]
    acct = sandbox.kite.accounts["AB1234"]
    from tests.redis_server import RedisServer

    redis_server = RedisServer(tmp_path / "redis").start()  # for the RedisStore blocks
    request.addfinalizer(redis_server.stop)
    namespace = {"pwd": acct.password, "secret": acct.totp_secret, "dhan_pin": dhan_acct.pin,
                 "dhan_totp_secret": dhan_acct.totp_secret, "fyers_secret_key": fy.secret_key,
                 "redis_url": redis_server.url}
    blocks = python_blocks(README.read_text())
    assert len(blocks) >= 11
    for n, block in enumerate(blocks, 1):
        namespace["request_token"] = sandbox.kite.issue_request_token("AB1234")
        namespace["token"] = sandbox.kite.issue_access_token("AB1234")
        namespace["dhan_token"] = sandbox.dhan.issue_token("1100000001")
        namespace["auth_code"] = fy.issue_auth_code("XS00001")
        try:
            exec(compile(block, f"README.rst block {n}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message says which block
            pytest.fail(f"README block {n} failed: {type(e).__name__}: {e}\n{block}")
