"""The Session record, the key alphabet, and what a stored session looks like in a listing.

A :class:`Session` is a small JSON-serialisable record of one login. It records the
host it belongs to (``root``, and ``web_root`` for Kite Web) so that a token is never
sent to another host: a client ignores a stored session whose host is not its own.

Store keys are 1 to 128 characters of ``A-Z a-z 0-9 _ . @ -``, not starting with a
dot (``"kite"``, ``"kite-AB1234"``, ``"fyers-XA1234-100"``): every key is a plain file
name, and ``"."``, ``".."``, ``"kite\\n"`` or ``"a/b"`` are refused with ``ValueError``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Mapping, NamedTuple, Optional

from ..ist import utc_now as _now

__all__ = ["KEY_ALPHABET", "Session", "SessionInfo", "account_key", "check_key", "mask"]

STATE_PREFIX = "state."
#: Documented key alphabet (see the module docstring).
KEY_ALPHABET = "A-Z a-z 0-9 _ . @ -, 1-128 characters, not starting with a dot"
_KEY_RE = re.compile(r"[A-Za-z0-9_@-][A-Za-z0-9_.@-]{0,127}")
_STR_FIELDS = ("broker", "kind", "token")
_OPTIONAL_STR_FIELDS = ("user_id", "api_key", "root", "web_root")


def mask(secret: Optional[str]) -> str:
    """A fixed mask for a secret: shows whether it is set, never any of it."""
    return "<set>" if secret else "<none>"


def check_key(key: str) -> str:
    """``key`` if it is in the documented alphabet, else ``ValueError`` naming it."""
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise ValueError(f"session key must be {KEY_ALPHABET}; got {key!r}")
    return key


def account_key(broker: str, account: Optional[str]) -> str:
    """The store key of a broker account's rate budget: ``"kite-AB1234"``; an account
    id outside the key alphabet is replaced by a digest of it, none by ``"default"``."""
    ident = str(account) if account else "default"
    key = f"{broker}-{ident}"
    if not _KEY_RE.fullmatch(key):
        import hashlib

        key = f"{broker}-h{hashlib.sha256(ident.encode('utf-8', 'replace')).hexdigest()[:24]}"
    return key


def state_key(key: str) -> str:
    return check_key(f"{STATE_PREFIX}{check_key(key)}")


def same_root(a: Optional[str], b: Optional[str]) -> bool:
    """True when two API roots name the same place (case of the host and a trailing
    slash do not matter)."""
    if a is None or b is None:
        return a is b
    return a.rstrip("/").lower() == b.rstrip("/").lower()


@dataclass
class Session:
    """One login: what a client needs to call the broker without logging in again.

    Args:
        broker: ``"kite"``, ``"dhan"`` or ``"fyers"``.
        kind: the token kind: ``"enctoken"``, ``"access_token"``, ...
        token: the secret token itself.
        user_id: the user or client id the token belongs to.
        api_key: the app key the token was issued to, where the broker has one.
        created_at: when the session was made (aware datetime).
        expires_at: when it stops working (aware datetime), or ``None`` if unknown.
        extra: anything else the broker returned that is worth keeping
            (refresh token, public token, ...), JSON-serialisable.
        root: the REST root of the host that issued the token (``None`` in records
            written before hosts were recorded: they count as the broker's real host).
        web_root: Kite Web's root, for Kite sessions.

    The repr never shows the token.

    Example::

        s = Session(broker="dhan", kind="access_token", token=tok, user_id="1000000001",
                    root="https://api.dhan.co/v2")
    """

    broker: str
    kind: str
    token: str = field(repr=False)
    user_id: Optional[str] = None
    api_key: Optional[str] = None
    created_at: dt.datetime = field(default_factory=_now)
    expires_at: Optional[dt.datetime] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)
    root: Optional[str] = None
    web_root: Optional[str] = None

    def expired(self, *, skew: float = 60.0, now: Optional[dt.datetime] = None) -> bool:
        """True when the session has expired, or will within ``skew`` seconds."""
        if self.expires_at is None:
            return False
        now = now or _now()
        return now + dt.timedelta(seconds=skew) >= self.expires_at

    def belongs_to(self, root: str, web_root: Optional[str] = None, *, default_root: Optional[str] = None) -> bool:
        """True when this session may be sent to a client whose REST root is ``root``
        (and Kite Web root ``web_root``). A session without a recorded root belongs to
        ``default_root`` (the broker's real host) only."""
        mine = self.root if self.root is not None else default_root
        if not same_root(mine, root):
            return False
        return self.web_root is None or web_root is None or same_root(self.web_root, web_root)

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-serialisable dict (datetimes as ISO 8601 strings)."""
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat()
        d["expires_at"] = self.expires_at.isoformat() if self.expires_at else None
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Session:
        """Rebuild a session from :meth:`to_dict` output, checking every field's type.

        Raises:
            ValueError: not a mapping, a required key is missing, or a value has the
                wrong type (``user_id: ["x"]``, a number as token, ...).
        """
        if not isinstance(d, Mapping):
            raise ValueError(f"session record is a {type(d).__name__}, not an object")
        missing = [k for k in _STR_FIELDS if not d.get(k)]
        if missing:
            raise ValueError(f"session record lacks {', '.join(missing)}")
        for k in _STR_FIELDS:
            if not isinstance(d[k], str):
                raise ValueError(f"session record's {k!r} is a {type(d[k]).__name__}, not a string")
        for k in _OPTIONAL_STR_FIELDS:
            v = d.get(k)
            if v is not None and not isinstance(v, str):
                raise ValueError(f"session record's {k!r} is a {type(v).__name__}, not a string")
        try:
            created = _parse_time(d.get("created_at")) or _now()
            expires = _parse_time(d.get("expires_at"))
        except (TypeError, ValueError, OverflowError) as e:
            raise ValueError(f"session record has a bad timestamp: {e}") from None
        extra = d.get("extra") or {}
        if not isinstance(extra, dict):
            raise ValueError("session record's 'extra' is not an object")
        return cls(
            broker=d["broker"], kind=d["kind"], token=d["token"], user_id=d.get("user_id") or None,
            api_key=d.get("api_key") or None, created_at=created, expires_at=expires, extra=dict(extra),
            root=d.get("root") or None, web_root=d.get("web_root") or None,
        )


def _parse_time(v: Any) -> Optional[dt.datetime]:
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise TypeError(f"a timestamp must be an ISO 8601 string, got {type(v).__name__}")
    t = dt.datetime.fromisoformat(v)
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


class SessionInfo(NamedTuple):
    """One entry of :meth:`SessionStore.sessions`: what is kept under a key, without
    the token. ``session`` is ``None`` (and ``problem`` says why) for a record that
    cannot be read."""

    key: str
    session: Optional[Session]
    problem: Optional[str] = None

    @property
    def expires_at(self) -> Optional[dt.datetime]:
        return self.session.expires_at if self.session else None

    @property
    def expired(self) -> bool:
        return self.session is not None and self.session.expired(skew=0)
