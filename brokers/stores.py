"""Session records and the stores that keep them between processes.

A :class:`Session` is a small JSON-serialisable record of one login. A
:class:`SessionStore` keeps sessions under string keys (``"kite"``,
``"kite-AB1234"``, ``"dhan"``, ...) so that a script, a web worker and an Excel
macro on the same machine reuse one daily login.

- :class:`FileStore` (the default): one JSON file per key under
  ``platformdirs.user_data_dir("brokers")``; directory 0700, files 0600, atomic
  writes, a file lock across processes. Never pickle.
- :class:`MemoryStore`: a dict, for tests and single-process programs.
- :class:`EnvStore`: tokens from environment variables (see its docstring).

Example::

    from brokers.stores import FileStore
    store = FileStore()                 # or FileStore("/srv/app/sessions")
    session = store.load("kite")        # None when absent or expired
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import json
import logging
import os
import re
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, MutableMapping, Optional, Union

from .ist import utc_now as _now

__all__ = ["EnvStore", "FileStore", "MemoryStore", "Session", "SessionStore"]

log = logging.getLogger(__name__)

STATE_PREFIX = "state."
_KEY_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,128}$")


@dataclass
class Session:
    """One login: what a client needs to call the broker without logging in again.

    Args:
        broker: ``"kite"``, ``"dhan"`` or ``"fyers"``.
        kind: the token kind: ``"enctoken"``, ``"access_token"``, ...
        token: the secret token itself.
        user_id: the user or client id the token belongs to.
        api_key: the app key the token was issued to, where the broker has one.
        created_at: when the session was made (aware datetime).
        expires_at: when it stops working (aware datetime), or ``None`` if unknown.
        extra: anything else the broker returned that is worth keeping
            (refresh token, public token, ...), JSON-serialisable.

    The repr never shows the token.
    """

    broker: str
    kind: str
    token: str = field(repr=False)
    user_id: Optional[str] = None
    api_key: Optional[str] = None
    created_at: dt.datetime = field(default_factory=_now)
    expires_at: Optional[dt.datetime] = None
    extra: dict = field(default_factory=dict, repr=False)

    def expired(self, *, skew: float = 60.0, now: Optional[dt.datetime] = None) -> bool:
        """True when the session has expired, or will within ``skew`` seconds."""
        if self.expires_at is None:
            return False
        now = now or _now()
        return now + dt.timedelta(seconds=skew) >= self.expires_at

    def to_dict(self) -> dict:
        """A JSON-serialisable dict (datetimes as ISO 8601 strings)."""
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat()
        d["expires_at"] = self.expires_at.isoformat() if self.expires_at else None
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Session:
        """Rebuild a session from :meth:`to_dict` output.

        Raises:
            ValueError: a required key is missing or a value has the wrong type.
        """
        missing = [k for k in ("broker", "kind", "token") if not d.get(k)]
        if missing:
            raise ValueError(f"session record lacks {', '.join(missing)}")
        try:
            created = _parse_time(d.get("created_at")) or _now()
            expires = _parse_time(d.get("expires_at"))
        except (TypeError, ValueError) as e:
            raise ValueError(f"session record has a bad timestamp: {e}") from None
        extra = d.get("extra") or {}
        if not isinstance(extra, dict):
            raise ValueError("session record's 'extra' is not an object")
        return cls(
            broker=str(d["broker"]),
            kind=str(d["kind"]),
            token=str(d["token"]),
            user_id=d.get("user_id"),
            api_key=d.get("api_key"),
            created_at=created,
            expires_at=expires,
            extra=extra,
        )


def _parse_time(v: Any) -> Optional[dt.datetime]:
    if v in (None, ""):
        return None
    t = dt.datetime.fromisoformat(str(v))
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def _state_key(key: str) -> str:
    return _check_key(f"{STATE_PREFIX}{_check_key(key)}")


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise ValueError(f"session key must be 1-128 of [A-Za-z0-9_.@-], got {key!r}")
    return key


class SessionStore(abc.ABC):
    """Where sessions live between processes. Subclass it to keep them elsewhere
    (a database, Redis, a keyring): implement ``_read``, ``_write``, ``clear`` and
    ``lock``; :meth:`load` then handles expiry the same way for every store.
    """

    def load(self, key: str) -> Optional[Session]:
        """The session stored under ``key``, or ``None`` if there is none, it has
        expired, or it cannot be read (a warning is logged for the last two)."""
        _check_key(key)
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
        self._write(_check_key(key), session.to_dict())

    @abc.abstractmethod
    def clear(self, key: str) -> None:
        """Forget the session under ``key`` (no error if there is none)."""

    @abc.abstractmethod
    def lock(self, key: str) -> contextlib.AbstractContextManager:
        """A context manager that serialises logins for ``key`` across every
        thread (and, for stores shared between processes, every process)."""

    def keys(self) -> list[str]:
        """The keys that hold a session record (expired ones included)."""
        return []

    # -- state records: small JSON documents beside the sessions --------------------
    # The paper broker's account and other shared state live here, so that they are
    # shared exactly as far as the store is (one process, one machine, every host).
    def read_state(self, key: str) -> Optional[dict]:
        """The state document under ``key``, or ``None`` when there is none."""
        raw = self._read(_state_key(key))
        return dict(raw) if raw is not None else None

    def update_state(self, key: str, fn: Callable[[Optional[dict]], dict]) -> dict:
        """Atomically replace the state under ``key`` with ``fn(current)``.

        ``fn`` receives a copy of the current document (``None`` when absent) and
        returns the new one, which must be JSON-serialisable. The read, ``fn`` and
        the write happen under :meth:`lock`, so concurrent updaters (threads, and
        processes for stores shared between them) never lose each other's writes.

        Returns:
            The document written.
        """
        skey = _state_key(key)
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


class _KeyLocks:
    """One re-entrant-free thread lock per key, created on demand."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def get(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


