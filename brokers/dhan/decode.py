"""Dhan's one error boundary: the error-code table, the status table, and the
function that turns a response into a value or a typed error.

An error is keyed on Dhan's ``errorCode`` (:data:`ERROR_CODES`), never on the
HTTP status alone; a status is used (:data:`BY_STATUS`) only when the body names
no code we know, or is not JSON.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Type

import requests

from .. import errors
from ..core import redact
from ..core.response import error_from, read_json

__all__ = ["BY_STATUS", "ERROR_CODES", "decode", "decode_text", "error_for", "status_error"]

BROKER = "dhan"


# Dhan's errorCode -> our class. Trading API codes (DH-9xx) come in the error envelope
# {"errorType", "errorCode", "errorMessage"}; data API codes (8xx) come in the data APIs'
# {"data": {"<code>": "<message>"}, "status": "failed"} body and as feed disconnect codes.
ERROR_CODES: Mapping[str, Type[errors.BrokerError]] = {
    "DH-901": errors.TokenExpired,      # client id or access token invalid or expired
    "DH-902": errors.AuthError,         # no Data API subscription / no trading access
    "DH-903": errors.AuthError,         # account or segment not activated
    "DH-904": errors.RateLimitError,    # too many requests
    "DH-905": errors.InputError,        # missing or bad fields (also: IP not whitelisted)
    "DH-906": errors.OrderError,        # RMS or exchange rejection
    "DH-907": errors.InputError,        # bad parameters or no data for them
    "DH-908": errors.ServerError,       # internal server error
    "DH-909": errors.ServerError,       # Dhan's backend unreachable (their network error)
    "DH-910": errors.ServerError,       # "others"
    "800": errors.ServerError,          # internal server error
    "804": errors.InputError,           # too many instruments
    "805": errors.RateLimitError,       # too many requests or connections
    "806": errors.AuthError,            # Data APIs not subscribed
    "807": errors.TokenExpired,         # access token expired
    "808": errors.TokenExpired,         # authentication failed
    "809": errors.TokenExpired,         # access token invalid
    "810": errors.AuthError,            # client id invalid
    "811": errors.InputError,           # invalid expiry date
    "812": errors.InputError,           # invalid date format
    "813": errors.InputError,           # invalid security id
    "814": errors.InputError,           # invalid request
}

#: HTTP status -> class, for an error answer without a code we know. Any other
#: 5xx is a ServerError, any other status a ResponseError.
BY_STATUS: Mapping[int, Type[errors.BrokerError]] = {
    400: errors.InputError, 404: errors.InputError, 405: errors.InputError, 422: errors.InputError,
    401: errors.TokenExpired, 403: errors.AuthError, 429: errors.RateLimitError,
}


def status_error(response: requests.Response, message: Optional[str] = None, code: Any = None) -> errors.BrokerError:
    """The error for an error status when the body says nothing more specific."""
    status = response.status_code
    cls = BY_STATUS.get(status) or (errors.ServerError if status >= 500 else errors.ResponseError)
    return error_from(cls, response, BROKER, message, code=code)


def error_for(code: Any, message: str, *, status: Optional[int], body: str,
              response: Optional[requests.Response] = None) -> errors.BrokerError:
    """The typed error for one of Dhan's error codes (any unknown code: by HTTP status)."""
    cls = ERROR_CODES.get(str(code)) if code is not None else None
    if response is not None:
        if cls is None:
            return status_error(response, message, code=code)
        return error_from(cls, response, BROKER, message, code=code)
    return (cls or errors.BrokerError)(redact.scrub(message), broker=BROKER, status=status, code=code,
                                       body=redact.scrub(body))


def _envelope_error(data: Any, response: requests.Response) -> Optional[errors.BrokerError]:
    """The error an error-shaped body describes, or None if the body is not an error."""
    if not isinstance(data, dict):
        return None
    text = ""
    if data.get("errorCode") or data.get("errorType") or data.get("errorMessage"):
        code = data.get("errorCode")
        message = str(data.get("errorMessage") or data.get("errorType") or f"HTTP {response.status_code}")
        if data.get("errorType"):
            message = f"{message} ({data['errorType']})"
        return error_for(code, message, status=response.status_code, body=text, response=response)
    status = str(data.get("status", "")).lower()
    if status in ("failure", "failed", "error"):
        inner = data.get("data")
        if isinstance(inner, dict) and len(inner) == 1:  # data APIs: {"806": "Data APIs not subscribed"}
            (code, message), = inner.items()
            return error_for(code, str(message), status=response.status_code, body=text, response=response)
        remarks = data.get("remarks") or data.get("message") or "the broker reported a failure"
        return error_for(None, str(remarks), status=response.status_code, body=text, response=response)
    return None


def decode(response: requests.Response) -> Any:
    """The JSON Dhan sent, or the typed error its body or status describes.

    Success bodies are returned as they are (Dhan has no success envelope; the
    market-quote and option-chain routes carry their own ``{"data", "status"}``).
    An empty success body (e.g. ``/edis/tpin``) is ``None``. An error is keyed on
    Dhan's ``errorCode`` through :data:`ERROR_CODES`, never on the HTTP status
    alone; a body that says ``"status": "failure"`` is an error whatever the status.

    Raises:
        brokers.errors.BrokerError: the subclass for the error.
    """
    if 200 <= response.status_code < 300 and not response.content.strip():
        return None
    data = read_json(response, BROKER, status_error)
    error = _envelope_error(data, response)
    if error is not None:
        raise error
    if response.status_code >= 300:
        raise status_error(response)
    return data


def decode_text(response: requests.Response) -> str:
    """A text body (the scrip master CSV); errors as :func:`decode` reports them."""
    if response.status_code >= 300:
        ctype = response.headers.get("Content-Type", "")
        if "json" in ctype:
            decode(response)
        raise status_error(response)
    return response.content.decode("utf-8-sig", errors="replace")
