"""The command-line commands behind ``python -m brokers`` (one function each)."""

from __future__ import annotations

import argparse
import os
import threading
from typing import Any, List

from .stores import FileStore, Session


class UsageError(Exception):
    """Wrong arguments: the command line prints one line and exits 2."""


def _store(args: argparse.Namespace) -> FileStore:
    return FileStore(args.store) if args.store else FileStore()


def _mask(token: str) -> str:
    return f"{token[:4]}…({len(token)} chars)" if len(token) > 8 else "***"


def demo(args: argparse.Namespace) -> int:
    from .demo import run

    return run(brokers=args.broker or ["kite", "dhan", "fyers"], seconds=args.seconds)


def login(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.broker != "kite":
        raise UsageError(f"login {args.broker} is not available yet in this version")
    from .kite import Kite

    secret = None
    if args.totp_secret_env:
        secret = os.environ.get(args.totp_secret_env)
        if not secret:
            raise UsageError(f"environment variable {args.totp_secret_env} is not set")
    urls = {"root": args.sandbox + "/kite/connect", "web_root": args.sandbox + "/kite/web"} if args.sandbox else {}
    with Kite(store=store, user_id=args.user_id, **urls) as kite:
        session = kite.authorize(totp_secret=secret)
        print(f"kite: logged in as {session.user_id} ({kite.auth_flow}); session saved in {store.path}")
    return 0


def whoami(args: argparse.Namespace) -> int:
    store = _store(args)
    found = False
    for key in store.keys():
        session = store.load(key)
        if session is None or "-" in key:
            continue
        found = True
        if session.broker == "kite":
            from .kite import Kite

            urls = {"root": args.sandbox + "/kite/connect", "web_root": args.sandbox + "/kite/web"} \
                if args.sandbox else {}
            with Kite(store=store, **urls) as kite:
                profile = kite.profile()
            print(f"kite: {profile.get('user_id')} {profile.get('user_name')} ({session.kind})")
        else:
            print(f"{session.broker}: {session.user_id} ({session.kind})")
    if not found:
        print(f"no stored sessions in {store.path}; run `brokers login kite`")
    return 0


def logout(args: argparse.Namespace) -> int:
    store = _store(args)
    cleared = [k for k in store.keys() if args.broker is None or k.split("-", 1)[0] == args.broker]
    for key in cleared:
        store.clear(key)
    print(f"cleared {len(cleared)} stored session(s)" + (f": {', '.join(cleared)}" if cleared else ""))
    return 0


def sessions(args: argparse.Namespace) -> int:
    store = _store(args)
    rows: List[List[Any]] = []
    for key in store.keys():
        raw = store._read(key)
        try:
            s = Session.from_dict(raw or {})
        except ValueError:
            rows.append([key, "?", "?", "unreadable", ""])
            continue
        state = "expired" if s.expired(skew=0) else "valid"
        until = s.expires_at.isoformat(timespec="minutes") if s.expires_at else "unknown"
        rows.append([key, s.user_id or "", s.kind, f"{state} until {until}", _mask(s.token)])
    if not rows:
        print(f"no stored sessions in {store.path}")
        return 0
    from .demo import table

    print(table(["key", "user", "kind", "state", "token"], rows))
    return 0


def sandbox(args: argparse.Namespace) -> int:
    from .sandbox import Sandbox

    with Sandbox(port=args.port) as sb:
        print(f"sandbox running at {sb.url}")
        print(f"  Kite:  Kite(root={sb.url + '/kite/connect'!r}, web_root={sb.url + '/kite/web'!r})")
        print(f"         KiteConnect app: api_key={sb.kite.api_key!r} api_secret={sb.kite.api_secret!r}")
        for acct in sb.kite.accounts.values():
            print(f"         user {acct.user_id}: password={acct.password!r} totp_secret={acct.totp_secret!r}")
        print("press Ctrl-C to stop", flush=True)
        threading.Event().wait(args.duration)
    return 0
