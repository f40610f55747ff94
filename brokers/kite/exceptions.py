"""kiteconnect's exception names, as members of the one :mod:`brokers.errors` tree.

Code written for kiteconnect keeps working (``except TokenException``), and each
class is also the matching generic error, so ``except errors.TokenExpired``
catches Kite's and the other brokers' alike::

    KiteException(BrokerError)
    ├── GeneralException               500 and unknown error types
    │   ├── MarginException            also errors.OrderError
    │   ├── HoldingException           also errors.OrderError
    │   ├── UserException
    │   ├── TwoFAException             also errors.AuthError
    │   ├── LoginException             also errors.AuthError (web login refused)
    │   └── ServerException            also errors.ServerError (5xx, HTML pages)
    ├── TokenException                 also errors.TokenExpired (403)
    ├── PermissionException            also errors.AuthError
    ├── OrderException                 also errors.OrderError
    ├── InputException                 also errors.InputError
    ├── DataException                  also errors.ResponseError
    ├── RateLimitException             also errors.RateLimitError (429)
    └── NetworkException               also errors.NetworkError
        ├── TimeoutException           also errors.Timeout
        └── OrderStateUnknownException also errors.OrderStateUnknown

Each class sits on exactly one branch of the :mod:`brokers.errors` tree, so a
handler written for the generic classes catches Kite's errors as it catches
Dhan's and Fyers': a 429 is a RateLimitError (not a NetworkError) for every broker.

As in kiteconnect, ``e.code`` is the HTTP status (``e.status`` too); Kite's own
``error_type`` string is ``e.error_type``. A class made without a status gets
kiteconnect's default code for it (``NetworkException("x").code == 503``); an
error the library raises for a failure with no HTTP answer (a refused
connection, DNS, a timeout) has ``status`` and ``code`` ``None``, as for every
broker. kiteconnect has no Margin, Holding, User or TwoFA classes (it raises
GeneralException for them); ours subclass GeneralException, so old handlers
still catch them. Which class a response becomes is decided in
:mod:`brokers.kite.decode`.
"""

from __future__ import annotations

from typing import Any, Optional

from .. import errors

__all__ = [
    "DataException",
    "GeneralException",
    "HoldingException",
    "InputException",
    "KiteException",
    "LoginException",
    "MarginException",
    "NetworkException",
    "OrderException",
    "OrderStateUnknownException",
    "PermissionException",
    "RateLimitException",
    "ServerException",
    "TimeoutException",
    "TokenException",
    "TwoFAException",
    "UserException",
]


_UNSET: Any = object()


class KiteException(errors.BrokerError):
    """Base of Kite's errors. ``KiteException(message, code=500)`` as in kiteconnect.

    Args:
        message: the error message.
        code: the HTTP status (kiteconnect's meaning of ``code``).
        status: same as ``code``; wins when both are given. ``status=None`` given
            explicitly means "no HTTP answer" (no default code).
        error_type: Kite's ``error_type`` from the body, if any.
    """

    default_code: Optional[int] = 500

    def __init__(self, message: str, code: Optional[int] = None, *, status: Any = _UNSET,
                 error_type: Optional[str] = None, broker: Optional[str] = "kite", **kw: Any) -> None:
        kw.pop("code", None)
        if status is _UNSET:
            status = code if isinstance(code, int) and not isinstance(code, bool) else self.default_code
        super().__init__(message, broker=broker or "kite", status=status, code=status, **kw)
        self.error_type = error_type or type(self).__name__


class GeneralException(KiteException):
    """An unclassified Kite error (500)."""


class TokenException(KiteException, errors.TokenExpired):
    """The session expired or was invalidated (403): log in again."""

    default_code = 403


class PermissionException(KiteException, errors.AuthError):
    """The session may not do this (403)."""

    default_code = 403


class OrderException(KiteException, errors.OrderError):
    """An order could not be placed, modified or fetched."""


class InputException(KiteException, errors.InputError):
    """Missing or invalid parameters (400)."""

    default_code = 400


class DataException(KiteException, errors.ResponseError):
    """A response that could not be read (502)."""

    default_code = 502


class NetworkException(KiteException, errors.NetworkError):
    """The API could not reach the OMS, or we could not reach the API (503)."""

    default_code = 503


class MarginException(GeneralException, errors.OrderError):
    """Not enough funds for the order."""

    default_code = 400


class HoldingException(GeneralException, errors.OrderError):
    """Not enough holdings to sell."""

    default_code = 400


class UserException(GeneralException):
    """An account-level problem (blocked, not enabled for the segment, ...)."""

    default_code = 403


class TwoFAException(GeneralException, errors.AuthError):
    """The second factor (TOTP / app code) was refused."""

    default_code = 400


class LoginException(GeneralException, errors.AuthError):
    """Kite Web login refused the user id or password."""

    default_code = 400


class ServerException(GeneralException, errors.ServerError):
    """A 5xx from Kite or a gateway in front of it."""

    default_code = 502


class RateLimitException(KiteException, errors.RateLimitError):
    """Too many requests (429)."""

    default_code = 429


class TimeoutException(NetworkException, errors.Timeout):
    """No answer in time."""


class OrderStateUnknownException(NetworkException, errors.OrderStateUnknown):
    """An order call may have reached Kite without an answer: check the order book by tag."""
