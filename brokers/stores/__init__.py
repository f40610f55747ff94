"""Session records and the stores that keep them (and each account's rate budget)
between threads, processes and hosts.

A :class:`Session` is a small JSON-serialisable record of one login, bound to the
host that issued it. A :class:`SessionStore` keeps sessions under string keys
(``"kite"``, ``"kite-AB1234"``, ``"dhan"``, ...) so that a script, a web worker, a
cron job and an Excel macro reuse one daily login, and keeps each broker account's
rate-limit windows, so that everything sharing the store shares one budget:

- :class:`MemoryStore`: a dict; one process.
- :class:`FileStore` (the default): JSON files under
  ``platformdirs.user_data_dir("brokers")``; directory 0700, files 0600, atomic
  writes, OS file locks; every process of the user on the machine. Never pickle.
- :class:`RedisStore` (``pip install "brokers[redis]"``): every host; login leases.
- :class:`EnvStore`: tokens from environment variables (see its docstring).

Keys are 1-128 characters of ``A-Z a-z 0-9 _ . @ -``, not starting with a dot.

Example::

    from brokers.stores import FileStore
    store = FileStore()                 # or FileStore("/srv/app/sessions")
    session = store.load("kite")        # None when absent, expired or for another host
    for info in store.sessions():       # what is kept, with expiry
        print(info.key, info.expires_at)
"""

from __future__ import annotations

import logging

from ..ist import utc_now as _now
from ..oslock import lock_fd as _lock_fd
from ..oslock import unlock_fd as _unlock_fd
from .base import KeyLocks as _KeyLocks
from .base import SessionStore
from .bound import HostBoundStore, bind
from .budget import Budget, LocalBudget
from .env import EnvStore
from .files import FileBudget, FileStore
from .memory import MemoryStore
from .redisstore import RedisBudget, RedisStore
from .session import (
    _KEY_RE,
    KEY_ALPHABET,
    STATE_PREFIX,
    Session,
    SessionInfo,
    _parse_time,
    account_key,
    check_key,
    mask,
)
from .session import check_key as _check_key
from .session import state_key as _state_key

__all__ = [
    "Budget", "EnvStore", "HostBoundStore", "account_key", "bind", "FileBudget", "FileStore", "KEY_ALPHABET", "LocalBudget", "MemoryStore", "RedisBudget",
    "RedisStore", "Session", "SessionInfo", "SessionStore", "check_key", "mask",
]

log = logging.getLogger(__name__)

# Names that lived in the old single-module brokers.stores, kept importable.
_compat = (_now, _KeyLocks, _lock_fd, _unlock_fd, _KEY_RE, STATE_PREFIX, _parse_time, _check_key, _state_key)
