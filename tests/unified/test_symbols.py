"""The unified notation and its mapping onto each broker's master."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokers.symbols import Instrument, SymbolMaster
from brokers.unified import SymbolMap, format_symbol, parse_symbol
from brokers.unified.symbols import unified_name

EXP = dt.date(2026, 12, 29)


def _masters() -> dict:
    kite = SymbolMaster("kite", [
        Instrument("kite", "NSE:INFY", "NSE", "NSE", "INFY", 408065),
        Instrument("kite", "NSE:NIFTY 50", "NSE", "INDICES", "NIFTY 50", 256265, instrument_type="INDEX"),
        Instrument("kite", "NFO:NIFTY26DEC24300CE", "NFO", "NFO-OPT", "NIFTY26DEC24300CE", 13241090,
                   instrument_type="CE", underlying="NIFTY", expiry=EXP, strike=24300.0, option_type="CE",
                   lot_size=75),
        Instrument("kite", "NFO:NIFTY26DECFUT", "NFO", "NFO-FUT", "NIFTY26DECFUT", 13238786, instrument_type="FUT",
                   underlying="NIFTY", expiry=EXP, lot_size=75),
    ])
    dhan = SymbolMaster("dhan", [
        Instrument("dhan", "NSE:INFY", "NSE", "NSE_EQ", "INFY", "1594"),
        Instrument("dhan", "NSE_FNO:NIFTY-Dec2026-24300-CE", "NFO", "NSE_FNO", "NIFTY-Dec2026-24300-CE", "52176",
                   instrument_type="CE", underlying="NIFTY", expiry=EXP, strike=24300.0, option_type="CE",
                   lot_size=75),
        # Dhan's ids repeat across segments: the same id in another segment is another instrument
        Instrument("dhan", "BSE:TCS", "BSE", "BSE_EQ", "TCS", "1594"),
    ])
    fyers = SymbolMaster("fyers", [
        Instrument("fyers", "NSE:INFY-EQ", "NSE", "NSE_CM", "INFY-EQ", "10100000001594"),
        Instrument("fyers", "NSE:NIFTY50-INDEX", "NSE", "NSE_CM", "NIFTY50-INDEX", "101000000026000",
                   instrument_type="INDEX"),
        Instrument("fyers", "NSE:NIFTY26D2924300CE", "NFO", "NSE_FO", "NIFTY26D2924300CE", "101126122952176",
                   instrument_type="CE", underlying="NIFTY", expiry=EXP, strike=24300.0, option_type="CE",
                   lot_size=75),
    ])
    return {"kite": kite, "dhan": dhan, "fyers": fyers}


@pytest.mark.parametrize("broker", ["kite", "dhan", "fyers"])
def test_one_name_finds_each_brokers_own_instrument(broker: str) -> None:
    smap = SymbolMap(_masters()[broker])
    opt = smap.instrument("NFO:NIFTY-2026-12-29-24300-CE")
    assert opt.broker == broker and opt.strike == 24300.0 and opt.lot_size == 75
    assert smap.instrument("nse:infy").symbol in ("INFY", "INFY-EQ")
    assert smap.name_of(key=opt.key) == "NFO:NIFTY-2026-12-29-24300-CE"
    assert smap.name_of(token=opt.token, segment=opt.segment) == "NFO:NIFTY-2026-12-29-24300-CE"
    with pytest.raises(ValueError, match="symbol: unknown symbol 'NSE:NOPE'"):
        smap.instrument("NSE:NOPE")


def test_indices_and_futures() -> None:
    masters = _masters()
    assert "NSE:NIFTY 50" in SymbolMap(masters["kite"]) and "NSE:NIFTY 50" in SymbolMap(masters["fyers"])
    assert SymbolMap(masters["kite"]).instrument("NFO:NIFTY-2026-12-29-FUT").symbol == "NIFTY26DECFUT"


def test_ids_that_repeat_across_dhan_segments_stay_apart() -> None:
    smap = SymbolMap(_masters()["dhan"])
    assert smap.name_of(token="1594", segment="NSE_EQ") == "NSE:INFY"
    assert smap.name_of(token="1594", segment="BSE_EQ") == "BSE:TCS"


@pytest.mark.parametrize("bad, why", [
    ("INFY", "EXCHANGE:SYMBOL"), ("XYZ:INFY", "unknown exchange"), ("NSE:", "no symbol"),
    ("NFO:NIFTY26DEC24300CE", "UNDERLYING-YYYY-MM-DD"), ("NFO:NIFTY-2026-13-40-FUT", "bad expiry"), (None, "EXCHANGE"),
])
def test_malformed_symbols_name_the_argument(bad: object, why: str) -> None:
    with pytest.raises(ValueError, match=why) as info:
        parse_symbol(bad, "symbols[2]")
    assert "symbols[2]" in str(info.value)


@given(st.sampled_from(["NFO", "BFO", "MCX", "CDS"]), st.from_regex(r"[A-Z][A-Z0-9&]{0,11}", fullmatch=True),
       st.dates(dt.date(2020, 1, 1), dt.date(2040, 12, 31)),
       st.one_of(st.none(), st.decimals("0.05", "99999", places=2).map(float)), st.sampled_from(["CE", "PE"]))
def test_derivative_names_round_trip(exchange: str, underlying: str, expiry: dt.date, strike: object,
                                     opt: str) -> None:
    kind = "FUT" if strike is None else opt
    inst = Instrument("kite", "X:Y", exchange, "SEG", "Y", 1, instrument_type=kind, underlying=underlying,
                      expiry=expiry, strike=strike, option_type=None if strike is None else opt)  # type: ignore[arg-type]
    name = unified_name(inst)
    ex, rest = parse_symbol(name)
    assert ex == exchange and rest.startswith(f"{underlying}-{expiry.isoformat()}-")
    assert name == format_symbol(exchange, underlying, expiry, strike, None if strike is None else opt)  # type: ignore[arg-type]
    if strike is not None:
        assert float(rest.split("-")[-2]) == pytest.approx(strike)


@pytest.mark.parametrize("contract, underlying", [
    ("NIFTY26DECFUT", "NIFTY"), ("NIFTY26DEC24300CE", "NIFTY"), ("BANKNIFTY26D2952000PE", "BANKNIFTY"),
    ("M&M26DEC3000CE", "M&M"), ("USDINR26DEC84.25CE", "USDINR"), ("NIFTY2612924300CE", "NIFTY"),
])
def test_an_underlying_the_master_could_not_split_is_read_off_the_contract(contract: str, underlying: str) -> None:
    kind = "FUT" if contract.endswith("FUT") else contract[-2:]
    inst = Instrument("dhan", f"NSE_FNO:{contract}", "NFO", "NSE_FNO", contract, "1", instrument_type=kind,
                      underlying=contract, expiry=EXP, strike=None if kind == "FUT" else 100.0,
                      option_type=None if kind == "FUT" else kind)
    assert unified_name(inst).startswith(f"NFO:{underlying}-2026-12-29-")
