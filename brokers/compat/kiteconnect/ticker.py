"""``kiteconnect.KiteTicker`` on :class:`~brokers.kite.KiteFeed`: no Twisted, restartable,
with KiteFeed's reconnects, watchdog and resubscription."""

from __future__ import annotations

import json
import logging
import ssl
from typing import Any, Callable, Dict, Iterable, Optional

from ...errors import BrokerError
from ...kite import KiteFeed
from ...kite import codec as kite_codec
from .. import _targets

__all__ = ["KiteTicker"]

log = logging.getLogger(__name__)

Handler = Optional[Callable[..., Any]]


class _WsOptions:
    """websocket-client as KiteFeed uses it, with ``run_forever`` given the SSL and
    proxy options of :meth:`KiteTicker.connect` (the feed passes none of its own)."""

    def __init__(self, module: Any, options: Dict[str, Any]) -> None:
        self._module = module
        self._options = options

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def WebSocketApp(self, *args: Any, **kw: Any) -> Any:  # noqa: N802 - websocket-client's name
        app = self._module.WebSocketApp(*args, **kw)
        run, options = app.run_forever, self._options

        def run_forever(**run_kw: Any) -> Any:
            return run(**dict(options, **run_kw))

        app.run_forever = run_forever
        return app


class KiteTicker:
    """``kiteconnect.KiteTicker``: the same constructor, callbacks (with the ticker as
    ``ws``), methods and constants.

    Callbacks: ``on_ticks(ws, ticks)``, ``on_connect(ws, response)``, ``on_open(ws)``,
    ``on_close(ws, code, reason)``, ``on_error(ws, code, reason)``,
    ``on_reconnect(ws, attempts_count)``, ``on_noreconnect(ws)``,
    ``on_order_update(ws, data)``, ``on_message(ws, payload, is_binary)``. They run on
    the feed's dispatcher thread; one that raises is logged and reported to
    ``on_error`` and the ticker goes on.

    Differences from kiteconnect, on purpose: ``response`` in ``on_connect`` is None
    (there is no autobahn response object); tick datetimes are IST wall-clock times
    whatever the machine's zone; the ticker can be connected again after
    :meth:`close` or :meth:`stop`; subscriptions made before connecting are sent once
    connected; ``on_message`` sees no 1-byte heartbeats, and a text payload is the
    message re-encoded as JSON bytes.

    Example::

        from brokers.compat.kiteconnect import KiteTicker

        kws = KiteTicker(api_key, access_token)

        def on_ticks(ws, ticks):
            print(ticks)

        def on_connect(ws, response):
            ws.subscribe([738561, 5633])
            ws.set_mode(ws.MODE_FULL, [738561])

        kws.on_ticks = on_ticks
        kws.on_connect = on_connect
        kws.connect(threaded=True)
    """

    EXCHANGE_MAP = {"nse": 1, "nfo": 2, "cds": 3, "bse": 4, "bfo": 5, "bcd": 6, "mcx": 7, "mcxsx": 8,
                    "indices": 9, "nco": 12, "bsecds": 6}
    CONNECT_TIMEOUT = 30
    RECONNECT_MAX_DELAY = 60
    RECONNECT_MAX_TRIES = 50
    ROOT_URI = "wss://ws.kite.trade"
    MODE_FULL, MODE_QUOTE, MODE_LTP = "full", "quote", "ltp"
    _minimum_reconnect_max_delay = 5
    _maximum_reconnect_max_tries = 300

    def __init__(self, api_key: str, access_token: str, debug: bool = False, root: Optional[str] = None,
                 reconnect: bool = True, reconnect_max_tries: int = RECONNECT_MAX_TRIES,
                 reconnect_max_delay: float = RECONNECT_MAX_DELAY, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        if reconnect_max_tries > self._maximum_reconnect_max_tries:
            log.warning("`reconnect_max_tries` can not be more than %s. Setting to highest possible value - %s.",
                        self._maximum_reconnect_max_tries, self._maximum_reconnect_max_tries)
            reconnect_max_tries = self._maximum_reconnect_max_tries
        if reconnect_max_delay < self._minimum_reconnect_max_delay:
            log.warning("`reconnect_max_delay` can not be less than %s. Setting to lowest possible value - %s.",
                        self._minimum_reconnect_max_delay, self._minimum_reconnect_max_delay)
            reconnect_max_delay = self._minimum_reconnect_max_delay
        self.api_key = api_key
        self.debug = debug
        self.reconnect_max_tries = reconnect_max_tries
        self.reconnect_max_delay = reconnect_max_delay
        self.connect_timeout = connect_timeout
        url = root or _targets.urls("kite_feed").get("url") or self.ROOT_URI
        self.root = url
        self.feed = KiteFeed(api_key=api_key, access_token=access_token, url=url, reconnect=reconnect,
                             max_retries=reconnect_max_tries, max_delay=reconnect_max_delay,
                             connect_timeout=connect_timeout)
        if debug:
            logging.getLogger("brokers").setLevel(logging.DEBUG)
        self.ws: Optional[KiteTicker] = None
        self.on_ticks: Handler = None
        self.on_open: Handler = None
        self.on_close: Handler = None
        self.on_error: Handler = None
        self.on_connect: Handler = None
        self.on_message: Handler = None
        self.on_reconnect: Handler = None
        self.on_noreconnect: Handler = None
        self.on_order_update: Handler = None
        feed = self.feed
        feed.on_connect = self._connected
        feed.on_close = lambda _f, code, reason: self._call("on_close", self, code, reason)
        feed.on_error = self._error
        feed.on_reconnect = lambda _f, attempt: self._call("on_reconnect", self, attempt)
        feed.on_noreconnect = lambda _f: self._call("on_noreconnect", self)
        feed.on_tick = self._ticks
        feed.on_order_update = self._order
        feed.on_message = self._text

    # -- callbacks ---------------------------------------------------------------------------
    def _call(self, name: str, *args: Any) -> None:
        handler = getattr(self, name)
        if handler is not None:
            handler(*args)

    def _connected(self, _feed: Any) -> None:
        self.ws = self
        self._call("on_connect", self, None)
        self._call("on_open", self)

    def _error(self, _feed: Any, error: BaseException) -> None:
        if isinstance(error, BrokerError):
            code = error.status if isinstance(error.status, int) else 0
            reason: Any = error.message
        else:
            code, reason = 0, str(error)
        log.error("Connection error: %s - %s", code, reason)
        self._call("on_error", self, code, reason)

    def _ticks(self, _feed: Any, data: Any) -> None:
        if isinstance(data, (bytes, bytearray)):  # raw frames: on_message is set
            self._call("on_message", self, bytes(data), True)
            if self.on_ticks is not None:
                self.on_ticks(self, kite_codec.parse_binary(data))
        elif self.on_ticks is not None:
            self.on_ticks(self, data)

    def _order(self, _feed: Any, data: Dict[str, Any]) -> None:
        if self.on_message is not None:
            self.on_message(self, json.dumps({"type": "order", "data": data}).encode(), False)
        self._call("on_order_update", self, data)

    def _text(self, _feed: Any, data: Any) -> None:
        if self.on_message is not None:
            payload = data.encode() if isinstance(data, str) else json.dumps(data).encode()
            self.on_message(self, payload, False)

    # -- connection --------------------------------------------------------------------------
    def connect(self, threaded: bool = False, disable_ssl_verification: bool = False,
                proxy: Optional[Dict[str, Any]] = None) -> None:
        """Connect; block until the ticker is closed unless ``threaded`` (Ctrl-C ends a
        blocking one cleanly, as Twisted's reactor does).

        Args:
            threaded: return at once, the ticker running on its threads.
            disable_ssl_verification: do not check the server's certificate.
            proxy: ``{"host": ..., "port": ...}`` of an HTTP proxy.
        """
        options: Dict[str, Any] = {}
        if disable_ssl_verification:
            options["sslopt"] = {"cert_reqs": ssl.CERT_NONE, "check_hostname": False}
        if proxy:
            options.update(http_proxy_host=proxy.get("host"), http_proxy_port=proxy.get("port"),
                           proxy_type="http")
        module = getattr(self.feed, "_ws", None)
        if options and module is not None:
            self.feed._ws = _WsOptions(getattr(module, "_module", module), options)
        # kiteconnect's on_message sees every binary frame: ask the feed for raw frames then.
        self.feed.parse_data = self.on_message is None
        if threaded:
            self.feed.connect(threaded=True)
            return
        try:
            self.feed.connect(threaded=False)
        except KeyboardInterrupt:
            log.info("KiteTicker: interrupted, closed")

    def is_connected(self) -> bool:
        return bool(self.feed.connected)

    def close(self, code: Optional[int] = None, reason: Optional[str] = None) -> None:
        """Close the connection and stop reconnecting (``code``/``reason`` are accepted
        for kiteconnect's signature; the close frame is the feed's normal one)."""
        self.feed.close()

    def stop(self) -> None:
        """Stop the ticker for good (kiteconnect stops Twisted's reactor); a blocking
        :meth:`connect` returns."""
        self.feed.close()

    def stop_retry(self) -> None:
        """Do not reconnect after the next drop."""
        self.feed.stop_retry()

    # -- subscriptions -----------------------------------------------------------------------
    @property
    def subscribed_tokens(self) -> Dict[int, str]:
        """``instrument_token -> mode``, as kiteconnect keeps it."""
        return self.feed.subscribed_tokens

    def subscribe(self, instrument_tokens: Iterable[int]) -> bool:
        """Subscribe (quote mode); remembered and replayed after reconnects. True."""
        self.feed.subscribe(list(instrument_tokens))
        return True

    def unsubscribe(self, instrument_tokens: Iterable[int]) -> bool:
        self.feed.unsubscribe(list(instrument_tokens))
        return True

    def set_mode(self, mode: str, instrument_tokens: Iterable[int]) -> bool:
        self.feed.set_mode(mode, list(instrument_tokens))
        return True

    def resubscribe(self) -> None:
        """Send every subscription with its mode again (done after each reconnect)."""
        self.feed.resubscribe()

    def __repr__(self) -> str:
        return f"<kiteconnect KiteTicker on {self.feed!r}>"


