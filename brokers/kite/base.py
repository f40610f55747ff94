"""KiteBase: kiteconnect's request chain, which every group of Kite endpoints uses.

The endpoint groups (:mod:`.orders`, :mod:`.portfolio`, :mod:`.market`,
:mod:`.mf`, :mod:`.alerts`) are mixins on this class; :class:`brokers.kite.Kite`
puts them together with the login logic. Every public method goes
``method -> _get/_post/_put/_delete(route, ...) -> _request(route, method, ...)``
exactly as in kiteconnect 5.2.2, with the route's path taken from the class
attribute ``_routes`` on every call.
"""

from __future__ import annotations

from typing import Any, Dict, Optional
from urllib.parse import quote

from .. import errors
from ..core import checks
from ..core.client import BaseClient
from ..core.orders import attach, read_order_id, send_order
from ..stores import Session
from .routes import (
    DEFAULT_META,
    KITE_VERSION,
    LOGIN_PATH,
    ROOT,
    ROUTE_META,
    ROUTES,
    WEB_API_PREFIX,
    WEB_ROOT,
)

__all__ = ["KiteBase"]

_ID_ARGS = ("order_id", "trigger_id", "sip_id", "uuid")


def _clean(params: Any) -> Any:
    # kiteconnect relies on requests dropping None values; make it explicit.
    if not isinstance(params, dict):
        return params
    return {k: v for k, v in params.items() if v is not None}


def _path_arg(name: str, value: Any) -> str:
    text = str(value)
    if text.strip(".") == "" or not text.isprintable():
        raise ValueError(f"{name} cannot be a URL path segment: {value!r}")
    return quote(text, safe="")


