"""The daily master cache: one file per master, shared by every process.

Brokers publish a new master each morning (about 08:00 IST), so a cached master
is good for the *master day*: from 08:00 IST to 08:00 IST the next morning. The
cache file holds the parsed rows in :mod:`marshal` format (plain tuples of str,
int, float and None: no code, no pickle), which loads several times faster than
parsing the CSV again. It is written to a temporary file and ``os.replace``-d,
so a reader never sees half a file; a refresh happens under a file lock, so two
processes that find the cache stale download once between them; and a download
that is empty, truncated or fails to parse never replaces the last good master.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from ..ist import IST, utc_now
from ..oslock import lock_fd, unlock_fd
from .model import KeyIndex, Row, SymbolMaster
from .store import pack, unpack

__all__ = ["MasterCache", "master_day", "CACHE_ENV"]

log = logging.getLogger(__name__)

CACHE_ENV = "BROKERS_CACHE_DIR"
_MAGIC = b"brokers-master-2\n"
_PUBLISH = dt.time(8, 0)
#: A segment shrunk below this share of the last good master's is taken as truncated.
MIN_SHARE = 0.5

_thread_locks: Dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()
# In-process memo: path -> (mtime_ns, day, master), so repeated master() calls are free.
_memo: Dict[str, Tuple[int, str, SymbolMaster]] = {}


def master_day(at: Optional[dt.datetime] = None) -> dt.date:
    """The master day at ``at`` (default now): the IST date, or the day before
    when it is earlier than 08:00 IST (the new master is not out yet)."""
    now = (at or utc_now()).astimezone(IST)
    return now.date() if now.time() >= _PUBLISH else now.date() - dt.timedelta(days=1)


def _default_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("brokers", appauthor=False))


class MasterCache:
    """Masters cached on disk under ``directory/masters``.

    Args:
        directory: the cache root (default ``$BROKERS_CACHE_DIR`` or
            ``platformdirs.user_cache_dir("brokers")``).
        clock: returns the current aware datetime (tests move the day).

    Example::

        cache = MasterCache(tmp_path)
        master = cache.get("kite", "kite", download)   # download() -> rows
    """

    def __init__(self, directory: Union[str, Path, None] = None,
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.directory = (Path(directory) if directory is not None else _default_dir()) / "masters"
        self.clock = clock

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.master"

    # -- reading ----------------------------------------------------------------------
    def read(self, name: str) -> Optional[Tuple[str, Sequence[Row], KeyIndex]]:
        """``(day, rows, key index)`` from the cache file, or ``None`` when absent or unreadable."""
        path = self.path(name)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            log.warning("cannot read the cached master %s: %s", path, e.strerror)
            return None
        try:
            if not raw.startswith(_MAGIC):
                raise ValueError("not a master cache file")
            return unpack(raw[len(_MAGIC):])
        except ValueError as e:
            log.warning("ignoring the unreadable cached master %s (%s)", path, e)
            return None

    def _write(self, name: str, day: str, rows: Sequence[Row]) -> None:
        path = self.path(name)
        data = _MAGIC + pack(day, rows)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    # -- the one entry point ----------------------------------------------------------
    def get(self, name: str, broker: str, download: Callable[[], List[Row]], *,
            refresh: bool = False) -> SymbolMaster:
        """Today's master ``name``: from memory, from the cache file, or downloaded.

        Args:
            name: the cache file's name (e.g. ``"kite"``).
            broker: the master's broker.
            download: fetches and parses the broker's file, returning rows; it
                raises (``ValueError`` for a file that does not parse) when the
                download is unusable.
            refresh: download even if today's master is cached.

        Returns:
            The master. When a download fails or looks truncated (fewer than half
            the rows of the last good one) and an older master is cached, that
            one is returned (with a warning) and kept.

        Raises:
            Whatever ``download`` raises when no earlier master is cached.
        """
        today = master_day(self.clock()).isoformat()
        path = self.path(name)
        if not refresh:
            hit = self._memo_get(path, today)
            if hit is not None:
                return hit
            cached = self.read(name)
            if cached is not None and cached[0] == today:
                return self._remember(path, today, SymbolMaster.from_rows(broker, cached[1], cached[2]))
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as e:  # no cache possible: still answer, from a download of our own
            log.warning("cannot create the master cache %s (%s); not caching", self.directory, e.strerror)
            return SymbolMaster.from_rows(broker, download())
        with self._lock(name):
            cached = self.read(name)
            if cached is not None and cached[0] == today and not refresh:
                return self._remember(path, today, SymbolMaster.from_rows(broker, cached[1], cached[2]))
            try:
                rows = download()
                if not rows:
                    raise ValueError("the master is empty")
                if cached is not None:
                    _check_size(rows, cached[1])
            except Exception as e:
                if cached is None:
                    raise
                log.warning("%s master: the new download is unusable (%s); keeping the one from %s",
                            name, e, cached[0])
                return SymbolMaster.from_rows(broker, cached[1], cached[2])
            try:
                self._write(name, today, rows)
            except OSError as e:
                log.warning("cannot write the master cache %s (%s); not caching", path, e.strerror)
                return SymbolMaster.from_rows(broker, rows)
            log.info("%s master: %d instruments cached for %s", name, len(rows), today)
            return self._remember(path, today, SymbolMaster.from_rows(broker, rows))

    # -- helpers ----------------------------------------------------------------------
    @staticmethod
    def _memo_get(path: Path, day: str) -> Optional[SymbolMaster]:
        hit = _memo.get(str(path))
        if hit is None or hit[1] != day:
            return None
        try:
            if path.stat().st_mtime_ns != hit[0]:
                return None
        except OSError:
            return None
        return hit[2]

    @staticmethod
    def _remember(path: Path, day: str, master: SymbolMaster) -> SymbolMaster:
        with contextlib.suppress(OSError):
            _memo[str(path)] = (path.stat().st_mtime_ns, day, master)
        return master

    @contextlib.contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        lock_path = str(self.directory / f"{name}.lock")
        with _thread_locks_guard:
            tlock = _thread_locks.setdefault(lock_path, threading.Lock())
        with tlock:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                lock_fd(fd)
                try:
                    yield
                finally:
                    unlock_fd(fd)
            finally:
                os.close(fd)


def _check_size(rows: Sequence[Row], good: Sequence[Row]) -> None:
    """Raise when a segment lost more than half its rows since the last good master
    (a file cut at a line boundary, or one of several files empty)."""
    before = collections.Counter(r[2] for r in good)
    after = collections.Counter(r[2] for r in rows)
    for segment, count in before.items():
        if count >= 10 and after.get(segment, 0) < MIN_SHARE * count:
            raise ValueError(f"segment {segment} has {after.get(segment, 0)} instruments, the last good master "
                             f"{count}: taking the download as truncated")
