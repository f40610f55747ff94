"""Code run in child processes by the shared-budget tests (spawned: importable here)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Dict


def make_store(spec: Dict[str, Any]):
    from brokers.stores import FileStore, RedisStore

    if spec["kind"] == "file":
        return FileStore(spec["path"])
    return RedisStore(spec["url"], prefix=spec["prefix"], lease=spec.get("lease", 30.0))


def hammer(spec, sandbox_url, password, totp_secret, home, ready, start, until, out) -> None:
    """One "worker process": log in through the store (once between all), say so on
    ``ready``, then once ``start`` is set 3 threads place orders and 1 calls quote()
    until the monotonic time ``until.value`` (one clock for every process of the
    machine, and the sandbox's log), the same for every process."""
    os.environ["HOME"] = os.environ["XDG_DATA_HOME"] = home  # another "host": its own data dir
    from brokers import errors
    from brokers.kite import Kite
    from brokers.sandbox import client_urls

    counts = {"orders": 0, "quotes": 0, "rate_limited": 0, "other": 0}
    lock = threading.Lock()
    with Kite(store=make_store(spec), user_id="AB1234", retries=0, **client_urls(sandbox_url, "kite")) as kite:
        kite.authorize(password=password, totp_secret=totp_secret, interactive=False)
        ready.put(os.getpid())
        start.wait(120)
        deadline = until.value

        def work(kind: str) -> None:
            while time.monotonic() < deadline:
                try:
                    if kind == "orders":
                        kite.place_order("regular", "NSE", "INFY", "BUY", 1, "MIS", "MARKET", tag="load")
                    else:
                        kite.quote("NSE:INFY")
                    key = kind
                except errors.RateLimitError:
                    key = "rate_limited"
                except Exception:
                    key = "other"
                with lock:
                    counts[key] += 1

        threads = [threading.Thread(target=work, args=(k,)) for k in ("orders", "orders", "orders", "quotes")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()) + 30)
    out.put(counts)


def login_then_report(spec, sandbox_url, password, totp_secret, out) -> None:
    from brokers.kite import Kite
    from brokers.sandbox import client_urls

    with Kite(store=make_store(spec), user_id="AB1234", **client_urls(sandbox_url, "kite")) as kite:
        session = kite.authorize(password=password, totp_secret=totp_secret, interactive=False)
        out.put((kite.auth_flow, session.token))


def hold_login_lock(spec, ready) -> None:
    """Take the login lock Kite uses for AB1234 and never let go (until killed)."""
    store = make_store(spec)
    with store.lock("kite-AB1234"):
        ready.set()
        threading.Event().wait(120)
