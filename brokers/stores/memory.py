"""MemoryStore: sessions and rate budgets in this process's memory."""

from __future__ import annotations

import contextlib
from typing import Any, Dict, List, Mapping, Optional

from .base import KeyLocks, SessionStore, session_keys_only
from .session import check_key

__all__ = ["MemoryStore"]


class MemoryStore(SessionStore):
    """Sessions in a dict: nothing survives the process. Thread-safe. Clients sharing
    one MemoryStore share one rate budget per account.

    Example::

        store = MemoryStore()
        kite = Kite(store=store)
    """

    def __init__(self) -> None:
        self._data: Dict[str, Dict[str, Any]] = {}
        self._locks = KeyLocks()

    def _read(self, key: str) -> Optional[Mapping[str, Any]]:
        return self._data.get(key)

    def _write(self, key: str, record: Mapping[str, Any]) -> None:
        self._data[key] = dict(record)

    def clear(self, key: str) -> None:
        self._data.pop(check_key(key), None)

    def keys(self) -> List[str]:
        return session_keys_only(list(self._data))

    def lock(self, key: str) -> contextlib.AbstractContextManager[Any]:
        return self._locks.get(check_key(key))

    def __repr__(self) -> str:
        return f"MemoryStore(keys={self.keys()!r})"
