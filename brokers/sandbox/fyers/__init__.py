"""The sandbox playing Fyers API v3: the auth-code and refresh-token login, the REST
routes with our own fixture data, Fyers' error codes, rate limits answered with 429
(``Retry-After`` and ``X-Retry-After-Ms``), an order book with holding and margin
checks, and the public symbol master files.

Mounted under ``/fyers/api/v3`` (trading API), ``/fyers/data`` (market data) and
``/fyers/public`` (symbol master). The websockets are :mod:`brokers.sandbox.fyers.feed`.
"""

from __future__ import annotations

from typing import Callable

from ..server import Request, Response, Router
from .account import AccountRoutes
from .data import DataRoutes
from .extras import ExtraRoutes
from .login import LoginRoutes
from .orders import OrderRoutes
from .routes import ECHO, PUBLIC_ROUTES, ROUTES
from .state import FyersAccount, FyersState, err, fyers_symbol, fytoken, hsm_topic

__all__ = ["FyersAccount", "FyersSandbox", "FyersState", "fyers_symbol", "fytoken", "hsm_topic"]

UserHandler = Callable[[Request, str], Response]


class FyersSandbox(LoginRoutes, OrderRoutes, AccountRoutes, DataRoutes, ExtraRoutes):
    """State and routes of the Fyers part of the sandbox (see :class:`FyersState` for
    the attributes tests use: ``accounts``, ``rate_limits``, ``tokens``, ``orders``, ...).

    Example::

        with Sandbox() as sb:
            token = sb.fyers.issue_access_token()
            with Fyers(client_id=sb.fyers.client_id, token=token, **sb.fyers_urls()) as fyers:
                fyers.holdings()
    """

    def mount(self, router: Router) -> None:
        """Register every Fyers route on ``router``."""
        for method, path, name in PUBLIC_ROUTES:
            router.add(method, path, getattr(self, name))
        for method, path, name in ROUTES:
            router.add(method, path, self._guard(getattr(self, name)))
        for method, root, path in ECHO:
            router.add(method, root + path, self._guard(self._echo(root)))

    def _guard(self, handler: UserHandler) -> Callable[[Request], Response]:
        def wrapped(req: Request) -> Response:
            self.last_headers = dict(req.headers)
            app, _, token = (req.header("authorization") or "").partition(":")
            user = self.valid(token) if app == self.client_id else None
            if user is None:
                return err(401, -16, "Could not authenticate the user. Please log in again.")
            if not self._admit():
                ms = self.retry_after_ms
                response = err(429, -353, "API limit exceeded. Try after some time.",
                               {"Retry-After": str(max(1, ms // 1000)), "X-Retry-After-Ms": str(ms)})
            else:
                with self.lock:
                    response = handler(req, user)
            response.account = user
            return response
        return wrapped
