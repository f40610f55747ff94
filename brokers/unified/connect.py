"""``brokers.connect(broker, **how)``: one :class:`~brokers.unified.base.Broker` for
Kite, Dhan, Fyers or the paper broker."""

from __future__ import annotations

import inspect
from typing import Any, Dict, Tuple

from .base import Broker

__all__ = ["connect"]

# Keywords the Broker itself takes (the rest go to the client and its login).
_BROKER_OPTIONS = ("master", "reconcile_timeout", "settle")
_FEED_OPTIONS = {"kite": ("feed_url",), "dhan": ("feed_url", "order_feed_url"),
                 "fyers": ("feed_url", "order_feed_url")}


def _client_class(broker: str) -> Any:
    if broker == "kite":
        from ..kite import Kite
        return Kite
    if broker == "dhan":
        from ..dhan import Dhan
        return Dhan
    if broker == "fyers":
        from ..fyers import Fyers
        return Fyers
    raise ValueError(f"broker must be 'kite', 'dhan', 'fyers' or 'paper'; got {broker!r}")


def _names(fn: Any) -> Tuple[str, ...]:
    return tuple(p for p in inspect.signature(fn).parameters if p != "self")


def _read_timeout(timeout: Any, default: float) -> float:
    if isinstance(timeout, (tuple, list)) and len(timeout) == 2:
        return float(timeout[1])
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return float(timeout)
    return default


def connect(broker: str, **how: Any) -> Broker:
    """A :class:`~brokers.unified.base.Broker` for ``broker``.

    Args:
        broker: ``"kite"``, ``"dhan"``, ``"fyers"`` or ``"paper"``.
        **how: for kite/dhan/fyers, the broker client's own arguments (``store``,
            tokens, ``root`` and the other base URLs, ``timeout``, ...) and its
            ``authorize()`` arguments (Kite ``user_id``/``password``/``totp_secret``,
            Dhan ``pin``/``totp_secret``, ...); a stored session is reused as the
            client reuses it. Also ``feed_url`` (and ``order_feed_url`` for Dhan and
            Fyers) for the sockets, and the Broker's ``master``, ``reconcile_timeout``
            and ``settle``. For ``"paper"``: ``prices`` (another Broker), ``store``,
            ``funds``, ``account`` (see :func:`brokers.unified.paper.connect_paper`).

    Returns:
        The Broker; ``broker.client`` is the underlying client.

    Raises:
        ValueError: an unknown broker or keyword (naming it).
        brokers.errors.AuthError: the login failed.

    Example::

        broker = brokers.connect("kite", user_id="AB1234", password=pwd, totp_secret=secret)
        broker.place_order("NSE:INFY", "BUY", 1)
    """
    if broker == "paper":
        from .paper import connect_paper
        return connect_paper(**how)
    cls = _client_class(broker)
    options: Dict[str, Any] = {k: how.pop(k) for k in _BROKER_OPTIONS if k in how}
    feeds = {k: how.pop(k) for k in _FEED_OPTIONS[broker] if k in how}
    init = _names(cls.__init__)
    login_fn = getattr(cls, "authorize", None)
    login = _names(login_fn) if login_fn is not None else ()
    unknown = [k for k in how if k not in init and k not in login]
    if unknown:
        raise ValueError(f"connect({broker!r}): unknown keyword {unknown[0]!r}; the {cls.__name__} client takes "
                         f"{', '.join(init + login)}")
    client_kw = {k: v for k, v in how.items() if k in init}
    login_kw = {k: v for k, v in how.items() if k in login and (k not in init or k == "user_id")}
    read = _read_timeout(client_kw.get("timeout"), 15.0)
    options.setdefault("settle", 2 * read + 2.0)
    options.setdefault("reconcile_timeout", max(60.0, 3 * options["settle"]))
    client = cls(**client_kw)
    try:
        if login_fn is not None:
            client.authorize(**login_kw)
        return _adapter(broker, client, feeds, options)
    except BaseException:
        client.close()
        raise


def _adapter(broker: str, client: Any, feeds: Dict[str, Any], options: Dict[str, Any]) -> Broker:
    if broker == "kite":
        from .kite import KiteBroker
        return KiteBroker(client, **feeds, **options)
    if broker == "dhan":
        from .dhan import DhanBroker
        return DhanBroker(client, **feeds, **options)
    from .fyers import FyersBroker
    return FyersBroker(client, **feeds, **options)
