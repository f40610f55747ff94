"""Fyers' error codes -> our exceptions, one case per row of the table in routes.py."""

from __future__ import annotations

from typing import Iterator, Tuple

import pytest

from brokers import errors
from brokers.fyers import Fyers
from brokers.fyers.decode import ERROR_CODES
from brokers.sandbox import Sandbox


@pytest.fixture(scope="module")
def shared() -> Iterator[Tuple[Sandbox, Fyers]]:
    # One sandbox for the module: each case only queues one canned answer.
    with Sandbox() as sb:
        sb.fyers.rate_limits = [(100_000, 1.0)]  # many quick calls; limits are tested elsewhere
        with Fyers(client_id=sb.fyers.client_id, token=sb.fyers.issue_access_token(), rate_limits=False,
                   **sb.fyers_urls()) as client:
            client.transport._sleep = lambda s: None  # GET retries after a 429 need not wait here
            yield sb, client


@pytest.mark.parametrize("code, cls", sorted(ERROR_CODES.items()))
def test_every_code_in_the_table_maps_to_its_class(shared, code, cls):
    sb, fyers = shared
    # A GET that hits a rate limit is retried (3 times), so a 429 code must come back 4 times.
    n = 4 if cls is errors.RateLimitError else 1
    sb.fail_next(n, 400 if cls is not errors.ServerError else 500, path="/fyers/api/v3/funds",
                 body={"s": "error", "code": code, "message": f"m{code}"}, content_type="application/json")
    with pytest.raises(errors.BrokerError) as e:
        fyers.funds()
    assert type(e.value) is cls
    assert e.value.code == code and e.value.message == f"m{code}" and e.value.broker == "fyers"
