"""SessionStore: the interface every store implements, and what it does the same for all."""

from __future__ import annotations

import abc
import contextlib
import logging
import threading
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from .budget import Budget, LocalBudget
from .session import STATE_PREFIX, Session, SessionInfo, check_key, state_key

__all__ = ["SessionStore"]

log = logging.getLogger("brokers.stores")


class SessionStore(abc.ABC):
    """Where sessions (and rate budgets) live between processes. Subclass it to keep
    them elsewhere (a database, a keyring): implement ``_read``, ``_write``, ``clear``,
    ``lock`` and ``keys``; :meth:`load` then handles expiry and unreadable records the
    same way for every store. Override :meth:`_make_budget` to share rate budgets
    further than the process (see :class:`~brokers.stores.FileStore`).

    Keys are 1-128 characters of ``A-Z a-z 0-9 _ . @ -`` not starting with a dot;
    anything else is a ``ValueError``.
    """

    def load(self, key: str) -> Optional[Session]:
        """The session stored under ``key``, or ``None`` if there is none, it has
        expired, or it cannot be read (one warning is logged for the last two).

        Raises:
            ValueError: ``key`` is not in the key alphabet.
            brokers.errors.StoreError: the store cannot be reached (Redis).
        """
        check_key(key)
        raw = self._read(key)
        if raw is None:
            return None
        try:
            session = Session.from_dict(raw)
        except ValueError as e:
            log.warning("ignoring unreadable session %r: %s", key, e)
            return None
        if session.expired():
            log.warning("ignoring expired session %r (expired %s)", key, session.expires_at)
            return None
        return session

    def save(self, key: str, session: Session) -> None:
        """Store ``session`` under ``key``, replacing what was there."""
        self._write(check_key(key), session.to_dict())

    @abc.abstractmethod
    def clear(self, key: str) -> None:
        """Forget the session under ``key`` (no error if there is none)."""

    @abc.abstractmethod
    def lock(self, key: str) -> contextlib.AbstractContextManager[Any]:
        """A context manager that serialises logins for ``key`` across every
        thread (and, for stores shared between processes, every process)."""

    def keys(self) -> List[str]:
        """The keys that hold a session record (expired ones included)."""
        return []

    def sessions(self) -> List[SessionInfo]:
        """Every session record kept, expired and unreadable ones included, with its
        expiry: ``[SessionInfo(key, session, problem), ...]`` sorted by key. Nothing is
        removed and nothing is logged.

        Example::

            for info in FileStore().sessions():
                print(info.key, info.expires_at, info.problem or "")
        """
        out = []
        for key in self.keys():
            raw, problem = self._inspect(key)
            if problem is not None:
                out.append(SessionInfo(key, None, problem))
                continue
            if raw is None:
                continue
            try:
                out.append(SessionInfo(key, Session.from_dict(raw)))
            except ValueError as e:
                out.append(SessionInfo(key, None, str(e)))
        return out

    def _inspect(self, key: str) -> Tuple[Optional[Mapping[str, Any]], Optional[str]]:
        """``(record, None)``, ``(None, None)`` when absent, or ``(None, why)`` when the
        bytes kept are not a JSON object; logs nothing. Stores that can hold
        unreadable bytes override it."""
        return self._read(key), None

    # -- rate budgets: shared exactly as far as the store is ----------------------------
    def budget(self, account: str) -> Budget:
        """The rate budget of ``account`` (``"kite-AB1234"``, ``"dhan-1000000001"``, ...)
        that every client using this store shares: one process for
        :class:`MemoryStore`, one machine for :class:`FileStore`, every host for
        :class:`RedisStore`. The same object is returned for the same account."""
        check_key(account)
        budgets: Dict[str, Budget]
        try:
            budgets = self.__dict__["_budgets"]
        except KeyError:
            budgets = self.__dict__.setdefault("_budgets", {})
        found = budgets.get(account)
        if found is not None:
            return found
        with _BUDGET_GUARD:
            return budgets.setdefault(account, self._make_budget(account))

    def _make_budget(self, account: str) -> Budget:
        return LocalBudget()

    # -- state records: small JSON documents beside the sessions ------------------------
    # The paper broker's account and other shared state live here, so that they are
    # shared exactly as far as the store is (one process, one machine, every host).
    def read_state(self, key: str) -> Optional[Dict[str, Any]]:
        """The state document under ``key``, or ``None`` when there is none."""
        raw = self._read(state_key(key))
        return dict(raw) if raw is not None else None

    def update_state(self, key: str, fn: Callable[[Optional[Dict[str, Any]]], Dict[str, Any]]) -> Dict[str, Any]:
        """Atomically replace the state under ``key`` with ``fn(current)``.

        ``fn`` receives a copy of the current document (``None`` when absent) and
        returns the new one, which must be JSON-serialisable. The read, ``fn`` and
        the write happen under :meth:`lock`, so concurrent updaters (threads, and
        processes for stores shared between them) never lose each other's writes.

        Returns:
            The document written.
        """
        skey = state_key(key)
        with self.lock(skey):
            raw = self._read(skey)
            new = fn(dict(raw) if raw is not None else None)
            if not isinstance(new, dict):
                raise TypeError("update_state: fn must return a dict")
            self._write(skey, new)
            return new

    @abc.abstractmethod
    def _read(self, key: str) -> Optional[Mapping[str, Any]]: ...

    @abc.abstractmethod
    def _write(self, key: str, record: Mapping[str, Any]) -> None: ...


_BUDGET_GUARD = threading.Lock()


class KeyLocks:
    """One thread lock per key, created on demand."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: Dict[str, threading.Lock] = {}

    def get(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


def session_keys_only(keys: List[str]) -> List[str]:
    return sorted(k for k in keys if not k.startswith(STATE_PREFIX))
