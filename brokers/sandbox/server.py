"""The sandbox's HTTP machinery: a loopback server, a tiny router, fault switches.

Broker modules (``sandbox/kite.py``, ...) register routes on a :class:`Router`;
:class:`HttpServer` serves them on ``127.0.0.1`` at a free port, one thread per
connection, HTTP/1.1 keep-alive. :class:`Faults` holds the switches that tests
use to make the next calls fail, drop or stall.
"""

from __future__ import annotations

import collections
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Deque, Dict, List, Optional, Pattern, Sequence, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["CallWindows", "Faults", "HttpServer", "Request", "Response", "Router"]


@dataclass
class Request:
    """One request as a route handler sees it."""

    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    body: bytes
    params: Dict[str, str] = field(default_factory=dict)  # from the route pattern

    def arg(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """A query-string value (the first one)."""
        values = self.query.get(name)
        return values[0] if values else default

    @property
    def form(self) -> Dict[str, str]:
        """The form-encoded body, one value per key."""
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}

    @property
    def form_lists(self) -> Dict[str, List[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8") or "null")

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())


@dataclass
class Response:
    """What a route handler returns."""

    status: int = 200
    body: Any = None  # dict/list -> JSON; str -> text; bytes -> as is
    content_type: Optional[str] = None
    headers: Dict[str, str] = field(default_factory=dict)

    def encode(self) -> Tuple[bytes, str]:
        if isinstance(self.body, (bytes, bytearray)):
            return bytes(self.body), self.content_type or "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), self.content_type or "text/plain; charset=utf-8"
        return json.dumps(self.body, default=str).encode("utf-8"), self.content_type or "application/json"


Handler = Callable[[Request], Response]


class Router:
    """Routes ``METHOD /path/{name}`` patterns to handlers."""

    def __init__(self) -> None:
        self._routes: List[Tuple[str, Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern.rstrip("/") or "/")
        self._routes.append((method.upper(), re.compile(f"^{regex}/?$"), handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.add(method, pattern, fn)
            return fn
        return deco

    def match(self, method: str, path: str) -> Tuple[Optional[Handler], Dict[str, str], bool]:
        """(handler, params, path_known)."""
        known = False
        for m, regex, handler in self._routes:
            hit = regex.match(path)
            if hit:
                known = True
                if m == method:  # path parameters arrive percent-encoded, as on a real server
                    return handler, {k: unquote(v) for k, v in hit.groupdict().items()}, True
        return None, {}, known


@dataclass
class _Fault:
    kind: str  # "fail" | "drop" | "stall"
    remaining: int
    prefix: str
    status: int = 503
    body: Any = None
    content_type: Optional[str] = None
    seconds: float = 0.0
    headers: Dict[str, str] = field(default_factory=dict)


class Faults:
    """Switches that make the next calls misbehave. Thread-safe.

    Each switch applies to the next ``n`` requests whose path starts with
    ``path`` (default: every request).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: List[_Fault] = []
        self.released = threading.Event()

    def fail_next(self, n: int = 1, status: int = 503, *, path: str = "", body: Any = None,
                  content_type: Optional[str] = None, headers: Optional[Dict[str, str]] = None) -> None:
        """Answer the next ``n`` matching requests with ``status`` and ``body``
        (default: an HTML error page, as a gateway would send)."""
        if body is None:
            body = f"<html><body><h1>{status} Bad Gateway</h1></body></html>"
            content_type = content_type or "text/html"
        with self._lock:
            self._faults.append(_Fault("fail", n, path, status=status, body=body,
                                       content_type=content_type, headers=dict(headers or {})))

    def drop_next(self, n: int = 1, *, path: str = "", after: bool = False) -> None:
        """Read the next ``n`` matching requests and close the connection without
        answering. With ``after=True`` the request is first carried out (an order
        is placed) and only the answer is lost."""
        with self._lock:
            self._faults.append(_Fault("drop-after" if after else "drop", n, path))

    def stall_next(self, n: int = 1, seconds: float = 30.0, *, path: str = "") -> None:
        """Wait ``seconds`` before carrying out the next ``n`` matching requests
        (long enough to trip a client's read timeout)."""
        with self._lock:
            self._faults.append(_Fault("stall", n, path, seconds=seconds))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> Optional[_Fault]:
        with self._lock:
            for f in self._faults:
                if path.startswith(f.prefix) and f.remaining > 0:
                    f.remaining -= 1
                    if f.remaining == 0:
                        self._faults.remove(f)
                    return f
        return None


class CallWindows:
    """The broker's side of a rate limit: calls per key in sliding windows. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Dict[Any, Deque[float]] = collections.defaultdict(collections.deque)

    def admit(self, key: Any, windows: Sequence[Tuple[int, float]]) -> bool:
        """Count a call for ``key`` and return True, or return False (answer 429) when
        any ``(calls, seconds)`` window already holds ``calls`` calls."""
        now = time.monotonic()
        longest = max(seconds for _, seconds in windows)
        with self._lock:
            q = self._calls[key]
            while q and now - q[0] >= longest:
                q.popleft()
            for calls, seconds in windows:
                if sum(1 for t in q if now - t < seconds) >= calls:
                    return False
            q.append(now)
            return True

    def reset(self) -> None:
        """Forget every counted call."""
        with self._lock:
            self._calls.clear()


@dataclass
class Logged:
    method: str
    path: str
    status: int
    time: float


class HttpServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 that serves a :class:`Router`."""

    def __init__(self, router: Router, faults: Faults, *, port: int = 0) -> None:
        self.router = router
        self.faults = faults
        self.log: List[Logged] = []
        self._log_lock = threading.Lock()
        server = self

        class _Handler(_RequestHandler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        port = self._httpd.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="sandbox-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.faults.released.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def record(self, method: str, path: str, status: int) -> None:
        with self._log_lock:
            self.log.append(Logged(method, path, status, time.monotonic()))


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment; with Nagle on, keep-alive responses
    # would wait for the client's delayed ACK (~40 ms each).
    disable_nagle_algorithm = True
    wbufsize = -1
    owner: HttpServer

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr lines
        pass

    def _serve(self) -> None:
        owner = self.owner
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        method = self.command
        fault = owner.faults.take(split.path)
        if fault is not None and fault.kind == "stall":
            owner.faults.released.wait(fault.seconds)
        if fault is not None and fault.kind == "drop":
            owner.record(method, split.path, 0)
            self._drop()
            return
        if fault is not None and fault.kind == "fail":
            response = Response(fault.status, fault.body, fault.content_type, fault.headers)
        else:
            handler, params, known = owner.router.match(method, split.path)
            request = Request(method, split.path, parse_qs(split.query, keep_blank_values=True),
                              {k.lower(): v for k, v in self.headers.items()}, body, params)
            if handler is None:
                status = 405 if known else 404
                response = Response(status, {"status": "error", "message": "Route not found",
                                             "error_type": "GeneralException"})
            else:
                try:
                    response = handler(request)
                except Exception as e:  # a sandbox bug must show up as a 500, not a hung socket
                    response = Response(500, {"status": "error", "message": f"sandbox error: {e!r}",
                                              "error_type": "GeneralException"})
        owner.record(method, split.path, response.status)
        if fault is not None and fault.kind == "drop-after":
            self._drop()
            return
        payload, ctype = response.encode()
        self.send_response(response.status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for k, v in response.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(payload)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve
