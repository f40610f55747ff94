"""core/redact.py: registered secrets and token-shaped values never survive scrub();
mask() never shows a secret; the filter cleans log records."""

from __future__ import annotations

import logging
import string
from urllib.parse import quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.core import redact

SECRET_CHARS = string.ascii_letters + string.digits + "+/=_-.~"


@settings(max_examples=60, deadline=None)
@given(secret=st.text(SECRET_CHARS, min_size=6, max_size=40), before=st.text(max_size=30),
       after=st.text(max_size=30))
def test_a_registered_secret_never_survives_scrub_in_any_encoding(secret, before, after):
    redact.register(secret)
    for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
        assert secret not in redact.scrub(f"{before}{form}{after}")
        if form != secret:
            assert form not in redact.scrub(f"{before}{form}{after}")


def test_short_values_are_not_registered():
    redact.register("ab", None, "")
    assert redact.scrub("ab c") == "ab c"


def test_named_values_and_headers_are_masked_even_when_unregistered():
    text = ('GET /x?access_token=zz9876&api_key=k Authorization: token k:zz9876 '
            '{"password": "hunter22", "pin": "4321"}')
    clean = redact.scrub(text)
    for secret in ("zz9876", "hunter22", "4321"):
        assert secret not in clean
    assert "api_key=k" in clean  # an api key is not a secret


def test_jwts_are_masked():
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlMTIz"
    assert jwt not in redact.scrub(f"token {jwt} end")


def test_mask_never_shows_the_secret():
    assert redact.mask(None) == "<none>" and redact.mask("") == "<none>"
    assert redact.mask("s3cr3t-value") == "<set>"
    assert redact.mask("abcdefghijkl", keep=4) == "abcd…(12 chars)"
    assert redact.mask("abcdefgh", keep=4) == redact.MASK  # too short to show any of it


def test_strip_query_drops_query_and_fragment():
    assert redact.strip_query("https://h/p/a?access_token=x#frag") == "https://h/p/a"
    assert redact.strip_query("https://h/p#frag?x") == "https://h/p"
    assert redact.strip_query("https://h/p") == "https://h/p"


def test_filter_rewrites_records_and_tolerates_broken_ones():
    redact.register("filter-secret-1")
    f = redact.RedactingFilter()
    record = logging.LogRecord("brokers.x", logging.INFO, __file__, 1, "token %s", ("filter-secret-1",), None)
    assert f.filter(record) is True
    assert "filter-secret-1" not in record.getMessage()
    broken = logging.LogRecord("brokers.x", logging.INFO, __file__, 1, "%d", ("not a number",), None)
    assert f.filter(broken) is True  # left for logging to report


def test_install_is_idempotent():
    name = "brokers.test-redact-install"
    redact.install([name])
    redact.install([name])
    assert sum(isinstance(f, redact.RedactingFilter) for f in logging.getLogger(name).filters) == 1


def test_records_of_every_module_logger_are_redacted_once_a_client_exists(caplog):
    import brokers.dhan  # noqa: F401  (their modules, hence their loggers, exist)
    import brokers.fyers  # noqa: F401
    from brokers.kite import Kite
    from brokers.stores import MemoryStore

    Kite(store=MemoryStore()).close()  # installs the filter on the package's loggers
    redact.register("module-logger-secret-9")
    with caplog.at_level(logging.DEBUG):
        for name in ("brokers.core.http", "brokers.core.client", "brokers.kite.auth", "brokers.dhan.client",
                     "brokers.fyers.auth"):
            logging.getLogger(name).warning("token %s", "module-logger-secret-9")
    assert "module-logger-secret-9" not in caplog.text
    assert caplog.text.count("token ***") == 5
