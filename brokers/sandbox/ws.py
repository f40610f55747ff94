"""The sandbox's websocket server: one loopback port, feeds routed by path.

Each broker feed registers a :class:`WsRoute`: ``authorize(path, query)``
decides the handshake (``None`` accepts, an HTTP status rejects, e.g. 403) and
``serve(conn)`` runs the connection in its own thread until it closes.
:class:`WsServer` adds the switches the feed tests need: drop every connection
abruptly, or go silent (stop sending anything, heartbeats included).

Needs the ``sandbox`` extra (the ``websockets`` package).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Callable, Dict, List, Optional, Set
from urllib.parse import parse_qs, urlsplit

__all__ = ["WsConnection", "WsRoute", "WsServer"]


class WsConnection:
    """One client connection as a feed handler sees it."""

    def __init__(self, raw: Any, server: "WsServer", path: str, query: Dict[str, List[str]]) -> None:
        self.raw = raw  # websockets.sync.server.ServerConnection
        self.server = server
        self.path = path
        self.query = query
        self.closed = threading.Event()
        self.send_lock = threading.Lock()

    def arg(self, name: str) -> Optional[str]:
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def silent(self) -> bool:
        """True while the server is told to go silent on this path."""
        return self.server.is_silent(self.path)

    def send(self, message: Any) -> bool:
        """Send a text or binary message; False once the connection is gone.
        Nothing is sent while the server is silent."""
        if self.closed.is_set():
            return False
        if self.silent:
            return True
        try:
            with self.send_lock:
                self.raw.send(message)
            return True
        except Exception:  # the client went away; the handler's loop ends on the next check
            self.closed.set()
            return False

    def recv(self, timeout: Optional[float] = None) -> Any:
        """The next message, or None on timeout. Raises EOFError once closed."""
        try:
            return self.raw.recv(timeout=timeout)
        except TimeoutError:
            return None
        except Exception:
            self.closed.set()
            raise EOFError from None


@dataclass
class WsRoute:
    """A feed served under a path prefix."""

    prefix: str
    serve: Callable[[WsConnection], None]
    authorize: Callable[[str, Dict[str, List[str]]], Optional[int]] = lambda path, query: None


class WsServer:
    """A websocket server on 127.0.0.1 at a free port, feeds routed by path."""

    def __init__(self, *, port: int = 0) -> None:
        from websockets.sync.server import serve

        self.routes: List[WsRoute] = []
        self._conns: Set[WsConnection] = set()
        self._lock = threading.Lock()
        self._silent: Set[str] = set()
        self.connections_made = 0
        self._server = serve(self._handle, "127.0.0.1", port, process_request=self._check,
                             ping_interval=None, compression=None, max_size=2 ** 22)
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}"

    def add(self, route: WsRoute) -> None:
        self.routes.append(route)

    def _route(self, path: str) -> Optional[WsRoute]:
        return next((r for r in self.routes if path.startswith(r.prefix)), None)

    def _check(self, connection: Any, request: Any) -> Any:
        split = urlsplit(request.path)
        route = self._route(split.path)
        status = 404 if route is None else route.authorize(split.path, parse_qs(split.query))
        if status is None:
            return None
        return connection.respond(HTTPStatus(status), f"{HTTPStatus(status).phrase}\n")

    def _handle(self, raw: Any) -> None:
        split = urlsplit(raw.request.path)
        route = self._route(split.path)
        if route is None:
            return
        conn = WsConnection(raw, self, split.path, parse_qs(split.query))
        with self._lock:
            self._conns.add(conn)
            self.connections_made += 1
        try:
            route.serve(conn)
        except EOFError:
            pass
        finally:
            conn.closed.set()
            with self._lock:
                self._conns.discard(conn)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="sandbox-ws", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.drop_all()
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- switches -----------------------------------------------------------------------
    def connections(self, prefix: str = "") -> List[WsConnection]:
        with self._lock:
            return [c for c in self._conns if c.path.startswith(prefix) and not c.closed.is_set()]

    def drop_all(self, prefix: str = "") -> int:
        """Cut every connection under ``prefix`` without a close frame. Returns how many."""
        dropped = 0
        for conn in self.connections(prefix):
            conn.closed.set()
            try:
                conn.raw.socket.shutdown(2)
            except OSError:
                pass
            dropped += 1
        return dropped

    def go_silent(self, prefix: str = "", silent: bool = True) -> None:
        """Stop (or resume) sending anything on connections under ``prefix``."""
        with self._lock:
            (self._silent.add if silent else self._silent.discard)(prefix)

    def is_silent(self, path: str) -> bool:
        with self._lock:
            return any(path.startswith(p) for p in self._silent)
