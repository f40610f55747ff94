"""What fyers_apiv3's two sockets share, on one of our feeds: callbacks of one
argument, ``connect`` that returns once connected, ``keep_running``,
``close_connection``, and printing when a callback is missing (as fyers does)."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Dict, Optional

from .... import errors

log = logging.getLogger(__name__)

CLOSED = {"code": 200, "message": "Connection Closed", "s": "ok"}


def error_message(error: BaseException) -> Any:
    """What fyers passes to ``on_error``: its dict for a refusal the server sent, else
    the exception itself (fyers passes websocket-client's exceptions through)."""
    if isinstance(error, errors.BrokerError):
        if error.code == 11001:
            return {"type": "cn", "code": 11001, "message": "Authentication failed", "s": "error"}
        return {"code": error.code if error.code is not None else -99, "message": error.message, "s": "error"}
    return error


class SocketAdapter:
    """Holds the feed and the user's callbacks; subclasses wire the feed's handlers."""

    feed: Any

    def __init__(self, write_to_file: Optional[bool], on_error: Optional[Callable[..., Any]],
                 on_connect: Optional[Callable[..., Any]], on_close: Optional[Callable[..., Any]]) -> None:
        self.write_to_file = bool(write_to_file)
        self.OnError = on_error
        self.OnOpen = on_connect
        self.OnClose = on_close
        self._stopped = threading.Event()
        self._stopped.set()
        self._keeper: Optional[threading.Thread] = None
        self._setup_error: Optional[Dict[str, Any]] = None

    # -- callbacks, as fyers calls them ------------------------------------------------------
    def _say(self, prefix: str, message: Any) -> None:
        if self.write_to_file:  # fyers writes these to its log file; we log them
            log.debug("%s%s", prefix, message)
        else:
            print(f"{prefix}{message}")

    def On_error(self, message: Any) -> None:  # noqa: N802 - fyers' name
        if self.OnError is not None:
            self.OnError(message)
        else:
            self._say("Error: ", message)

    def on_open(self) -> None:
        if self.OnOpen:
            self.OnOpen()

    def on_close(self, message: Dict[str, Any]) -> None:
        if self.OnClose:
            self.OnClose(message)
        else:
            self._say("Response: ", message)

    def _wire_common(self) -> None:
        self.feed.on_connect = lambda feed: self.on_open()
        self.feed.on_error = lambda feed, e: self.On_error(error_message(e))
        self.feed.on_noreconnect = lambda feed: self._finished()

    def _finished(self) -> None:
        if not self._stopped.is_set():
            self._stopped.set()
            self.on_close(dict(CLOSED))

    # -- lifecycle ---------------------------------------------------------------------------
    def connect(self) -> None:
        """Connect (on the feed's threads) and return once connected or refused.
        ``on_connect()`` is called on each (re)connection."""
        if self._setup_error is not None:
            self.On_error(dict(self._setup_error))
            return
        if self.feed.running:
            return
        self._stopped.clear()
        ready = threading.Event()
        previous = self.feed.on_connect, self.feed.on_noreconnect

        def opened(feed: Any) -> None:
            ready.set()
            previous[0](feed)

        def gave_up(feed: Any) -> None:
            ready.set()
            previous[1](feed)

        self.feed.on_connect, self.feed.on_noreconnect = opened, gave_up
        try:
            self.feed.connect(threaded=True)
            ready.wait(self.feed.connect_timeout + 5)
        finally:
            self.feed.on_connect, self.feed.on_noreconnect = previous
        # fyers' socket thread keeps a script alive (not a daemon unless write_to_file)
        self._keeper = threading.Thread(target=self._stopped.wait, name="fyers-socket", daemon=self.write_to_file)
        self._keeper.start()

    def keep_running(self) -> None:
        """Keep the process alive until :meth:`close_connection` (a non-daemon thread)."""
        keeper = threading.Thread(target=self._stopped.wait, name="fyers-keep-running")
        keeper.start()

    def stop_running(self) -> None:
        """Let :meth:`keep_running`'s thread end (the socket stays as it is)."""
        self._stopped.set()

    def close_connection(self) -> None:
        """Close the socket; ``on_close({"code": 200, "message": "Connection Closed", "s": "ok"})``."""
        was_running = self.feed.running
        self.feed.close()
        if was_running:
            self._finished()
        self._stopped.set()

    def is_connected(self) -> bool:
        return bool(self.feed.connected)
