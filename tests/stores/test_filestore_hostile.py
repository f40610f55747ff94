"""Issue 9's store rule: whatever is on disk, FileStore either reads a valid record or
treats it as absent with one warning; no stale temporary file survives the next save
or clear of its key; keys are a documented alphabet; nothing is opened through a
symlink; the directories it makes are private, and an open one is tightened."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import stat
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brokers import errors
from brokers.stores import KEY_ALPHABET, FileStore, MemoryStore, Session, check_key
from tests.test_stores import _future, _session

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and symlinks")
FIXTURE = [HealthCheck.function_scoped_fixture]


def _warnings(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == "brokers.stores"]


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE)
@given(data=st.binary(max_size=300))
def test_any_bytes_are_a_record_or_absent_with_one_warning(tmp_path, caplog, data):
    store = FileStore(tmp_path / "s")
    store._dir()
    (tmp_path / "s" / "kite.json").write_bytes(data)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="brokers.stores"):
        got = store.load("kite")
    assert got is None or isinstance(got, Session)
    if got is None:
        assert len(_warnings(caplog)) <= 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3), max_leaves=10)
fields = ["broker", "kind", "token", "user_id", "api_key", "created_at", "expires_at", "extra", "root", "web_root"]


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE)
@given(record=st.fixed_dictionaries({}, optional={f: json_values for f in fields}))
def test_wrong_field_types_are_absent(tmp_path, caplog, record):
    base = {"broker": "kite", "kind": "enctoken", "token": "t" * 12}
    record = {**base, **record}
    store = FileStore(tmp_path / "s")
    store._dir()
    (tmp_path / "s" / "kite.json").write_text(json.dumps(record))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="brokers.stores"):
        got = store.load("kite")
    if got is not None:
        for f in ("broker", "kind", "token"):
            assert isinstance(getattr(got, f), str)
        for f in ("user_id", "api_key", "root", "web_root"):
            assert getattr(got, f) is None or isinstance(getattr(got, f), str)
        assert isinstance(got.extra, dict)
    else:
        assert len(_warnings(caplog)) == 1


@pytest.mark.parametrize("content", [
    b"\xff\xfe\x00garbage", b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    json.dumps({"broker": "kite", "kind": "enctoken", "token": "abc", "user_id": ["x"]}).encode(),
    json.dumps({"broker": "kite", "kind": "enctoken", "token": 12345}).encode(),
    json.dumps({"broker": "kite", "kind": "enctoken", "token": "abc", "expires_at": 5}).encode(),
    json.dumps({"broker": "kite", "kind": "enctoken", "token": "abc", "expires_at": "9999-99-99"}).encode(),
    b"", b"null", b"[]", b'"str"',
])
def test_named_cases_are_absent_and_the_next_login_works(tmp_path, caplog, content):
    store = FileStore(tmp_path / "s")
    store._dir()
    (tmp_path / "s" / "kite.json").write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="brokers.stores"):
        assert store.load("kite") is None
    assert len(_warnings(caplog)) == 1
    info = {i.key: i for i in store.sessions()}["kite"]
    assert info.session is None and info.problem
    store.save("kite", _session(expires_at=_future()))
    assert store.load("kite").token == "tok-123456"


@settings(max_examples=500, deadline=None)
@given(key=st.text(max_size=140))
def test_keys_are_the_documented_alphabet(key):
    ok = (0 < len(key) <= 128 and key[0] != "." and all(c.isascii() and (c.isalnum() or c in "_.@-") for c in key))
    if ok:
        assert check_key(key) == key
        MemoryStore().save(key, _session())
    else:
        with pytest.raises(ValueError, match="session key"):
            check_key(key)
        with pytest.raises(ValueError):
            MemoryStore().save(key, _session())


@pytest.mark.parametrize("key", ["kite\n", ".", "..", "", "a/b", "../x", ".hidden", "kite\x00", "k" * 129, "é"])
def test_named_bad_keys(tmp_path, key):
    store = FileStore(tmp_path / "s")
    for op in (lambda: store.load(key), lambda: store.save(key, _session()), lambda: store.clear(key),
               lambda: store.lock(key).__enter__(), lambda: store.budget(key)):
        with pytest.raises(ValueError):
            op()
    assert "A-Z a-z 0-9" in KEY_ALPHABET


def _save_forever(path, n):
    store = FileStore(path)
    i = 0
    while True:
        store.save("kite", _session(f"token-{n}-{i}", expires_at=_future()))
        i += 1


def _temps(path):
    return [p for p in os.listdir(path) if p.endswith(".tmp")]


@pytest.mark.slow
def test_processes_killed_mid_save_leave_nothing_after_the_next_save(tmp_path):
    path = tmp_path / "s"
    FileStore(path)._dir()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_save_forever, args=(path, n)) for n in range(12)]
    for p in procs:
        p.start()
    try:
        deadline = __import__("time").monotonic() + 20
        while not _temps(path) and __import__("time").monotonic() < deadline:
            os.sched_yield()
    finally:
        for p in procs:
            os.kill(p.pid, signal.SIGKILL)
        for p in procs:
            p.join(10)
    # make sure there is debris to sweep, as a kill between mkstemp and rename leaves
    (path / ".kite~deadbeef.tmp").write_text('{"token": "complete-token"}')
    assert _temps(path)
    store = FileStore(path)
    assert store.load("kite") is not None  # never half a record
    store.save("kite", _session(expires_at=_future()))
    assert _temps(path) == []
    (path / ".kite~cafe.tmp").write_text("x")
    store.clear("kite")
    assert _temps(path) == []


def test_sweep_spares_other_keys_and_live_writers(tmp_path):
    store = FileStore(tmp_path / "s")
    store._dir()
    (tmp_path / "s" / ".kite.x~1.tmp").write_text("other key's debris")
    store.save("kite", _session(expires_at=_future()))
    assert (tmp_path / "s" / ".kite.x~1.tmp").exists()


def test_nothing_is_opened_through_a_symlink(tmp_path):
    store = FileStore(tmp_path / "s")
    store._dir()
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps(_session(expires_at=_future()).to_dict()))
    os.symlink(target, tmp_path / "s" / "kite.json")
    assert store.load("kite") is None
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    os.symlink(victim, tmp_path / "s" / "dhan.lock")
    with pytest.raises(OSError):
        with store.lock("dhan"):
            pass
    os.symlink(victim, tmp_path / "s" / "dhan-1.rate")
    with pytest.raises(errors.StoreError):
        store.budget("dhan-1").reserve("g", [(1, 1.0)], 0.0)
    assert victim.read_text() == "keep me"
    store.save("kite", _session(expires_at=_future()))  # replaces the link itself
    assert not (tmp_path / "s" / "kite.json").is_symlink()
    assert json.loads(target.read_text())["token"] == "tok-123456"


def test_directories_are_private_under_umask_000(tmp_path):
    old = os.umask(0)
    try:
        store = FileStore(tmp_path / "a" / "b" / "s")
        store.save("kite", _session(expires_at=_future()))
    finally:
        os.umask(old)
    for d in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "s"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    for f in (tmp_path / "a" / "b" / "s").iterdir():
        assert stat.S_IMODE(f.stat().st_mode) & 0o077 == 0, f


def test_an_open_store_directory_is_tightened(tmp_path, caplog):
    d = tmp_path / "s"
    d.mkdir()
    os.chmod(d, 0o777)
    with caplog.at_level(logging.WARNING, logger="brokers.stores"):
        FileStore(d).save("kite", _session(expires_at=_future()))
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    assert any("0700" in r.getMessage() for r in caplog.records)


def test_a_shared_directory_of_someone_else_is_refused(tmp_path, monkeypatch):
    d = tmp_path / "shared"
    d.mkdir()
    os.chmod(d, 0o777)
    monkeypatch.setattr(os, "getuid", lambda: d.stat().st_uid + 1)  # as if it were another user's
    with pytest.raises(errors.StoreError, match="other users"):
        FileStore(d).save("kite", _session())
    assert stat.S_IMODE(d.stat().st_mode) == 0o777  # not touched
