"""FileStore: sessions as JSON files in one private directory, shared by every process
of the user on the machine, with OS file locks for logins and rate budgets.

What it promises whatever is on disk:

- Any bytes in a session file are either a valid record or treated as absent, with
  one warning (not UTF-8, not JSON, nested too deep, wrong field types, a symlink,
  a directory, a file larger than 1 MiB).
- A save writes a temporary file (``.<key>~XXXX.tmp``, 0600, locked while written),
  fsyncs it and renames it over the record, so a reader never sees half a record.
  Temporary files left by a process killed mid-save are removed by the next save or
  clear of that key.
- Nothing it opens follows a symlink (``O_NOFOLLOW`` for records, locks and budgets).
- The directory, and every parent it has to create, is made 0700 whatever the umask;
  an existing store directory that others may write to is tightened to 0700, or
  refused with :class:`~brokers.errors.StoreError` when it belongs to someone else.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from .. import errors
from ..oslock import lock_fd, try_lock_fd, unlock_fd
from .base import KeyLocks, SessionStore, session_keys_only
from .budget import Budget, Window, penalise, reserve
from .session import _KEY_RE, check_key

__all__ = ["FileStore", "FileBudget"]

log = logging.getLogger("brokers.stores")

MAX_RECORD = 1 << 20
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def _open(path: Path, flags: int, mode: int = 0o600) -> int:
    return os.open(path, flags | _NOFOLLOW | _CLOEXEC | _BINARY, mode)


def read_record(path: Path) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """``(record, None)``, ``(None, None)`` when there is no file, or ``(None, why)``."""
    try:
        fd = _open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None, None
    except OSError as e:
        if e.errno == errno.ELOOP:
            return None, "it is a symlink (not followed)"
        return None, f"cannot open it ({e.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "it is not a regular file"
        if info.st_size > MAX_RECORD:
            return None, f"it is larger than {MAX_RECORD} bytes"
        chunks = []
        while True:
            chunk = os.read(fd, MAX_RECORD + 1)
            if not chunk:
                break
            chunks.append(chunk)
        data = b"".join(chunks)
    except OSError as e:
        return None, f"cannot read it ({e.strerror})"
    finally:
        os.close(fd)
    return parse_record(data)


def parse_record(data: bytes) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """A JSON object from ``data``: ``(record, None)`` or ``(None, why it is unreadable)``."""
    if len(data) > MAX_RECORD:
        return None, f"it is larger than {MAX_RECORD} bytes"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "it is not UTF-8 text"
    try:
        record = json.loads(text)
    except RecursionError:
        return None, "its JSON is nested too deeply"
    except ValueError:
        return None, "it is not valid JSON"
    if not isinstance(record, dict):
        return None, f"it holds a JSON {type(record).__name__}, not an object"
    return record, None


def make_private_dir(path: Path) -> None:
    """Create ``path`` and the parents it lacks, each 0700 whatever the umask; tighten an
    existing directory that group or others may write to.

    Raises:
        brokers.errors.StoreError: the path is not a directory we can make private.
    """
    missing = []
    p = path
    while not p.exists() and not p.is_symlink() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)  # mkdir's mode is cut by the umask, never widened by it
    try:
        info = os.stat(path)
    except OSError as e:
        raise errors.StoreError(f"session store {str(path)!r} cannot be used: {e.strerror}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise errors.StoreError(f"session store {str(path)!r} is not a directory")
    if info.st_mode & 0o022 and sys.platform != "win32":
        if info.st_uid != os.getuid():
            raise errors.StoreError(
                f"session store {str(path)!r} may be written by other users and is not ours to tighten "
                f"(mode {stat.S_IMODE(info.st_mode):o}); use a private directory (FileStore(path) or the default)")
        log.warning("session store %r was writable by others (mode %o); made it 0700", str(path),
                    stat.S_IMODE(info.st_mode))
        os.chmod(path, 0o700)


class FileStore(SessionStore):
    """Sessions as JSON files in one directory, shared by every process of the user.

    Args:
        path: the directory; default ``platformdirs.user_data_dir("brokers")``
            (``~/.local/share/brokers`` on Linux). Created 0700 if missing.

    Each key is a file ``<key>.json`` written 0600 through a temporary file and
    ``os.replace``, so a reader never sees half a record. :meth:`lock` takes an
    OS file lock (``<key>.lock``) as well as a thread lock, so two processes that
    both find no session log in once between them. Rate budgets live in
    ``<account>.rate`` beside them, under the same kind of lock, so every process on
    the machine shares one budget per broker account. See the module docstring for
    what it promises whatever is on disk.

    Raises:
        brokers.errors.StoreError: (on first use) the directory may be written by
            other users and cannot be tightened.

    Example::

        store = FileStore()
        with Kite(store=store) as kite:
            kite.authorize(user_id="AB1234", password=pwd, totp_secret=secret)
    """

    def __init__(self, path: Union[str, "os.PathLike[str]", None] = None) -> None:
        if path is None:
            import platformdirs

            path = platformdirs.user_data_dir("brokers", appauthor=False)
        self.path = Path(path)
        self._locks = KeyLocks()
        self._checked = False

    def _dir(self) -> Path:
        if not self._checked or not self.path.is_dir():
            make_private_dir(self.path)
            self._checked = True
        return self.path

    def _file(self, key: str) -> Path:
        return self.path / f"{key}.json"

    def _inspect(self, key: str) -> Tuple[Optional[Mapping[str, Any]], Optional[str]]:
        return read_record(self._file(key))

    def _read(self, key: str) -> Optional[Mapping[str, Any]]:
        record, problem = read_record(self._file(key))
        if problem is not None:
            log.warning("ignoring corrupt session file for %r: %s", key, problem)
        return record

    def _write(self, key: str, record: Mapping[str, Any]) -> None:
        directory = self._dir()
        text = json.dumps(record, indent=1, sort_keys=True)
        self._sweep(key)
        for attempt in range(3):
            fd, tmp = tempfile.mkstemp(prefix=f".{key}~", suffix=".tmp", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    try_lock_fd(f.fileno())  # tells a sweeper that this file is alive
                    os.chmod(tmp, 0o600)
                    f.write(text)
                    f.flush()
                    os.fsync(f.fileno())
                    os.replace(tmp, self._file(key))
                return
            except FileNotFoundError:
                if attempt == 2:  # swept between mkstemp and our lock three times
                    raise
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def _sweep(self, key: str) -> None:
        """Remove temporary files of ``key`` whose writer is gone (nobody holds their lock)."""
        try:
            names = os.listdir(self.path)
        except OSError:
            return
        prefix = f".{key}~"
        for name in names:
            if not (name.startswith(prefix) and name.endswith(".tmp")):
                continue
            path = self.path / name
            try:
                fd = _open(path, os.O_RDWR)
            except OSError:
                with contextlib.suppress(OSError):
                    if path.is_symlink():
                        path.unlink()
                continue
            try:
                if try_lock_fd(fd):
                    with contextlib.suppress(OSError):
                        path.unlink()
            finally:
                os.close(fd)

    def clear(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._file(check_key(key)).unlink()
        self._sweep(key)

    def keys(self) -> List[str]:
        if not self.path.is_dir():
            return []
        stems = [p.stem for p in self.path.glob("*.json")]
        return session_keys_only([k for k in stems if _KEY_RE.fullmatch(k)])

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        with self._locks.get(check_key(key)):
            fd = _open(self._dir() / f"{key}.lock", os.O_RDWR | os.O_CREAT)
            try:
                lock_fd(fd)
                try:
                    yield
                finally:
                    unlock_fd(fd)
            finally:
                os.close(fd)

    def _make_budget(self, account: str) -> Budget:
        return FileBudget(self._dir() / f"{account}.rate")

    def __repr__(self) -> str:
        return f"FileStore({str(self.path)!r})"


class FileBudget(Budget):
    """A rate budget in one file, shared by every process that opens it: each call
    reads, updates and rewrites a small JSON document under an OS lock held for
    microseconds. Times are the machine's monotonic clock; a record written before a
    reboot (or by a clock that moved) is re-based through the wall clock.

    Args:
        path: the budget file (created 0600, never through a symlink).
    """

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._fd: Optional[int] = None
        self._pid = 0
        self._warned = False
        # What we wrote last: when the file still holds exactly those bytes, nobody
        # else wrote since, and the parsed state can be reused.
        self._last: Optional[Tuple[bytes, Dict[str, Any]]] = None

    def _open(self) -> int:
        # After a fork the inherited descriptor shares its lock with the parent:
        # every process needs its own.
        if self._fd is None or self._pid != os.getpid():
            self._fd = _open(self.path, os.O_RDWR | os.O_CREAT)
            self._pid = os.getpid()
            self._last = None
        return self._fd

    def _update(self, fn: Callable[[Dict[str, Any], float], float]) -> float:
        with self._lock:
            try:
                fd = self._open()
            except OSError as e:
                raise errors.StoreError(f"rate budget {str(self.path)!r} cannot be opened: {e.strerror}") from None
            lock_fd(fd)
            try:
                os.lseek(fd, 0, os.SEEK_SET)
                data = os.read(fd, MAX_RECORD)
                now = self._clock()
                last = self._last
                state = last[1] if last is not None and last[0] == data else self._parse(data, now)
                self._last = None
                result = fn(state["g"], now)
                state["epoch"] = self._wall() - now
                out = json.dumps(state, separators=(",", ":")).encode("ascii")
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, out)
                os.ftruncate(fd, len(out))
                self._last = (out, state)
                return result
            finally:
                unlock_fd(fd)

    def _parse(self, data: bytes, now: float) -> Dict[str, Any]:
        if not data:
            return {"g": {}}
        try:
            state = json.loads(data.decode("utf-8"))
            if not isinstance(state, dict) or not isinstance(state.get("g"), dict):
                raise ValueError("not a budget record")
        except (ValueError, RecursionError):
            if not self._warned:
                log.warning("rate budget %r was unreadable; starting it afresh", str(self.path))
                self._warned = True
            return {"g": {}}
        epoch = state.get("epoch")
        if isinstance(epoch, (int, float)):
            shift = float(epoch) - (self._wall() - now)
            if abs(shift) > 1.0:
                _shift_times(state["g"], shift)
        return state

    def reserve(self, group: str, windows: Sequence[Window], margin: float) -> float:
        return self._update(lambda g, now: max(0.0, reserve(g, group, windows, margin, now) - now))

    def penalise(self, group: str, seconds: float) -> None:
        def op(g: Dict[str, Any], now: float) -> float:
            penalise(g, group, seconds, now)
            return 0.0

        self._update(op)

    def close(self) -> None:
        """Close the budget file (it is reopened on the next call)."""
        with self._lock:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None

    def __repr__(self) -> str:
        return f"FileBudget({str(self.path)!r})"


def _shift_times(groups: Dict[str, Any], shift: float) -> None:
    for g in groups.values():
        if not isinstance(g, dict):
            continue
        for k, v in g.items():
            if k == "u" and isinstance(v, (int, float)):
                g[k] = v + shift
            elif isinstance(v, list):
                for e in v:
                    if isinstance(e, list) and len(e) == 3 and all(isinstance(x, (int, float)) for x in e):
                        e[0] += shift
                        e[1] += shift
