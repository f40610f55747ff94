"""Kite tick parsing and delivery: ``python -m tests.bench kite_ticks``.

1. ``brokers.kite.codec.parse_binary`` against kiteconnect's ``KiteTicker``
   parser on the same frames (1, 50, 500 and 3000 full packets, and 500 of mixed
   modes and segments), in one run, with the outputs checked for identity
   (kiteconnect's datetimes follow the machine zone, so that side runs with
   ``TZ=Asia/Kolkata``). Without kiteconnect installed, only our figures print.
2. End to end: the sandbox (in a child process, so its CPU is not counted)
   streams 3000 instruments in full mode; a KiteFeed in this process counts the
   ticks reaching ``on_tick`` and the CPU time the process spent on them.
"""

from __future__ import annotations

import os
import random
import struct
import subprocess
import sys
import threading
import time
import timeit
from typing import Any, Callable, Dict, List, Optional, Tuple

from brokers.kite.codec import parse_binary
from brokers.sandbox.kite.frames import encode_frame

_FULL = struct.Struct(">16I" + "IIH2x" * 10)
SEGMENTS = (1, 2, 3, 4, 5, 6, 7, 9)


def _full(rnd: random.Random, token: int) -> bytes:
    now = 1_764_300_000
    head = [token] + [rnd.randrange(10_000, 500_000) for _ in range(10)] + [now + rnd.randrange(3)]
    head += [rnd.randrange(0, 10_000) for _ in range(3)] + [now + rnd.randrange(3)]
    depth = [n for _ in range(10) for n in (rnd.randrange(1, 5000), rnd.randrange(10_000, 500_000),
                                             rnd.randrange(1, 60))]
    return _FULL.pack(*head, *depth)


def _mixed(rnd: random.Random, token: int) -> bytes:
    seg = token & 0xFF
    kind = rnd.choice(("ltp", "quote", "full"))
    if kind == "ltp":
        return struct.pack(">II", token, rnd.randrange(1, 10 ** 9))
    if seg == 9:
        vals = [rnd.randrange(10_000, 5_000_000) for _ in range(5)]
        return (struct.pack(">6Ii", token, *vals, -36) if kind == "quote"
                else struct.pack(">6IiI", token, *vals, 1055, 1_764_300_000))
    if kind == "quote":
        return struct.pack(">11I", token, *[rnd.randrange(0, 10 ** 6) for _ in range(10)])
    return _full(rnd, token)


def frames() -> List[Tuple[str, bytes]]:
    rnd = random.Random(42)
    tokens = [(100_000 + i) << 8 | SEGMENTS[i % len(SEGMENTS)] for i in range(500)]
    out = [(f"{n} full", encode_frame(_full(rnd, (100_000 + i) << 8 | 1) for i in range(n))) for n in (1, 50, 500, 3000)]
    out.append(("500 mixed", encode_frame(_mixed(rnd, t) for t in tokens)))
    return out


def _kiteconnect_parser() -> Optional[Callable[[bytes], Any]]:
    try:
        from kiteconnect.ticker import KiteTicker
    except ImportError:
        return None
    return KiteTicker.__new__(KiteTicker)._parse_binary  # the parser needs no connection state


