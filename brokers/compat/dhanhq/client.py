"""``dhanhq.dhanhq`` and ``dhanhq.DhanContext`` on :class:`~brokers.dhan.Dhan`.

Every method takes ``dhanhq``'s arguments, calls the :class:`~brokers.dhan.Dhan`
method of the same name, and returns ``dhanhq``'s envelope
(:mod:`brokers.compat.dhanhq.envelope`); nothing raises for a refused call, as in
``dhanhq``. New code should use :class:`~brokers.dhan.Dhan`, which raises typed errors.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Dict, Optional

import requests

from ...dhan import Dhan
from ...stores import MemoryStore
from .. import _targets
from . import envelope

__all__ = ["DhanContext", "dhanhq"]

log = logging.getLogger(__name__)


def _client(client_id: Any, access_token: Any, disable_ssl: bool, pool: Optional[Dict[str, Any]]) -> Dhan:
    session: Optional[requests.Session] = None
    if disable_ssl or pool:
        session = requests.Session()
        session.verify = not disable_ssl
        if pool:
            adapter = requests.adapters.HTTPAdapter(**pool)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
    # dhanhq keeps no session anywhere: a store of this client's own, in memory.
    return Dhan(client_id, access_token, store=MemoryStore(), session=session, **_targets.urls("dhan"))


class DhanContext:
    """``dhanhq.DhanContext``: the client id and token that every ``dhanhq`` object shares.

    Args:
        client_id: the Dhan client id.
        access_token: the access token.
        disable_ssl: skip certificate checks (as ``dhanhq``; avoid it).
        pool: keyword arguments for ``requests.adapters.HTTPAdapter``.

    Example::

        from brokers.compat.dhanhq import DhanContext, dhanhq

        dhan = dhanhq(DhanContext("1100000001", token))
        dhan.get_holdings()      # {"status": "success", "remarks": "", "data": [...]}
    """

    def __init__(self, client_id: Any, access_token: Any, disable_ssl: bool = False,
                 pool: Optional[Dict[str, Any]] = None) -> None:
        self.client_id = client_id
        self.access_token = access_token
        self.disable_ssl = disable_ssl
        self.pool = pool
        self._dhan: Optional[Dhan] = None

    def get_client_id(self) -> Any:
        return self.client_id

    def get_access_token(self) -> Any:
        return self.access_token

    def get_dhan_http(self) -> Dhan:
        """The :class:`~brokers.dhan.Dhan` client every object made from this context
        shares (``dhanhq`` returns its ``DhanHTTP`` here)."""
        if self._dhan is None:
            self._dhan = _client(self.client_id, self.access_token, self.disable_ssl, self.pool)
        return self._dhan

    @property
    def dhan_http(self) -> Dhan:
        """``dhanhq``'s attribute name for :meth:`get_dhan_http`."""
        return self.get_dhan_http()

    @property
    def dhan_login(self) -> Any:
        """``dhanhq``'s attribute name for :meth:`get_dhan_login`."""
        return self.get_dhan_login()

    def get_dhan_login(self) -> Any:
        from .login import DhanLogin

        return DhanLogin(self.client_id)

    def __repr__(self) -> str:
        return f"DhanContext(client_id={self.client_id!r})"


def _wrap(name: str, *, raises: bool = False) -> Callable[..., Any]:
    target = getattr(Dhan, name)

    @functools.wraps(target)
    def method(self: "dhanhq", *args: Any, **kw: Any) -> Dict[str, Any]:
        return envelope.call(lambda: getattr(self.dhan, name)(*args, **kw), raise_value_errors=raises)

    method.__doc__ = f"``dhanhq.{name}``: :meth:`brokers.dhan.Dhan.{name}` in ``dhanhq``'s envelope."
    return method