class KiteBase(BaseClient):
    """Request plumbing shared by the Kite endpoint mixins. Not used directly."""

    broker = "kite"
    _default_root_uri = ROOT
    _default_login_uri = WEB_ROOT + LOGIN_PATH
    #: Route name -> path (kiteconnect's names). Looked up on every call, so a subclass
    #: (or code that edits this dict) redirects a call by changing its entry.
    _routes: Dict[str, str] = dict(ROUTES)
    root: str = ROOT
    web_root: str = WEB_ROOT
    api_key: Optional[str] = None
    kite_header_version = KITE_VERSION  # as on kiteconnect.KiteConnect

    def _web_session(self) -> bool:
        return self.session is not None and self.session.kind == "enctoken"

    def _connect_session(self) -> bool:
        return self.session is not None and self.session.kind == "access_token"

    def _auth_headers(self) -> Dict[str, str]:
        s: Optional[Session] = self.session
        headers = {"X-Kite-Version": KITE_VERSION}
        if s is None:
            return headers
        if s.kind == "enctoken":
            headers["Authorization"] = f"enctoken {s.token}"
        else:
            headers["Authorization"] = f"token {s.api_key or self.api_key}:{s.token}"
        return headers

    # -- kiteconnect's chain ----------------------------------------------------------------
    def _get(self, route: str, url_args: Optional[Dict[str, Any]] = None, params: Any = None,
             is_json: bool = False) -> Any:
        """Alias for sending a GET request."""
        return self._request(route, "GET", url_args=url_args, params=params, is_json=is_json)

    def _post(self, route: str, url_args: Optional[Dict[str, Any]] = None, params: Any = None,
              is_json: bool = False, query_params: Optional[Dict[str, Any]] = None) -> Any:
        """Alias for sending a POST request."""
        return self._request(route, "POST", url_args=url_args, params=params, is_json=is_json,
                             query_params=query_params)

    def _put(self, route: str, url_args: Optional[Dict[str, Any]] = None, params: Any = None,
             is_json: bool = False, query_params: Optional[Dict[str, Any]] = None) -> Any:
        """Alias for sending a PUT request."""
        return self._request(route, "PUT", url_args=url_args, params=params, is_json=is_json,
                             query_params=query_params)

    def _delete(self, route: str, url_args: Optional[Dict[str, Any]] = None, params: Any = None,
                is_json: bool = False) -> Any:
        """Alias for sending a DELETE request."""
        return self._request(route, "DELETE", url_args=url_args, params=params, is_json=is_json)

    def _request(self, route: str, method: str, url_args: Optional[Dict[str, Any]] = None, params: Any = None,
                 is_json: bool = False, query_params: Optional[Dict[str, Any]] = None) -> Any:
        """Send one API call and return Kite's ``data``; the one place every call passes.

        As in kiteconnect 5.2.2: the path is ``self._routes[route]`` formatted with
        ``url_args`` (each value percent-encoded here); GET and DELETE send ``params``
        as the query string, POST and PUT as a form body (a JSON body with
        ``is_json=True``) with ``query_params`` as the query string. ``None`` values
        are left out.

        Unlike kiteconnect, the URL is ``root + path`` (or ``web_root + "/oms" + path``
        for a Kite Web session) by concatenation, not ``urljoin``, so a root with a path
        keeps it; the rate-limit group and the order flag (never retried; a lost or
        unreadable answer is OrderStateUnknown) come from ``routes.ROUTE_META``; and
        the call goes through the client's transport (timeouts, limits, typed errors,
        re-login after a refused token).

        How a subclass redirects calls: change an entry of ``_routes`` (a copy of it in
        the subclass, or the class's own dict to affect every client) to send one route
        elsewhere; set ``root`` / ``_default_root_uri`` to move every route; or override
        ``_request`` itself (same signature) to take over every call, for example to
        add headers and then call ``super()._request(...)``. Overriding ``_get``,
        ``_post``, ``_put`` or ``_delete`` takes over the calls of that verb.

        Raises:
            KeyError: an unknown route name (as kiteconnect).
            ValueError: a ``url_args`` value that cannot be a path segment.
            brokers.kite.exceptions.KiteException: a subclass for every failure.
        """
        meta = ROUTE_META.get(route, DEFAULT_META)
        path = self._routes[route]
        if url_args:
            path = path.format(**{k: _path_arg(k, v) for k, v in url_args.items()})
        if meta.auth:
            try:
                self._ensure_session()  # the URL depends on the session's kind; no session: AuthError
            except errors.TokenExpired:
                pass  # _send renews it and replays, or raises
        if self._web_session() and meta.auth and not meta.api_host:
            # String concatenation, not urljoin: urljoin would drop the /oms path.
            url = f"{self.web_root}{WEB_API_PREFIX}{path}"
        else:
            url = f"{self.root}{path}"
        kw: Dict[str, Any] = {"group": meta.group, "order": meta.order}
        if method in ("GET", "DELETE"):
            kw["params"] = _clean(params)
        else:
            kw["params"] = _clean(query_params)
            if is_json:
                kw["json"] = checks.json_body("params", params)  # a NaN is an input error, not a lost call
            else:
                kw["data"] = _clean(params)
        auth = meta.auth and (not meta.api_host or self._connect_session())
        if not meta.order:
            return self._send(method, url, auth=auth, **kw)
        tag = params.get("tag") if isinstance(params, dict) else None
        known = next((str(url_args[k]) for k in _ID_ARGS if url_args and url_args.get(k)), None)
        return send_order(lambda: self._send(method, url, auth=auth, **kw),
                          lambda m, **e: self._order_unknown(m, tag, known, **e), f"{method} {path}", tag, known)

    def _order_unknown(self, detail: str, tag: Optional[str], order_id: Optional[str],
                       **kw: Any) -> errors.BrokerError:
        """The OrderStateUnknown for an order call whose answer could not be read."""
        where = f"tag {tag!r}" if tag else (f"order {order_id}" if order_id else "the order book")
        err = self.transport.error(errors.OrderStateUnknown, (
            f"{detail}. The request reached Kite but its answer cannot be read, so the order state is "
            f"unknown; it was not retried: look it up ({where}) in orders() before trying again."), **kw)
        return attach(err, tag, order_id)

    def _read_id(self, answer: Any, key: str, tag: Optional[str] = None, order_id: Optional[str] = None,
                 what: str = "order") -> str:
        """``answer[key]`` as a string, or OrderStateUnknown (carrying ``tag`` / ``order_id``)."""
        return read_order_id(answer, (key,), lambda m, **e: self._order_unknown(m, tag, order_id, **e), what=what)
