"""Fyers' market data websocket (HSM binary) on a background thread: :class:`FyersFeed`
(the order socket is :class:`~brokers.fyers.order_feed.FyersOrder`).

A :class:`~brokers.core.feed.FeedThread` subclass (reconnect with backoff,
subscriptions replayed after every reconnect, handlers off the socket thread,
bounded :meth:`close`); the wire work is in :mod:`brokers.fyers.codec`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    TypeVar,
)

from .. import errors
from ..__version__ import __version__
from ..core.feed import FeedThread, Frame
from ..core.jwt import jwt_claims
from ..core.redact import register
from . import codec, routes
from . import validate as check
from .auth import split_token
from .hsm_book import HsmBook

__all__ = ["FyersFeed"]

log = logging.getLogger(__name__)

MAX_SYMBOLS = 5000  # per data connection (Fyers)
CHUNK = 1500  # topics per subscribe message, as fyers_apiv3 sends them
LOOKUP_CHUNK = 500  # symbols per /data/symbol-token call
DATA_TYPES = ("SymbolUpdate", "DepthUpdate")
_F = TypeVar("_F", bound="_FyersSocket[Any]")


def _split(access_token: str, client_id: Optional[str]) -> Tuple[Optional[str], str]:
    if not isinstance(access_token, str) or not access_token.strip():
        raise ValueError("access_token must be a non-empty string ('APPID:token' or the bare token)")
    return split_token(client_id, access_token.strip())


class _FyersSocket(FeedThread[_F]):
    """What both Fyers sockets share: fyers_apiv3's spelling of close()."""

    def close_connection(self) -> None:
        """Same as :meth:`close`."""
        self.close()


