"""The sandbox playing Zerodha Kite: web login with TOTP, KiteConnect sessions, the
REST routes, an order book with holding and margin checks, rate limits.

Mounted under ``/kite/connect`` (the KiteConnect API root) and ``/kite/web`` (the
Kite Web host: ``/api/login``, ``/api/twofa``, ``/connect/login`` and the web API
under ``/oms``). The ticker websocket is :mod:`brokers.sandbox.kite.feed`.
"""

from __future__ import annotations

from typing import Callable

from ..server import Request, Response, Router
from .account import AccountRoutes
from .data import DataRoutes
from .extras import ExtraRoutes
from .login import LoginRoutes
from .orders import OrderRoutes
from .routes import CONNECT, LOGIN, OMS, ROUTES, SESSION, WEB
from .state import KiteAccount, KiteState, err

__all__ = ["KiteAccount", "KiteSandbox", "KiteState"]

UserHandler = Callable[[Request, str], Response]


class KiteSandbox(LoginRoutes, OrderRoutes, AccountRoutes, DataRoutes, ExtraRoutes):
    """State and routes of the Kite part of the sandbox (see :class:`KiteState` for
    the attributes tests use: ``accounts``, ``rate_limits``, ``tokens``, ``orders``, ...).

    Example::

        with Sandbox() as sb:
            token = sb.kite.issue_access_token("AB1234")
            with Kite(access_token=token, api_key=sb.kite.api_key, **sb.kite_urls()) as kite:
                kite.holdings()
            sb.kite.expire_sessions()          # the next call gets a 403 TokenException
    """

    def mount(self, router: Router) -> None:
        """Register every Kite route on ``router``."""
        for method, path, name in LOGIN:
            router.add(method, WEB + path, getattr(self, name))
        for prefix in (CONNECT, ""):
            for method, path, name in SESSION:
                router.add(method, prefix + path, getattr(self, name))
        for method, path, group, name in ROUTES:
            handler = getattr(self, name)
            router.add(method, CONNECT + path, self._guard(group, handler, "access_token"))
            router.add(method, path, self._guard(group, handler, "access_token"))
            router.add(method, OMS + path, self._guard(group, handler, "enctoken"))

    def _guard(self, group: str, handler: UserHandler, kind: str) -> Callable[[Request], Response]:
        def wrapped(req: Request) -> Response:
            auth = req.header("authorization") or ""
            if kind == "access_token":
                scheme, _, cred = auth.partition(" ")
                key, _, token = cred.partition(":")
                user = self.valid(token, kind) if scheme == "token" and key == self.api_key else None
            else:
                scheme, _, token = auth.partition(" ")
                user = self.valid(token, kind) if scheme == "enctoken" else None
            if user is None:
                return err(403, "TokenException", "Incorrect `api_key` or `access_token`.")
            if not self._admit(user, group):
                response = Response(429, {"status": "error", "message": "Too many requests",
                                          "error_type": "NetworkException"}, headers={"Retry-After": "1"})
            else:
                with self.lock:
                    response = handler(req, user)
            response.account = user
            return response
        return wrapped