class MemoryStore(SessionStore):
    """Sessions in a dict: nothing survives the process. Thread-safe.

    Example::

        store = MemoryStore()
        kite = Kite(store=store)
    """

    def __init__(self) -> None:
        self._data: dict[str, dict] = {}
        self._locks = _KeyLocks()

    def _read(self, key: str) -> Optional[Mapping[str, Any]]:
        return self._data.get(key)

    def _write(self, key: str, record: Mapping[str, Any]) -> None:
        self._data[key] = dict(record)

    def clear(self, key: str) -> None:
        self._data.pop(_check_key(key), None)

    def keys(self) -> list[str]:
        return sorted(k for k in self._data if not k.startswith(STATE_PREFIX))

    def lock(self, key: str) -> contextlib.AbstractContextManager:
        return self._locks.get(_check_key(key))

    def __repr__(self) -> str:
        return f"MemoryStore(keys={self.keys()!r})"


class FileStore(SessionStore):
    """Sessions as JSON files in one directory, shared by every process of the user.

    Args:
        path: the directory; default ``platformdirs.user_data_dir("brokers")``
            (``~/.local/share/brokers`` on Linux). Created 0700 if missing.

    Each key is a file ``<key>.json`` written 0600 through a temporary file and
    ``os.replace``, so a reader never sees half a record. :meth:`lock` takes an
    OS file lock (``<key>.lock``) as well as a thread lock, so two processes that
    both find no session log in once between them.

    Example::

        store = FileStore()
        with Kite(store=store) as kite:
            kite.authorize(user_id="AB1234", password=pwd, totp_secret=secret)
    """

    def __init__(self, path: Union[str, os.PathLike, None] = None) -> None:
        if path is None:
            import platformdirs

            path = platformdirs.user_data_dir("brokers", appauthor=False)
        self.path = Path(path)
        self._locks = _KeyLocks()

    def _dir(self) -> Path:
        if not self.path.is_dir():
            self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.path

    def _file(self, key: str) -> Path:
        return self.path / f"{key}.json"

    def _read(self, key: str) -> Optional[Mapping[str, Any]]:
        try:
            text = self._file(key).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as e:
            log.warning("cannot read session file for %r: %s", key, e.strerror)
            return None
        try:
            record = json.loads(text)
        except ValueError:
            log.warning("ignoring corrupt session file for %r", key)
            return None
        if not isinstance(record, dict):
            log.warning("ignoring corrupt session file for %r", key)
            return None
        return record

    def _write(self, key: str, record: Mapping[str, Any]) -> None:
        directory = self._dir()
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                os.chmod(tmp, 0o600)
                json.dump(record, f, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._file(key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def clear(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._file(_check_key(key)).unlink()

    def keys(self) -> list[str]:
        if not self.path.is_dir():
            return []
        return sorted(p.stem for p in self.path.glob("*.json") if not p.stem.startswith(STATE_PREFIX))

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        with self._locks.get(_check_key(key)):
            fd = os.open(self._dir() / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                _lock_fd(fd)
                try:
                    yield
                finally:
                    _unlock_fd(fd)
            finally:
                os.close(fd)

    def __repr__(self) -> str:
        return f"FileStore({str(self.path)!r})"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_fd(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:  # LK_LOCK gives up after ~10 s; keep waiting
                continue

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class EnvStore(SessionStore):
    """Sessions read from (and written back to) environment variables.

    The broker is the part of the key before the first ``-`` (``"kite-AB1234"``
    reads the ``KITE_*`` variables). Variables, by broker:

    =========  ===============================================================
    kite       ``KITE_ENCTOKEN`` (with ``KITE_USER_ID``) or ``KITE_ACCESS_TOKEN``
               (with ``KITE_API_KEY``)
    dhan       ``DHAN_ACCESS_TOKEN``, ``DHAN_CLIENT_ID``
    fyers      ``FYERS_ACCESS_TOKEN``, ``FYERS_CLIENT_ID``
    any        ``<BROKER>_EXPIRES_AT`` (ISO 8601), optional
    =========  ===============================================================

    :meth:`save` writes the same variables into ``environ`` (``os.environ`` by
    default), so child processes started afterwards inherit the login.

    Example::

        os.environ["DHAN_CLIENT_ID"] = "1000000001"
        os.environ["DHAN_ACCESS_TOKEN"] = token
        dhan = Dhan(store=EnvStore())
    """

    _KINDS = {"kite": ("enctoken", "access_token"), "dhan": ("access_token",), "fyers": ("access_token",)}

    def __init__(self, environ: Optional[MutableMapping[str, str]] = None) -> None:
        self.environ = os.environ if environ is None else environ
        self._locks = _KeyLocks()

    @staticmethod
    def _broker(key: str) -> str:
        return _check_key(key).split("-", 1)[0].lower()

    def _read(self, key: str) -> Optional[Mapping[str, Any]]:
        broker = self._broker(key)
        p = broker.upper()
        env = self.environ
        for kind in self._KINDS.get(broker, ("access_token",)):
            token = env.get(f"{p}_{kind.upper()}")
            if token:
                user = env.get(f"{p}_USER_ID") or env.get(f"{p}_CLIENT_ID")
                wanted = key.split("-", 1)[1] if "-" in key else None
                if wanted and user and wanted != user:
                    return None
                return {
                    "broker": broker,
                    "kind": kind,
                    "token": token,
                    "user_id": user or wanted,
                    "api_key": env.get(f"{p}_API_KEY"),
                    "expires_at": env.get(f"{p}_EXPIRES_AT"),
                }
        return None

    def _write(self, key: str, record: Mapping[str, Any]) -> None:
        p = self._broker(key).upper()
        for kind in self._KINDS.get(p.lower(), ("access_token",)):
            self.environ.pop(f"{p}_{kind.upper()}", None)
        self.environ[f"{p}_{str(record['kind']).upper()}"] = str(record["token"])
        user_var = f"{p}_USER_ID" if p == "KITE" else f"{p}_CLIENT_ID"
        for var, value in ((user_var, record.get("user_id")), (f"{p}_API_KEY", record.get("api_key")),
                           (f"{p}_EXPIRES_AT", record.get("expires_at"))):
            if value:
                self.environ[var] = str(value)
            else:
                self.environ.pop(var, None)

    def clear(self, key: str) -> None:
        p = self._broker(key).upper()
        for kind in self._KINDS.get(p.lower(), ("access_token",)):
            self.environ.pop(f"{p}_{kind.upper()}", None)
        self.environ.pop(f"{p}_EXPIRES_AT", None)

    def keys(self) -> list[str]:
        return sorted(b for b in self._KINDS if self._read(b) is not None)

    def lock(self, key: str) -> contextlib.AbstractContextManager:
        return self._locks.get(_check_key(key))

    def __repr__(self) -> str:
        return "EnvStore()"
