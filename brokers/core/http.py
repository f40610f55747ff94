"""Transport: the one place where HTTP requests are made and errors are mapped.

One :class:`requests.Session` per client (connection reuse), default timeouts,
a rate limiter shared by every thread, and a retry policy that only repeats
what cannot do harm:

- GETs are retried on connection errors, timeouts, 429 (after Retry-After) and
  502/503/504, with capped exponential backoff and full jitter.
- Order placement, modification and cancellation (``order=True``) are never
  retried. If the request may have reached the broker and no readable answer
  came back, :class:`~brokers.errors.OrderStateUnknown` is raised; if it
  provably never left (connection refused, DNS, connect timeout),
  :class:`~brokers.errors.NetworkError` says so.
- Everything else (POST/PUT/DELETE that are not orders) is not retried either.

``requests`` exceptions never escape: they become :mod:`brokers.errors` classes
raised outside the ``except`` block, so that the requests exception (whose message
holds the URL, query string and all) is not even the error's ``__context__``.
Each broker's ``decode.py`` turns a response into a value or that broker's error;
the transport adds the request's method and URL (without the query string) to
every error it raises.

Server hints are bounded: a ``Retry-After`` / ``X-Retry-After-Ms`` longer than
``max_wait`` raises :class:`~brokers.errors.RateLimitError` at once (with
``retry_after`` set) instead of sleeping, and a hint never reaches the limiter
larger than ``max_wait``. A call therefore blocks at most ``retries + 1`` times
the timeout, plus ``retries`` waits of at most ``max(max_wait, max_backoff)``
each, plus whatever the rate limiter's documented windows require.
"""

from __future__ import annotations

import logging
import math
import random
import time
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, Type, Union

import requests

from .. import errors
from ..__version__ import __version__
from . import redact
from .ratelimit import BudgetSource, RateLimiter, Window

__all__ = ["RateLimits", "Transport"]

log = logging.getLogger(__name__)
redact.install()

TimeoutType = Union[float, Tuple[float, float]]
RateLimits = Union[Mapping[str, Sequence[Window]], bool, None]
Decoder = Callable[[requests.Response], Any]
ErrorMap = Mapping[Type[errors.BrokerError], Type[errors.BrokerError]]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
GATEWAY_STATUSES = frozenset({502, 503, 504})
USER_AGENT = f"brokers-python/{__version__}"


