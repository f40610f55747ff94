"""``dhanhq.DhanLogin`` (``dhanhq.auth``) on :class:`~brokers.dhan.Dhan`'s token routes.

As in ``dhanhq``, the token methods return Dhan's JSON and raise on failure (our
:mod:`brokers.errors` classes, all ``Exception``\\ s); the static-IP methods return
``dhanhq``'s envelope.
"""

from __future__ import annotations

import logging
import webbrowser
from typing import Any, Dict, Optional

from ...dhan import Dhan
from ...stores import MemoryStore
from .. import _targets
from . import envelope

__all__ = ["DhanLogin"]

log = logging.getLogger(__name__)


class DhanLogin:
    """``dhanhq.DhanLogin(client_id)``: Dhan's consent, PIN+TOTP, renew and profile routes.

    Example::

        from brokers.compat.dhanhq import DhanLogin

        token = DhanLogin("1100000001").generate_token(pin, pyotp.TOTP(secret).now())["accessToken"]
    """

    AUTH_BASE_URL = "https://auth.dhan.co"
    API_BASE_URL = "https://api.dhan.co/v2"

    def __init__(self, client_id: Any) -> None:
        self.client_id = client_id

    def _dhan(self, access_token: Optional[str] = None, client_id: Any = None) -> Dhan:
        return Dhan(client_id or self.client_id, access_token, store=MemoryStore(), **_targets.urls("dhan"))

    def generate_login_session(self, app_id: str, app_secret: str) -> str:
        """Consent step 1: returns the ``consentAppId`` and, as ``dhanhq`` does, prints the
        login URL and opens it in the browser."""
        with self._dhan() as dhan:
            consent = dhan.generate_login_session(app_id, app_secret)
            url = dhan.login_url(consent)
        print(f"Opening browser for login: {url}")
        webbrowser.open(url)
        return consent

    def consume_token_id(self, token_id: str, app_id: str, app_secret: str) -> Dict[str, Any]:
        """Consent step 3: Dhan's JSON with ``accessToken``."""
        with self._dhan() as dhan:
            return dhan.consume_token_id(token_id, app_id, app_secret)

    def generate_token(self, pin: str, totp: str) -> Dict[str, Any]:
        """A 24-hour token from PIN and TOTP: Dhan's JSON with ``accessToken``."""
        with self._dhan() as dhan:
            return dhan.generate_token(pin, totp)

    def renew_token(self, access_token: str) -> Dict[str, Any]:
        """Extend a web-generated token: Dhan's JSON with the new token."""
        with self._dhan(access_token) as dhan:
            return dhan.renew_token()

    def user_profile(self, access_token: str) -> Dict[str, Any]:
        """The token's profile and validity (Dhan's JSON)."""
        with self._dhan(access_token) as dhan:
            return dhan.user_profile()

    def set_ip(self, access_token: str, ip: str, ip_flag: str, dhan_client_id: Any = None) -> Dict[str, Any]:
        with self._dhan(access_token, dhan_client_id) as dhan:
            return envelope.call(lambda: dhan.set_ip(ip, ip_flag))

    def modify_ip(self, access_token: str, ip: str, ip_flag: str, dhan_client_id: Any = None) -> Dict[str, Any]:
        with self._dhan(access_token, dhan_client_id) as dhan:
            return envelope.call(lambda: dhan.modify_ip(ip, ip_flag))

    def get_ip(self, access_token: str, dhan_client_id: Any = None) -> Dict[str, Any]:
        with self._dhan(access_token, dhan_client_id) as dhan:
            return envelope.call(dhan.get_ip)
