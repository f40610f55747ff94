"""A store seen from one host: sessions of other hosts are absent, sessions saved are
stamped with this host. Every client reads and writes its store through one, so a
token is never sent to a host that did not issue it (a sandbox session is never used
against a real broker, nor the reverse)."""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .base import SessionStore
from .budget import Budget
from .session import Session, SessionInfo

__all__ = ["HostBoundStore", "bind"]

log = logging.getLogger("brokers.stores")


class HostBoundStore(SessionStore):
    """``inner`` as seen by a client whose REST root is ``root`` (Kite Web root
    ``web_root``). Loads skip sessions recorded for another host (a session without
    a recorded host belongs to ``default_root``, the broker's real host); saves record
    this host in sessions that name none. Everything else is ``inner``'s.

    Example::

        store = bind(FileStore(), "http://127.0.0.1:8000/dhan/v2", default_root="https://api.dhan.co/v2")
        store.load("dhan")     # None unless the stored session came from that sandbox
    """

    def __init__(self, inner: SessionStore, root: str, web_root: Optional[str] = None,
                 default_root: Optional[str] = None) -> None:
        self.inner = inner
        self.root = root
        self.web_root = web_root
        self.default_root = default_root

    def fits(self, session: Session) -> bool:
        """True when ``session`` may be sent to this host."""
        return session.belongs_to(self.root, self.web_root, default_root=self.default_root)

    def load(self, key: str) -> Optional[Session]:
        session = self.inner.load(key)
        if session is not None and not self.fits(session):
            log.info("ignoring stored session %r: it belongs to %s, not %s", key,
                     session.root or self.default_root, self.root)
            return None
        return session

    def save(self, key: str, session: Session) -> None:
        if session.root is None:
            session.root = self.root
        if session.web_root is None and self.web_root is not None:
            session.web_root = self.web_root
        if not self.fits(session):
            raise ValueError(f"refusing to store a session of {session.root} as one of {self.root}")
        self.inner.save(key, session)

    def clear(self, key: str) -> None:
        self.inner.clear(key)

    def lock(self, key: str) -> contextlib.AbstractContextManager[Any]:
        return self.inner.lock(key)

    def keys(self) -> List[str]:
        return self.inner.keys()

    def sessions(self) -> List[SessionInfo]:
        return self.inner.sessions()

    def budget(self, account: str) -> Budget:
        return self.inner.budget(account)

    def read_state(self, key: str) -> Optional[Dict[str, Any]]:
        return self.inner.read_state(key)

    def update_state(self, key: str, fn: Any) -> Dict[str, Any]:
        return self.inner.update_state(key, fn)

    def _inspect(self, key: str) -> Tuple[Optional[Mapping[str, Any]], Optional[str]]:
        return self.inner._inspect(key)

    def _read(self, key: str) -> Optional[Mapping[str, Any]]:
        return self.inner._read(key)

    def _write(self, key: str, record: Mapping[str, Any]) -> None:
        self.inner._write(key, record)

    def __getattr__(self, name: str) -> Any:  # path, url, ... of the store underneath
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def __repr__(self) -> str:
        return repr(self.inner)


def bind(store: Optional[SessionStore], root: str, web_root: Optional[str] = None,
         default_root: Optional[str] = None) -> Optional[SessionStore]:
    """``store`` seen from ``root`` (``None`` stays ``None``; a bound store is re-bound)."""
    if store is None:
        return None
    if isinstance(store, HostBoundStore):
        store = store.inner
    return HostBoundStore(store, root.rstrip("/"), web_root.rstrip("/") if web_root else None,
                          default_root.rstrip("/") if default_root else None)
