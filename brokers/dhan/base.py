"""DhanBase: the one request path every group of Dhan endpoints uses.

The endpoint groups (:mod:`.orders`, :mod:`.account`, :mod:`.data`,
:mod:`.global_stocks`) are mixins on this class; :class:`brokers.dhan.Dhan`
puts them together with the session logic. Every public method goes
``method -> _call(route, ...)``, the route's verb, path and sending rules taken
from :data:`brokers.dhan.routes.ROUTES` on every call.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Sequence
from urllib.parse import quote

from .. import errors
from ..core import checks
from ..core.client import BaseClient
from ..core.orders import attach, read_order_id, send_order
from . import routes

__all__ = ["DhanBase"]


def _path_arg(name: str, value: Any) -> str:
    text = str(value)
    if text.strip(".") == "" or not text.isprintable():
        raise ValueError(f"{name} cannot be a URL path segment: {value!r}")
    return quote(text, safe="")


class DhanBase(BaseClient):
    """Request plumbing shared by the Dhan endpoint mixins. Not used directly."""

    broker = "dhan"
    #: Route name -> Route; looked up on every call, so a subclass can redirect one.
    _routes: Dict[str, routes.Route] = dict(routes.ROUTES)
    root: str = routes.API_ROOT
    scrip_root: str = routes.SCRIP_ROOT
    global_scrip_root: str = routes.GLOBAL_SCRIP_ROOT
    client_id: Optional[str] = None

    def _body_client_id(self) -> Optional[str]:
        """The ``dhanClientId`` for request bodies (Dhan finds it in the store if needed)."""
        return self.client_id

    def _call(self, route: str, *, path_args: Optional[Dict[str, Any]] = None, body: Any = None,
              params: Optional[Dict[str, Any]] = None, decode: Optional[Callable[..., Any]] = None,
              tag: Optional[str] = None, known_id: Optional[str] = None) -> Any:
        """Send the call ``route`` names and return Dhan's JSON.

        ``path_args`` fill the path's ``{slots}`` (checked and percent-encoded by
        :mod:`.validate`); ``body`` goes as JSON, with ``dhanClientId`` first when the
        route says so (as ``dhanhq`` sends it); ``params`` is the query string. On an
        order route, an answer that is lost or cannot be read raises
        :class:`~brokers.errors.OrderStateUnknown` carrying ``tag`` / ``known_id``.
        """
        spec = self._routes[route]
        path = spec.path.format(**{k: _path_arg(k, v) for k, v in (path_args or {}).items()})
        base = {"api": self.root, "scrip": self.scrip_root, "global_scrip": self.global_scrip_root}[spec.root]
        kw: Dict[str, Any] = {"group": spec.group, "order": spec.order}
        if params is not None:
            kw["params"] = params
        if body is not None:
            if spec.client_id and isinstance(body, dict):
                body = {"dhanClientId": self._body_client_id(), **body}
            kw["json"] = checks.json_body("body", body)  # a NaN is an input error, not a lost order
        if decode is not None:
            kw["decode"] = decode
        if not spec.order:
            return self._send(spec.method, base.rstrip("/") + path, auth=spec.auth, **kw)
        return send_order(lambda: self._send(spec.method, base.rstrip("/") + path, auth=spec.auth, **kw),
                          lambda m, **e: self._order_unknown(m, tag, known_id, **e), f"{spec.method} {spec.path}",
                          tag, known_id)

    def _order_unknown(self, detail: str, tag: Optional[str], order_id: Optional[str],
                       **kw: Any) -> errors.BrokerError:
        """The OrderStateUnknown for an order call whose answer could not be read."""
        where = (f"get_order_by_correlationID({tag!r})" if tag
                 else f"get_order_by_id({order_id!r})" if order_id else "get_order_list()")
        err = self.transport.error(errors.OrderStateUnknown, (
            f"{detail}. The request reached Dhan but its answer cannot be read, so the order state is unknown; "
            f"it was not retried: look it up with {where} before trying again."), **kw)
        return attach(err, tag, order_id)

    def _read_ack(self, answer: Any, what: str) -> Any:
        """An order call that answers without an id (exit all, convert): the answer must
        still be a non-empty JSON object, else OrderStateUnknown."""
        if not isinstance(answer, dict) or not answer:
            raise self._order_unknown(f"the {what} answer cannot be read: {answer!r}"[:300], None, None)
        return answer

    def _read_id(self, answer: Any, keys: Sequence[str] = ("orderId",), tag: Optional[str] = None,
                 order_id: Optional[str] = None, what: str = "order") -> Any:
        """Return ``answer`` if the id at ``keys`` can be read from it (from every item
        of a list answer), else raise OrderStateUnknown carrying ``tag`` / ``order_id``."""
        def unknown(message: str, **kw: Any) -> errors.BrokerError:
            return self._order_unknown(message, tag, order_id, **kw)

        items = answer if isinstance(answer, list) and answer else [answer]
        for item in items:
            read_order_id(item, keys, unknown, what=what)
        return answer