class FyersFeed(_FyersSocket["FyersFeed"]):
    """Fyers' market data socket (HSM binary protocol): ticks, depth and indices.

    Handlers are attributes, each called on the dispatcher thread with the feed first
    (the same names as :class:`~brokers.kite.KiteFeed`):

    - ``on_tick(feed, ticks)``: a list of tick dicts, shaped as ``fyers_apiv3``'s
      ``on_message`` ticks (``{"ltp", ..., "type": "sf"|"if"|"dp", "symbol"}``); a
      snapshot always gives a full tick, an update only when a value changed. A
      frame damaged part-way (a record cut short or of an unknown type) still
      delivers every record before the damage; the damage goes to ``on_error``
      as a ``ValueError``.
    - ``on_message(feed, message)``: control answers (``{"type": "sub", "code": 200,
      "message": "Subscribed", "s": "ok"}``) and server notices.
    - ``on_connect(feed)``, ``on_close(feed, code, reason)``, ``on_error(feed, error)``,
      ``on_reconnect(feed, attempt)``, ``on_noreconnect(feed)``.

    Args:
        access_token: ``"APPID:token"`` (as fyers_apiv3 takes it) or the bare token
            with ``client_id``.
        client_id: the app id, when the token has no ``APPID:`` prefix.
        litemode: ticks with ``ltp`` only (Fyers' lite mode).
        url: the socket URL (default ``wss://socket.fyers.in/hsm/v1-5/prod``).
        data_root, public_root: REST roots for the symbol -> token lookup.
        index_names: index symbol -> socket name, added to the built-in ones.
        client: a :class:`~brokers.fyers.Fyers` to do the symbol lookups with (sharing
            its session and rate limits); by default the feed makes its own.
        fytokens: symbol -> Fyers token, known in advance (e.g. from the symbol master:
            ``{r["symbol_ticker"]: r["fytoken"] for r in fyers.symbol_master("NSE_CM")}``);
            these symbols need no ``/data/symbol-token`` lookup.
        source: the client name sent at login.
        ping_every: seconds between Fyers' binary pings (0 disables them); the
            ``keepalive`` of :class:`~brokers.core.feed.FeedThread`.
        reconnect, max_retries, max_delay, **timings: see :class:`~brokers.core.feed.FeedThread`.
            The watchdog is off by default: a quiet market sends nothing for long
            stretches, and websocket pings already detect a dead connection.

    Raises:
        ValueError: no token, no app id, or a token that is not a Fyers JWT.

    Example::

        feed = FyersFeed(f"{client_id}:{token}")
        feed.on_tick = lambda feed, ticks: print(ticks)
        feed.on_connect = lambda feed: feed.subscribe(["NSE:SBIN-EQ", "NSE:NIFTY50-INDEX"])
        feed.connect(threaded=True)   # returns at once; feed.close() stops it
    """

    broker = "fyers"

    def __init__(
        self,
        access_token: str,
        *,
        client_id: Optional[str] = None,
        litemode: bool = False,
        url: str = routes.DATA_WS,
        data_root: str = routes.DATA_ROOT,
        public_root: str = routes.PUBLIC_ROOT,
        index_names: Optional[Dict[str, str]] = None,
        client: Any = None,
        fytokens: Optional[Mapping[str, str]] = None,
        source: str = f"brokers-py-{__version__}",
        ping_every: float = 10.0,
        reconnect: bool = True,
        max_retries: int = 50,
        max_delay: float = 60.0,
        **timings: Any,
    ) -> None:
        app, token = _split(access_token, client_id)
        if not app:
            raise ValueError("client_id is required: pass access_token='APPID:token' or client_id=...")
        claims = jwt_claims(token)
        if not claims.get("hsm_key"):
            raise ValueError("access_token is not a Fyers access token (its JWT has no hsm_key)")
        timings.setdefault("watchdog", None)
        timings.setdefault("keepalive", ping_every if ping_every > 0 else None)
        super().__init__(reconnect=reconnect, max_retries=max_retries, max_delay=max_delay, **timings)
        register(token, str(claims["hsm_key"]))
        self.client_id = app
        self._token = token
        self._hsm_key = str(claims["hsm_key"])
        self._exp = claims.get("exp")
        self.litemode = bool(litemode)
        self.url = url
        self.data_root = data_root
        self.public_root = public_root
        self.index_names = dict(codec.INDEX_NAMES, **(index_names or {}))
        self.source = source
        self.on_tick: Optional[Callable[[FyersFeed, List[Dict[str, Any]]], object]] = None
        self.on_message: Optional[Callable[[FyersFeed, Any], object]] = None
        self._subs_lock = threading.Lock()
        self._subs: Dict[str, Tuple[str, int]] = {}  # topic -> (symbol, channel)
        self._fytokens: Dict[str, str] = {str(k): str(v) for k, v in (fytokens or {}).items()}
        self._paused: Set[int] = set()
        self._book = HsmBook(lite=self.litemode)
        self._ack_every = 0
        self._since_ack = 0
        self._client: Any = client
        self._own_client = client is None
        self._names_fetched = False

    # -- FeedThread hooks -------------------------------------------------------------------
    def _url(self) -> str:
        return self.url

    def _headers(self) -> Dict[str, str]:
        return {"User-Agent": f"brokers-python/{__version__}"}

    def _on_open(self) -> None:
        # Log in, set the mode, and replay every pause and subscription (topic ids
        # are forgotten on the dispatcher side, in _on_connected).
        with self._subs_lock:
            subs = dict(self._subs)
            paused = set(self._paused)
        self._send(codec.auth_message(self._hsm_key, self.source))
        channels = sorted({c for _, c in subs.values()} | {codec.DEFAULT_CHANNEL})
        for channel in channels:
            self._send(codec.mode_message(channel, self.litemode))
        if paused:  # before the subscriptions, so that a paused channel stays quiet
            self._send(codec.pause_message(paused))
        by_channel: Dict[int, List[str]] = {}
        for topic, (_, channel) in subs.items():
            by_channel.setdefault(channel, []).append(topic)
        for channel, topics in sorted(by_channel.items()):
            self._send_topics(codec.subscribe_message, topics, channel)

    def _keepalive(self) -> None:
        self._send(codec.PING_FRAME)  # Fyers' binary ping, as its SDK sends every 10 s

    def _on_connected(self) -> None:
        # Between the old connection's last frame and the new one's first: forget the
        # old topic ids (the server numbers them afresh per connection).
        self._book.reset()
        self._since_ack = 0
        self._ack_every = 0

    def _decode(self, frame: Frame) -> None:
        if isinstance(frame, str):
            if frame.strip() != "pong":
                self._emit("on_message", self, frame)
            return
        kind = codec.frame_type(frame)
        if kind == codec.DATAFEED:
            damage: List[ValueError] = []
            number, ticks = self._book.feed(frame, damage)
            if self._ack_every:
                self._since_ack += 1
                if self._since_ack >= self._ack_every:
                    self._since_ack = 0
                    self._send(codec.ack_message(number))
            if ticks:
                self._emit("on_tick", self, ticks)
            for error in damage:  # the records before the damage were delivered above
                log.warning("fyers feed: %s", error)
                self._report(error)
            return
        control = codec.parse_control(frame)
        if kind == codec.AUTH:
            if not control.ok:
                # A refused login will be refused again: report it and stop.
                self._give_up(errors.TokenExpired("the data socket refused the token (auth failed); log in "
                                                  "again", broker=self.broker, code=11001))
                return
            self._ack_every = control.ack_count
            self._emit("on_message", self, {"type": "cn", "code": 200, "message": "Authentication done",
                                            "s": "ok"})
        elif kind == codec.CUSTOM:
            notice = control.notice()
            self._emit("on_message", self, dict(notice, type="msg", s="error" if notice["code"] else "ok"))
        elif kind in codec.CONTROL_ANSWERS:
            name, ok_text, fail_code = codec.CONTROL_ANSWERS[kind]
            if kind == codec.MODE:
                ok_text = "Lite Mode On" if self.litemode else "Full Mode On"
            if control.ok:
                self._emit("on_message", self, {"type": name, "code": 200, "message": ok_text, "s": "ok"})
            else:
                self._report(errors.BrokerError(f"{ok_text.lower()} failed", broker=self.broker, code=fail_code))

    # -- symbols -> topics ------------------------------------------------------------------
    def _lookup(self, symbols: List[str]) -> Tuple[Dict[str, str], List[str]]:
        """symbol -> fytoken for the symbols not cached yet, through ``/data/symbol-token``."""
        missing = [s for s in symbols if s not in self._fytokens]
        invalid: List[str] = []
        if missing:
            client = self._rest()
            for i in range(0, len(missing), LOOKUP_CHUNK):
                res = client.symbol_token(missing[i:i + LOOKUP_CHUNK])
                valid = res.get("validSymbol") or {}
                self._fytokens.update({str(k): str(v) for k, v in valid.items()})
                invalid += [str(s) for s in res.get("invalidSymbol") or []]
        return {s: self._fytokens[s] for s in symbols if s in self._fytokens}, invalid

    def _fetch_index_names(self) -> None:
        # The socket names indices by display name ("Nifty 50"); Fyers publishes the
        # map. Fetched once, on the first index we have no name for.
        self._names_fetched = True
        try:
            fetched = self._rest().index_names()
        except errors.BrokerError as e:
            log.warning("could not fetch Fyers' index names (%s); guessing from the symbol", e)
            return
        self.index_names = dict(fetched, **self.index_names)

    def _rest(self) -> Any:
        if self._client is None:
            from .client import Fyers

            self._client = Fyers(client_id=self.client_id, token=self._token, data_root=self.data_root,
                                 public_root=self.public_root)
        return self._client

    def _topics(self, symbols: Iterable[str], data_type: str) -> Dict[str, str]:
        items = check.symbols(list(symbols), "symbols")
        if data_type not in DATA_TYPES:
            raise ValueError(f"data_type must be 'SymbolUpdate' or 'DepthUpdate', got {data_type!r}")
        depth = data_type == "DepthUpdate"
        if depth:
            index = [s for s in items if s.endswith("-INDEX")]
            if index:
                raise ValueError(f"an index has no market depth: {', '.join(index)}")
        tokens, invalid = self._lookup(items)
        unnamed = [sym for sym in tokens if sym.endswith("-INDEX") and sym not in self.index_names]
        if unnamed and not self._names_fetched:
            self._fetch_index_names()
        if invalid:
            self._report(errors.InputError(f"not Fyers symbols, skipped: {', '.join(invalid)}", broker=self.broker,
                                           code=-300))
        out: Dict[str, str] = {}
        for sym, fytoken in tokens.items():
            topic = codec.topic_for(sym, fytoken, depth, self.index_names)
            if topic is not None:
                out[topic] = sym
        return out

    def _send_topics(self, build: Callable[[Sequence[str], int], bytes], topics: List[str], channel: int) -> bool:
        sent = True
        for i in range(0, len(topics), CHUNK):
            sent = self._send(build(topics[i:i + CHUNK], channel)) and sent
        return sent

    # -- public API (fyers_apiv3 names) -------------------------------------------------------
    def subscribe(self, symbols: Iterable[str], data_type: str = "SymbolUpdate", channel: int = 11) -> bool:
        """Subscribe to symbols (``"NSE:SBIN-EQ"``); remembered and replayed after reconnects.

        Args:
            symbols: Fyers symbols.
            data_type: ``"SymbolUpdate"`` (ticks; indices give index ticks) or
                ``"DepthUpdate"`` (5-level depth; not for indices).
            channel: 1..63; channels can be paused and resumed as a group.

        Returns:
            True if sent now, False if only remembered (sent once connected).

        Raises:
            ValueError: a bad symbol, data type or channel, or more than 5000 symbols.
            brokers.errors.BrokerError: the symbol lookup failed.
        """
        codec.mode_message(channel)  # validates the channel
        topics = self._topics(symbols, data_type)
        with self._subs_lock:
            if len(set(self._subs) | set(topics)) > MAX_SYMBOLS:
                raise ValueError(f"Fyers allows at most {MAX_SYMBOLS} symbols per connection")
            for topic, sym in topics.items():
                self._subs[topic] = (sym, channel)
                self._book.symbols[topic] = sym
        if not topics:
            return self.connected
        return self._send_topics(codec.subscribe_message, list(topics), channel)

    def unsubscribe(self, symbols: Iterable[str], data_type: str = "SymbolUpdate", channel: int = 11) -> bool:
        """Stop the updates of symbols. Returns True if sent now."""
        codec.mode_message(channel)
        topics = self._topics(symbols, data_type)
        with self._subs_lock:
            gone = [t for t in topics if t in self._subs]
            for t in gone:
                del self._subs[t]
        if not gone:
            return self.connected
        return self._send_topics(codec.unsubscribe_message, gone, channel)

    def channel_pause(self, channel: int) -> bool:
        """Stop data on a channel (remembered across reconnects). Returns True if sent now."""
        msg = codec.pause_message([channel])
        with self._subs_lock:
            self._paused.add(channel)
        return self._send(msg)

    def channel_resume(self, channel: int) -> bool:
        """Resume data on a paused channel. Returns True if sent now."""
        msg = codec.resume_message([channel])
        with self._subs_lock:
            self._paused.discard(channel)
        return self._send(msg)

    def set_litemode(self, lite: bool) -> bool:
        """Switch between lite (ltp only) and full mode, now and after reconnects."""
        self.litemode = self._book.lite = bool(lite)
        with self._subs_lock:
            channels = sorted({c for _, c in self._subs.values()} | {codec.DEFAULT_CHANNEL})
        sent = True
        for channel in channels:
            sent = self._send(codec.mode_message(channel, self.litemode)) and sent
        return sent

    def set_access_token(self, access_token: str) -> None:
        """Use a new token (``"APPID:token"`` or bare) from the next (re)connect on,
        e.g. after logging in again; subscriptions are kept.

        Raises:
            ValueError: not a Fyers JWT, or issued to another app.
        """
        app, token = _split(access_token, self.client_id)
        claims = jwt_claims(token)
        if app != self.client_id or not claims.get("hsm_key"):
            raise ValueError("access_token must be a Fyers access token of the same app")
        register(token, str(claims["hsm_key"]))
        self._token, self._hsm_key, self._exp = token, str(claims["hsm_key"]), claims.get("exp")
        if self._own_client and self._client is not None:
            self._client.close()
            self._client = None  # the next lookup builds one with the new token

    @property
    def subscriptions(self) -> Dict[str, Tuple[str, int]]:
        """A copy of ``topic -> (symbol, channel)``."""
        with self._subs_lock:
            return dict(self._subs)

    def connect(self, threaded: bool = False) -> None:
        """Start the feed (see :meth:`FeedThread.connect`); an expired token is reported
        to ``on_error`` as :class:`~brokers.errors.TokenExpired` and nothing connects.
        """
        if isinstance(self._exp, (int, float)) and self._exp < time.time():
            self._report(errors.TokenExpired("the access token has expired (JWT exp); log in again",
                                             broker=self.broker, code=-99))
            return
        super().connect(threaded=threaded)

    def _release(self) -> None:
        if self._own_client:  # the lookup client the feed made for itself
            client, self._client = self._client, None
            if client is not None:
                client.close()

    def __repr__(self) -> str:
        state = "connected" if self.connected else "running" if self.running else "stopped"
        return f"<FyersFeed client_id={self.client_id} {state} symbols={len(self._subs)}>"
