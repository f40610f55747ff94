"""The call path of ``holdings()`` after a refused token, for each broker.

For each broker: log in with credentials that can log in again, let the sandbox
expire the session, call holdings once and record, with a profiler, which of our
files the call touches and the chain of our functions from ``holdings()`` to each
request it sends (the refused call, the login, the replay). Counts, not times.

    PYTHONPATH=$PWD python -m tests.bench relogin
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, List, Set, Tuple
from urllib.parse import parse_qs, urlsplit

import requests

import brokers
from brokers.dhan import Dhan
from brokers.fyers import Fyers, FyersAuth
from brokers.kite import Kite
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore

PKG = os.path.dirname(os.path.abspath(brokers.__file__))
WATCH = ("holdings", "/api/login", "/api/twofa", "generateAccessToken", "validate-refresh-token")

Trace = Tuple[Set[str], List[Tuple[str, List[str]]], int]


def trace(call: Callable[[], Any]) -> Trace:
    """Files touched, (request, our call stack) per watched request, calls into our code."""
    files: Set[str] = set()
    sent: List[Tuple[str, List[str]]] = []
    stack: List[str] = []
    calls = [0]
    original = requests.Session.request

    def spy(self: requests.Session, method: str, url: str, *a: Any, **k: Any) -> Any:
        if any(w in url for w in WATCH):
            sent.append((url.split("?")[0].rsplit("/", 1)[-1], list(stack)))
        return original(self, method, url, *a, **k)

    def profile(frame: Any, event: str, arg: Any) -> None:
        path = frame.f_code.co_filename
        if not path.startswith(PKG) or f"{os.sep}sandbox{os.sep}" in path:
            return
        if event == "call":
            calls[0] += 1
            files.add(os.path.relpath(path, PKG))
            stack.append(f"{os.path.relpath(path, PKG)}:{frame.f_code.co_name}")
        elif event == "return" and stack:
            stack.pop()

    requests.Session.request = spy  # type: ignore[method-assign]
    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
        requests.Session.request = original  # type: ignore[method-assign]
    return files, sent, calls[0]


def report(name: str, result: Trace) -> None:
    files, sent, calls = result
    print(f"{name}: {len(files)} files, {calls} calls into brokers/ during holdings()")
    print("  files: " + " ".join(sorted(files)))
    for what, stack in sent:
        start = max(i for i, frame in enumerate(stack) if "holdings" in frame)
        chain = stack[start:]
        # hops to Transport.request, the last function of ours before requests
        to_request = max(i for i, frame in enumerate(chain) if frame.endswith("http.py:request"))
        print(f"  {what}: {to_request} hops to Transport.request: " + " > ".join(chain[: to_request + 1]))


def main() -> None:
    with Sandbox() as sb:
        acct = sb.kite.accounts["AB1234"]
        with Kite(store=MemoryStore(), rate_limits=False, **sb.kite_urls()) as kite:
            kite.authorize(user_id="AB1234", password=acct.password, totp_secret=acct.totp_secret)
            kite.holdings()
            sb.kite.expire_sessions()
            report("kite", trace(kite.holdings))
    with Sandbox() as sb:
        secret = sb.dhan.accounts["1100000001"].totp_secret
        with Dhan("1100000001", store=MemoryStore(), rate_limits=False, cache_dir=False, **sb.dhan_urls()) as dhan:
            dhan.authorize(pin="246810", totp_secret=secret)
            dhan.get_holdings()
            sb.dhan.expire_sessions()
            report("dhan", trace(dhan.get_holdings))
    with Sandbox() as sb:
        fs, store = sb.fyers, MemoryStore()
        with FyersAuth(fs.client_id, fs.redirect_uri, fs.secret_key, store=store, **sb.fyers_urls()) as auth:
            page = requests.get(auth.generate_authcode() + "&fy_id=XS00001", allow_redirects=False, timeout=5)
            auth.generate_token(auth_code=parse_qs(urlsplit(page.headers["Location"]).query)["auth_code"][0])
            with Fyers(store=store, auth=auth, pin="4826", rate_limits=False, **sb.fyers_urls()) as fyers:
                fyers.holdings()
                sb.fyers.expire_sessions()
                report("fyers", trace(fyers.holdings))


if __name__ == "__main__":
    main()
