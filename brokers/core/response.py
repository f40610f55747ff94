"""Reading a response, for every broker's ``decode.py``: its body as text or JSON,
the wait a server asks for, and an error built from it.

Nothing here decides which error class a response means: each broker's
``decode.py`` holds that table. Secrets are scrubbed from every message and body
excerpt an error keeps.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json as jsonlib
import math
from typing import Any, Callable, Dict, Optional, Type

import requests

from .. import errors
from . import redact

__all__ = ["MAX_HINT", "StatusError", "body_text", "error_from", "read_json", "retry_after_seconds"]

#: ``on_status(response, message)``: the broker's error for an error status whose body
#: says nothing more specific (an HTML page, an unreadable body).
StatusError = Callable[[requests.Response, str], errors.BrokerError]

#: The largest server hint we keep, in seconds (a week): anything beyond is a broken
#: header, not a plan. Hints are compared with ``Transport.max_wait`` before any wait.
MAX_HINT = 7 * 86400.0


def _seconds(text: str, scale: float) -> Optional[float]:
    """A finite non-negative number, scaled and bounded to ``MAX_HINT``; None for
    anything else (``inf``, ``nan``, negative, garbage, absurdly long text)."""
    text = text.strip()
    if not text or len(text) > 32:
        return None
    try:
        value = float(text) * scale
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return min(MAX_HINT, value)


def retry_after_seconds(response: requests.Response) -> Optional[float]:
    """The wait a 429/503 asks for, in seconds, or ``None``.

    ``X-Retry-After-Ms`` (Fyers) wins over ``Retry-After`` (seconds or an HTTP
    date). Parsed defensively: the result is always a finite number between 0
    and :data:`MAX_HINT`; exponents, ``inf``, ``nan``, negative numbers, garbage
    and unparseable dates give ``None``; a date in the past gives 0. Never raises.
    """
    try:
        headers = response.headers
        ms = headers.get("X-Retry-After-Ms")
        if ms:
            value = _seconds(str(ms), 0.001)
            if value is not None:
                return value
        raw = headers.get("Retry-After")
        if not raw:
            return None
        raw = str(raw)
        value = _seconds(raw, 1.0)
        if value is not None:
            return value
        if len(raw) > 64:
            return None
        when = email.utils.parsedate_to_datetime(raw)
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            when = when.replace(tzinfo=dt.timezone.utc)
        delta = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
    except (TypeError, ValueError, OverflowError, IndexError, AttributeError):
        return None
    if not math.isfinite(delta):
        return None
    return min(MAX_HINT, max(0.0, delta))


def body_text(response: requests.Response) -> str:
    """The body as text, whatever its encoding (never raises)."""
    try:
        return response.content.decode(response.encoding or "utf-8", errors="replace")
    except Exception:  # a broken stream is reported by the caller, not here
        return ""


def error_from(cls: Type[errors.BrokerError], response: requests.Response, broker: str,
               message: Optional[str] = None, *, code: Any = None, **kw: Any) -> errors.BrokerError:
    """An error of class ``cls`` for ``response``: its status, a scrubbed excerpt of
    its body, ``retry_after`` for rate limits, and ``message`` (scrubbed)."""
    status = response.status_code
    fields: Dict[str, Any] = dict(broker=broker, status=status, code=code, body=redact.scrub(body_text(response)))
    if issubclass(cls, errors.RateLimitError):
        fields["retry_after"] = retry_after_seconds(response)
    fields.update(kw)
    return cls(redact.scrub(message or f"HTTP {status}"), **fields)


def read_json(response: requests.Response, broker: str, on_status: StatusError,
              unreadable: Type[errors.BrokerError] = errors.ResponseError) -> Any:
    """The JSON body, or a typed error that keeps the status.

    A non-JSON or unreadable body on an error status becomes ``on_status(response,
    message)``, the broker's error for that status (an HTML 502 page is a
    ServerError with status 502); on a success status it is ``unreadable`` (a
    :class:`~brokers.errors.ResponseError`, or the broker's subclass of it).
    """
    text = body_text(response)
    ctype = response.headers.get("Content-Type", "")
    if "json" not in ctype.lower() and not text.lstrip().startswith(("{", "[")):
        if response.status_code >= 400:
            raise on_status(response, f"HTTP {response.status_code} with a non-JSON body")
        raise unreadable(f"expected JSON, got {ctype or 'no content type'}", broker=broker,
                         status=response.status_code, body=redact.scrub(text))
    try:
        return jsonlib.loads(text)
    except (ValueError, RecursionError):
        pass  # raised below, outside the except block: the parser's error says nothing more
    if response.status_code >= 400:
        raise on_status(response, f"HTTP {response.status_code} with an unreadable body")
    raise unreadable("the response is not valid JSON", broker=broker, status=response.status_code,
                     body=redact.scrub(text))
