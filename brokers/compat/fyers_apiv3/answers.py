"""fyers_apiv3's answers, built from what :class:`~brokers.fyers.Fyers` returns or raises.

``fyers_apiv3`` returns Fyers' JSON whatever the HTTP status (``{"s": "ok", ...}``
or ``{"s": "error", "code": -16, "message": ...}``), and
``{"s": "error", "code": <status or -99>, "message": "Bad request"}`` when there
was no JSON answer at all. These functions give the same dicts.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict, cast

from ... import errors

log = logging.getLogger(__name__)


def from_error(exc: errors.BrokerError) -> Dict[str, Any]:
    """Fyers' error dict for the answer that raised ``exc``."""
    if exc.body:
        try:
            body = json.loads(exc.body)
        except ValueError:
            body = None
        if isinstance(body, dict):
            return body
    if exc.status is not None and exc.code is not None and exc.code != exc.status:
        return {"s": "error", "code": exc.code, "message": exc.message}  # a body too long to keep whole
    return {"s": "error", "code": exc.status or -99, "message": "Bad request"}


def call(fn: Callable[[], Any]) -> Dict[str, Any]:
    """Run one :class:`~brokers.fyers.Fyers` call; Fyers' dict either way. A
    ``ValueError`` from our argument checks is ``{"s": "error", "code": -99,
    "message": <what is wrong>}`` (``fyers_apiv3`` would have sent the request and
    returned Fyers' refusal)."""
    try:
        return cast(Dict[str, Any], fn())
    except errors.BrokerError as e:
        log.error("fyers_apiv3: %s", e)
        return from_error(e)
    except (ValueError, TypeError) as e:
        log.error("fyers_apiv3: %s", e)
        return {"s": "error", "code": -99, "message": str(e)}
