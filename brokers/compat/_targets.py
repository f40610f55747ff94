"""Where the compat layer's clients and feeds connect: the brokers' real hosts,
unless :func:`brokers.compat.use_sandbox` (or :func:`redirect`) says otherwise.

The official SDKs hard-code their hosts; code written for them passes no URL.
So that such code can run unchanged against the sandbox (tests, rehearsals),
the compat classes read their URL keyword arguments from here when they are made.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Dict, Iterator, List, Tuple

# kind -> keyword arguments for our client or feed of that kind:
# "kite", "kite_feed", "dhan", "dhan_feed", "dhan_order", "fyers", "fyers_auth",
# "fyers_feed", "fyers_order"
_overrides: Dict[str, Dict[str, Any]] = {}
_lock = threading.Lock()


def urls(kind: str) -> Dict[str, Any]:
    """A copy of the URL keyword arguments for ``kind`` (empty: the real hosts)."""
    with _lock:
        return dict(_overrides.get(kind, {}))


@contextlib.contextmanager
def redirect(**kinds: Dict[str, Any]) -> Iterator[None]:
    """Within the block, compat objects made of each given kind connect to the URLs
    given for it (``redirect(dhan={"root": ...}, dhan_feed={"url": ...})``)."""
    with _lock:
        saved = dict(_overrides)
        _overrides.update({k: dict(v) for k, v in kinds.items()})
        restore = _point_classes(kinds)
    try:
        yield
    finally:
        with _lock:
            _overrides.clear()
            _overrides.update(saved)
            for cls, name, value in restore:
                if value is _ABSENT:
                    delattr(cls, name)
                else:
                    setattr(cls, name, value)


def _point_classes(kinds: Dict[str, Dict[str, Any]]) -> List[Tuple[Any, str, Any]]:
    """``KiteConnect`` is our own class (not an adapter), and like kiteconnect's it takes
    its host from the class attribute ``_default_root_uri``: point that. Returns what
    to put back."""
    from ..kite import KiteConnect

    restore: List[Tuple[Any, str, Any]] = []
    root = kinds.get("kite", {}).get("root")
    if root and hasattr(KiteConnect, "_default_root_uri"):
        restore.append((KiteConnect, "_default_root_uri", vars(KiteConnect).get("_default_root_uri", _ABSENT)))
        setattr(KiteConnect, "_default_root_uri", root)  # noqa: B010 - the attribute may not be declared
    return restore


_ABSENT = object()


def sandbox_kinds(sandbox: Any) -> Dict[str, Dict[str, Any]]:
    """Every kind's URL keyword arguments for a running :class:`~brokers.sandbox.Sandbox`."""
    fyers_auth = {"root": sandbox.fyers_urls()["root"]}
    return {
        "kite": sandbox.kite_urls(), "kite_feed": sandbox.kite_feed_urls(),
        "dhan": sandbox.dhan_urls(), "dhan_feed": sandbox.dhan_feed_urls(),
        "dhan_order": sandbox.dhan_order_urls(),
        "fyers": sandbox.fyers_urls(), "fyers_auth": fyers_auth,
        "fyers_feed": sandbox.fyers_feed_urls(), "fyers_order": {"url": sandbox.fyers_order_url()},
    }


def use_sandbox(sandbox: Any) -> "contextlib.AbstractContextManager[None]":
    """Run code written for an official SDK against a :class:`~brokers.sandbox.Sandbox`.

    Example::

        from brokers.sandbox import Sandbox
        from brokers.compat import use_sandbox

        with Sandbox() as sb, use_sandbox(sb):
            run_my_old_kiteconnect_script()
    """
    return redirect(**sandbox_kinds(sandbox))
