"""dhanhq's return envelopes, built from what :class:`~brokers.dhan.Dhan` returns or raises.

``dhanhq`` never raises for a failed call: ``DhanHTTP._send_request`` returns
``{"status": "success", "remarks": "", "data": <JSON>}`` for a 2xx answer and
``{"status": "failure", "remarks": {"error_code", "error_type", "error_message"},
"data": ""}`` otherwise (``remarks`` is a string when there was no readable JSON
body, or no answer at all). These functions build exactly those dicts.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict

from ... import errors

log = logging.getLogger(__name__)

Envelope = Dict[str, Any]


def success(data: Any) -> Envelope:
    """``dhanhq``'s success envelope. An empty 2xx body (``None`` from Dhan) is ``""``."""
    return {"status": "success", "remarks": "", "data": "" if data is None else data}


def failure(remarks: Any) -> Envelope:
    """``dhanhq``'s failure envelope."""
    return {"status": "failure", "remarks": remarks, "data": ""}


def _body_json(body: Any) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def from_error(exc: errors.BrokerError) -> Envelope:
    """The failure dict ``dhanhq`` returns for the answer that raised ``exc``: Dhan's
    ``errorCode`` / ``errorType`` / ``errorMessage`` when the body was JSON, else the
    error's message (as ``dhanhq`` puts the exception's text there)."""
    body = _body_json(exc.body)
    if exc.status is not None and isinstance(body, dict):
        return failure({"error_code": body.get("errorCode"), "error_type": body.get("errorType"),
                        "error_message": body.get("errorMessage")})
    if exc.status is not None and isinstance(exc.code, str) and exc.code.startswith("DH-"):
        # the body excerpt was cut: Dhan's code and message are still on the error
        return failure({"error_code": exc.code, "error_type": None, "error_message": exc.message})
    return failure(exc.message)


def call(fn: Callable[[], Any], *, raise_value_errors: bool = False) -> Envelope:
    """Run one :class:`~brokers.dhan.Dhan` call and wrap its result or error.

    A ``ValueError`` from our argument checks becomes a failure dict with the message
    as ``remarks`` (as ``dhanhq``'s own checks, e.g. ``historical_daily_data``'s
    ``expiry_code``, return it), except where ``dhanhq`` itself raises
    (``raise_value_errors``: the super-order methods, ``place_order``'s ``amo_time``).
    """
    try:
        return success(fn())
    except errors.BrokerError as e:
        log.error("Exception in dhanhq: %s", e)
        return from_error(e)
    except (ValueError, TypeError) as e:
        if raise_value_errors:
            raise
        log.error("Exception in dhanhq: %s", e)
        return failure(str(e))
