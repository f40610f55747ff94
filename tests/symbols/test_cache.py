"""The daily master cache: one download a day across processes, never a bad master over a good one."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest

from brokers.ist import IST
from brokers.symbols import MasterCache, master_day

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_master_day_turns_at_eight_ist():
    assert master_day(dt.datetime(2026, 11, 30, 7, 59, tzinfo=IST)) == dt.date(2026, 11, 29)
    assert master_day(dt.datetime(2026, 11, 30, 8, 0, tzinfo=IST)) == dt.date(2026, 11, 30)
    assert master_day(dt.datetime(2026, 11, 30, 2, 31, tzinfo=dt.timezone.utc)) == dt.date(2026, 11, 30)


@pytest.mark.parametrize("broker", ["kite", "dhan", "fyers"])
def test_one_download_a_day_then_the_cache(msb, make_client, broker):
    client = make_client(broker, msb)
    first = client.master()
    assert len(first) > 1000
    again = make_client(broker, msb).master()  # another client: the cache, not the network
    assert len(again) == len(first) and sum(msb.masters.downloads.values()) == (7 if broker == "fyers" else 1)


@pytest.mark.parametrize("how", ["truncate", "empty", "garbage", "short"])
@pytest.mark.parametrize("broker", ["kite", "dhan", "fyers"])
def test_a_bad_download_keeps_the_last_good_master(msb, make_client, tmp_path, broker, how, caplog):
    client = make_client(broker, msb)
    good = client.master()
    cached = next((tmp_path / "cache" / "masters").glob("*.master"))
    before = cached.read_bytes()
    msb.masters.corrupt_next(broker, how)
    kept = client.master(refresh=True)
    assert len(kept) == len(good) and cached.read_bytes() == before
    assert "unusable" in caplog.text
    assert len(client.master(refresh=True)) == len(good)  # the next good download is taken


def test_no_master_at_all_raises(msb, make_client):
    client = make_client("kite", msb)
    msb.masters.corrupt_next("kite", "garbage")
    with pytest.raises(ValueError, match="truncated|not Kite.s instruments CSV"):
        client.master()


def test_a_new_day_downloads_again(tmp_path):
    now = [dt.datetime(2026, 11, 30, 9, 0, tzinfo=IST)]
    cache = MasterCache(tmp_path, clock=lambda: now[0])
    calls = []

    def download():
        calls.append(1)
        return [("NSE:X", "NSE", "NSE", "X", len(calls), "X", "EQ", None, None, None, None, 1, 0.05, None)]

    assert cache.get("t", "kite", download)["NSE:X"].token == 1
    now[0] = dt.datetime(2026, 12, 1, 7, 0, tzinfo=IST)  # before 08:00: still yesterday's master
    assert cache.get("t", "kite", download)["NSE:X"].token == 1
    now[0] = dt.datetime(2026, 12, 1, 8, 5, tzinfo=IST)
    assert cache.get("t", "kite", download)["NSE:X"].token == 2 and len(calls) == 2


def test_an_unreadable_cache_file_is_downloaded_again(tmp_path):
    cache = MasterCache(tmp_path)
    row = ("NSE:X", "NSE", "NSE", "X", 1, "X", "EQ", None, None, None, None, 1, 0.05, None)
    cache.get("t", "kite", lambda: [row])
    cache.path("t").write_bytes(b"brokers-master-2\n\x00garbage")
    assert cache.read("t") is None
    assert MasterCache(tmp_path).get("t", "kite", lambda: [row], refresh=False)["NSE:X"].token == 1


SCRIPT = textwrap.dedent("""
    import sys
    from brokers.kite import Kite
    from brokers.stores import MemoryStore
    with Kite(store=MemoryStore(), root=sys.argv[1]) as kite:
        kite.master_cache_dir = sys.argv[2]
        master = kite.master()
        print(len(master), master["NSE:INFY"].token)
""")


def _spawn(sb, cache):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.Popen([sys.executable, "-c", SCRIPT, sb.kite_urls()["root"], str(cache)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_processes_share_one_download(msb, tmp_path):
    procs = [_spawn(msb, tmp_path) for _ in range(2)]  # two processes refreshing at once
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert len({o[0] for o in outs}) == 1 and outs[0][0].split()[1] == "408065"
    assert msb.masters.downloads["kite"] == 1
    third = _spawn(msb, tmp_path)  # a later process the same day: the cache
    out, err = third.communicate(timeout=60)
    assert third.returncode == 0, err
    assert out == outs[0][0] and msb.masters.downloads["kite"] == 1


def test_an_unwritable_cache_still_answers(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    row = ("NSE:X", "NSE", "NSE", "X", 1, "X", "EQ", None, None, None, None, 1, 0.05, None)
    assert MasterCache(blocker).get("t", "kite", lambda: [row])["NSE:X"].token == 1
    assert "not caching" in caplog.text
