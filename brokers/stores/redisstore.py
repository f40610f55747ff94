"""RedisStore: sessions, login leases and rate budgets in Redis, shared by every host.

Needs redis-py: ``pip install "brokers[redis]"``.

- Sessions are JSON strings under ``<prefix>s:<key>`` with a TTL at their expiry.
- :meth:`RedisStore.lock` is a lease: ``SET <prefix>lock:<key> <random token> NX PX
  <lease>``, renewed by a background thread while held and released only by its
  owner (compare-and-delete in a script). A host that dies mid-login blocks the others
  for at most the lease.
- Rate budgets live under ``<prefix>rate:<account>``; one call is one round trip (a
  server-side Lua script that applies :func:`brokers.stores.budget.reserve`'s rules
  with Redis' clock), so hosts' clocks need not agree.
- Redis down or unreachable: :class:`~brokers.errors.StoreError` at once, naming the URL
  without its password. Never a silent fall back to a per-process budget.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import math
import secrets
import threading
import time
from typing import Any, Callable, Iterator, List, Mapping, Optional, Sequence, Tuple, Type, TypeVar
from urllib.parse import urlsplit, urlunsplit

from .. import errors
from .base import KeyLocks, SessionStore, session_keys_only
from .budget import EXACT_CALLS, MAX_PENALTY, PACE, Budget, Window, window_key
from .files import parse_record
from .session import _parse_time, check_key

__all__ = ["RedisStore", "RedisBudget"]

log = logging.getLogger("brokers.stores")
T = TypeVar("T")

#: An idle rate budget is forgotten after this many seconds (a day and an hour).
BUDGET_TTL = 90000.0
#: An expired record is kept this long so that readers can say why they ignore it.
EXPIRED_GRACE_MS = 60_000

_RESERVE_LUA = """
local key, op, group = KEYS[1], ARGV[1], ARGV[2]
local now
if ARGV[5] ~= '' then now = tonumber(ARGV[5]) else
  local t = redis.call('TIME'); now = tonumber(t[1]) + tonumber(t[2]) / 1000000 end
local ttl = tonumber(ARGV[6])
local state = {}
local raw = redis.call('GET', key)
if raw then
  local ok, v = pcall(cjson.decode, raw)
  if ok and type(v) == 'table' then state = v end
end
local g = state[group]
if type(g) ~= 'table' then g = {}; state[group] = g end
if op == 'penalise' then
  local untl = now + tonumber(ARGV[3])
  if type(g['u']) ~= 'number' or g['u'] < untl then g['u'] = untl end
  redis.call('SET', key, cjson.encode(state), 'PX', ttl)
  return '0'
