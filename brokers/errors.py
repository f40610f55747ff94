"""Every exception `brokers` raises, in one tree.

::

    BrokerError                 anything the broker or the wire did wrong
    ├── AuthError               login failed, credentials missing or refused
    │   └── TokenExpired        the session is no longer valid (log in again)
    ├── InputError              the broker rejected the request's parameters
    ├── OrderError              the broker rejected an order (margin, RMS, ...)
    │   └── OrderNotPlaced      a lost order call proved never taken: safe to retry
    ├── RateLimitError          HTTP 429 or the broker's rate-limit code; .retry_after
    ├── NetworkError            no usable HTTP response (DNS, refused, reset); status None
    │   ├── Timeout             connect or read timeout
    │   └── OrderStateUnknown   an order call may have reached the broker: reconcile
    ├── ServerError             5xx from the broker or a gateway in front of it
    ├── ResponseError           a body we could not read (invalid JSON, wrong type)
    └── StoreError              the session store (Redis, a store directory) cannot be used

The tree holds for every broker: each broker's own classes (kiteconnect's names in
:mod:`brokers.kite.exceptions`) subclass exactly one branch above, so ``except
errors.NetworkError`` catches the same failures whichever broker raised them, and a
429 is a :class:`RateLimitError` (never a :class:`NetworkError`) everywhere.

Every error carries ``broker``, ``status`` (the HTTP status, ``None`` when no HTTP
answer came: a refused connection, DNS, a timeout), ``code`` (the broker's own
error code), ``message`` (the broker's message or ours), ``body`` (a short excerpt
of the response body), and ``method`` and ``url`` (the request that failed, the
URL without its query string) when the error came from a request. Secrets never
appear in any of them, nor in anything reachable from the exception (its args,
``__cause__`` and ``__context__`` included).

Bad arguments are not broker errors: they raise :class:`ValueError` (or
:class:`TypeError`) before any network call, naming the argument.

Example::

    from brokers import errors
    try:
        kite.place_order(...)
    except errors.OrderStateUnknown as e:
        ...  # look the order up by its tag before trying again
    except errors.BrokerError as e:
        print(e.broker, e.status, e.code, e.message)
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type, TypeVar

__all__ = [
    "AuthError",
    "BrokerError",
    "InputError",
    "NetworkError",
    "OrderError",
    "OrderNotPlaced",
    "OrderStateUnknown",
    "RateLimitError",
    "ResponseError",
    "ServerError",
    "StoreError",
    "Timeout",
    "TokenExpired",
    "derive",
]

BODY_EXCERPT = 300


class BrokerError(Exception):
    """Base class of every error raised by a broker client or feed.

    Args:
        message: what went wrong, in words a user can act on.
        broker: ``"kite"``, ``"dhan"``, ``"fyers"`` or ``None``.
        status: the HTTP status, if a response arrived.
        code: the broker's own error code (Kite ``error_type``, Dhan ``errorCode``,
            Fyers ``code``), if any.
        body: the response body; only a short excerpt is kept.
        method: the HTTP method of the request that failed, if any.
        url: that request's URL without its query string, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        broker: Optional[str] = None,
        status: Optional[int] = None,
        code: Any = None,
        body: Optional[str] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.broker = broker
        self.status = status
        self.code = code
        self.body = body[:BODY_EXCERPT] if body else body
        self.method = method
        self.url = url.split("?", 1)[0].split("#", 1)[0] if url else url

    def __str__(self) -> str:
        parts = [p for p in (self.broker, self.status and f"HTTP {self.status}") if p]
        if self.code is not None and self.code != self.status:
            parts.append(str(self.code))
        prefix = f"[{' '.join(str(p) for p in parts)}] " if parts else ""
        return f"{prefix}{self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, broker={self.broker!r}, "
            f"status={self.status!r}, code={self.code!r})"
        )


class AuthError(BrokerError):
    """Login failed, or the credentials needed to log in were not given."""


class TokenExpired(AuthError):
    """The session token was refused: expired, logged out, or logged in elsewhere."""


class InputError(BrokerError):
    """The broker rejected the request's parameters (HTTP 400 or its input code)."""


class OrderError(BrokerError):
    """The broker rejected an order: margins, risk checks, market closed, ..."""


class OrderNotPlaced(OrderError):
    """An order call whose answer was lost, proven never taken by the broker: its
    tag is not in the order book after the call could have landed. Safe to place
    again. ``tag`` holds the tag that was looked up."""

    def __init__(self, message: str, *, tag: Optional[str] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.tag = tag


class RateLimitError(BrokerError):
    """Too many requests. ``retry_after`` holds the broker's hint in seconds, if any."""

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class NetworkError(BrokerError):
    """No usable HTTP response: the connection failed, was reset, or DNS failed."""


class Timeout(NetworkError):
    """The connection or the response took longer than the client's timeout."""


class OrderStateUnknown(NetworkError):
    """An order placement, modification or cancellation may have reached the broker,
    but no answer came back. It is never retried automatically: look the order up
    (order book, by its tag / correlation id) before placing it again.

    ``tag`` holds the tag / correlation id the order was sent with and
    ``order_id`` the id of the order a modification or cancellation was for,
    when known (else ``None``): what to look the order up by.
    """

    tag: Optional[str] = None
    order_id: Optional[str] = None


class ServerError(BrokerError):
    """The broker, or a gateway in front of it, answered with a 5xx status."""


class ResponseError(BrokerError):
    """A response body we could not read: invalid JSON, empty, or an unexpected type."""


E = TypeVar("E", bound=BrokerError)


def derive(cls: Type[E], exc: BrokerError, message: Optional[str] = None, **kw: Any) -> E:
    """A ``cls`` error that keeps what ``exc`` knew (broker, status, code, body,
    method, url; ``retry_after`` for rate limits), with a new message.

    Used where a layer re-classifies an error, e.g. a refused login answered with
    a 400 becomes an :class:`AuthError`. Raise it ``from None`` outside the
    ``except`` block that caught ``exc`` if ``exc`` should not be its ``__context__``.
    """
    fields: Dict[str, Any] = dict(broker=exc.broker, status=exc.status, code=exc.code, body=exc.body,
                                  method=exc.method, url=exc.url)
    if issubclass(cls, RateLimitError):
        fields["retry_after"] = getattr(exc, "retry_after", None)
    fields.update(kw)
    return cls(exc.message if message is None else message, **fields)
class StoreError(BrokerError):
    """The session store cannot be used: Redis is down or unreachable, or a store
    directory is unsafe. Raised at once, never replaced by a silent fall back to a
    per-process session or rate budget; ``broker`` is ``None`` and the message names
    the store (a Redis URL without its password)."""
