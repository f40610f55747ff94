"""fyers_apiv3 (the official SDK) and brokers.compat.fyers_apiv3 side by side on the same
sandbox. Skipped unless fyers_apiv3 is installed (never a dependency); see
test_side_by_side_dhanhq.py for how to run it."""

from __future__ import annotations

from typing import Any

import pytest

from brokers.compat.fyers_apiv3 import fyersModel as ours
from brokers.sandbox import Sandbox

official = pytest.importorskip("fyers_apiv3.fyersModel")

SBIN = "NSE:SBIN-EQ"


@pytest.fixture
def pair(sb: Sandbox, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)  # fyers_apiv3 writes its log files here
    urls = sb.fyers_urls()
    monkeypatch.setattr(official.Config, "API", urls["root"])
    monkeypatch.setattr(official.Config, "DATA_API", urls["data_root"])
    token = sb.fyers.issue_access_token()
    theirs = official.FyersModel(client_id=sb.fyers.client_id, token=token, log_path=str(tmp_path))
    return theirs, ours.FyersModel(client_id=sb.fyers.client_id, token=token)


def test_same_answers(pair: Any) -> None:
    theirs, mine = pair
    calls = [("get_profile", ()), ("funds", ()), ("holdings", ()), ("positions", ()), ("orderbook", ()),
             ("tradebook", ()), ("market_status", ()),
             ("history", ({"symbol": SBIN, "resolution": "D", "date_format": "1", "range_from": "2026-11-02",
                           "range_to": "2026-11-06", "cont_flag": "1"},)),
             ("cancel_order", ({"id": "99999999999999"},)),
             ("orderbook", ({"id": "99999999999999"},))]
    for name, args in calls:
        assert getattr(theirs, name)(*args) == getattr(mine, name)(*args), name


def test_same_session_answers(sb: Sandbox, pair: Any) -> None:
    kw = dict(client_id=sb.fyers.client_id, secret_key=sb.fyers.secret_key, redirect_uri=sb.fyers.redirect_uri,
              response_type="code", grant_type="authorization_code", state="s1")
    a, b = official.SessionModel(**kw), ours.SessionModel(**kw)
    assert a.generate_authcode() == b.generate_authcode()
    for model in (a, b):
        model.set_token("ac.not-a-code")
    assert a.generate_token() == b.generate_token()
