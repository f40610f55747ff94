"""``fyers_apiv3.fyersModel``: :class:`FyersModel` on :class:`~brokers.fyers.Fyers`,
:class:`SessionModel` on :class:`~brokers.fyers.FyersAuth`.

Every method returns Fyers' dict as ``fyers_apiv3`` does, success or error. No log
file is written, whatever ``log_path`` says (configure the ``brokers`` logger).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Optional

from ...fyers import Fyers, FyersAuth
from ...stores import MemoryStore
from .. import _targets
from . import answers

__all__ = ["FyersModel", "SessionModel"]


class SessionModel:
    """``fyersModel.SessionModel``: the auth-code login.

    Example::

        from brokers.compat.fyers_apiv3 import fyersModel

        session = fyersModel.SessionModel(client_id=client_id, secret_key=secret_key,
                                          redirect_uri=redirect_uri, response_type="code",
                                          grant_type="authorization_code")
        print(session.generate_authcode())     # open it, log in, copy auth_code
        session.set_token(auth_code)
        response = session.generate_token()    # {"s": "ok", "access_token": ..., ...}
    """

    def __init__(self, client_id: Optional[str] = None, redirect_uri: Optional[str] = None,
                 response_type: Optional[str] = None, scope: Optional[str] = None, state: Optional[str] = None,
                 nonce: Optional[str] = None, secret_key: Optional[str] = None,
                 grant_type: Optional[str] = None) -> None:
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.response_type = response_type
        self.scope = scope
        self.state = state
        self.nonce = nonce
        self.secret_key = secret_key
        self.grant_type = grant_type
        self.auth_token: Optional[str] = None

    def _auth(self) -> FyersAuth:
        # Made per call: SessionModel's attributes may be set at any time before.
        return FyersAuth(str(self.client_id or ""), str(self.redirect_uri or ""), str(self.secret_key or ""),
                         self.state, response_type=self.response_type or "code",
                         grant_type=self.grant_type or "authorization_code", scope=self.scope, nonce=self.nonce,
                         store=MemoryStore(),
                         **_targets.urls("fyers_auth"))

    def generate_authcode(self) -> str:
        """The login URL to open in a browser (no network call). Unlike
        ``fyers_apiv3``, an unset ``state`` is left out rather than sent as ``"None"``."""
        auth = self._auth()
        try:
            return auth.generate_authcode()
        finally:
            auth.close()

    def get_hash(self) -> Any:
        """``sha256("client_id:secret_key")`` (a hashlib object, as ``fyers_apiv3`` returns)."""
        import hashlib

        return hashlib.sha256(f"{self.client_id}:{self.secret_key}".encode())

    def set_token(self, token: str) -> None:
        """Remember the auth code from the redirect."""
        self.auth_token = token

    def generate_token(self) -> Dict[str, Any]:
        """Exchange the auth code: Fyers' dict (``{"s": "ok", "access_token": ...,
        "refresh_token": ...}``, or its error dict)."""
        auth = self._auth()
        try:
            return answers.call(lambda: auth.generate_token(self.auth_token))
        finally:
            auth.close()


class FyersModel:
    """``fyersModel.FyersModel(is_async=False, log_path=None, client_id="", token="",
    log_level="ERROR")`` on :class:`~brokers.fyers.Fyers` (``self.fyers``).

    Raises:
        ValueError: ``is_async=True`` (brokers is synchronous: call it from a thread
            pool in async code).

    Example::

        from brokers.compat.fyers_apiv3 import fyersModel

        fyers = fyersModel.FyersModel(client_id=client_id, is_async=False, token=access_token, log_path="")
        print(fyers.get_profile())    # {"s": "ok", "code": 200, "data": {...}}
    """

    def __init__(self, is_async: bool = False, log_path: Optional[str] = None, client_id: str = "",
                 token: str = "", log_level: str = "ERROR") -> None:
        if is_async:
            raise ValueError("is_async=True is not supported: brokers is synchronous (run the calls in a "
                             "thread pool, e.g. loop.run_in_executor, from async code)")
        self.client_id = client_id
        self.token = token
        self.is_async = is_async
        self.log_path = log_path + "/" if log_path else ""
        self.log_level = log_level
        self.header = "{}:{}".format(client_id, token)
        # fyers_apiv3 keeps no session anywhere: a store of this object's own, in memory
        self.fyers = Fyers(client_id or None, token or None, store=MemoryStore(), **_targets.urls("fyers"))

    def generate_data_token(self, data: Dict[str, Any]) -> Dict[str, Any]:
        """A data-vendor token (``POST /data-token``): Fyers' dict."""
        return answers.call(lambda: self.fyers.generate_data_token(data))

    def close(self) -> None:
        """Release the HTTP connections (not in ``fyers_apiv3``; harmless to skip)."""
        self.fyers.close()

    def __repr__(self) -> str:
        return f"FyersModel(client_id={self.client_id!r})"


def _wrap(name: str) -> Callable[..., Any]:
    target = getattr(Fyers, name)

    @functools.wraps(target)
    def method(self: FyersModel, *args: Any, **kw: Any) -> Any:
        return answers.call(lambda: getattr(self.fyers, name)(*args, **kw))

    method.__doc__ = f"``FyersModel.{name}``: :meth:`brokers.fyers.Fyers.{name}`, Fyers' dict either way."
    return method


_METHODS = (
    "get_profile", "tradebook", "funds", "positions", "holdings", "logout", "get_orders", "orderbook",
    "gtt_orderbook", "market_status", "convert_position", "cancel_order", "cancel_gtt_order", "place_order",
    "place_gtt_order", "modify_order", "modify_gtt_order", "exit_positions", "attach_position_legs",
    "place_multileg_order", "cancel_basket_orders", "place_basket_orders", "modify_basket_orders",
    "history", "quotes", "quotes_v2", "depth", "optionchain",
    "create_alert", "get_alert", "delete_alert", "update_alert", "toggle_alert",
    "create_smart_order_step", "create_smart_order_limit", "create_smart_order_trail", "create_smart_order_sip",
    "modify_smart_order", "cancel_smart_order", "pause_smart_order", "resume_smart_order",
    "smart_orderbook_with_filter", "create_smartexit_trigger", "get_smartexit_triggers",
    "update_smartexit_trigger", "activate_deactivate_smartexit_trigger",
    "orderhistory", "tradehistory", "charges_history", "realised_profit_history", "tax_pnl_history",
    "ledger_history", "screeners_config", "screeners_query", "screeners_candlestick", "screeners_technical",
    "futures_chain", "expiry_dates", "history_underlying_symbols", "fno_historical_data",
)
for _name in _METHODS:
    setattr(FyersModel, _name, _wrap(_name))

