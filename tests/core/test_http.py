"""Transport against the sandbox: retries only where safe, errors keep their status."""

from __future__ import annotations

import socket
import traceback

import pytest
import requests

from brokers import errors
from brokers.core.http import Transport
from brokers.core.response import error_from, read_json
from brokers.sandbox import Sandbox
from brokers.sandbox.server import Response

_STATUS = {400: errors.InputError, 404: errors.InputError, 401: errors.TokenExpired, 403: errors.AuthError,
           429: errors.RateLimitError}


def _status(r: requests.Response, message=None) -> errors.BrokerError:
    cls = _STATUS.get(r.status_code) or (errors.ServerError if r.status_code >= 500 else errors.ResponseError)
    return error_from(cls, r, "test", message)


def _decode(r: requests.Response):
    body = read_json(r, "test", _status)
    if r.status_code >= 400:
        raise _status(r)
    return body


@pytest.fixture
def echo(sandbox: Sandbox):
    hits = []

    def handler(req):
        hits.append(req.method)
        return Response(200, {"ok": True, "method": req.method})

    for m in ("GET", "POST", "DELETE"):
        sandbox.router.add(m, "/echo", handler)
    return hits


def make(sandbox: Sandbox, **kw) -> Transport:
    kw.setdefault("backoff", 0.001)
    return Transport("test", decode=_decode, rate_limits=False, sleep=lambda s: None, **kw)


def test_get_is_retried_on_gateway_errors(sandbox, echo):
    t = make(sandbox)
    sandbox.fail_next(2, 503, path="/echo")
    assert t.request("GET", sandbox.url + "/echo") == {"ok": True, "method": "GET"}
    assert len(sandbox.requests("GET", "/echo")) == 3


def test_get_gives_up_after_retries_keeping_the_status(sandbox, echo):
    t = make(sandbox, retries=2)
    sandbox.fail_next(5, 502, path="/echo")
    with pytest.raises(errors.ServerError) as e:
        t.request("GET", sandbox.url + "/echo")
    assert e.value.status == 502
    assert len(sandbox.requests("GET", "/echo")) == 3


def test_get_is_retried_after_a_dropped_connection(sandbox, echo):
    t = make(sandbox)
    sandbox.drop_next(1, path="/echo")
    assert t.request("GET", sandbox.url + "/echo")["ok"] is True
    assert echo == ["GET"]


def test_429_waits_retry_after_then_retries(sandbox, echo):
    waits = []
    t = Transport("test", decode=_decode, rate_limits=False, sleep=waits.append)
    sandbox.fail_next(1, 429, path="/echo", body={"message": "slow down"}, headers={"Retry-After": "2"})
    assert t.request("GET", sandbox.url + "/echo")["ok"] is True
    assert waits == [2.0]


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_other_methods_are_not_retried(sandbox, echo, method):
    t = make(sandbox)
    sandbox.fail_next(1, 503, path="/echo")
    with pytest.raises(errors.ServerError):
        t.request(method, sandbox.url + "/echo")
    assert len(sandbox.requests(method, "/echo")) == 1


def test_order_on_gateway_error_is_state_unknown(sandbox, echo):
    t = make(sandbox)
    sandbox.fail_next(1, 504, path="/echo")
    with pytest.raises(errors.OrderStateUnknown) as e:
        t.request("POST", sandbox.url + "/echo", order=True)
    assert e.value.status == 504 and "order book" in e.value.message


def test_order_with_lost_answer_is_state_unknown(sandbox, echo):
    t = make(sandbox)
    sandbox.drop_next(1, path="/echo", after=True)
    with pytest.raises(errors.OrderStateUnknown):
        t.request("POST", sandbox.url + "/echo", order=True)
    assert echo == ["POST"]


def test_order_read_timeout_is_state_unknown(sandbox, echo):
    t = make(sandbox, timeout=(2.0, 0.3))
    sandbox.stall_next(1, seconds=2, path="/echo")
    with pytest.raises(errors.OrderStateUnknown):
        t.request("POST", sandbox.url + "/echo", order=True)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_refused_connection_says_not_sent():
    t = Transport("test", decode=_decode, rate_limits=False, retries=0)
    url = f"http://127.0.0.1:{_free_port()}/orders?access_token=" + "s3cr3t" + "-token"
    with pytest.raises(errors.NetworkError) as e:
        t.request("POST", url, order=True)
    assert not isinstance(e.value, errors.OrderStateUnknown)
    assert "not sent" in e.value.message
    text = "".join(traceback.format_exception(type(e.value), e.value, e.value.__traceback__))
    assert "s3cr3t-token" not in text and "Max retries" not in text


def test_read_timeout_on_get_is_timeout(sandbox, echo):
    t = make(sandbox, timeout=(2.0, 0.2), retries=0)
    sandbox.stall_next(1, seconds=2, path="/echo")
    with pytest.raises(errors.Timeout):
        t.request("GET", sandbox.url + "/echo")


@pytest.mark.parametrize("status,body,ctype,cls", [
    (502, "<html>Bad Gateway</html>", "text/html", errors.ServerError),
    (200, "{not json", "application/json", errors.ResponseError),
    (200, "", "application/json", errors.ResponseError),
    (200, "hello", "text/plain", errors.ResponseError),
    (404, "<html>nope</html>", "text/html", errors.InputError),
    (401, "", "text/plain", errors.TokenExpired),
])
def test_bad_bodies_are_typed_errors_keeping_the_status(sandbox, echo, status, body, ctype, cls):
    t = make(sandbox, retries=0)
    sandbox.fail_next(1, status, path="/echo", body=body, content_type=ctype)
    with pytest.raises(cls) as e:
        t.request("GET", sandbox.url + "/echo")
    assert e.value.status == status
    assert e.value.broker == "test"


def test_bad_arguments():
    with pytest.raises(ValueError, match="timeout"):
        Transport("t", decode=_decode, timeout=-1)
    with pytest.raises(ValueError, match="retries"):
        Transport("t", decode=_decode, retries=-1)
    with pytest.raises(TypeError, match="rate_limits"):
        Transport("t", decode=_decode, rate_limits=5)  # type: ignore[arg-type]


def test_user_limits_merge_with_defaults():
    t = Transport("t", decode=_decode, default_limits={"a": [(1, 1.0)], "b": [(2, 1.0)]},
                  rate_limits={"a": [(5, 1.0)]})
    assert t.limiter is not None
    assert t.limiter.limits == {"a": [(5, 1.0)], "b": [(2, 1.0)]}
    assert make(Sandbox()).limiter is None
