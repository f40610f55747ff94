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
raised ``from None`` (the requests message holds the URL, query string and all).
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import logging
import random
import time
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, Type, Union

import requests

from .. import errors
from ..__version__ import __version__
from . import redact
from .ratelimit import BudgetSource, RateLimiter, Window

__all__ = ["Transport", "status_error", "read_json", "retry_after_seconds", "RateLimits"]

log = logging.getLogger("brokers.http")
redact.install()

TimeoutType = Union[float, Tuple[float, float]]
RateLimits = Union[Mapping[str, Sequence[Window]], bool, None]
Decoder = Callable[[requests.Response], Any]
ErrorMap = Mapping[Type[errors.BrokerError], Type[errors.BrokerError]]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
USER_AGENT = f"brokers-python/{__version__}"


def retry_after_seconds(response: requests.Response) -> Optional[float]:
    """The wait a 429/503 asks for: ``X-Retry-After-Ms`` (Fyers) or ``Retry-After``
    (seconds or an HTTP date), or ``None``."""
    ms = response.headers.get("X-Retry-After-Ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        if when is None:
            return None
        return max(0.0, when.timestamp() - time.time())


def body_text(response: requests.Response) -> str:
    """The body as text, whatever its encoding (never raises)."""
    try:
        return response.content.decode(response.encoding or "utf-8", errors="replace")
    except Exception:  # a broken stream is reported by the caller, not here
        return ""


def read_json(response: requests.Response, broker: str) -> Any:
    """The JSON body, or a typed error that keeps the status.

    A non-JSON body on an error status becomes the error for that status (an HTML
    502 page is a ServerError with status 502); on a success status it is a
    ResponseError.
    """
    text = body_text(response)
    ctype = response.headers.get("Content-Type", "")
    if "json" not in ctype.lower() and not text.lstrip().startswith(("{", "[")):
        if response.status_code >= 400:
            raise status_error(response, broker, f"HTTP {response.status_code} with a non-JSON body")
        raise errors.ResponseError(
            f"expected JSON, got {ctype or 'no content type'}", broker=broker,
            status=response.status_code, body=redact.scrub(text))
    try:
        return jsonlib.loads(text)
    except ValueError:
        if response.status_code >= 400:
            raise status_error(response, broker, f"HTTP {response.status_code} with an unreadable body") from None
        raise errors.ResponseError("the response is not valid JSON", broker=broker,
                                   status=response.status_code, body=redact.scrub(text)) from None


_STATUS_CLASSES: Dict[int, Type[errors.BrokerError]] = {
    400: errors.InputError, 404: errors.InputError, 405: errors.InputError, 422: errors.InputError,
    401: errors.TokenExpired, 403: errors.AuthError, 429: errors.RateLimitError,
}


def status_error(response: requests.Response, broker: str, message: Optional[str] = None,
                 code: Any = None, cls: Optional[Type[errors.BrokerError]] = None) -> errors.BrokerError:
    """The error for an HTTP status when the body says nothing more specific."""
    status = response.status_code
    if cls is None:
        cls = _STATUS_CLASSES.get(status) or (errors.ServerError if status >= 500 else errors.ResponseError)
    kw: Dict[str, Any] = dict(broker=broker, status=status, code=code, body=redact.scrub(body_text(response)))
    if issubclass(cls, errors.RateLimitError):
        kw["retry_after"] = retry_after_seconds(response)
    return cls(redact.scrub(message or f"HTTP {status}"), **kw)


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
            :mod:`brokers.errors` classes for error bodies (each broker has one).
        timeout: seconds, or ``(connect, read)``.
        rate_limits: group -> list of ``(calls, seconds)``; ``False`` disables
            limiting; ``None`` uses ``default_limits``. A mapping given by the user
            replaces the defaults of the groups it names and keeps the others.
        default_limits: the broker's documented limits.
        retries: how many times a GET may be repeated.
        backoff: base of the exponential backoff, in seconds.
        max_backoff: cap of one backoff wait, in seconds.
        error_classes: generic error class -> the broker's subclass, so that every
            error a client raises belongs to its broker's family.
        session: a ``requests.Session`` to use instead of a new one (proxies,
            certificates, adapters). It is not closed by :meth:`close`.
        headers: default headers for every request.
        sleep: how to wait between retries (injected in tests).
        budget: where the rate-limit windows live (a
            :class:`~brokers.stores.budget.Budget` or a callable returning one per
            call): the clients pass their store's budget for their account, so
            that everything sharing the store shares one budget.

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
        error_classes: Optional[ErrorMap] = None,
        session: Optional[requests.Session] = None,
        headers: Optional[Mapping[str, str]] = None,
        sleep: Callable[[float], None] = time.sleep,
        budget: Optional[BudgetSource] = None,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries!r}")
        self.broker = broker
        self.decode = decode
        self.timeout = _check_timeout(timeout)
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.error_classes: Dict[Type[errors.BrokerError], Type[errors.BrokerError]] = dict(error_classes or {})
        self._own_session = session is None
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT})
        if headers:
            self.session.headers.update(headers)
        self._sleep = sleep
        self.limiter = self._make_limiter(rate_limits, default_limits or {}, budget)

    @staticmethod
    def _make_limiter(rate_limits: RateLimits, defaults: Mapping[str, Sequence[Window]],
                      budget: Optional[BudgetSource] = None) -> Optional[RateLimiter]:
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

    def _recast(self, exc: errors.BrokerError) -> errors.BrokerError:
        cls = self.error_classes.get(type(exc))
        if cls is None or isinstance(exc, cls):
            return exc
        new = cls(exc.message, broker=exc.broker, status=exc.status, code=exc.code, body=exc.body)
        if isinstance(exc, errors.RateLimitError) and isinstance(new, errors.RateLimitError):
            new.retry_after = exc.retry_after
        return new

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
            brokers.errors.BrokerError: a subclass for every failure.
        """
        method = method.upper()
        decode = decode or self.decode
        retry_ok = method == "GET" and not order
        attempt = 0
        while True:
            if self.limiter is not None:
                self.limiter.acquire(group)
            started = time.monotonic()
            try:
                response = self.session.request(
                    method, url, params=params, data=data, json=json, headers=headers,
                    timeout=timeout if timeout is not None else self.timeout, allow_redirects=False,
                )
            except requests.exceptions.RequestException as exc:
                err = self._network_error(exc, method, url, order)
                if retry_ok and attempt < self.retries:
                    log.debug("%s %s failed (%s); retrying", method, redact.strip_query(url), type(err).__name__)
                    self._sleep(self._delay(attempt))
                    attempt += 1
                    continue
                raise err from None
            if log.isEnabledFor(logging.DEBUG):  # the hot path: format nothing unless asked
                log.debug("%s %s -> %s in %.0f ms", method, redact.strip_query(url), response.status_code,
                          (time.monotonic() - started) * 1000)
            try:
                return decode(response)
            except errors.BrokerError as exc:
                err = self._recast(exc)
                wait = self._after_error(err, group, retry_ok and attempt < self.retries, attempt)
                if wait is None:
                    if order and isinstance(err, errors.ServerError) and err.status in RETRY_STATUSES:
                        raise self.error(
                            errors.OrderStateUnknown,
                            f"{method} {redact.strip_query(url)} got HTTP {err.status} from a gateway; the order "
                            "may or may not have reached the broker. It was not retried: check the order book "
                            "(look for your tag) before placing it again.",
                            status=err.status, code=err.code, body=err.body,
                        ) from None
                    raise err from None
                log.debug("%s %s: %s; retrying in %.2f s", method, redact.strip_query(url), err, wait)
                self._sleep(wait)
                attempt += 1
            except requests.exceptions.RequestException as exc:  # body read failed mid-stream
                raise self._network_error(exc, method, url, order) from None
            finally:
                response.close()

    def _after_error(self, err: errors.BrokerError, group: str, may_retry: bool, attempt: int) -> Optional[float]:
        """Seconds to wait before retrying, or None to raise."""
        if isinstance(err, errors.RateLimitError):
            hint = err.retry_after
            if self.limiter is not None and hint:
                self.limiter.penalise(group, hint)
            if may_retry:
                return hint if hint is not None else self._delay(attempt)
            return None
        if may_retry and isinstance(err, errors.ServerError) and err.status in RETRY_STATUSES:
            return self._delay(attempt)
        return None

    def _network_error(self, exc: requests.exceptions.RequestException, method: str, url: str,
                       order: bool) -> errors.BrokerError:
        where = f"{method} {redact.strip_query(url)}"
        what = type(exc).__name__
        if _never_sent(exc):
            note = " The order was not sent." if order else ""
            cls = errors.Timeout if isinstance(exc, requests.exceptions.Timeout) else errors.NetworkError
            return self.error(cls, f"{where}: could not connect ({what}).{note}")
        if order:
            return self.error(
                errors.OrderStateUnknown,
                f"{where}: no answer ({what}); the order may or may not have reached the broker. It was not "
                "retried: check the order book (look for your tag) before placing it again.",
            )
        if isinstance(exc, requests.exceptions.Timeout):
            return self.error(errors.Timeout, f"{where}: timed out ({what})")
        return self.error(errors.NetworkError, f"{where}: connection failed ({what})")

    def close(self) -> None:
        """Close the HTTP session (if the transport made it). Idempotent."""
        if self._own_session:
            self.session.close()


def _check_timeout(timeout: TimeoutType) -> TimeoutType:
    values = timeout if isinstance(timeout, tuple) else (timeout,)
    if not values or len(values) > 2 or any(not isinstance(v, (int, float)) or v <= 0 for v in values):
        raise ValueError(f"timeout must be positive seconds or a (connect, read) pair, got {timeout!r}")
    return timeout
