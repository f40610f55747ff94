"""``fyers_apiv3.FyersWebsocket.data_ws.FyersDataSocket`` on :class:`~brokers.fyers.FyersFeed`."""

from __future__ import annotations

from typing import Any, Callable, List, Optional

from ....fyers import FyersFeed
from ... import _targets
from ._socket import SocketAdapter

__all__ = ["FyersDataSocket"]


class FyersDataSocket(SocketAdapter):
    """Fyers' market data socket with ``fyers_apiv3``'s constructor and callbacks:
    ``on_message(message)`` gets each tick dict (and the control answers, e.g.
    ``{"type": "sub", "code": 200, "message": "Subscribed", "s": "ok"}``),
    ``on_error(message)``, ``on_connect()``, ``on_close(message)``.

    Differences: not a singleton (each call makes a new socket); no log file;
    reconnects with backoff up to ``reconnect_retry`` attempts.

    Example::

        from brokers.compat.fyers_apiv3.FyersWebsocket import data_ws

        def onopen():
            fyers.subscribe(symbols=["NSE:SBIN-EQ"], data_type="SymbolUpdate")
            fyers.keep_running()

        fyers = data_ws.FyersDataSocket(access_token=f"{client_id}:{token}", litemode=False,
                                        on_connect=onopen, on_message=print)
        fyers.connect()
    """

    def __init__(self, access_token: str, write_to_file: bool = False, log_path: Optional[str] = None,
                 litemode: bool = False, reconnect: bool = True, on_message: Optional[Callable[..., Any]] = None,
                 on_error: Optional[Callable[..., Any]] = None, on_connect: Optional[Callable[..., Any]] = None,
                 on_close: Optional[Callable[..., Any]] = None, reconnect_retry: int = 5) -> None:
        super().__init__(write_to_file, on_error, on_connect, on_close)
        self.log_path = log_path
        self.lite = litemode
        self.OnMessage = on_message
        self.max_reconnect_attempts = min(int(reconnect_retry), 50)
        try:
            self.feed = FyersFeed(access_token, litemode=litemode, reconnect=reconnect,
                                  max_retries=self.max_reconnect_attempts, **_targets.urls("fyers_feed"))
        except ValueError:
            # fyers reports a token it cannot read on on_error when connecting
            self._setup_error = {"type": "cn", "code": -300, "message": "Please provide valid token", "s": "error"}
            self.feed = _Idle()
            return
        self._wire_common()
        self.feed.on_tick = self._ticks
        self.feed.on_message = lambda feed, message: self.On_message(message)

    def _ticks(self, _feed: Any, ticks: List[Any]) -> None:
        for tick in ticks:
            self.On_message(tick)

    def On_message(self, message: Any) -> None:  # noqa: N802 - fyers' name
        if self.OnMessage is not None:
            self.OnMessage(message)
        else:
            self._say("Response:", message)

    def subscribe(self, symbols: List[str], data_type: str = "SymbolUpdate", channel: int = 11) -> None:
        """Subscribe symbols (``"SymbolUpdate"`` or ``"DepthUpdate"``) on ``channel``;
        kept and replayed after a reconnect. A bad symbol list goes to ``on_error``."""
        try:
            self.feed.subscribe(symbols, data_type=data_type, channel=channel)
        except ValueError as e:
            self.On_error({"code": -300, "message": str(e), "s": "error"})

    def unsubscribe(self, symbols: List[str], data_type: str = "SymbolUpdate", channel: int = 11) -> None:
        try:
            self.feed.unsubscribe(symbols, data_type=data_type, channel=channel)
        except ValueError as e:
            self.On_error({"code": -300, "message": str(e), "s": "error"})

    def channel_resume(self, channel: int) -> None:
        self.feed.channel_resume(channel)

    def channel_pause(self, channel: int) -> None:
        self.feed.channel_pause(channel)

    def __repr__(self) -> str:
        return f"<fyers_apiv3 FyersDataSocket on {self.feed!r}>"


class _Idle:
    """Stands in for the feed when the token could not be read (nothing ever connects)."""

    running = connected = False
    connect_timeout = 0.0

    def close(self) -> None:
        pass

    def subscribe(self, *a: Any, **k: Any) -> None:
        pass

    unsubscribe = channel_resume = channel_pause = subscribe
