"""The sandbox playing Dhan (DhanHQ v2): token routes, the REST API, an order book
with holding and margin checks, rate limits answered with 429 + DH-904, and Dhan's
error envelopes.

Mounted under ``/dhan/v2`` (the REST root), ``/dhan/auth`` (``auth.dhan.co``) and
``/dhan/scrip`` (the scrip master CSVs). The websockets are :mod:`brokers.sandbox.dhan.feed`.
"""

from __future__ import annotations

from typing import Callable, Optional

from ..server import Request, Response, Router
from .account import AccountRoutes
from .data import DataRoutes
from .extras import ExtraRoutes
from .global_stocks import GlobalRoutes
from .login import LoginRoutes
from .orders import OrderRoutes
from .routes import API, PUBLIC, ROUTES
from .state import DHAN_IDS, DhanAccount, DhanState, err

__all__ = ["DHAN_IDS", "DhanAccount", "DhanSandbox", "DhanState"]

ClientHandler = Callable[[Request, str], Response]
# Dhan documents the client-id header for market quotes and the option chain only;
# elsewhere the token says who.
_NEEDS_CLIENT_ID = (API + "/marketfeed/", API + "/optionchain")


class DhanSandbox(LoginRoutes, OrderRoutes, AccountRoutes, DataRoutes, ExtraRoutes, GlobalRoutes):
    """State and routes of the Dhan part of the sandbox (see :class:`DhanState` for
    the attributes tests use: ``accounts``, ``rate_limits``, ``tokens``, ``orders``, ...).

    Example::

        with Sandbox() as sb:
            token = sb.dhan.issue_token("1100000001")
            with Dhan("1100000001", token, **sb.dhan_urls()) as dhan:
                dhan.place_order("1333", "NSE_EQ", "BUY", 1, "MARKET", "CNC", 0)
            sb.dhan.expire_sessions()         # the next call gets DH-901
    """

    def mount(self, router: Router) -> None:
        """Register every Dhan route on ``router``."""
        for method, path, name in PUBLIC:
            router.add(method, path, getattr(self, name))
        for method, path, group, name in ROUTES:
            router.add(method, API + path, self._guard(group, getattr(self, name)))

    def _guard(self, group: str, handler: ClientHandler) -> Callable[[Request], Response]:
        def wrapped(req: Request) -> Response:
            client = self.valid(req.header("access-token") or "")
            if client is None:
                return err(401, "DH-901", "Client ID or user generated access token is invalid or expired.",
                           "Invalid_Authentication")
            header = req.header("client-id")
            if (header is None and req.path.startswith(_NEEDS_CLIENT_ID)) or (header is not None and header != client):
                response = err(401, "DH-901", "The client-id header is missing or does not match the access "
                                              "token.", "Invalid_Authentication")
            elif not self._admit(client, group):
                response = Response(429, {"errorType": "Rate_Limit", "errorCode": "DH-904",
                                          "errorMessage": "Too many requests on server from single user breaching "
                                                          "rate limits. Try throttling API calls."})
            else:
                response = self._checked_body(req, client) or self._call(handler, req, client)
            response.account = client
            return response
        return wrapped

    def _call(self, handler: ClientHandler, req: Request, client: str) -> Response:
        with self.lock:
            return handler(req, client)

    @staticmethod
    def _checked_body(req: Request, client: str) -> Optional[Response]:
        if req.method not in ("POST", "PUT") or not req.body:
            return None
        if "json" not in (req.header("content-type") or ""):
            return err(400, "DH-905", "Request body must be JSON.")
        try:
            data = req.json()
        except ValueError:
            return err(400, "DH-905", "Request body is not valid JSON.")
        if not isinstance(data, dict):
            return err(400, "DH-905", "Request body must be a JSON object.")
        if "dhanClientId" in data and data["dhanClientId"] != client:
            return err(400, "DH-905", "dhanClientId does not match the access token.")
        return None
