"""Reading JSON Web Tokens without verifying them.

Dhan's access tokens and Fyers' access tokens are JWTs; their payload says who
the token belongs to and when it expires. The signature is the broker's
business: we only read the claims, to know when a session ends and to catch a
token of another account early.

Example::

    claims = jwt_claims(token)          # {} when token is not a JWT
    expiry = jwt_expiry(token)          # aware UTC datetime, or None
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any, Dict, Optional

__all__ = ["jwt_claims", "jwt_expiry"]

# A JWT payload worth reading is small; a huge one is not a broker's token.
_MAX_TOKEN = 16_384


def jwt_claims(token: str) -> Dict[str, Any]:
    """The payload of a JWT as a dict, unverified; ``{}`` for anything that is not one.

    An ``APPID:`` prefix (Fyers writes tokens as ``"<app id>:<jwt>"``) is ignored;
    a JWT itself never contains ``:``.
    """
    if not isinstance(token, str) or len(token) > _MAX_TOKEN:
        return {}
    raw = token.split(":", 1)[1] if ":" in token else token
    parts = raw.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = base64.urlsafe_b64decode(parts[1].encode("ascii") + b"=" * (-len(parts[1]) % 4))
        claims = json.loads(payload.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        return {}
    return claims if isinstance(claims, dict) else {}


def jwt_expiry(token: str) -> Optional[dt.datetime]:
    """When the JWT says it expires (``exp``), as an aware UTC datetime, or None."""
    exp = jwt_claims(token).get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    try:
        return dt.datetime.fromtimestamp(float(exp), dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
