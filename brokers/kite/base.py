"""KiteBase: the request helpers every group of Kite endpoints uses.

The endpoint groups (:mod:`.orders`, :mod:`.portfolio`, :mod:`.market`,
:mod:`.mf`, :mod:`.alerts`) are mixins on this class; :class:`brokers.kite.Kite`
puts them together with the login logic.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from ..core.client import BaseClient
from ..stores import Session
from .routes import KITE_VERSION, ROOT, WEB_ROOT

__all__ = ["KiteBase"]


def _clean(params: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    # kiteconnect relies on requests dropping None values; make it explicit.
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}


class KiteBase(BaseClient):
    """Request plumbing shared by the Kite endpoint mixins. Not used directly."""

    broker = "kite"
    root: str = ROOT
    web_root: str = WEB_ROOT
    api_key: Optional[str] = None
    kite_header_version = KITE_VERSION  # as on kiteconnect.KiteConnect

    def _url(self, path: str) -> str:
        # String concatenation, not urljoin: urljoin would drop the /oms path of the web root.
        if self.session is not None and self.session.kind == "enctoken":
            return f"{self.web_root}/oms{path}"
        return f"{self.root}{path}"

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

    def _call(self, method: str, path: str, *, params: Optional[Dict[str, Any]] = None, group: str = "default",
              order: bool = False, json: Any = None, query: Optional[Dict[str, Any]] = None) -> Any:
        """Send ``params`` as the query string (GET/DELETE) or a form body (POST/PUT)."""
        self._ensure_session()
        params = _clean(params)
        kw: Dict[str, Any] = {"group": group, "order": order}
        if method in ("GET", "DELETE"):
            kw["params"] = params
        else:
            kw["data"] = params
            kw["params"] = _clean(query)
        if json is not None:
            kw["json"] = json
        return self._send(method, self._url(path), **kw)

    def _get(self, path: str, params: Optional[Dict[str, Any]] = None, group: str = "default") -> Any:
        return self._call("GET", path, params=params, group=group)
