"""BaseClient: what every broker client shares around its Transport.

A client holds one :class:`~brokers.core.http.Transport`, a
:class:`~brokers.stores.SessionStore` and the current session. Before an
authenticated call it makes sure there is a session without going to the
network (a session given or stored; else a local
:class:`~brokers.errors.AuthError` that says how to log in). It adds the
session's headers to each call.

Re-login after a refused token is this one path, for every broker: when the
broker says the token is dead (:class:`~brokers.errors.TokenExpired`, or a
session whose expiry has passed), the client

1. clears the dead session from the store, compare-and-clear under the store's
   lock (a session another process saved meanwhile is never the one cleared);
2. calls the session-expiry hook;
3. under the store's lock, takes a newer stored session if another thread or
   process logged in, else runs the *repeatable login* that ``authorize()``
   registered (a flow holding a TOTP secret or callable), saving its session
   before the lock is released;
4. replays the call once.

If nothing can log in again, the caller gets the TokenExpired; if the re-login
itself is refused (a wrong PIN, a revoked refresh token), the caller gets that
login's error (an AuthError that says what was refused). A refused replay is not
replayed again. It is single-flight: threads that hit the dead token together share one login
(the client's lock, then the store's lock across processes).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any, Callable, ContextManager, Dict, List, Optional, TypeVar

from .. import errors
from ..stores import Budget, LocalBudget, Session, SessionStore, account_key
from . import redact
from .auth import AuthFlow
from .http import Transport

__all__ = ["BaseClient"]

log = logging.getLogger(__name__)

C = TypeVar("C", bound="BaseClient")


class BaseClient:
    """Base of the broker clients. Not used directly.

    Subclasses set ``self.transport`` and provide :meth:`_auth_headers` and
    :meth:`_session_keys`; :meth:`_passive_flows` (flows that need no network:
    a given token, a stored session), :meth:`_adopt` and :meth:`_login_hint`
    when the defaults do not fit. ``authorize()`` registers a repeatable login
    with :meth:`_set_repeat_login`.

    Attributes:
        expiry_hook_raises: ``False`` (the default): an exception raised by the
            session-expiry hook is logged (with its traceback, on this module's
            logger) and the re-login and replay go on as if the hook had returned;
            if nothing can log in again, the caller gets the TokenExpired. ``True``:
            the hook's exception reaches the caller of the refused call at once,
            after the dead session was cleared and before any re-login, as
            kiteconnect does (the compat layer sets this).
    """

    broker = "broker"
    transport: Transport
    expiry_hook_raises: bool = False

    def __init__(self, store: Optional[SessionStore]) -> None:
        redact.install()  # every module logger of the package exists by now
        self.store = store
        self.session: Optional[Session] = None
        self.auth_flow: Optional[str] = None
        self._auth_lock = threading.RLock()
        self._expiry_hook: Optional[Callable[[], Any]] = None
        self._local_budget = LocalBudget()
        self._repeat_login: Optional[AuthFlow] = None

    # -- what subclasses provide -------------------------------------------------
    def _auth_headers(self) -> Dict[str, str]:
        """The headers that authenticate a call with ``self.session``."""
        return {}

    def _session_keys(self) -> List[str]:
        """Store keys that may hold this client's session (cleared when it dies)."""
        return []

    def _lock_key(self) -> str:
        """The store key whose lock serialises this client's logins."""
        keys = self._session_keys()
        return keys[0] if keys else self.broker

    def _passive_flows(self) -> List[AuthFlow]:
        """Flows that find a session without the network (a given token, the store)."""
        return []

    def _login_hint(self) -> str:
        """How to get a session, for the AuthError raised when there is none."""
        return "pass a token to the constructor, or call authorize()"

    def _adopt(self, session: Session, *, flow: str, save: bool) -> None:
        """Make ``session`` current; when ``save``, keep it under every session key."""
        self.session = session
        self.auth_flow = flow
        if save and self.store is not None:
            for key in self._session_keys():
                self.store.save(key, session)

    # -- plumbing for the flows --------------------------------------------------
    def _send_unauth(self, method: str, url: str, **kw: Any) -> Any:
        """The :data:`~brokers.core.auth.Send` given to auth flows: one request
        through the transport without the session's headers."""
        return self.transport.request(method, url, **kw)

    def _lock(self) -> ContextManager[Any]:
        """The store's lock for this client's logins (a no-op without a store)."""
        return self.store.lock(self._lock_key()) if self.store is not None else contextlib.nullcontext()

    def _set_repeat_login(self, flow: Optional[AuthFlow]) -> None:
        """Register the flow that logs in again after a refused token (None: none)."""
        self._repeat_login = flow if flow is not None and flow.repeatable else None

    def _rate_account(self) -> Optional[str]:
        """The account the broker counts this client's calls against (user, client or app id)."""
        return None

    def _rate_budget(self) -> Budget:
        """Where the transport's rate windows live: the store's budget for this broker
        account (shared as far as the store is), or this client's own without a store."""
        if self.store is None:
            return self._local_budget
        return self.store.budget(account_key(self.broker, self._rate_account()))

    # -- calls -------------------------------------------------------------------
    def set_session_expiry_hook(self, method: Callable[[], Any]) -> None:
        """Call ``method()`` (no arguments) whenever the broker refuses the token.

        What happens when the hook raises is :attr:`expiry_hook_raises`.

        Raises:
            TypeError: ``method`` is not callable.
        """
        if not callable(method):
            raise TypeError("Invalid input type. Only functions are accepted.")
        self._expiry_hook = method

    def _ensure_session(self) -> Session:
        """The live session: the current one, else a given or stored one, else a
        login with the repeatable credentials ``authorize()`` was given. No
        network unless that login is needed.

        Raises:
            brokers.errors.TokenExpired: the session expired and nothing newer is
                at hand (the caller's recovery path takes over).
            brokers.errors.AuthError: there is no session at all.
        """
        session = self.session
        if session is not None and not session.expired():
            return session
        with self._auth_lock:
            session = self.session
            if session is not None and not session.expired():
                return session
            found = self._first(self._passive_flows(), dead=session)
            if found is not None:
                return found
            if session is not None:
                until = f" at {session.expires_at:%Y-%m-%d %H:%M %Z}" if session.expires_at else ""
                raise errors.TokenExpired(f"the {self.broker.capitalize()} session expired{until}; {self._login_hint()}",
                                          broker=self.broker)
            if self._repeat_login is not None and self._relogin(None):
                assert self.session is not None
                return self.session
        raise errors.AuthError(f"no {self.broker.capitalize()} session: {self._login_hint()}", broker=self.broker)

    def _first(self, flows: List[AuthFlow], dead: Optional[Session]) -> Optional[Session]:
        """Adopt the first live session a flow yields that is not ``dead``."""
        for flow in flows:
            found = flow.login()
            if found is None or found.expired() or (dead is not None and found.token == dead.token):
                continue
            self._adopt(found, flow=flow.name, save=flow.saves)
            log.info("%s: session from the %s flow", self.broker, flow.name)
            return found
        return None

    def _send(self, method: str, url: str, *, auth: bool = True, **kw: Any) -> Any:
        """Send through the transport with the session's headers; on a dead token,
        re-login once and replay once when possible (the module docstring)."""
        if not auth:
            return self.transport.request(method, url, **kw)
        extra = kw.pop("headers", None) or {}
        session_before = self.session
        try:
            session_before = self._ensure_session()
            return self.transport.request(method, url, headers={**extra, **self._auth_headers()}, **kw)
        except errors.TokenExpired as exc:
            refused = exc
        # Recovery runs outside the except block: a login error raised here does not
        # carry the refused call as its __context__.
        if not self._recover(session_before):
            raise refused
        log.info("%s: session renewed after a refused token; replaying %s once", self.broker, method)
        return self.transport.request(method, url, headers={**extra, **self._auth_headers()}, **kw)

    def _recover(self, dead: Optional[Session]) -> bool:
        """After ``dead`` was refused: True when a new session is in place."""
        with self._auth_lock:
            current = self.session
            if current is not None and current is not dead and not current.expired():
                return True  # another thread already logged in again
            self._clear_stored(dead)
            self._call_expiry_hook()
            return self._relogin(dead)

    def _clear_stored(self, dead: Optional[Session]) -> None:
        store = self.store
        if store is None or dead is None:
            return
        for key in self._session_keys():
            # Compare and clear under the store's lock, so a session that another
            # process saved in between is never the one we clear.
            with store.lock(key):
                stored = store.load(key)
                if stored is not None and stored.token == dead.token:
                    store.clear(key)

    def _call_expiry_hook(self) -> None:
        hook = self._expiry_hook
        if hook is None:
            return
        if self.expiry_hook_raises:
            hook()
            return
        try:
            hook()
        except Exception:
            log.exception("%s: the session expiry hook raised; going on with the re-login", self.broker)

    def _relogin(self, dead: Optional[Session]) -> bool:
        """Under the store's lock: a newer stored session, else the repeatable login."""
        flows = self._passive_flows()
        if self._repeat_login is not None:
            if dead is not None:
                self._repeat_login.refused(dead)
            flows.append(self._repeat_login)
        with self._lock():
            return self._first(flows, dead) is not None

    # -- renewal ahead of expiry ---------------------------------------------------
    def renew(self, *, within: float = 3600.0) -> bool:
        """Log in again now if the session expires within ``within`` seconds, so that
        the first order of the day does not pay for the login (run it from cron, or a
        scheduler in your app, shortly before the known expiry; ``brokers sessions``
        shows it).

        It needs the means to log in without you: Kite a ``twofa`` callable or
        ``totp_secret`` given to ``authorize()``; Dhan a ``totp_secret`` or TOTP
        callable; Fyers a refresh token and PIN. A session another process renewed
        already (a newer one in the store) is taken instead of logging in again, under
        the store's lock, so many processes renewing together log in once.

        Returns:
            True when the client now holds a new session; False when the session is
            not near its expiry (or has none), or the client cannot log in by itself.

        Raises:
            brokers.errors.AuthError: the broker refused the login.
            brokers.errors.StoreError: the store cannot be reached.

        Example::

            kite.authorize(user_id="AB1234", password=pwd, totp_secret=secret)
            kite.renew(within=2 * 3600)     # e.g. from a 05:00 cron job
        """
        from ..ist import utc_now

        before = self.session
        if before is None or before.expires_at is None:
            return False
        if (before.expires_at - utc_now()).total_seconds() > within:
            return False
        with self._auth_lock:
            if self.session is not before:
                return True  # another thread renewed meanwhile
            renewed = self._renew_ahead()
        return renewed and self.session is not None and self.session is not before

    def _renew_ahead(self) -> bool:
        """A new session while the current one still works (default: the re-login
        path, with the current session as the one to replace)."""
        return self._relogin(self.session)

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        """Release the HTTP connections. Idempotent."""
        self.transport.close()

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
