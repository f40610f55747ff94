"""A local fake broker for tests, demos and offline strategy work.

:class:`Sandbox` starts a real HTTP server on ``127.0.0.1`` at a free port that
plays the brokers' REST APIs, with accounts, TOTP logins, sessions that can be
expired on demand, holdings, an order book, rate limits answered with 429, and
switches to inject faults.

Example::

    from brokers.kite import Kite
    from brokers.sandbox import Sandbox

    with Sandbox() as sb:
        with Kite(store=MemoryStore(), **sb.kite_urls()) as kite:
            kite.authorize(user_id="AB1234", password="sandbox-password",
                           totp_secret=sb.kite.accounts["AB1234"].totp_secret)
            print(kite.holdings())
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .dhan import DhanAccount, DhanSandbox
from .dhan_feed import DhanFeedServer
from .fyers import FyersAccount, FyersSandbox
from .fyers_feed import FyersDataSocket, FyersOrderSocket
from .kite import KiteAccount, KiteSandbox
from .kite_ticker import KiteTicker
from .market import Instrument, Market
from .masters import SandboxMasters
from .server import Faults, HttpServer, Logged, Router
from .ws import WsRoute, WsServer

__all__ = ["DhanAccount", "FyersAccount", "Instrument", "KiteAccount", "Market", "Sandbox", "client_urls"]


def client_urls(base: str, broker: str) -> Dict[str, Any]:
    """Keyword arguments that point a broker's client at a sandbox running at ``base``
    (``http://127.0.0.1:PORT``), e.g. one started by ``python -m brokers sandbox``.

    Raises:
        ValueError: an unknown broker.
    """
    base = base.rstrip("/")
    if broker == "kite":
        return {"root": base + "/kite/connect", "web_root": base + "/kite/web"}
    if broker == "dhan":
        return {"root": base + "/dhan/v2", "auth_root": base + "/dhan/auth", "scrip_root": base + "/dhan/scrip",
                "global_scrip_root": base + "/dhan/scrip-global"}
    if broker == "fyers":
        return {"root": base + "/fyers/api/v3", "data_root": base + "/fyers/data", "public_root": base + "/fyers/public"}
    raise ValueError(f"broker must be kite, dhan or fyers; got {broker!r}")


class Sandbox:
    """The bundled fake broker. A context manager; also :meth:`start`/:meth:`stop`.

    Args:
        port: HTTP port (default: a free one).
        seed: seed of the market's price walk.
        masters: ``"full"`` serves full-size instrument masters (Kite about
            94,000 instruments, with weekly and monthly option chains),
            ``"small"`` the same shapes with a few thousand; ``None`` (default)
            only the market's dozen instruments.

    Attributes:
        url: the HTTP server's base URL, e.g. ``http://127.0.0.1:54321``.
        kite: the Kite part (:class:`~brokers.sandbox.kite.KiteSandbox`): accounts,
            tokens, order book, rate limits.
        market: the instruments and their moving prices.
        faults: the fault switches (also reachable as :meth:`fail_next`, ...).
        kite_ticker: Kite's ticker on the websocket server (``tick_interval``, ``push``, ...).
        dhan: the Dhan part (:class:`~brokers.sandbox.dhan.DhanSandbox`): accounts with
            PINs and TOTP secrets, JWT-shaped tokens, order book, rate limits.
        dhan_feed: Dhan's market feed and order-update sockets
            (:class:`~brokers.sandbox.dhan_feed.DhanFeedServer`: ``tick_interval``,
            ``push``, ``disconnect``, ``handshake_status``).
        ws: the websocket server (:class:`~brokers.sandbox.ws.WsServer`), started with
            the HTTP server when the ``websockets`` package is installed.
        ws_routes: the feeds the websocket server will serve, by path prefix.
    """

    def __init__(self, *, port: int = 0, seed: int = 7, masters: Optional[str] = None) -> None:
        self.market = Market(seed)
        self.faults = Faults()
        self.router = Router()
        self.masters: Optional[SandboxMasters] = None
        if masters is not None:  # mounted first: these routes replace the brokers' small masters
            self.masters = SandboxMasters(self, masters)
            self.masters.mount(self.router)
        self.kite = KiteSandbox(self.market)
        self.kite.mount(self.router)
        self.dhan = DhanSandbox(self.market)
        self.dhan.mount(self.router)
        self.fyers = FyersSandbox(self.market)
        self.fyers.mount(self.router)
        self.http = HttpServer(self.router, self.faults, port=port)
        self.kite_ticker = KiteTicker(self.kite, self.market)
        self.ws_routes: List[WsRoute] = [self.kite_ticker.route()]
        self.dhan_feed = DhanFeedServer(self.dhan, self.market)
        self.ws_routes.extend(self.dhan_feed.routes())
        self.fyers_data = FyersDataSocket(self.fyers, self.market)
        self.fyers_orders = FyersOrderSocket(self.fyers)
        self.ws_routes += [self.fyers_data.route(), self.fyers_orders.route()]
        self._ws: Optional[WsServer] = None
        self._started = False

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> "Sandbox":
        if not self._started:
            self.http.start()
            self._start_ws()
            self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            if self._ws is not None:
                self._ws.stop()
                self._ws = None
            self.http.stop()
            self._started = False

    def _start_ws(self) -> None:
        # websockets is the sandbox extra; without it the REST routes still work and
        # only touching the websocket side (sb.ws) raises the ImportError.
        try:
            import websockets  # noqa: F401
        except ImportError:
            return
        self._ws = WsServer()
        for route in self.ws_routes:
            self._ws.add(route)
        self._ws.start()

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- addresses ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.http.url

    def kite_urls(self) -> Dict[str, Any]:
        """Keyword arguments that point a :class:`~brokers.kite.Kite` at the sandbox."""
        return client_urls(self.url, "kite")

    def dhan_urls(self) -> Dict[str, Any]:
        """Keyword arguments that point a :class:`~brokers.dhan.Dhan` at the sandbox."""
        return client_urls(self.url, "dhan")

    def dhan_feed_urls(self) -> Dict[str, Any]:
        """Keyword arguments that point a :class:`~brokers.dhan.DhanFeed` at the sandbox."""
        return {"url": self.ws_url + DhanFeedServer.feed_prefix}

    def dhan_order_urls(self) -> Dict[str, Any]:
        """Keyword arguments that point a :class:`~brokers.dhan.DhanOrder` at the sandbox."""
        return {"url": self.ws_url + DhanFeedServer.orders_prefix}

    def fyers_urls(self) -> Dict[str, Any]:
        """Keyword arguments that point :class:`~brokers.fyers.Fyers` at the sandbox
        (``FyersAuth`` takes ``root`` only)."""
        return client_urls(self.url, "fyers")

    def fyers_feed_urls(self) -> Dict[str, Any]:
        """Keyword arguments that point :class:`~brokers.fyers.FyersFeed` (``url``,
        ``data_root``, ``public_root``) at the sandbox; ``FyersOrder`` takes ``url=fyers_order_url()``."""
        return {"url": self.ws_url + FyersDataSocket.prefix, "data_root": self.url + "/fyers/data",
                "public_root": self.url + "/fyers/public"}

    def fyers_order_url(self) -> str:
        """The sandbox's Fyers order socket URL (``FyersOrder(..., url=...)``)."""
        return self.ws_url + FyersOrderSocket.prefix

    @property
    def ws(self) -> WsServer:
        """The websocket server (feeds). Raises ImportError without the ``websockets`` package."""
        if self._ws is None:
            try:
                import websockets  # noqa: F401
            except ImportError:
                raise ImportError("The sandbox's websocket feeds need websockets: "
                                  "pip install brokers[sandbox]") from None
            raise RuntimeError("the sandbox is not started")
        return self._ws

    @property
    def ws_url(self) -> str:
        """The websocket server's base URL, e.g. ``ws://127.0.0.1:54322``."""
        return self.ws.url

    def kite_feed_urls(self) -> Dict[str, Any]:
        """Keyword arguments that point a :class:`~brokers.kite.KiteFeed` at the sandbox."""
        return {"url": self.ws_url + KiteTicker.prefix}

    def drop_feeds(self, prefix: str = "") -> int:
        """Cut every feed connection under path ``prefix`` without a close frame. Returns how many."""
        return self.ws.drop_all(prefix)

    def silence_feeds(self, prefix: str = "", silent: bool = True) -> None:
        """Stop (``silent=False``: resume) sending anything, heartbeats included, under ``prefix``."""
        self.ws.go_silent(prefix, silent)

    # -- faults -------------------------------------------------------------------------
    def fail_next(self, n: int = 1, status: int = 503, **kw: Any) -> None:
        """Answer the next ``n`` requests (optionally only under ``path=``) with ``status``."""
        self.faults.fail_next(n, status, **kw)

    def drop_next(self, n: int = 1, **kw: Any) -> None:
        """Close the connection of the next ``n`` requests without answering
        (``after=True``: carry the request out first, then drop)."""
        self.faults.drop_next(n, **kw)

    def stall_next(self, n: int = 1, seconds: float = 30.0, **kw: Any) -> None:
        """Hold the next ``n`` requests for ``seconds`` before answering."""
        self.faults.stall_next(n, seconds, **kw)

    # -- inspection ---------------------------------------------------------------------
    def requests(self, method: Optional[str] = None, path: str = "") -> List[Logged]:
        """Requests served so far, filtered by method and path prefix."""
        with self.http._log_lock:
            return [r for r in self.http.log if (method is None or r.method == method) and r.path.startswith(path)]