def _never_sent(exc: requests.exceptions.RequestException) -> bool:
    """True when the request provably did not reach the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        seen = set()
        e: Optional[BaseException] = exc
        while e is not None and id(e) not in seen:
            seen.add(id(e))
            name = type(e).__name__
            if name in ("NewConnectionError", "NameResolutionError", "ConnectionRefusedError"):
                return True
            reason = getattr(e, "reason", None)
            if isinstance(reason, BaseException):
                e = reason
                continue
            args = getattr(e, "args", ())
            e = next((a for a in args if isinstance(a, BaseException)), None) or e.__cause__ or e.__context__
    return False


class Transport:
    """Sends requests for one client: timeouts, rate limits, retries, error mapping.

    Args:
        broker: the broker's name, carried by every error.
        decode: turns a response into the value the client returns, raising
            :mod:`brokers.errors` classes for error bodies (each broker has one,
            in its ``decode.py``).
        timeout: seconds, or ``(connect, read)``.
        rate_limits: group -> list of ``(calls, seconds)``; ``False`` disables
            limiting; ``None`` uses ``default_limits``. A mapping given by the user
            replaces the defaults of the groups it names and keeps the others.
        default_limits: the broker's documented limits.
        retries: how many times a GET may be repeated.
        backoff: base of the exponential backoff, in seconds.
        max_backoff: cap of one backoff wait, in seconds.
        max_wait: the longest wait a server may ask for (``Retry-After``) before we
            give up at once with :class:`~brokers.errors.RateLimitError`, in seconds.
        error_classes: generic error class -> the broker's subclass, for the errors
            the transport makes itself (network failures, timeouts, unknown order
            state), so that every error a client raises belongs to its broker's family.
        session: a ``requests.Session`` to use instead of a new one (proxies,
            certificates, adapters). It is not closed by :meth:`close`.
        headers: default headers for every request.
        sleep: how to wait between retries (injected in tests).
        budget: where the rate-limit windows live (a
            :class:`~brokers.stores.budget.Budget` or a callable returning one per
            call): the clients pass their store's budget for their account, so
            that everything sharing the store shares one budget.
        limiter: a ready rate limiter instead of one built from ``rate_limits``.

    Example::

        t = Transport("kite", decode=lambda r: r.json())
        t.request("GET", "https://api.kite.trade/user/profile", group="default")
    """

    def __init__(
        self,
        broker: str,
        *,
        decode: Decoder,
        timeout: TimeoutType = (5.0, 10.0),
        rate_limits: RateLimits = None,
        default_limits: Optional[Mapping[str, Sequence[Window]]] = None,
        retries: int = 3,
        backoff: float = 0.25,
        max_backoff: float = 8.0,
        max_wait: float = 30.0,
        error_classes: Optional[ErrorMap] = None,
        session: Optional[requests.Session] = None,
        headers: Optional[Mapping[str, str]] = None,
        sleep: Callable[[float], None] = time.sleep,
        budget: Optional[BudgetSource] = None,
        limiter: Optional[RateLimiter] = None,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries!r}")
        if not (isinstance(max_wait, (int, float)) and math.isfinite(max_wait) and max_wait >= 0):
            raise ValueError(f"max_wait must be finite seconds >= 0, got {max_wait!r}")
        self.broker = broker
        self.decode = decode
        self.timeout = _check_timeout(timeout)
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = float(max_wait)
        self.error_classes: Dict[Type[errors.BrokerError], Type[errors.BrokerError]] = dict(error_classes or {})
        self._own_session = session is None
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT})
        if headers:
            self.session.headers.update(headers)
        self._sleep = sleep
        self.limiter = limiter if limiter is not None else self.make_limiter(rate_limits, default_limits or {}, budget)

    @staticmethod
    def make_limiter(rate_limits: RateLimits, defaults: Mapping[str, Sequence[Window]],
                     budget: Optional[BudgetSource] = None) -> Optional[RateLimiter]:
        """The limiter for ``rate_limits`` over the broker's ``defaults`` (None: no limiting),
        keeping its windows in ``budget`` (default: its own, in memory)."""
        if rate_limits is False:
            return None
        if rate_limits is None or rate_limits is True:
            return RateLimiter(defaults, budget=budget)
        if not isinstance(rate_limits, Mapping):
            raise TypeError("rate_limits must be a mapping of group -> [(calls, seconds), ...], or False")
        merged = dict(defaults)
        merged.update(rate_limits)
        return RateLimiter(merged, budget=budget)

    def error(self, cls: Type[errors.BrokerError], message: str, **kw: Any) -> errors.BrokerError:
        """An error of the broker's family for the generic ``cls``."""
        return self.error_classes.get(cls, cls)(message, broker=self.broker, **kw)

    def _delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_backoff, self.backoff * (2 ** attempt)))

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        data: Any = None,
        json: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        group: str = "default",
        order: bool = False,
        decode: Optional[Decoder] = None,
        timeout: Optional[TimeoutType] = None,
    ) -> Any:
        """Send one request and return what the decoder makes of the response.

        Args:
            method: HTTP verb.
            url: the full URL (no secrets in it unless the broker demands it; it
                is never logged with its query string).
            params, data, json: query string, form body, JSON body.
            headers: extra headers for this request.
            group: the rate-limit group.
            order: ``True`` for order placement, modification and cancellation:
                never retried; an unanswered request raises OrderStateUnknown.
            decode: a decoder for this request instead of the transport's.
            timeout: this request's timeout instead of the transport's.

        Raises:
            brokers.errors.BrokerError: a subclass for every failure, with
                ``method`` and ``url`` (no query string) set.
        """
        method = method.upper()
        where = redact.strip_query(url)
        decode = decode or self.decode
        retry_ok = method == "GET" and not order
        attempt = 0
        while True:
            if self.limiter is not None:
                self.limiter.acquire(group)
            err = self._attempt(method, url, where, decode, order, timeout,
                                dict(params=params, data=data, json=json, headers=headers))
            if not isinstance(err, errors.BrokerError):
                return err.value
            if err.method is None:
                err.method, err.url = method, where
            wait = self._after_error(err, group, retry_ok and attempt < self.retries, attempt)
            if wait is None:
                raise self._final(err, method, where, order)
            log.debug("%s %s: %s; retrying in %.2f s", method, where, type(err).__name__, wait)
            self._sleep(wait)
            attempt += 1

    def _attempt(self, method: str, url: str, where: str, decode: Decoder, order: bool,
                 timeout: Optional[TimeoutType], kw: Dict[str, Any]) -> Union["_Value", errors.BrokerError]:
        """One round trip: the decoded value, or the error to handle (never raised
        inside an ``except`` block, so no requests exception becomes its context)."""
        started = time.monotonic()
        failure: Optional[requests.exceptions.RequestException] = None
        try:
            response = self.session.request(method, url, timeout=timeout if timeout is not None else self.timeout,
                                            allow_redirects=False, **kw)
        except requests.exceptions.RequestException as exc:
            failure = exc
        if failure is not None:
            err = self._network_error(failure, method, where, order)
            del failure
            return err
        if log.isEnabledFor(logging.DEBUG):  # the hot path: format nothing unless asked
            log.debug("%s %s -> %s in %.0f ms", method, where, response.status_code,
                      (time.monotonic() - started) * 1000)
        try:
            return _Value(decode(response))
        except errors.BrokerError as exc:
            broker_err: Optional[errors.BrokerError] = exc
        except requests.exceptions.RequestException as exc:  # body read failed mid-stream
            failure = exc
            broker_err = None
        finally:
            response.close()
        if broker_err is None:
            assert failure is not None
            return self._network_error(failure, method, where, order)
        broker_err.__context__ = None  # whatever the decoder was handling is not the caller's business
        return broker_err

    def _final(self, err: errors.BrokerError, method: str, where: str, order: bool) -> errors.BrokerError:
        """The error to raise once no retry is left."""
        if order and err.status in GATEWAY_STATUSES and isinstance(err, (errors.ServerError, errors.NetworkError,
                                                                          errors.ResponseError)):
            if isinstance(err, errors.OrderStateUnknown):
                return err
            return self.error(
                errors.OrderStateUnknown,
                f"{method} {where} got HTTP {err.status} from a gateway; the order "
                "may or may not have reached the broker. It was not retried: check the order book "
                "(look for your tag) before placing it again.",
                status=err.status, code=err.code, body=err.body, method=method, url=where,
            )
        return err

    def _after_error(self, err: errors.BrokerError, group: str, may_retry: bool, attempt: int) -> Optional[float]:
        """Seconds to wait before retrying, or None to raise."""
        if isinstance(err, errors.RateLimitError):
            hint = err.retry_after
            if hint is not None and not (math.isfinite(hint) and hint >= 0):
                hint = err.retry_after = None  # a decoder's nonsense never reaches the limiter
            if hint is not None and hint > self.max_wait:
                # Longer than we will ever block a caller: say so now, with the hint.
                err.message = f"{err.message} (the broker asks to wait {hint:.0f} s, more than max_wait)"
                return None
            if self.limiter is not None and hint:
                self.limiter.penalise(group, hint)
            if may_retry:
                return hint if hint is not None else self._delay(attempt)
            return None
        if may_retry and err.status in GATEWAY_STATUSES and isinstance(err, (errors.ServerError,
                                                                             errors.NetworkError)):
            return self._delay(attempt)
        if may_retry and err.status is None and isinstance(err, errors.NetworkError):
            return self._delay(attempt)
        return None

    def _network_error(self, exc: requests.exceptions.RequestException, method: str, where: str,
                       order: bool) -> errors.BrokerError:
        """A network failure: no HTTP status, the same words for every broker."""
        prefix = f"{method} {where}"
        what = type(exc).__name__
        kw: Dict[str, Any] = dict(status=None, method=method, url=where)
        if _never_sent(exc):
            note = " The order was not sent." if order else ""
            cls = errors.Timeout if isinstance(exc, requests.exceptions.Timeout) else errors.NetworkError
            return self.error(cls, f"{prefix}: could not connect ({what}).{note}", **kw)
        if order:
            return self.error(
                errors.OrderStateUnknown,
                f"{prefix}: no answer ({what}); the order may or may not have reached the broker. It was not "
                "retried: check the order book (look for your tag) before placing it again.", **kw)
        if isinstance(exc, requests.exceptions.Timeout):
            return self.error(errors.Timeout, f"{prefix}: timed out ({what})", **kw)
        return self.error(errors.NetworkError, f"{prefix}: connection failed ({what})", **kw)

    def close(self) -> None:
        """Close the HTTP session (if the transport made it). Idempotent."""
        if self._own_session:
            self.session.close()


class _Value:
    """A decoded answer, told apart from an error without isinstance on user data."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _check_timeout(timeout: TimeoutType) -> TimeoutType:
    values = timeout if isinstance(timeout, tuple) else (timeout,)
    if not values or len(values) > 2 or any(not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0
                                             or not math.isfinite(v) for v in values):
        raise ValueError(f"timeout must be positive seconds or a (connect, read) pair, got {timeout!r}")
    return timeout