def _best(fn: Callable[[], Any], number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def bench_parse() -> None:
    theirs = _kiteconnect_parser()
    if theirs is None:
        print("kiteconnect not installed: our parser only (pip install kiteconnect to compare)")
    old_tz = os.environ.get("TZ")
    if theirs is not None and hasattr(time, "tzset"):
        os.environ["TZ"] = "Asia/Kolkata"  # kiteconnect uses the machine zone; ours is IST always
        time.tzset()
    try:
        print(f"{'frame':<10} {'ours us':>9} {'kc us':>9} {'ratio':>6} {'ours ticks/s':>13}  identical")
        for name, frame in frames():
            ticks = len(parse_binary(frame))
            number = max(3, 20_000 // max(1, ticks))
            ours = _best(lambda frame=frame: parse_binary(frame), number)
            if theirs is None:
                print(f"{name:<10} {ours * 1e6:9.1f} {'-':>9} {'-':>6} {ticks / ours:13,.0f}")
                continue
            kc = _best(lambda frame=frame: theirs(frame), number)
            a, b = parse_binary(frame), theirs(frame)
            same = a == b and repr(a) == repr(b)
            print(f"{name:<10} {ours * 1e6:9.1f} {kc * 1e6:9.1f} {kc / ours:6.2f} {ticks / ours:13,.0f}  {same}")
    finally:
        if theirs is not None and hasattr(time, "tzset"):
            if old_tz is None:
                os.environ.pop("TZ", None)
            else:
                os.environ["TZ"] = old_tz
            time.tzset()


# -- end to end -----------------------------------------------------------------------
def serve(instruments: int) -> None:
    """Child process: a sandbox with ``instruments`` extra NSE stocks; prints its URL and
    an enctoken, then serves until stdin closes."""
    from brokers.sandbox import Instrument, Sandbox

    with Sandbox() as sb:
        market = sb.market
        with market.lock:
            for n in range(instruments):
                token = (200_000 + n) << 8 | 1
                i = Instrument(token, "NSE", f"BENCH{n}", f"BENCH {n}", 100.0 + n % 900)
                i.close, i.open = i.price, i.price
                i.last = i.high = i.low = i.price
                i.volume, i.last_qty, i.buy_qty, i.sell_qty = 100_000, 10, 250_000, 310_000
                i.last_trade = time.time()
                market.instruments.append(i)
                market.by_token[token] = i
                market.by_key[i.key] = i
        sb.kite_ticker.tick_interval = float(os.environ.get("BENCH_TICK_INTERVAL", "0.5"))
        if os.environ.get("BENCH_FROZEN"):
            # The moving market costs the sandbox ~0.1 s per 3000-packet frame; replaying
            # one encoded frame lets the server outrun the feed, to find the feed's ceiling.
            build, memo = sb.kite_ticker.frame, {}

            def frozen(modes: Dict[int, str]) -> bytes:
                key = frozenset(modes.items())
                if key not in memo:
                    memo[key] = build(modes)
                return memo[key]
            sb.kite_ticker.frame = frozen  # type: ignore[method-assign]
        print(sb.kite_feed_urls()["url"], sb.kite.issue_enctoken("AB1234"), flush=True)
        sys.stdin.read()


def _feed_run(url: str, enctoken: str, tokens: List[int], seconds: float) -> Dict[str, float]:
    from brokers.kite import KiteFeed

    count = [0]
    started = threading.Event()

    def on_tick(feed: Any, ticks: List[Dict[str, Any]]) -> None:
        count[0] += len(ticks)
        started.set()

    feed = KiteFeed(user_id="AB1234", enctoken=enctoken, url=url, watchdog=30.0)
    feed.on_tick = on_tick
    feed.on_connect = lambda f: (f.subscribe(tokens), f.set_mode("full", tokens))
    feed.connect(threaded=True)
    try:
        if not started.wait(15):
            raise RuntimeError("no ticks from the sandbox")
        started.clear()
        time.sleep(1.0)  # a measuring window, not a synchronisation: let the first frames settle
        n0, cpu0, t0 = count[0], time.process_time(), time.perf_counter()
        time.sleep(seconds)
        n1, cpu1, t1 = count[0], time.process_time(), time.perf_counter()
    finally:
        feed.close()
    return {"ticks_per_s": (n1 - n0) / (t1 - t0), "cpu": (cpu1 - cpu0) / (t1 - t0)}


def bench_feed(instruments: int = 3000, seconds: float = 4.0) -> None:
    tokens = [(200_000 + n) << 8 | 1 for n in range(instruments)]
    print(f"end to end: {instruments} instruments in full mode, sandbox in a child process, "
          f"{seconds:g}s or more per row; CPU is this process's, all threads, as a share of one core")
    print(f"{'server frame every':<19} {'offered ticks/s':>15} {'delivered ticks/s':>18} {'feed CPU':>9} "
          f"{'CPU us/tick':>12}")
    for interval, frozen in ((1.0, ""), (0.25, ""), (0.1, ""), (0.02, "1")):
        env = dict(os.environ, BENCH_TICK_INTERVAL=str(interval), BENCH_FROZEN=frozen, PYTHONPATH=os.getcwd())
        child = subprocess.Popen([sys.executable, "-m", "tests.bench.bench_kite_ticks", "--serve", str(instruments)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
        try:
            assert child.stdout is not None and child.stdin is not None
            url, enctoken = child.stdout.readline().split()
            r = _feed_run(url, enctoken, tokens, max(seconds, 6 * interval))  # whole frames matter at 1/s
        finally:
            if child.stdin:
                child.stdin.close()
            child.wait(10)
            if child.stdout:
                child.stdout.close()
        offered = instruments / interval
        per_tick = r["cpu"] / r["ticks_per_s"] * 1e6 if r["ticks_per_s"] else float("nan")
        label = f"{interval:g}s" + (" (replayed)" if frozen else "")
        print(f"{label:>19} {offered:15,.0f} {r['ticks_per_s']:18,.0f} {r['cpu']:9.0%} {per_tick:12.1f}")


def main() -> None:
    bench_parse()
    print()
    try:
        import websocket  # noqa: F401
        import websockets  # noqa: F401
    except ImportError:
        print("end to end skipped: needs websocket-client and websockets (pip install brokers[test])")
        return
    bench_feed()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
    else:
        main()
