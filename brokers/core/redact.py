"""Keeping secrets out of logs, messages and reprs.

Two layers:

- :func:`register` remembers every secret a client holds (tokens, passwords,
  TOTP secrets and codes, api secrets); :class:`RedactingFilter` replaces them,
  and anything that looks like ``access_token=...`` or ``Authorization: ...``,
  in every log record it sees.
- The filter is installed on the ``brokers`` logger and on the loggers of the
  HTTP libraries underneath (urllib3 prints each URL with its query string at
  DEBUG, and some broker endpoints carry tokens there).

:func:`scrub` applies the same rules to any string (exception messages, URLs);
:func:`mask` is how a repr or a listing shows a secret.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Iterable, Optional, Pattern, Set
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "RedactingFilter", "install", "mask", "register", "scrub", "strip_query"]

MASK = "***"
_MIN_SECRET = 4
_lock = threading.Lock()
_secrets: Set[str] = set()
_pattern: Optional[Pattern[str]] = None

_NAMED = re.compile(
    r"(?i)((?:access[-_]?token|enctoken|refresh[-_]?token|request[-_]?token|api[-_]?secret|secret[-_]?key|"
    r"password|passwd|pin|totp|twofa[-_]?value|checksum|appIdHash|auth[-_]?code|token)"
    r"[\"']?\s*[=:]\s*[\"']?)([^&\s\"',;}]+)"
)
_AUTH_HEADER = re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)([^\"'\n]+)")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")


def register(*secrets: Optional[str]) -> None:
    """Remember secrets so that every later log line and message masks them."""
    global _pattern
    fresh = {str(s) for s in secrets if s and len(str(s)) >= _MIN_SECRET}
    if not fresh - _secrets:
        return
    with _lock:
        _secrets.update(fresh)
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def scrub(text: str) -> str:
    """``text`` with every registered secret and every token-shaped value masked."""
    if not text:
        return text
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
        text = _quoted_pattern_sub(text)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + MASK, text)
    text = _NAMED.sub(lambda m: m.group(1) + MASK, text)
    return _JWT.sub(MASK, text)


def _quoted_pattern_sub(text: str) -> str:
    # Secrets also appear URL-encoded in query strings (enctokens hold + / =).
    for s in list(_secrets):
        for enc in {quote(s, safe=""), quote_plus(s)}:
            if enc != s and enc in text:
                text = text.replace(enc, MASK)
    return text


def strip_query(url: str) -> str:
    """The URL without its query string (and fragment), for logs and errors."""
    return url.split("?", 1)[0].split("#", 1)[0]


def mask(secret: Optional[str], *, keep: int = 0) -> str:
    """How a repr or a listing shows a secret: ``"<set>"`` or ``"<none>"``.

    Args:
        secret: the secret (never shown whole).
        keep: show this many leading characters and the length instead, so that a
            person can tell two tokens apart (``"eyJh…(812 chars)"``); only for a
            secret more than twice that long, else ``"***"``.
    """
    if not secret:
        return "<none>"
    if keep <= 0:
        return "<set>"
    return f"{secret[:keep]}…({len(secret)} chars)" if len(secret) > 2 * keep else MASK


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in the formatted message of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's problem, not ours
            return True
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()
_LOGGERS = ("brokers", "urllib3", "urllib3.connectionpool", "urllib3.util.retry", "requests",
            "websocket", "websockets", "websockets.server", "websockets.client")


def install(names: Iterable[str] = _LOGGERS) -> None:
    """Attach the filter to the named loggers and to every ``brokers.*`` logger that
    exists now (idempotent).

    A filter on a logger only sees records created on that logger, not those that
    propagate up from its children, so each logger that may print a secret gets its
    own: every module's ``logging.getLogger(__name__)``. The clients call this when
    they are made, by which time their modules' loggers exist.
    """
    ours = [n for n, lg in list(logging.Logger.manager.loggerDict.items())
            if isinstance(lg, logging.Logger) and n.startswith("brokers.")]
    for name in [*names, *ours]:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
