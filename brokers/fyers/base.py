"""FyersBase: the one request path every group of Fyers endpoints uses.

The endpoint groups (:mod:`.account`, :mod:`.orders`, :mod:`.market`,
:mod:`.extras`) are mixins on this class; :class:`brokers.fyers.Fyers` puts
them together with the session logic. Every public method goes
``method -> _call(route, ...)``, the route's verb, root and sending rules taken
from :data:`brokers.fyers.routes.ROUTES` on every call.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional
from urllib.parse import quote

from .. import errors
from ..core import checks
from ..core.client import BaseClient
from ..core.orders import attach, read_order_id, send_order
from . import routes
from .decode import decode, decode_order

__all__ = ["FyersBase"]


class FyersBase(BaseClient):
    """Request plumbing shared by the Fyers endpoint mixins. Not used directly."""

    broker = "fyers"
    #: Route name -> Route; looked up on every call, so a subclass can redirect one.
    _routes: Dict[str, routes.Route] = dict(routes.ROUTES)
    root: str = routes.API_ROOT
    data_root: str = routes.DATA_ROOT
    public_root: str = routes.PUBLIC_ROOT

    def _call(self, route: str, *, params: Optional[Mapping[str, Any]] = None, body: Any = None,
              path_args: Optional[Dict[str, str]] = None, headers: Optional[Dict[str, str]] = None,
              auth: bool = True, tag: Optional[str] = None, known_id: Optional[str] = None) -> Dict[str, Any]:
        """Send the call ``route`` names and return Fyers' JSON dict (the decoder
        refuses any other answer).

        GET sends ``params`` as the query string; other verbs send ``body`` as JSON
        (checked to be strict JSON first: a NaN is a ValueError, not a lost order).
        On an order route, an answer that is lost or cannot be read raises
        :class:`~brokers.errors.OrderStateUnknown` carrying ``tag`` (the
        ``orderTag``) / ``known_id``; the route's ``id_key`` must be readable from
        a successful answer.
        """
        spec = self._routes[route]
        path = spec.path.format(**{k: quote(v, safe="") for k, v in (path_args or {}).items()})
        base = {"api": self.root, "data": self.data_root}[spec.root]
        kw: Dict[str, Any] = {"group": routes.DEFAULT_GROUP, "order": spec.order}
        if spec.method == "GET":
            kw["params"] = params
        else:
            kw["json"] = checks.json_body("data", body)
        if headers:
            kw["headers"] = headers
        kw["decode"] = decode_order if spec.order else decode
        url = base + path
        if not spec.order:
            answer: Dict[str, Any] = self._send(spec.method, url, auth=auth, **kw)
            return answer
        answer = send_order(lambda: self._send(spec.method, url, auth=auth, **kw),
                            lambda m, **e: self._order_unknown(m, tag, known_id, **e), f"{spec.method} {spec.path}",
                            tag, known_id)
        if spec.id_key:
            read_order_id(answer, (spec.id_key,), lambda m, **e: self._order_unknown(m, tag, known_id, **e))
        elif answer.get("s") != "ok":  # no id to read: at least Fyers' "ok"
            raise self._order_unknown(f"the answer does not say ok: {answer!r}"[:300], tag, known_id)
        return answer

    def _fetch(self, route: str, decode: Callable[..., Any], path_args: Optional[Dict[str, str]] = None) -> Any:
        """GET a public file (no token, not rate-limited) and return what ``decode`` makes of it."""
        spec = self._routes[route]
        path = spec.path.format(**{k: quote(v, safe="") for k, v in (path_args or {}).items()})
        return self._send("GET", self.public_root + path, group=routes.PUBLIC_GROUP, auth=False, decode=decode)

    def _order_unknown(self, detail: str, tag: Optional[str], order_id: Optional[str],
                       **kw: Any) -> errors.BrokerError:
        """The OrderStateUnknown for an order call whose answer could not be read."""
        where = (f"orderTag {tag!r}" if tag else f"id {order_id!r}" if order_id else "the order book")
        err = self.transport.error(errors.OrderStateUnknown, (
            f"{detail}. The request reached Fyers but its answer cannot be read, so the order state is unknown; "
            f"it was not retried: look it up ({where}) in orderbook() before trying again."), **kw)
        return attach(err, tag, order_id)

    def _read_items(self, answer: Any, tag: Optional[str] = None) -> Any:
        """A basket answer, ``{"data": [{"statusCode", "body": {...}}, ...]}``: every item must
        be readable (a refusal with its error, or an ``ok`` with the order's id)."""
        def unknown(message: str, **kw: Any) -> errors.BrokerError:
            return self._order_unknown(message, tag, None, **kw)

        items = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(items, list) or not items:
            raise unknown(f"the basket answer has no list of results: {answer!r}"[:300])
        for item in items:
            body = item.get("body") if isinstance(item, dict) else None
            if isinstance(body, dict) and body.get("s") == "error":
                continue  # refused, with Fyers' code and message
            read_order_id(body, ("id",), unknown)
        return answer
