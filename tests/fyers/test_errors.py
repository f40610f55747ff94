"""Fyers' error codes -> our exceptions, one case per row of the table in routes.py."""

from __future__ import annotations

from typing import Iterator, Tuple

import pytest

from brokers import errors
from brokers.fyers import Fyers
from brokers.fyers.decode import ERROR_CODES
from brokers.sandbox import Sandbox


@pytest.fixture
def shared(sandbox: Sandbox) -> Iterator[Tuple[Sandbox, Fyers]]:
    with Fyers(client_id=sandbox.fyers.client_id, token=sandbox.fyers.issue_access_token(), rate_limits=False,
               **sandbox.fyers_urls()) as client:
        client.transport._sleep = lambda s: None  # GET retries after a 429 need not wait here
        yield sandbox, client


@pytest.mark.parametrize("code, cls", sorted(ERROR_CODES.items()))
def test_every_code_in_the_table_maps_to_its_class(shared, code, cls):
    sandbox, fyers = shared
    # A GET that hits a rate limit is retried (3 times), so a 429 code must come back 4 times.
    n = 4 if cls is errors.RateLimitError else 1
    sandbox.fail_next(n, 400 if cls is not errors.ServerError else 500, path="/fyers/api/v3/funds",
                 body={"s": "error", "code": code, "message": f"m{code}"}, content_type="application/json")
    with pytest.raises(errors.BrokerError) as e:
        fyers.funds()
    assert type(e.value) is cls
    assert e.value.code == code and e.value.message == f"m{code}" and e.value.broker == "fyers"