end
local windows, margin, exact, pace = cjson.decode(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[7]), tonumber(ARGV[8])
local slot = now
if type(g['u']) == 'number' and g['u'] > now then slot = g['u'] else g['u'] = nil end
local lists = {}
for i, w in ipairs(windows) do
  local calls, seconds, wk = w[1], w[2], w[3]
  local entries = {}
  if type(g[wk]) == 'table' then
    for _, e in ipairs(g[wk]) do
      if type(e) == 'table' and type(e[1]) == 'number' and type(e[2]) == 'number'
          and type(e[3]) == 'number' and e[2] + seconds + margin > now then
        entries[#entries + 1] = {e[1], e[2], e[3]}
      end
    end
  end
  if #entries > 0 then
    local last = entries[#entries][2]
    if last > slot then slot = last end
    if calls > 1 and calls <= exact and last + pace * seconds / calls > slot then
      slot = last + pace * seconds / calls
    end
  end
  local seen = 0
  for j = #entries, 1, -1 do
    seen = seen + entries[j][3]
    if seen >= calls then
      if entries[j][2] + seconds + margin > slot then slot = entries[j][2] + seconds + margin end
      break
    end
  end
  lists[i] = entries
end
for i, w in ipairs(windows) do
  local calls, seconds, wk = w[1], w[2], w[3]
  local entries = lists[i]
  local n = #entries
  local width = 0
  if calls > exact then width = seconds / exact end
  if width > 0 and n > 0 and slot - entries[n][1] < width then
    entries[n][2] = slot; entries[n][3] = entries[n][3] + 1
  else
    entries[n + 1] = {slot, slot, 1}
  end
  local first, seen = 1, 0
  for j = #entries, 1, -1 do
    seen = seen + entries[j][3]
    if seen >= calls then first = j; break end
  end
  local kept = {}
  for j = first, #entries do kept[#kept + 1] = entries[j] end
  g[wk] = kept
end
redis.call('SET', key, cjson.encode(state), 'PX', ttl)
return tostring(slot - now)
"""

_RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_RENEW_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


def safe_url(url: str) -> str:
    """``url`` without its password (``redis://:pw@h:6379/0`` -> ``redis://h:6379/0``)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        return "<unparseable Redis URL>"


class RedisStore(SessionStore):
    """Sessions, login leases and rate budgets in Redis: one login and one rate budget
    per broker account across every process on every host that points here.

    Args:
        url: the Redis URL (``redis://[:password@]host:port/db``, ``rediss://`` for TLS).
        prefix: put before every key this store writes.
        client: a ready ``redis.Redis`` (TLS settings, sentinel, a cluster) instead of
            ``url``.
        lease: seconds a login lock is held without renewal before another host may
            take it (renewed every third of it while held).
        timeout: socket timeout in seconds for a URL-made client.

    Raises:
        ImportError: redis-py is not installed (``pip install "brokers[redis]"``).
        brokers.errors.StoreError: (on use) Redis cannot be reached.

    Example::

        from brokers.stores import RedisStore
        store = RedisStore("redis://localhost:6379/0")
        with Kite(store=store, user_id="AB1234") as kite:   # one login, one budget, every host
            kite.authorize(password=pwd, totp_secret=secret)
    """

    def __init__(self, url: str = "redis://localhost:6379/0", *, prefix: str = "brokers:",
                 client: Any = None, lease: float = 30.0, timeout: float = 5.0) -> None:
        try:
            import redis
        except ImportError:
            raise ImportError('RedisStore needs redis-py: pip install "brokers[redis]"') from None
        if not isinstance(lease, (int, float)) or not math.isfinite(lease) or lease <= 0:
            raise ValueError(f"lease must be positive seconds, got {lease!r}")
        self._redis_errors: Tuple[Type[BaseException], ...] = (redis.exceptions.RedisError, OSError)
        if client is None:
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                          retry=Retry(NoBackoff(), 0))
            self.url = safe_url(url)
        else:
            kw = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {}) or {}
            self.url = f"redis://{kw.get('host', '?')}:{kw.get('port', '?')}/{kw.get('db', 0)}"
        self.client = client
        self.prefix = prefix
        self.lease = float(lease)
        self._locks = KeyLocks()
        self._reserve = client.register_script(_RESERVE_LUA)
        self._release = client.register_script(_RELEASE_LUA)
        self._renew = client.register_script(_RENEW_LUA)

    def call(self, fn: Callable[[], T]) -> T:
        """Run one Redis operation; a Redis failure becomes StoreError (no Redis text in it)."""
        try:
            return fn()
        except self._redis_errors as e:
            raise errors.StoreError(f"Redis at {self.url} cannot be used ({type(e).__name__}); "
                                    "nothing was read or written") from None

    def _k(self, key: str) -> str:
        return f"{self.prefix}s:{key}"

    def _inspect(self, key: str) -> Tuple[Optional[Mapping[str, Any]], Optional[str]]:
        data = self.call(lambda: self.client.get(self._k(key)))
        if data is None:
            return None, None
        return parse_record(data if isinstance(data, bytes) else str(data).encode("utf-8"))

    def _read(self, key: str) -> Optional[Mapping[str, Any]]:
        record, problem = self._inspect(key)
        if problem is not None:
            log.warning("ignoring corrupt session record for %r in Redis: %s", key, problem)
        return record

    def _write(self, key: str, record: Mapping[str, Any]) -> None:
        text = json.dumps(record, sort_keys=True)
        ttl_ms: Optional[int] = None
        try:
            expires = _parse_time(record.get("expires_at"))
        except (TypeError, ValueError):
            expires = None
        if expires is not None:
            left = (expires - dt.datetime.now(dt.timezone.utc)).total_seconds()
            ttl_ms = int(left * 1000) if left > 1 else EXPIRED_GRACE_MS
        self.call(lambda: self.client.set(self._k(key), text, px=ttl_ms))

    def clear(self, key: str) -> None:
        self.call(lambda: self.client.delete(self._k(check_key(key))))

    def keys(self) -> List[str]:
        start = len(self.prefix) + 2

        def scan() -> List[str]:
            found = []
            for k in self.client.scan_iter(match=f"{self.prefix}s:*", count=500):
                name = (k.decode("utf-8", "replace") if isinstance(k, bytes) else str(k))[start:]
                found.append(name)
            return found

        return session_keys_only(self.call(scan))

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """A lease across hosts (and a thread lock within this process). Waiters retry
        every 50-250 ms; a dead owner's lease runs out after ``lease`` seconds."""
        name = f"{self.prefix}lock:{check_key(key)}"
        token = secrets.token_hex(16)
        lease_ms = int(self.lease * 1000)
        with self._locks.get(key):
            pause = 0.05
            while not self.call(lambda: self.client.set(name, token, nx=True, px=lease_ms)):
                time.sleep(pause)
                pause = min(0.25, pause * 1.5)
            stop = threading.Event()
            renewer = threading.Thread(target=self._keep, args=(name, token, lease_ms, stop),
                                       name=f"brokers-lease-{key}", daemon=True)
            renewer.start()
            try:
                yield
            finally:
                stop.set()
                renewer.join()
                with contextlib.suppress(errors.StoreError):  # the lease runs out by itself
                    self.call(lambda: self._release(keys=[name], args=[token]))

    def _keep(self, name: str, token: str, lease_ms: int, stop: threading.Event) -> None:
        while not stop.wait(self.lease / 3):
            try:
                if not self.call(lambda: self._renew(keys=[name], args=[token, lease_ms])):
                    log.warning("lost the lease on %r before the login finished", name)
                    return
            except errors.StoreError as e:
                log.warning("cannot renew the lease on %r: %s", name, e)

    def _make_budget(self, account: str) -> Budget:
        return RedisBudget(self, f"{self.prefix}rate:{account}")

    def __repr__(self) -> str:
        return f"RedisStore({self.url!r}, prefix={self.prefix!r})"


class RedisBudget(Budget):
    """A rate budget in one Redis key; one script call (one round trip) per call.

    Args:
        store: the :class:`RedisStore` it belongs to.
        key: the Redis key.
        now: a fixed clock for tests (seconds); default Redis' own ``TIME``.
    """

    def __init__(self, store: RedisStore, key: str, now: Optional[Callable[[], float]] = None) -> None:
        self.store = store
        self.key = key
        self._now = now

    def _run(self, op: str, group: str, arg: str, margin: float, ttl_s: float) -> float:
        now = repr(float(self._now())) if self._now is not None else ""
        # One TTL for the whole key, long enough for every group's longest window.
        ttl_ms = int(max(ttl_s, BUDGET_TTL) * 1000)
        args = [op, group, arg, repr(float(margin)), now, ttl_ms, EXACT_CALLS, repr(PACE)]
        out = self.store.call(lambda: self.store._reserve(keys=[self.key], args=args))
        return max(0.0, float(out))

    def reserve(self, group: str, windows: Sequence[Window], margin: float) -> float:
        spec = [[int(c), float(s), window_key(c, s)] for c, s in windows]
        longest = max((s for _, s in windows), default=1.0)
        return self._run("reserve", group, json.dumps(spec), margin, longest + margin)

    def penalise(self, group: str, seconds: float) -> None:
        if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds <= 0:
            return
        seconds = min(float(seconds), MAX_PENALTY)
        self._run("penalise", group, repr(seconds), 0.0, seconds)

    def __repr__(self) -> str:
        return f"RedisBudget({self.key!r})"
