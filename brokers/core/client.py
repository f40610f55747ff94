"""BaseClient: what every broker client shares around its Transport.

A client holds one :class:`~brokers.core.http.Transport`, an optional
:class:`~brokers.stores.SessionStore` and the current session. It adds the
session's headers to each call and, when the broker says the token is dead
(:class:`~brokers.errors.TokenExpired`), clears the stored session, calls the
expiry hook, and, if it holds the means to log in again, logs in once and
replays the call once. Re-login is single-flight: threads that hit the dead
token together share one login.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Dict, List, Optional, TypeVar

from .. import errors
from ..stores import Budget, LocalBudget, Session, SessionStore, account_key
from .http import Transport

__all__ = ["BaseClient"]

log = logging.getLogger("brokers.client")

C = TypeVar("C", bound="BaseClient")


class BaseClient:
    """Base of the broker clients. Not used directly.

    Subclasses set ``self.transport`` and implement :meth:`_auth_headers`, and
    :meth:`_relogin` when they can log in without the user.
    """

    broker = "broker"
    transport: Transport

    def __init__(self, store: Optional[SessionStore]) -> None:
        self.store = store
        self.session: Optional[Session] = None
        self._auth_lock = threading.Lock()
        self._expiry_hook: Optional[Callable[[], Any]] = None
        self._local_budget = LocalBudget()

    # -- what subclasses provide -------------------------------------------------
    def _auth_headers(self) -> Dict[str, str]:
        return {}

    def _session_keys(self) -> List[str]:
        """Store keys that may hold this client's session (cleared when it dies)."""
        return []

    def _relogin(self) -> bool:
        """Log in again without asking the user; False when that is not possible."""
        return False

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

        Raises:
            TypeError: ``method`` is not callable.
        """
        if not callable(method):
            raise TypeError("Invalid input type. Only functions are accepted.")
        self._expiry_hook = method

    def _send(self, method: str, url: str, *, auth: bool = True, **kw: Any) -> Any:
        """Send through the transport with the session's headers; on a dead token,
        re-login once and replay once when possible."""
        extra = kw.pop("headers", None) or {}

        def attempt() -> Any:
            headers = {**extra, **self._auth_headers()} if auth else dict(extra)
            return self.transport.request(method, url, headers=headers, **kw)

        session_before = self.session
        try:
            return attempt()
        except errors.TokenExpired:
            if not auth or not self._recover(session_before):
                raise
            log.info("%s: session refreshed after a refused token; replaying %s once", self.broker, method)
            return attempt()

    def _recover(self, session_before: Optional[Session]) -> bool:
        with self._auth_lock:
            if self.session is not session_before and self.session is not None:
                return True  # another thread already logged in again
            store = self.store
            for key in self._session_keys() if store is not None and session_before is not None else []:
                assert store is not None and session_before is not None
                # Compare and clear under the store's lock, so a session that another
                # process saved in between is never the one we clear.
                with store.lock(key):
                    stored = store.load(key)
                    if stored is not None and stored.token == session_before.token:
                        store.clear(key)
            if self._expiry_hook is not None:
                try:
                    self._expiry_hook()
                except Exception:
                    log.exception("%s: session expiry hook raised", self.broker)
            return self._relogin()

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
        """A new session while the current one still works (default: the re-login path)."""
        return self._relogin()

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        """Release the HTTP connections. Idempotent."""
        self.transport.close()

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
