"""KiteFeed: Kite's live ticker (KiteConnect or Kite Web) on a background thread.

Built on :class:`brokers.core.feed.FeedThread` (reconnects with backoff, pings
and a silence watchdog, subscriptions replayed with their modes after every
reconnect, handlers off the socket thread) and :mod:`brokers.kite.codec` (the
tick dicts are kiteconnect's ``KiteTicker`` ones, with IST datetimes).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Type, TypeVar, Union
from urllib.parse import quote

from ..__version__ import __version__
from ..core.feed import FeedThread
from ..core.redact import register
from ..errors import BrokerError
from ..symbols import SymbolMaster
from ..symbols.resolve import feed_tokens
from . import codec

__all__ = ["KiteFeed"]

log = logging.getLogger(__name__)

WEB_API_KEY = "kitefront"
CONNECT_URL = "wss://ws.kite.trade"
WEB_URL = "wss://ws.zerodha.com"
WEB_VERSION = "3.0.0"
MAX_TOKENS = 3000  # per connection, Kite's documented limit
BATCH = 500  # tokens per subscribe message, to keep each message small
_USER_ID = re.compile(r"[A-Za-z]{2,4}\d{2,6}")  # a Kite user id, e.g. AB1234
_K = TypeVar("_K", bound="KiteFeed")


class KiteFeed(FeedThread["KiteFeed"]):
    """Kite's websocket ticker: ticks in ltp/quote/full mode and order updates.

    Log in as a KiteConnect app (``api_key`` + ``access_token``, to
    ``wss://ws.kite.trade``) or as Kite Web (``user_id`` + ``enctoken``, to
    ``wss://ws.zerodha.com``). Handlers are attributes, each called on the
    feed's dispatcher thread with the feed first:

    - ``on_tick(feed, ticks)``: a list of tick dicts (or the raw frame with
      ``parse_data=False``; parse it later with :func:`brokers.kite.codec.parse_binary`).
      A frame cut short still delivers every packet before the cut; the damage
      goes to ``on_error`` as a ``ValueError``.
    - ``on_order_update(feed, order)``: the postback-shaped order dict
    - ``on_message(feed, message)``: other text messages (decoded JSON, or the text)
    - ``on_connect(feed)``, ``on_close(feed, code, reason)``, ``on_error(feed, error)``,
      ``on_reconnect(feed, attempt)``, ``on_noreconnect(feed)``

    Args:
        api_key: the KiteConnect app's key; ``"kitefront"`` (the default) means Kite Web.
        user_id: the Kite user id (Kite Web).
        enctoken: the Kite Web session token.
        access_token: the KiteConnect access token.
        url: replaces the host (e.g. the sandbox's ``ws://127.0.0.1:port/kite/ws``).
        parse_data: parse binary frames into tick dicts (True) or pass them raw.
        reconnect, max_retries, max_delay: reconnect policy (see ``FeedThread``).
        **timings: ``initial_delay``, ``stable_after``, ``ping_interval``,
            ``ping_timeout``, ``watchdog`` (default 5 s here: Kite sends a heartbeat
            about every second), ``connect_timeout``, ``max_backlog``
            (see :class:`~brokers.core.feed.FeedThread`).

    Raises:
        ValueError: credentials missing or contradictory (an enctoken without a
            user_id, an access_token with the ``kitefront`` key, both tokens, neither).
        ImportError: websocket-client is missing (``pip install brokers[feed]``).

    Example::

        feed = KiteFeed(user_id="AB1234", enctoken=kite.enctoken)
        feed.on_tick = lambda feed, ticks: print(ticks)
        feed.on_connect = lambda feed: feed.subscribe([408065])
        feed.connect(threaded=True)   # returns at once; feed.close() stops it
    """

    #: Set to ``kite.master()`` to subscribe by symbol (``feed.subscribe(["NSE:INFY"])``).
    master: Optional[SymbolMaster] = None

    broker = "kite"
    MODE_LTP = codec.MODE_LTP
    MODE_QUOTE = codec.MODE_QUOTE
    MODE_FULL = codec.MODE_FULL

    def __init__(
        self,
        api_key: str = WEB_API_KEY,
        user_id: Optional[str] = None,
        enctoken: Optional[str] = None,
        access_token: Optional[str] = None,
        *,
        url: Optional[str] = None,
        parse_data: bool = True,
        reconnect: bool = True,
        max_retries: int = 50,
        max_delay: float = 60.0,
        **timings: Any,
    ) -> None:
        if (user_id and not enctoken and not access_token and api_key != WEB_API_KEY
                and not _USER_ID.fullmatch(str(user_id))):
            # KiteTicker's positional order, KiteFeed(api_key, access_token): the second
            # argument is then a KiteConnect access token, not a user id ("AB1234").
            user_id, access_token = None, user_id
        if enctoken and access_token:
            raise ValueError("pass either enctoken (Kite Web) or access_token (KiteConnect), not both")
        if enctoken:
            if not user_id:
                raise ValueError("enctoken needs user_id (Kite Web logs in with both)")
            if api_key != WEB_API_KEY:
                raise ValueError(f"enctoken is for Kite Web, whose api_key is {WEB_API_KEY!r}; "
                                 "a KiteConnect app needs access_token")
        elif access_token:
            if not api_key or api_key == WEB_API_KEY:
                raise ValueError("access_token needs your KiteConnect app's api_key")
        else:
            raise ValueError("pass user_id and enctoken (Kite Web) or api_key and access_token (KiteConnect)")
        timings.setdefault("watchdog", 5.0)  # Kite sends a heartbeat every second or so
        super().__init__(reconnect=reconnect, max_retries=max_retries, max_delay=max_delay, **timings)
        register(enctoken, access_token)
        self.api_key = api_key
        self.user_id = user_id
        self._enctoken = enctoken
        self._access_token = access_token
        self.root = (url or (WEB_URL if enctoken else CONNECT_URL)).rstrip("/")
        self.parse_data = parse_data
        self.on_tick: Optional[Callable[[KiteFeed, Any], object]] = None
        self.on_order_update: Optional[Callable[[KiteFeed, Dict[str, Any]], object]] = None
        self.on_message: Optional[Callable[[KiteFeed, Any], object]] = None
        self._modes: Dict[int, str] = {}
        self._modes_lock = threading.Lock()

    @classmethod
    def from_kite(cls: Type[_K], kite: Any, **options: Any) -> _K:
        """A feed with the credentials of a logged-in :class:`~brokers.kite.Kite` client,
        whichever kind its session is (Kite Web or KiteConnect).

        Args:
            kite: an authorized client.
            **options: any other KiteFeed argument (``url``, ``parse_data``, timings).

        Raises:
            ValueError: the client has no session yet (call ``authorize()`` first).

        Example::

            feed = KiteFeed.from_kite(kite)
        """
        if kite.enctoken:
            return cls(user_id=kite.user_id, enctoken=kite.enctoken, **options)
        if kite.access_token:
            return cls(api_key=kite.api_key, access_token=kite.access_token, **options)
        raise ValueError("the Kite client has no session: call kite.authorize() first")

    @property
    def web(self) -> bool:
        """True for a Kite Web (enctoken) feed."""
        return self._enctoken is not None

    def set_access_token(self, access_token: Optional[str] = None, enctoken: Optional[str] = None) -> None:
        """Use a new token from the next (re)connect on, e.g. after logging in again
        once a refused handshake made the feed give up (then call :meth:`connect`).

        Raises:
            ValueError: the token kind does not match the feed's login kind.
        """
        register(access_token, enctoken)
        if self.web and enctoken:
            self._enctoken = enctoken
        elif not self.web and access_token:
            self._access_token = access_token
        else:
            raise ValueError("pass enctoken for a Kite Web feed, access_token for a KiteConnect one")

    # -- FeedThread hooks ---------------------------------------------------------------
    def _url(self) -> str:
        sep = "&" if "?" in self.root else "?"
        if self.web:
            query = (f"api_key={WEB_API_KEY}&user_id={quote(self.user_id or '', safe='')}"
                     f"&enctoken={quote(self._enctoken or '', safe='')}&uid={int(time.time() * 1000)}"
                     f"&user-agent=kite3-web&version={WEB_VERSION}")
        else:
            query = (f"api_key={quote(self.api_key, safe='')}"
                     f"&access_token={quote(self._access_token or '', safe='')}")
        return self.root + sep + query

    def _headers(self) -> Dict[str, str]:
        return {"X-Kite-Version": "3", "User-Agent": f"brokers-python/{__version__}"}

    def _on_open(self) -> None:
        # Replay every subscription with its mode, grouped by mode (as kiteconnect's
        # resubscribe does); on the first connect this sends what was subscribed early.
        groups: Dict[str, List[int]] = {}
        with self._modes_lock:
            for token, mode in self._modes.items():
                groups.setdefault(mode, []).append(token)
        for mode, tokens in groups.items():
            self._send_tokens("subscribe", tokens)
            self._send_tokens("mode", tokens, mode)

    # -- kiteconnect's KiteTicker spellings, so its code moves over -----------------------
    @property
    def on_ticks(self) -> Optional[Callable[[KiteFeed, Any], object]]:
        """KiteTicker's name for :attr:`on_tick` (same ``(feed, ticks)`` arguments)."""
        return self.on_tick

    @on_ticks.setter
    def on_ticks(self, handler: Optional[Callable[[KiteFeed, Any], object]]) -> None:
        self.on_tick = handler

    def resubscribe(self) -> None:
        """Send every remembered subscription with its mode again (done by itself
        after each reconnect)."""
        self._on_open()

    def stop_retry(self) -> None:
        """Do not reconnect after the next drop."""
        self.reconnect = False

    def stop(self) -> None:
        """KiteTicker's name for :meth:`close` (there is no reactor to stop)."""
        self.close()

    def _decode(self, frame: Union[bytes, str]) -> None:
        if isinstance(frame, str):
            kind, data = codec.parse_text(frame)
            if kind == "order":
                self._emit("on_order_update", self, data)
            elif kind == "error":
                self._report(BrokerError(str(data), broker="kite", code="error"))
            else:
                self._emit("on_message", self, data)
        elif len(frame) > 4:  # shorter frames are heartbeats (or empty), as in kiteconnect
            if self.parse_data:
                damage: List[ValueError] = []
                ticks = codec.parse_binary(frame, damage)
                if ticks:
                    self._emit("on_tick", self, ticks)
                for error in damage:  # the packets before the damage were delivered above
                    log.warning("kite feed: %s", error)
                    self._report(error)
            else:
                self._emit("on_tick", self, frame)

    # -- subscriptions ------------------------------------------------------------------
    @property
    def subscribed_tokens(self) -> Dict[int, str]:
        """A copy of ``instrument_token -> mode`` for this feed."""
        with self._modes_lock:
            return dict(self._modes)

    def subscribe(self, instrument_tokens: Iterable[int]) -> bool:
        """Subscribe to tokens, in ``quote`` mode (Kite's default for new subscriptions).

        Remembered and replayed after every reconnect; before :meth:`connect` they
        are only remembered and sent once connected.

        Args:
            instrument_tokens: Kite instrument tokens (ints).

        Returns:
            True if sent now, False if only remembered (not connected).

        Raises:
            ValueError: a token is not an int, or more than 3000 tokens in total.
        """
        instrument_tokens = feed_tokens(self.master, instrument_tokens)  # symbols ("NSE:INFY") too, via feed.master
        tokens = _tokens(instrument_tokens)
        with self._modes_lock:
            if len(set(self._modes) | set(tokens)) > MAX_TOKENS:
                raise ValueError(f"Kite allows at most {MAX_TOKENS} tokens per connection")
            for t in tokens:
                self._modes[t] = self.MODE_QUOTE
        return self._send_tokens("subscribe", tokens)

    def unsubscribe(self, instrument_tokens: Iterable[int]) -> bool:
        """Stop receiving ticks for tokens. Returns True if sent now."""
        instrument_tokens = feed_tokens(self.master, instrument_tokens)  # symbols ("NSE:INFY") too, via feed.master
        tokens = _tokens(instrument_tokens)
        with self._modes_lock:
            for t in tokens:
                self._modes.pop(t, None)
        return self._send_tokens("unsubscribe", tokens)

    def set_mode(self, mode: str, instrument_tokens: Iterable[int]) -> bool:
        """Set the mode (``ltp``, ``quote`` or ``full``) of tokens; remembered per token.
        Tokens not subscribed yet are subscribed first.

        Returns:
            True if sent now, False if only remembered.

        Raises:
            ValueError: unknown mode or a token that is not an int.
        """
        instrument_tokens = feed_tokens(self.master, instrument_tokens)  # symbols ("NSE:INFY") too, via feed.master
        if mode not in (self.MODE_LTP, self.MODE_QUOTE, self.MODE_FULL):
            raise ValueError(f"mode must be 'ltp', 'quote' or 'full', not {mode!r}")
        tokens = _tokens(instrument_tokens)
        with self._modes_lock:
            if len(set(self._modes) | set(tokens)) > MAX_TOKENS:
                raise ValueError(f"Kite allows at most {MAX_TOKENS} tokens per connection")
            new = [t for t in tokens if t not in self._modes]
            for t in tokens:
                self._modes[t] = mode
        # A mode for a token not subscribed yet subscribes it too, so what the server
        # streams now matches what a reconnect replays.
        subscribed = self._send_tokens("subscribe", new) if new else True
        return self._send_tokens("mode", tokens, mode) and subscribed

    def _send_tokens(self, action: str, tokens: List[int], mode: Optional[str] = None) -> bool:
        if not tokens:
            return self.connected
        sent = True
        for i in range(0, len(tokens), BATCH):
            batch = tokens[i:i + BATCH]
            value: Any = [mode, batch] if action == "mode" else batch
            sent = self._send(json.dumps({"a": action, "v": value})) and sent
        return sent

    def __repr__(self) -> str:
        kind = f"web user_id={self.user_id}" if self.web else f"connect api_key={self.api_key}"
        state = "connected" if self.connected else "running" if self.running else "stopped"
        return f"<KiteFeed {kind} {state} tokens={len(self._modes)}>"


def _tokens(values: Iterable[int]) -> List[int]:
    if isinstance(values, int):
        values = [values]
    tokens = list(values)
    bad = [t for t in tokens if not isinstance(t, int) or isinstance(t, bool)]
    if bad:
        raise ValueError(f"instrument tokens must be ints, got {bad[:3]!r}")
    return tokens