class _Hybrid:
    """A method that works on the class (as ``dhanhq``'s static methods do) and on an
    instance (then it uses the instance's client and URLs)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    def __get__(self, obj: Any, owner: Any = None) -> Callable[..., Any]:
        return functools.partial(self.fn, obj)


def _security_list(self: Optional["dhanhq"], mode: str = "compact", filename: str = "security_id_list.csv",
                   *, _global: bool = False) -> Any:
    client = self.dhan if self is not None else Dhan(store=MemoryStore(), **_targets.urls("dhan"))
    try:
        if _global:
            rows = client.fetch_global_security_list(filename)
        else:
            if mode not in ("compact", "detailed"):
                raise ValueError("Invalid mode. Choose 'compact' or 'detailed'.")
            rows = client.fetch_security_list(mode, filename)
    except Exception as e:  # dhanhq logs and returns None
        log.error("Exception in dhanhq>>fetch_security_list: %s", e)
        return None
    finally:
        if self is None:
            client.close()
    try:
        import pandas as pd
    except ImportError:
        return rows  # no pandas: the parsed rows (dhanhq requires pandas)
    return pd.read_csv(filename)


class dhanhq:  # noqa: N801 - dhanhq's name
    """``dhanhq.dhanhq`` (2.3, and the 2.0/2.1 form ``dhanhq(client_id, access_token)``).

    Every method returns ``{"status": "success", "remarks": "", "data": ...}`` or
    ``dhanhq``'s failure dict, built from :class:`~brokers.dhan.Dhan`'s result or error.
    ``self.dhan`` is that client.

    Example::

        from brokers.compat.dhanhq import dhanhq

        dhan = dhanhq("1100000001", token)
        r = dhan.place_order(security_id="1333", exchange_segment=dhan.NSE, transaction_type=dhan.BUY,
                             quantity=1, order_type=dhan.MARKET, product_type=dhan.INTRA, price=0)
        if r["status"] == "success":
            print(r["data"]["orderId"])
    """

    NSE, BSE, CUR, MCX, FNO, NSE_FNO, BSE_FNO, INDEX, INX = (
        "NSE_EQ", "BSE_EQ", "NSE_CURRENCY", "MCX_COMM", "NSE_FNO", "NSE_FNO", "BSE_FNO", "IDX_I", "INX_EQ")
    BUY, SELL = "BUY", "SELL"
    CNC, INTRA, MARGIN, CO, BO, MTF = "CNC", "INTRADAY", "MARGIN", "CO", "BO", "MTF"
    LIMIT, MARKET, SL, SLM = "LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_MARKET"
    DAY, IOC = "DAY", "IOC"
    OTP_SENT = "OTP sent"
    COMPACT_CSV_URL = "https://images.dhan.co/api-data/api-scrip-master.csv"
    DETAILED_CSV_URL = "https://images.dhan.co/api-data/api-scrip-master-detailed.csv"
    GLOBAL_STOCKS_CSV_URL = "https://api-global-stocks.dhan.co/api-data/us-stock-scrip-master.csv"

    def __init__(self, dhan_context: Any, access_token: Optional[str] = None, disable_ssl: bool = False,
                 pool: Optional[Dict[str, Any]] = None) -> None:
        if isinstance(dhan_context, DhanContext):
            if access_token is not None:
                raise ValueError("pass either a DhanContext or (client_id, access_token), not both")
            self.context = dhan_context
        else:  # dhanhq 2.0/2.1: dhanhq(client_id, access_token, disable_ssl=False, pool=None)
            self.context = DhanContext(dhan_context, access_token, disable_ssl, pool)
        self.dhan: Dhan = self.context.get_dhan_http()
        self.dhan_http = self.dhan
        self.client_id = self.context.client_id
        self.access_token = self.context.access_token

    # -- orders ---------------------------------------------------------------------------
    def place_order(self, security_id: Any, exchange_segment: str, transaction_type: str, quantity: int,
                    order_type: str, product_type: str, price: float, trigger_price: float = 0,
                    disclosed_quantity: int = 0, after_market_order: bool = False, validity: str = "DAY",
                    amo_time: str = "OPEN", bo_profit_value: Optional[float] = None,
                    bo_stop_loss_Value: Optional[float] = None, tag: Optional[str] = None,  # noqa: N803
                    should_slice: bool = False) -> Dict[str, Any]:
        """``dhanhq.place_order`` (see :meth:`brokers.dhan.Dhan.place_order`)."""
        if after_market_order and amo_time not in ["OPEN", "OPEN_30", "OPEN_60"]:
            raise Exception("amo_time value must be one of ['OPEN','OPEN_30','OPEN_60']")
        return envelope.call(lambda: self.dhan.place_order(
            security_id, exchange_segment, transaction_type, quantity, order_type, product_type, price,
            trigger_price, disclosed_quantity, after_market_order, validity, amo_time, bo_profit_value,
            bo_stop_loss_Value, tag, should_slice))

    def generate_tpin(self) -> Dict[str, Any]:
        """``dhanhq.generate_tpin``: ``remarks`` is ``"OTP sent"`` on success, else
        ``"status code : <error code>"``; ``data`` is always ``""``."""
        response = envelope.call(self.dhan.generate_tpin)
        response["data"] = ""
        if response["status"] == "success":
            response["remarks"] = self.OTP_SENT
        else:
            remarks = response["remarks"]
            code = remarks.get("error_code") if isinstance(remarks, dict) else remarks
            response["remarks"] = "status code : " + str(code)
        return response

    def convert_to_date_time(self, epoch: float) -> Any:
        """An epoch as an IST datetime, or a date at IST midnight (as ``dhanhq``)."""
        return Dhan.convert_to_date_time(epoch)

    fetch_security_list = _Hybrid(_security_list)

    def _global_list(self: Optional["dhanhq"], filename: str = "global_security_id_list.csv") -> Any:
        return _security_list(self, filename=filename, _global=True)

    fetch_global_security_list = _Hybrid(_global_list)

    def close(self) -> None:
        """Close the HTTP connections (not in ``dhanhq``; harmless to skip)."""
        self.dhan.close()

    def __repr__(self) -> str:
        return f"dhanhq(client_id={self.client_id!r})"


# Every other dhanhq method: the Dhan method of the same name, in the envelope.
_PLAIN = (
    "get_order_list", "get_order_by_id", "get_order_by_correlationID", "modify_order", "cancel_order",
    "place_slice_order", "place_forever", "modify_forever", "get_forever", "cancel_forever",
    "get_holdings", "get_positions", "exit_all_positions", "convert_position",
    "get_fund_limits", "margin_calculator", "margin_calculator_multi",
    "get_trade_book", "get_trade_history", "ledger_report",
    "kill_switch", "status_kill_switch", "set_pnl_exit", "get_pnl_exit", "stop_pnl_exit",
    "open_browser_for_tpin", "edis_inquiry",
    "ticker_data", "ohlc_data", "quote_data",
    "intraday_minute_data", "historical_daily_data", "expired_options_data",
    "option_chain", "expiry_list",
    "get_super_order_list",
    "place_conditional_order", "get_conditional_orders", "get_conditional_order", "modify_conditional_order",
    "cancel_conditional_order",
    "place_global_order", "get_global_order_list", "get_global_order_by_id", "modify_global_order",
    "cancel_global_order", "get_global_trades", "get_global_trades_by_security", "get_global_holdings",
    "global_trans_estimate", "global_margin_calculator", "get_global_market_status", "get_global_fund_limit",
)
# dhanhq raises ValueError for these instead of returning a failure dict.
_RAISING = ("place_super_order", "modify_super_order", "cancel_super_order")

for _name in _PLAIN:
    setattr(dhanhq, _name, _wrap(_name))
for _name in _RAISING:
    setattr(dhanhq, _name, _wrap(_name, raises=True))
