"""The command-line commands behind ``python -m brokers`` (one function each)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from .commands_data import history, symbols  # noqa: F401  (sub-commands looked up by name)
from .core.redact import mask
from .ist import IST
from .stores import FileStore, MemoryStore, Session, SessionStore

if TYPE_CHECKING:  # pragma: no cover
    import datetime as dt

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class UsageError(Exception):
    """Wrong arguments: the command line prints one line and exits 2."""


def _store(args: argparse.Namespace) -> SessionStore:
    """``--store``: a directory (FileStore) or a Redis URL (RedisStore)."""
    if args.store and str(args.store).startswith(REDIS_SCHEMES):
        from .stores import RedisStore

        try:
            return RedisStore(args.store)
        except ImportError as e:
            raise UsageError(str(e)) from None
    return FileStore(args.store) if args.store else FileStore()


def _where(store: SessionStore) -> str:
    return str(getattr(store, "path", None) or getattr(store, "url", None) or store)


def _real_root(broker: str) -> str:
    if broker == "kite":
        from .kite.routes import ROOT

        return ROOT
    if broker == "dhan":
        from .dhan.routes import API_ROOT

        return API_ROOT
    from .fyers.routes import API_ROOT as FYERS_ROOT

    return FYERS_ROOT


def _urls(args: argparse.Namespace, broker: str) -> Dict[str, Any]:
    if not getattr(args, "sandbox", None):
        return {}
    from .sandbox import client_urls

    return client_urls(args.sandbox, broker)


def _ist(when: Optional["dt.datetime"]) -> str:
    """A session time as IST wall-clock text, whatever zone it was stored in."""
    if when is None:
        return "unknown"
    return when.astimezone(IST).strftime("%Y-%m-%d %H:%M IST")


def _env_secret(var: Optional[str]) -> Optional[str]:
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        raise UsageError(f"environment variable {var} is not set")
    return value


def _ask(prompt: str, secret: bool = False) -> str:
    """One answer from the user: hidden for secrets on a terminal, a plain line otherwise."""
    if secret and sys.stdin.isatty():
        value = getpass.getpass(prompt)
    else:
        print(prompt, end="", flush=True, file=sys.stderr)
        value = sys.stdin.readline()
    value = value.strip()
    if not value:
        raise UsageError(f"nothing entered for {prompt.strip().rstrip(':')}")
    return value


def demo(args: argparse.Namespace) -> int:
    from .demo import run

    return run(brokers=args.broker or ["kite", "dhan", "fyers"], seconds=args.seconds)


_ONLY_FOR = {"paste_token": ("dhan", "--paste-token"), "redirect_uri": ("fyers", "--redirect-uri"),
             "secret_key_env": ("fyers", "--secret-key-env"), "totp_secret_env": ("kite dhan", "--totp-secret-env")}


def login(args: argparse.Namespace) -> int:
    for name, (brokers_, flag) in _ONLY_FOR.items():
        if getattr(args, name, None) and args.broker not in brokers_.split():
            raise UsageError(f"{flag} is for {' and '.join(brokers_.split())}, not {args.broker}")
    if args.sandbox:
        _check_reachable(args.sandbox)
    store = _store(args)
    login_one = {"kite": _login_kite, "dhan": _login_dhan, "fyers": _login_fyers}[args.broker]
    print(login_one(args, store, _urls(args, args.broker)))
    return 0


def _check_reachable(url: str) -> None:
    """Fail early (one line) when nothing answers at ``url``."""
    import requests

    try:
        requests.get(url.rstrip("/") + "/", timeout=3)
    except requests.RequestException:
        raise UsageError(f"nothing answers at {url}: is the sandbox running?") from None


def _login_kite(args: argparse.Namespace, store: SessionStore, urls: Dict[str, Any]) -> str:
    from .errors import AuthError
    from .kite import Kite

    secret = _env_secret(args.totp_secret_env)
    user_id = args.user_id or _ask("Kite user id: ")
    # --force logs in through a scratch store, so no stored session can stand in for the login
    with Kite(store=MemoryStore() if args.force else store, user_id=user_id, **urls) as kite:
        try:  # a live stored session: nothing to do
            session = kite.authorize(interactive=False)
            if args.sandbox:
                kite.profile()  # the stored session must work where it is going
        except AuthError:
            password = _ask("Kite password: ", secret=True)
            code = None if secret else _ask("Kite TOTP code: ")
            session = kite.authorize(password=password, twofa=code, totp_secret=secret, interactive=False)
        if args.force:
            for key in (f"kite-{session.user_id}", "kite"):
                store.save(key, session)
        return f"kite: logged in as {session.user_id} ({kite.auth_flow}); session saved in {_where(store)}"


def _login_dhan(args: argparse.Namespace, store: SessionStore, urls: Dict[str, Any]) -> str:
    from .dhan import Dhan
    from .dhan.auth import make_session, session_keys

    client_id = args.user_id or _ask("Dhan client id: ")
    if args.paste_token:
        session = make_session(_ask("Dhan access token: ", secret=True), client_id)
        for key in session_keys(client_id):
            store.save(key, session)
        return f"dhan: token for {client_id} saved in {_where(store)}"
    secret = _env_secret(args.totp_secret_env)
    pin = _ask("Dhan PIN: ", secret=True)
    totp = None if secret else _ask("Dhan TOTP code: ")
    # --force logs in through a scratch store, so no stored session can stand in for the login
    with Dhan(client_id=client_id, store=MemoryStore() if args.force else store, **urls) as dhan:
        session = dhan.authorize(pin=pin, totp=totp, totp_secret=secret)
        if dhan.auth_flow == "stored" and args.sandbox:
            dhan.user_profile()  # the stored session must work where it is going
        if args.force:
            for key in session_keys(client_id):
                store.save(key, session)
        return f"dhan: logged in as {session.user_id} ({dhan.auth_flow}); session saved in {_where(store)}"


def _login_fyers(args: argparse.Namespace, store: SessionStore, urls: Dict[str, Any]) -> str:
    from urllib.parse import parse_qs, urlsplit

    from .fyers import FyersAuth

    client_id = args.user_id or _ask("Fyers app id (e.g. XA1234-100): ")
    redirect = args.redirect_uri or _ask("Fyers redirect URI: ")
    secret = _env_secret(args.secret_key_env) or _ask("Fyers secret key: ", secret=True)
    root = {"root": urls["root"]} if urls else {}
    with FyersAuth(client_id, redirect, secret, store=store, **root) as auth:
        print(f"Open this URL, log in, and paste the URL you are sent back to:\n  {auth.generate_authcode()}",
              file=sys.stderr)
        answer = _ask("redirected URL or auth code: ")
        code = parse_qs(urlsplit(answer).query).get("auth_code", [answer])[0]
        auth.generate_token(auth_code=code)
    return f"fyers: logged in to app {client_id}; session saved in {_where(store)}"


def whoami(args: argparse.Namespace) -> int:
    """Ask the broker who each stored session belongs to. Every key is accounted for:
    a live session prints who it is (once, whatever the number of keys holding it); an
    unreadable, expired or refused one prints a line saying so and what was removed."""
    store = _store(args)
    seen = set()
    failed = 0
    for key in store.keys():
        try:
            session = Session.from_dict(store._read(key) or {})
        except ValueError:
            print(f"{key}: unreadable session record, ignored (`brokers logout` removes it)")
            failed += 1
            continue
        if session.expired(skew=0):
            print(f"{key}: {session.broker} session of {session.user_id} expired at {_ist(session.expires_at)}")
            continue
        if (session.broker, session.token) in seen:
            continue
        seen.add((session.broker, session.token))
        target = (_urls(args, session.broker) or {}).get("root") or _real_root(session.broker)
        if session.broker in ("kite", "dhan", "fyers") and not session.belongs_to(
                target, default_root=_real_root(session.broker)):
            # Never send a token to a host that did not issue it.
            print(f"{session.broker}: {session.user_id} ({session.kind}) is a session of "
                  f"{session.root or _real_root(session.broker)}, not asked"
                  + ("" if getattr(args, "sandbox", None) else "; pass --sandbox URL to ask that sandbox"))
            continue
        try:
            print(_who(args, store, session))
        except Exception as e:  # one bad session must not hide the others
            from .errors import BrokerError

            if not isinstance(e, (BrokerError, ValueError, OSError)):
                raise
            failed += 1
            removed = "; removed from the store" if store._read(key) is None else ""
            print(f"{key}: {session.broker} session of {session.user_id} failed: {e}{removed}")
    if not seen and not failed:
        print(f"no live sessions in {_where(store)}; run `brokers login kite|dhan|fyers`")
    return 1 if failed else 0


def _who(args: argparse.Namespace, store: SessionStore, session: Session) -> str:
    urls = _urls(args, session.broker)
    if session.broker == "kite":
        from .kite import Kite

        with Kite(store=store, user_id=session.user_id, **urls) as kite:
            p = kite.profile()
        return f"kite: {p.get('user_id')} {p.get('user_name')} ({session.kind})"
    if session.broker == "dhan":
        from .dhan import Dhan

        with Dhan(client_id=session.user_id, access_token=session.token, store=store, **urls) as dhan:
            p = dhan.user_profile()
        return f"dhan: {p.get('dhanClientId', session.user_id)} ({session.kind})"
    if session.broker == "fyers":
        from .fyers import Fyers

        with Fyers(client_id=session.user_id, token=session.token, store=store, **urls) as fyers:
            p = fyers.get_profile().get("data", {})
        return f"fyers: {p.get('fy_id')} {p.get('name')} ({session.kind})"
    return f"{session.broker}: {session.user_id} ({session.kind})"


def logout(args: argparse.Namespace) -> int:
    store = _store(args)
    cleared = [k for k in store.keys() if args.broker is None or k.split("-", 1)[0] == args.broker]
    for key in cleared:
        store.clear(key)
    if isinstance(store, FileStore):  # Redis leases expire by themselves
        _remove_idle_locks(store, args.broker)
    print(f"cleared {len(cleared)} stored session(s)" + (f": {', '.join(cleared)}" if cleared else ""))
    return 0


def _remove_idle_locks(store: FileStore, broker: Optional[str]) -> None:
    """Delete ``<key>.lock`` files nobody holds (a held one is left for its owner)."""
    if not store.path.is_dir():
        return
    for lock in store.path.glob("*.lock"):
        if broker is not None and lock.stem.split("-", 1)[0] != broker:
            continue
        with store.lock(lock.stem):  # waits for a login in progress, then we own it
            lock.unlink(missing_ok=True)


def sessions(args: argparse.Namespace) -> int:
    """Every session the store keeps (FileStore or RedisStore), with its host and expiry."""
    store = _store(args)
    rows: List[List[Any]] = []
    for info in store.sessions():
        s = info.session
        if s is None:
            rows.append([info.key, "?", "?", "?", f"unreadable: {info.problem}", ""])
            continue
        state = "expired" if s.expired(skew=0) else "valid"
        until = _ist(s.expires_at)
        host = (s.root or f"{_real_root(s.broker)} (assumed)") if s.broker in ("kite", "dhan", "fyers") else ""
        rows.append([info.key, s.user_id or "", s.kind, host, f"{state} until {until}", mask(s.token, keep=4)])
    if not rows:
        print(f"no stored sessions in {_where(store)}")
        return 0
    from .demo import table

    print(table(["key", "user", "kind", "host", "state", "token"], rows))
    return 0


def sandbox(args: argparse.Namespace) -> int:
    from .sandbox import Sandbox

    with Sandbox(port=args.port, masters="full") as sb:
        print(f"sandbox running at {sb.url}")
        print(f"  Kite:  Kite(root={sb.url + '/kite/connect'!r}, web_root={sb.url + '/kite/web'!r})")
        print(f"         KiteConnect app: api_key={sb.kite.api_key!r} api_secret={sb.kite.api_secret!r}")
        for acct in sb.kite.accounts.values():
            print(f"         user {acct.user_id}: password={acct.password!r} totp_secret={acct.totp_secret!r}")
        print(f"  Dhan:  Dhan(**client_urls({sb.url!r}, 'dhan'))")
        for d in sb.dhan.accounts.values():
            print(f"         client {d.client_id}: pin={d.pin!r} totp_secret={d.totp_secret!r}")
        print(f"  Fyers: FyersAuth({sb.fyers.client_id!r}, {sb.fyers.redirect_uri!r}, {sb.fyers.secret_key!r}, "
              f"root={sb.url + '/fyers/api/v3'!r})")
        for f in sb.fyers.accounts.values():
            print(f"         user {f.fy_id}: pin={f.pin!r} (log in at the auth URL with &fy_id={f.fy_id})")
        print(f"  feeds: {sb.ws_url}/kite/ws, /dhan/feed, /dhan/orders, /fyers/data, /fyers/orders")
        print("  (client_urls is in brokers.sandbox)")
        print("press Ctrl-C to stop", flush=True)
        threading.Event().wait(args.duration)
    return 0
