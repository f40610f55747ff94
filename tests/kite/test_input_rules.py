"""Issue 9's input rules on Kite, for many inputs: ids never change the URL,
numbers are numbers. A refused value never reaches the sandbox."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator, Tuple

import pytest
import requests
from hypothesis import HealthCheck, given, settings

from brokers.kite import Kite
from brokers.kite import validate as v
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore
from brokers.symbols.resolve import looks_like_symbol

from ..conftest import web_login_kwargs
from ..hostile_args import bad_prices, bad_quantities, hostile_ids

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
UUID = "550e8400-e29b-41d4-a716-446655440000"
GTT = dict(trigger_type="single", tradingsymbol="INFY", exchange="NSE", trigger_values=[1400.0], last_price=1500.0,
           orders=[{"transaction_type": "BUY", "quantity": 1, "order_type": "LIMIT", "product": "CNC",
                    "price": 1400.0}])
ALERT = dict(name="a", type="simple", lhs_exchange="NSE", lhs_tradingsymbol="INFY", lhs_attribute="LastTradedPrice",
             operator="<=", rhs_type="constant", rhs_constant=1.0)


@pytest.fixture(scope="module")
def box() -> Iterator[Tuple[Sandbox, Kite]]:
    with Sandbox() as sb:
        sb.kite.rate_limits = {k: (100_000, 1.0) for k in sb.kite.rate_limits}
        session = requests.Session()
        session.trust_env = False
        with Kite(store=MemoryStore(), rate_limits=False, session=session, **sb.kite_urls()) as kite:
            kite.authorize(**web_login_kwargs(sb))
            yield sb, kite


Call = Callable[[Kite, Any], Any]
#: (argument name, the pattern of values Kite issues, the call putting the value into a path)
PATH_CALLS: "list[tuple[str, re.Pattern[str], Call]]" = [
    ("order_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"), lambda k, x: k.cancel_order("regular", x)),
    ("order_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"), lambda k, x: k.exit_order("co", x)),
    ("order_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"), lambda k, x: k.modify_order("regular", x, quantity=1)),
    ("order_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"), lambda k, x: k.order_history(x)),
    ("order_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"), lambda k, x: k.order_trades(x)),
    ("order_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}|"), lambda k, x: k.mf_orders(x)),
    ("order_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"), lambda k, x: k.cancel_mf_order(x)),
    ("sip_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}|"), lambda k, x: k.mf_sips(x)),
    ("sip_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"), lambda k, x: k.modify_mf_sip(x, amount=100)),
    ("sip_id", re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"), lambda k, x: k.cancel_mf_sip(x)),
    ("trigger_id", re.compile(r"[0-9]{1,30}"), lambda k, x: k.get_gtt(x)),
    ("trigger_id", re.compile(r"[0-9]{1,30}"), lambda k, x: k.modify_gtt(x, **GTT)),
    ("trigger_id", re.compile(r"[0-9]{1,30}"), lambda k, x: k.delete_gtt(x)),
    ("uuid", v._UUID, lambda k, x: k.get_alert(x)),
    ("uuid", v._UUID, lambda k, x: k.get_alert_history(x)),
    ("uuid", v._UUID, lambda k, x: k.modify_alert(x, **ALERT)),
    ("uuids", v._UUID, lambda k, x: k.delete_alerts(UUID, x)),
    ("isin", re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]"), lambda k, x: k.mf_holding_info(x)),
    ("exchange", re.compile("|".join(v.EXCHANGES) + "|"), lambda k, x: k.instruments(x)),  # "": every exchange
    ("segment", re.compile("equity|commodity"), lambda k, x: k.margins(x)),
    ("variety", re.compile("|".join(v.VARIETIES)), lambda k, x: k.cancel_order(x, "1")),
    ("variety", re.compile("|".join(v.VARIETIES)),
     lambda k, x: k.place_order(x, "NSE", "INFY", "BUY", 1, "CNC", "MARKET")),
    ("interval", re.compile("|".join(v.INTERVALS)),
     lambda k, x: k.historical_data(408065, "2026-11-02", "2026-11-03", x)),
    ("instrument_token", re.compile(r"[0-9]{1,9}"),
     lambda k, x: k.historical_data(x, "2026-11-02", "2026-11-03", "day")),
    ("transaction_type", re.compile("BUY|SELL|buy|sell"), lambda k, x: k.trigger_range(x, "NSE:INFY")),
]


@pytest.mark.parametrize("name, valid, call", PATH_CALLS, ids=[f"{i}-{c[0]}" for i, c in enumerate(PATH_CALLS)])
@SETTINGS
@given(data=hostile_ids(re.compile(r"(?!)")))
def test_a_hostile_path_value_never_reaches_the_broker(box: Any, name: str, valid: Any, call: Call, data: str) -> None:
    sb, kite = box
    if valid.fullmatch(data) or (name == "instrument_token" and looks_like_symbol(data)):
        return  # a value Kite could issue (or, for a token, a symbol to look up): not hostile here
    before = len(sb.requests())
    with pytest.raises(ValueError, match=re.escape(name.rstrip("s")) if name != "uuids" else "uuid"):
        call(kite, data)
    assert len(sb.requests()) == before


def test_the_issue_examples(box: Any) -> None:
    sb, kite = box
    before = len(sb.requests())
    for bad in ("../../user/profile", "1/../../../session/token", "1#x", "1?x=1"):
        with pytest.raises(ValueError, match="order_id"):
            kite.cancel_order("regular", bad)
        with pytest.raises(ValueError, match="order_id"):
            kite.order_history(bad)
    assert len(sb.requests()) == before


def test_valid_ids_still_work(box: Any) -> None:
    sb, kite = box
    oid = kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "LIMIT", price=1.0, tag="ok")
    assert kite.order_history(oid)[-1]["order_id"] == oid
    assert sb.requests("GET")[-1].path.endswith(f"/orders/{oid}")
    tid = kite.place_gtt(**GTT)["trigger_id"]
    assert kite.get_gtt(str(tid))["id"] == tid


ORDER = dict(variety="regular", exchange="NSE", tradingsymbol="INFY", transaction_type="BUY", quantity=1,
             product="CNC", order_type="LIMIT", price=1500.0)


@pytest.mark.parametrize("field", ["price", "trigger_price"])
@SETTINGS
@given(value=bad_prices())
def test_prices_are_finite_numbers_in_range(box: Any, field: str, value: Any) -> None:
    sb, kite = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match=field):
        kite.place_order(**{**ORDER, "order_type": "SL", "trigger_price": 1500.0, field: value})
    with pytest.raises(ValueError, match=field):
        kite.modify_order("regular", "1", **{field: value})
    assert len(sb.requests()) == before


@pytest.mark.parametrize("field", ["quantity", "iceberg_legs", "validity_ttl"])
@SETTINGS
@given(value=bad_quantities())
def test_quantities_are_whole_numbers_in_range(box: Any, field: str, value: Any) -> None:
    sb, kite = box
    if value is None and field != "quantity":
        return  # optional
    before = len(sb.requests())
    with pytest.raises(ValueError, match=field):
        kite.place_order(**dict(ORDER, **{field: value}))
    assert len(sb.requests()) == before


@SETTINGS
@given(value=bad_prices())
def test_gtt_and_alert_numbers(box: Any, value: Any) -> None:
    sb, kite = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match="trigger_values"):
        kite.place_gtt(**dict(GTT, trigger_values=[value]))
    with pytest.raises(ValueError, match="last_price"):
        kite.place_gtt(**dict(GTT, last_price=value))
    with pytest.raises(ValueError, match="rhs_constant"):
        kite.create_alert(**dict(ALERT, rhs_constant=value))
    assert len(sb.requests()) == before


@pytest.mark.parametrize("token", ["４０８０６５", "٤٠٨٠٦٥", True, 0, -1, 2**32, "1e3", " 408065x", 408065.0, None])
def test_instrument_tokens_are_ascii_numbers(box: Any, token: Any) -> None:
    sb, kite = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match="instrument_token"):
        kite.historical_data(token, "2026-11-02", "2026-11-03", "day")
    assert len(sb.requests()) == before


@pytest.mark.parametrize("when", ["２０２６-11-02", "2026-02-30", "tomorrow", "2026-11-02T09:15", "2026-11-02 25:00:00"])
def test_dates_are_real_dates(box: Any, when: str) -> None:
    with pytest.raises(ValueError, match="from_date"):
        box[1].historical_data(408065, when, "2026-11-03", "day")


def test_nan_is_never_sent(box: Any) -> None:
    sb, kite = box
    before = len(sb.requests())
    with pytest.raises(ValueError, match="price"):
        kite.place_order(**dict(ORDER, price=float("nan")))
    assert len(sb.requests()) == before


@pytest.mark.parametrize("instrument", [-1, 0, 2**32, True, 1.5, "", " ", "NSE: INFY", "NSE:INFY\n", None, "0"])
def test_quote_instruments_are_keys_or_tokens_in_range(box: Any, instrument: Any) -> None:
    sb, kite = box
    before = len(sb.requests())
    for call in (kite.quote, kite.ltp, kite.ohlc):
        with pytest.raises(ValueError, match="instrument"):
            call("NSE:INFY", instrument)
    assert len(sb.requests()) == before
