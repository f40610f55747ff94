"""Dhan's v2 binary market feed on a background thread: :class:`DhanFeed`
(the order-update socket is :class:`~brokers.dhan.order_feed.DhanOrder`).

Both are built on :class:`brokers.core.feed.FeedThread`: reconnect with capped
backoff and jitter, pings, a silence watchdog, handlers called off the socket
thread and guarded, a bounded idempotent ``close()``. :class:`DhanFeed` replays
every subscription with its mode after a reconnect, in batches of 100.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
)
from urllib.parse import quote

from .. import errors
from ..core.feed import FeedThread
from ..core.jwt import jwt_claims
from ..core.redact import register
from ..symbols import SymbolMaster
from ..symbols.resolve import feed_instruments
from . import codec, routes
from .decode import ERROR_CODES

__all__ = ["DhanFeed"]

log = logging.getLogger(__name__)

MAX_INSTRUMENTS = 5000  # per connection, Dhan's documented limit
_MODE_NAMES = {codec.TICKER: "ticker", codec.QUOTE: "quote", codec.FULL: "full"}
Instrument = Tuple[Any, ...]
_F = TypeVar("_F", bound="_DhanSocket[Any]")
_S = TypeVar("_S", bound="_DhanSocket[Any]")


def _check_credentials(client_id: Any, access_token: Any) -> Tuple[str, str]:
    if not client_id or not isinstance(client_id, (str, int)) or isinstance(client_id, bool):
        raise ValueError("client_id is required")
    if not access_token or not isinstance(access_token, str):
        raise ValueError("access_token is required")
    register(access_token)
    return str(client_id), access_token


def _expired(token: str) -> Optional[dt.datetime]:
    """When the token expired, if its JWT says it has; else None."""
    exp = jwt_claims(token).get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        when = dt.datetime.fromtimestamp(exp, dt.timezone.utc)
        if when <= dt.datetime.now(dt.timezone.utc):
            return when
    return None


def _segment(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value in routes.SEGMENT_NAMES:
        return routes.SEGMENT_NAMES[value]
    if isinstance(value, str) and value.upper() in routes.SEGMENT_CODES:
        return value.upper()
    raise ValueError(f"exchange segment must be one of {sorted(routes.SEGMENT_CODES)} or their codes "
                     f"{sorted(routes.SEGMENT_NAMES)}; got {value!r}")


def _mode(value: Any) -> int:
    if isinstance(value, str) and value.lower() in codec.MODES:
        return codec.MODES[value.lower()]
    if value in (codec.TICKER, codec.QUOTE, codec.FULL) and not isinstance(value, bool):
        return int(value)
    raise ValueError(f"mode must be 15/'ticker', 17/'quote' or 21/'full' (v2 has no 19/Depth); got {value!r}")


def _disconnect_error(code: int, reason: str) -> errors.BrokerError:
    cls = ERROR_CODES.get(str(code), errors.NetworkError)
    return cls(f"Dhan closed the feed: {code} {reason}", broker="dhan", code=code)


def _bad_packet(packet: Dict[str, Any]) -> ValueError:
    if packet["type"] == "Invalid":
        return ValueError(f"dhan feed: dropped a packet of type {packet['code']} for security "
                          f"{packet['security_id']}: it holds {packet['reason']}")
    return ValueError(f"dhan feed: dropped a packet of type {packet['code']} cut short at {packet['size']} bytes")


class _DhanSocket(FeedThread[_F]):
    """What both Dhan feeds share: credentials, token refresh, expiry check."""

    broker = "dhan"

    def __init__(self, client_id: str, access_token: str, url: str, **options: Any) -> None:
        super().__init__(**options)
        self.client_id, self._access_token = _check_credentials(client_id, access_token)
        self.root = url.rstrip("/")

    def set_access_token(self, access_token: str) -> None:
        """Use a new token from the next (re)connect on (e.g. after logging in again)."""
        self._access_token = _check_credentials(self.client_id, access_token)[1]

    @classmethod
    def from_dhan(cls: Type[_S], dhan: Any, *args: Any, **kw: Any) -> _S:
        """A feed with the client id and token of a :class:`~brokers.dhan.Dhan` client.

        Raises:
            brokers.errors.AuthError: the client holds no session.
        """
        session = dhan._ensure_session()
        return cls(dhan.client_id or session.user_id, session.token, *args, **kw)

    def connect(self, threaded: bool = False) -> None:
        """Start the feed (see :meth:`FeedThread.connect`).

        Raises:
            brokers.errors.TokenExpired: the token's JWT says it has expired (no
                connection is attempted: Dhan would refuse it).
            RuntimeError: the feed is already running.
        """
        when = _expired(self._access_token)
        if when is not None:
            raise errors.TokenExpired(f"the Dhan access token expired at {when:%Y-%m-%d %H:%M %Z}; "
                                      "pass a new one with set_access_token()", broker="dhan")
        super().connect(threaded)


class DhanFeed(_DhanSocket["DhanFeed"]):
    """Dhan's live market feed (v2, binary, little-endian) on a background thread.

    Instruments are ``(exchange_segment, security_id)`` or ``(exchange_segment,
    security_id, mode)`` tuples, as in ``dhanhq``: the segment as Dhan's code
    (``1``) or name (``"NSE_EQ"``), the mode 15/``"ticker"`` (default),
    17/``"quote"`` or 21/``"full"``. An instrument has one mode at a time;
    subscribing it again in another mode moves it.

    Handlers, each called on the feed's dispatcher thread with the feed first:

    - ``on_tick(feed, ticks)``: a list of dicts, one per packet of the frame
      (``"type"``: ``Ticker Data``, ``Quote Data``, ``Full Data``, ``OI Data``,
      ``Previous Close``, ``Market Status``, ``Index Data``), or the raw frame with
      ``parse_data=False`` (parse it with :func:`brokers.dhan.codec.parse_frame`;
      the feed still acts on every disconnect packet in it). A bad packet costs
      only itself: a packet cut short or holding a NaN or infinite price is dropped
      whole and reported to ``on_error`` as a ``ValueError``; the packets around
      it are delivered, and a disconnect packet after it is acted on.
    - ``on_message(feed, text)``: a text frame (Dhan sends none in v2)
    - ``on_connect``, ``on_close``, ``on_error``, ``on_reconnect``, ``on_noreconnect``
      as for every feed (:class:`~brokers.core.feed.FeedThread`).

    A disconnect packet (code 50) goes to ``on_error`` as a typed error with
    Dhan's code and its meaning (807 -> :class:`~brokers.errors.TokenExpired`,
    805 -> :class:`~brokers.errors.RateLimitError`, ...); after 805-810 the feed
    stops (``on_noreconnect``): reconnecting cannot help, and after 805 it would
    knock out another of your connections.

    Args:
        client_id: the Dhan client id.
        access_token: the access token (a JWT; an expired one is refused before connecting).
        instruments: subscribed once connected (and after every reconnect).
        version: ``"v2"`` (the only one supported; v1 is retired).
        url: replaces ``wss://api-feed.dhan.co`` (e.g. the sandbox's).
        parse_data: parse frames into dicts (True) or pass them raw.
        reconnect, max_retries, max_delay, **timings: see :class:`~brokers.core.feed.FeedThread`.

    Example::

        feed = DhanFeed("1100000001", token, [("NSE_EQ", "1333"), ("NSE_FNO", "52175", "full")])
        feed.on_tick = lambda feed, ticks: print(ticks)
        feed.connect(threaded=True)   # returns at once; feed.close() stops it
    """

    #: Set to ``dhan.master()`` to subscribe by symbol (``feed.subscribe(["NSE:INFY"])``).
    master: Optional[SymbolMaster] = None

    # dhanhq's constants
    IDX, NSE, NSE_FNO, NSE_CURR, BSE, MCX, BSE_CURR, BSE_FNO = 0, 1, 2, 3, 4, 5, 7, 8
    Ticker, Quote, Full = codec.TICKER, codec.QUOTE, codec.FULL

    def __init__(self, client_id: str, access_token: str, instruments: Optional[Sequence[Instrument]] = None,
                 version: str = "v2", *, url: str = routes.FEED_URL, parse_data: bool = True,
                 reconnect: bool = True, max_retries: int = 50, max_delay: float = 60.0, **timings: Any) -> None:
        if version != "v2":
            raise ValueError(f"only the v2 feed is supported, not {version!r}")
        # Dhan pings every 10 s: 30 s of silence means the link is gone.
        timings.setdefault("watchdog", 30.0)
        super().__init__(client_id, access_token, url, reconnect=reconnect, max_retries=max_retries,
                         max_delay=max_delay, **timings)
        self.parse_data = parse_data
        self.on_tick: Optional[Callable[[DhanFeed, Any], object]] = None
        self.on_message: Optional[Callable[[DhanFeed, str], object]] = None
        self._subs: Dict[Tuple[str, str], int] = {}
        self._subs_lock = threading.Lock()
        if instruments:
            self.subscribe(instruments)

    # -- FeedThread hooks ---------------------------------------------------------------
    def _url(self) -> str:
        sep = "&" if "?" in self.root else "?"
        return (f"{self.root}{sep}version=2&token={quote(self._access_token, safe='')}"
                f"&clientId={quote(self.client_id, safe='')}&authType=2")

    def _on_open(self) -> None:
        for code, items in self._groups(self.subscriptions).items():
            for message in codec.subscribe_messages(code, items):
                self._send(message)

    def _decode(self, frame: Union[bytes, str]) -> None:
        if isinstance(frame, str):
            self._emit("on_message", self, frame)
            return
        if not self.parse_data:
            found = codec.disconnects(frame)
            for packet in found:
                self._disconnected(packet["code"], packet["reason"])
            if len(frame) > 10 * len(found):  # the frame holds more than its disconnect packets
                self._emit("on_tick", self, frame)
            return
        ticks = []
        for packet in codec.parse_frame(frame):
            kind = packet["type"]
            if kind == "Disconnect":
                self._disconnected(packet["code"], packet["reason"])
            elif kind == "Unknown":  # a packet type newer than this library: not an error
                log.debug("dhan feed: skipped a packet of unknown type %s (%d bytes)", packet["code"],
                          len(packet["raw"]))
            elif kind in ("Truncated", "Invalid"):
                self._report(_bad_packet(packet))
            else:
                ticks.append(packet)
        if ticks:
            self._emit("on_tick", self, ticks)

    def _disconnected(self, code: int, reason: str) -> None:
        error = _disconnect_error(code, reason)
        if code in routes.FATAL_DISCONNECTS:
            # After 805-810 reconnecting cannot help, and after 805 it would knock out
            # another of the user's connections: stop for good.
            log.warning("dhan feed: disconnected with %s (%s); not reconnecting", code, reason)
            self._give_up(error)
        else:
            self._report(error)

    def _goodbye(self) -> None:
        self._send(json.dumps({"RequestCode": codec.DISCONNECT_REQUEST}))  # "we are leaving"

    # -- subscriptions ------------------------------------------------------------------
    @property
    def subscriptions(self) -> Dict[Tuple[str, str], int]:
        """A copy of ``(segment name, security id) -> mode code``."""
        with self._subs_lock:
            return dict(self._subs)

    @staticmethod
    def _normalise(instruments: Iterable[Instrument], mode: Any = None) -> List[Tuple[str, str, int]]:
        if isinstance(instruments, tuple) and instruments and not isinstance(instruments[0], (tuple, list)):
            instruments = [instruments]
        out = []
        for item in instruments:
            if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
                raise ValueError(f"an instrument is (segment, security_id[, mode]), got {item!r}")
            sid = str(item[1]).strip()
            if not sid.isdigit():
                raise ValueError(f"security_id must be numeric, got {item[1]!r}")
            code = _mode(item[2] if len(item) == 3 else (mode if mode is not None else codec.TICKER))
            out.append((_segment(item[0]), sid, code))
        return out

    @staticmethod
    def _groups(subs: Dict[Tuple[str, str], int]) -> Dict[int, List[Tuple[str, str]]]:
        groups: Dict[int, List[Tuple[str, str]]] = {}
        for key, code in subs.items():
            groups.setdefault(code, []).append(key)
        return groups

    def subscribe(self, instruments: Iterable[Instrument], mode: Any = None) -> bool:
        """Subscribe instruments (remembered and replayed after every reconnect).

        Args:
            instruments: ``(segment, security_id[, mode])`` tuples.
            mode: the mode for tuples that carry none (default ticker).

        Returns:
            True if sent now, False if only remembered (not connected yet).

        Raises:
            ValueError: a bad tuple, segment or mode, or more than 5000 instruments.
        """
        instruments = feed_instruments(self.master, instruments)  # symbols too, via feed.master
        wanted = self._normalise(instruments, mode)
        moved: Dict[int, List[Tuple[str, str]]] = {}
        with self._subs_lock:
            keys = {(s, i) for s, i, _ in wanted}
            if len(set(self._subs) | keys) > MAX_INSTRUMENTS:
                raise ValueError(f"Dhan allows at most {MAX_INSTRUMENTS} instruments per connection")
            for seg, sid, code in wanted:
                old = self._subs.get((seg, sid))
                if old is not None and old != code:
                    moved.setdefault(old, []).append((seg, sid))
                self._subs[(seg, sid)] = code
        sent = True
        for old, items in moved.items():  # leave the old mode before joining the new one
            sent = self._send_all(old + 1, items) and sent
        groups: Dict[int, List[Tuple[str, str]]] = {}
        for seg, sid, code in wanted:
            groups.setdefault(code, []).append((seg, sid))
        for code, items in groups.items():
            sent = self._send_all(code, items) and sent
        return sent

    def unsubscribe(self, instruments: Iterable[Instrument]) -> bool:
        """Stop instruments (the mode in the tuple, if any, is ignored: each leaves
        the mode it is in). Returns True if sent now."""
        instruments = feed_instruments(self.master, instruments)  # symbols too, via feed.master
        groups: Dict[int, List[Tuple[str, str]]] = {}
        with self._subs_lock:
            for seg, sid, _ in self._normalise(instruments):
                code = self._subs.pop((seg, sid), None)
                if code is not None:
                    groups.setdefault(code, []).append((seg, sid))
        sent = True
        for code, items in groups.items():
            sent = self._send_all(code + 1, items) and sent
        return sent

    # dhanhq's names
    subscribe_symbols = subscribe
    unsubscribe_symbols = unsubscribe

    def _send_all(self, code: int, items: List[Tuple[str, str]]) -> bool:
        if not self.connected:
            return False
        ok = True
        for message in codec.subscribe_messages(code, items):
            ok = self._send(message) and ok
        return ok

    def close_connection(self) -> None:
        """dhanhq's name for :meth:`close` (which tells Dhan we are leaving:
        ``{"RequestCode": 12}``)."""
        self.close()

    def __repr__(self) -> str:
        state = "connected" if self.connected else "running" if self.running else "stopped"
        return f"<DhanFeed client_id={self.client_id} {state} instruments={len(self._subs)}>"
