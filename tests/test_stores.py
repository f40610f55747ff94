"""One contract for every SessionStore, plus what only FileStore and EnvStore promise."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import stat
import sys
import threading

import pytest

from brokers.stores import EnvStore, FileStore, MemoryStore, Session, SessionStore


def _session(token: str = "tok-123456", user: str = "AB1234", broker: str = "kite", **kw) -> Session:
    return Session(broker=broker, kind=kw.pop("kind", "enctoken"), token=token, user_id=user, **kw)


def _future() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=3)


class StoreContract:
    """Subclass once per store; ``make_store`` returns a fresh empty one."""

    def make_store(self, tmp_path, monkeypatch) -> SessionStore:
        raise NotImplementedError

    @pytest.fixture
    def s(self, tmp_path, monkeypatch) -> SessionStore:
        return self.make_store(tmp_path, monkeypatch)

    def test_missing_key_is_none(self, s):
        assert s.load("kite-NOBODY") is None

    def test_round_trip(self, s):
        session = _session(expires_at=_future())
        s.save("kite-AB1234", session)
        got = s.load("kite-AB1234")
        assert got is not None
        assert (got.broker, got.kind, got.token, got.user_id) == ("kite", "enctoken", "tok-123456", "AB1234")
        assert got.expires_at is not None and abs((got.expires_at - session.expires_at).total_seconds()) < 1

    def test_save_replaces(self, s):
        s.save("kite-AB1234", _session("first-token", expires_at=_future()))
        s.save("kite-AB1234", _session("second-token", expires_at=_future()))
        assert s.load("kite-AB1234").token == "second-token"

    def test_clear(self, s):
        s.save("kite-AB1234", _session(expires_at=_future()))
        s.clear("kite-AB1234")
        assert s.load("kite-AB1234") is None
        s.clear("kite-AB1234")  # clearing twice is fine

    def test_expired_is_absent_with_warning(self, s, caplog):
        past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
        s.save("kite-AB1234", _session(expires_at=past))
        with caplog.at_level(logging.WARNING, logger="brokers.stores"):
            assert s.load("kite-AB1234") is None
        assert any("expired" in r.getMessage() for r in caplog.records)

    def test_bad_key_is_value_error(self, s):
        with pytest.raises(ValueError, match="session key"):
            s.load("../etc/passwd")

    def test_lock_serialises_threads(self, s):
        inside = []
        overlap = []

        def worker():
            with s.lock("kite-AB1234"):
                inside.append(1)
                if len(inside) > 1:
                    overlap.append(1)
                threading.Event().wait(0.01)
                inside.pop()

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        assert not overlap

    def test_repr_has_no_token(self, s):
        s.save("kite-AB1234", _session("very-secret-token", expires_at=_future()))
        assert "very-secret-token" not in repr(s)
        assert "very-secret-token" not in repr(s.load("kite-AB1234"))


class TestMemoryStore(StoreContract):
    def make_store(self, tmp_path, monkeypatch):
        return MemoryStore()


class TestFileStore(StoreContract):
    def make_store(self, tmp_path, monkeypatch):
        return FileStore(tmp_path / "sessions")

    def test_json_with_private_permissions(self, tmp_path):
        store = FileStore(tmp_path / "sessions")
        store.save("kite-AB1234", _session(expires_at=_future()))
        path = tmp_path / "sessions" / "kite-AB1234.json"
        record = json.loads(path.read_text())
        assert record["token"] == "tok-123456"
        if os.name == "posix":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert stat.S_IMODE((tmp_path / "sessions").stat().st_mode) == 0o700
        assert [p.name for p in (tmp_path / "sessions").iterdir() if p.suffix == ".tmp"] == []

    def test_corrupt_file_is_absent_with_warning(self, tmp_path, caplog):
        store = FileStore(tmp_path)
        (tmp_path / "kite-AB1234.json").write_text("{not json")
        with caplog.at_level(logging.WARNING, logger="brokers.stores"):
            assert store.load("kite-AB1234") is None
        assert any("corrupt" in r.getMessage() for r in caplog.records)

    def test_record_missing_fields_is_absent(self, tmp_path, caplog):
        store = FileStore(tmp_path)
        (tmp_path / "kite-AB1234.json").write_text(json.dumps({"broker": "kite"}))
        with caplog.at_level(logging.WARNING, logger="brokers.stores"):
            assert store.load("kite-AB1234") is None
        assert any("lacks" in r.getMessage() for r in caplog.records)

    def test_default_path_is_user_data_dir(self, monkeypatch, tmp_path):
        import platformdirs

        monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "udd"))
        assert FileStore().path == tmp_path / "udd"

    def test_keys(self, tmp_path):
        store = FileStore(tmp_path)
        store.save("kite", _session(expires_at=_future()))
        store.save("dhan", _session(broker="dhan", expires_at=_future()))
        assert store.keys() == ["dhan", "kite"]

    @pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
    def test_never_pickle(self, tmp_path):
        store = FileStore(tmp_path)
        store.save("kite", _session(expires_at=_future()))
        assert (tmp_path / "kite.json").read_bytes().startswith(b"{")


class TestEnvStore(StoreContract):
    def make_store(self, tmp_path, monkeypatch):
        return EnvStore(environ={})

    def test_reads_documented_variables(self):
        env = {"DHAN_CLIENT_ID": "1000000001", "DHAN_ACCESS_TOKEN": "dhan-token-xyz"}
        got = EnvStore(environ=env).load("dhan")
        assert (got.broker, got.kind, got.token, got.user_id) == ("dhan", "access_token", "dhan-token-xyz",
                                                                  "1000000001")

    def test_kite_access_token_with_api_key(self):
        env = {"KITE_ACCESS_TOKEN": "kite-access-1", "KITE_API_KEY": "key1", "KITE_USER_ID": "AB1234"}
        got = EnvStore(environ=env).load("kite-AB1234")
        assert (got.kind, got.api_key, got.user_id) == ("access_token", "key1", "AB1234")
        assert EnvStore(environ=env).load("kite-ZZ9999") is None

    def test_save_writes_environment(self):
        env: dict = {}
        EnvStore(environ=env).save("kite", _session("enc-token-1", expires_at=_future()))
        assert env["KITE_ENCTOKEN"] == "enc-token-1" and env["KITE_USER_ID"] == "AB1234"
        assert "KITE_EXPIRES_AT" in env

    def test_default_is_os_environ(self, monkeypatch):
        monkeypatch.setenv("FYERS_ACCESS_TOKEN", "fy-token-1")
        monkeypatch.setenv("FYERS_CLIENT_ID", "XY0001-100")
        assert EnvStore().load("fyers").token == "fy-token-1"


def test_session_from_dict_names_missing_keys():
    with pytest.raises(ValueError, match="token"):
        Session.from_dict({"broker": "kite", "kind": "enctoken"})


def test_session_expiry_skew():
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30)
    assert _session(expires_at=soon).expired(skew=60)
    assert not _session(expires_at=soon).expired(skew=0)
    assert not _session().expired()


@pytest.mark.parametrize("kind", ["memory", "file"])
def test_state_documents_update_atomically_and_stay_out_of_session_keys(kind, tmp_path):
    import threading

    from brokers.stores import FileStore, MemoryStore

    store = MemoryStore() if kind == "memory" else FileStore(tmp_path)
    assert store.read_state("paper-acct") is None

    def bump(doc):
        doc = doc or {"n": 0}
        doc["n"] += 1
        return doc

    threads = [threading.Thread(target=lambda: [store.update_state("paper-acct", bump) for _ in range(25)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.read_state("paper-acct") == {"n": 100}
    assert store.keys() == []
    with pytest.raises(TypeError):
        store.update_state("paper-acct", lambda doc: None)  # type: ignore[arg-type, return-value]
