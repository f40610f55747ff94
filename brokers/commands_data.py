"""``brokers symbols`` and ``brokers history``: the instrument master and range
downloads from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any, List, Optional, TextIO, Tuple

from .history import Candle
from .ist import IST

__all__ = ["symbols", "history", "add_parsers", "CSV_HEADER"]

CSV_HEADER = "time,open,high,low,close,volume"


def add_parsers(sub: Any) -> None:
    """The ``symbols`` and ``history`` sub-commands."""
    s = sub.add_parser("symbols", help="search a broker's instrument master (cached for the day)")
    s.add_argument("broker", choices=("kite", "dhan", "fyers"))
    s.add_argument("query", nargs="+", help="words, e.g. nifty 24000 ce")
    s.add_argument("--limit", type=int, default=10, help="how many matches (default 10)")
    s.add_argument("--cache-dir", metavar="DIR", help="master cache directory (default: the user cache dir)")
    s.add_argument("--sandbox", metavar="URL", help="a running sandbox at URL instead of the broker")
    hi = sub.add_parser("history", help="download candles over any range to a CSV file")
    hi.add_argument("broker", choices=("kite", "dhan", "fyers"))
    hi.add_argument("symbol", help="e.g. NSE:INFY (Kite, Dhan) or NSE:INFY-EQ (Fyers)")
    hi.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    hi.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, included (YYYY-MM-DD)")
    hi.add_argument("--interval", default="day", help="minute, 5minute, 15, day, ... (default day)")
    hi.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the candles")
    hi.add_argument("--resume", action="store_true", help="continue FILE.csv from its last complete bar")
    hi.add_argument("--oi", action="store_true", help="add open interest")
    hi.add_argument("--user-id", help="whose stored session to use (Kite user id, Dhan/Fyers client id)")
    hi.add_argument("--cache-dir", metavar="DIR", help="master cache directory (default: the user cache dir)")
    hi.add_argument("--sandbox", metavar="URL", help="a running sandbox at URL instead of the broker")


def _client(args: argparse.Namespace, broker: str) -> Any:
    from .commands import _store, _urls

    store, urls = _store(args), _urls(args, broker)
    user = getattr(args, "user_id", None)
    if broker == "kite":
        from .kite import Kite

        client: Any = Kite(store=store, user_id=user, **urls)
    elif broker == "dhan":
        from .dhan import Dhan

        client = Dhan(client_id=user, store=store, **urls)
    else:
        from .fyers import Fyers

        # The symbol master files are public: `symbols` needs no app, so any well-formed id does.
        client = Fyers(client_id=user or ("PUBLIC-100" if args.command == "symbols" else None), store=store, **urls)
    if getattr(args, "cache_dir", None):
        client.master_cache_dir = args.cache_dir
    return client


def symbols(args: argparse.Namespace) -> int:
    from .demo import table

    with _client(args, args.broker) as client:
        found = client.master().search(" ".join(args.query), limit=args.limit)
    if not found:
        print(f"no {args.broker} instrument matches {' '.join(args.query)!r}")
        return 1
    rows = [[i.key, str(i.token), i.instrument_type, i.expiry.isoformat() if i.expiry else "",
             "" if i.strike is None else f"{i.strike:g}", i.lot_size, i.name] for i in found]
    print(table(["symbol", "token", "type", "expiry", "strike", "lot", "name"], rows))
    return 0


def _line(c: Candle, oi: bool) -> str:
    row = [c.time.isoformat(), repr(c.open), repr(c.high), repr(c.low), repr(c.close), str(c.volume)]
    if oi:
        row.append("" if c.oi is None else str(c.oi))
    return ",".join(row) + "\n"


def _resume_point(path: Path, header: str) -> Optional[dt.datetime]:
    """The last complete bar's time; the file is cut after that line (a torn last
    line from an interrupted write is dropped). ``None``: start afresh."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    lines = data[:end].decode("utf-8").splitlines()
    if not lines or lines[0] != header:
        raise ValueError(f"{path} is not a candle file written by `brokers history` with these columns")
    with open(path, "r+b") as f:
        f.truncate(end)
    if len(lines) == 1:
        return None
    return dt.datetime.fromisoformat(lines[-1].split(",", 1)[0])


class _Progress:
    """A bar with an ETA on a terminal, plain lines otherwise."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.tty, self.t0 = out, out.isatty(), time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        spent = time.monotonic() - self.t0
        eta = spent / done * (total - done) if done else 0.0
        left = str(dt.timedelta(seconds=int(eta)))
        if self.tty:
            width = 30
            filled = width * done // total
            self.out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} requests, ETA {left} ")
            if done == total:
                self.out.write("\n")
        else:
            self.out.write(f"history: {done}/{total} requests, ETA {left}\n")
        self.out.flush()


def history(args: argparse.Namespace) -> int:
    from . import history as h

    path = Path(args.out)
    header = CSV_HEADER + (",oi" if args.oi else "")
    start, stop = h.check_range(args.start, args.end)
    resumed = _resume_point(path, header) if args.resume else None
    if resumed is not None:
        start = max(start, resumed.astimezone(IST) + dt.timedelta(seconds=1))
    bars = 0
    with _client(args, args.broker) as client:
        mode = "a" if resumed is not None or (args.resume and path.is_file() and path.stat().st_size) else "w"
        with open(path, mode, encoding="utf-8", newline="") as f:
            if mode == "w":
                f.write(header + "\n")
            if start < stop:
                fetch, span, workers = _fetcher(client, args)
                progress = _Progress(sys.stderr)
                last: Optional[dt.datetime] = None
                for chunk in h.iter_download(fetch, h.chunks(start, stop, span), workers=workers,
                                             on_progress=progress):
                    for c in chunk:
                        if last is None or c.time > last:
                            f.write(_line(c, args.oi))
                            last = c.time
                            bars += 1
                    f.flush()
                    os.fsync(f.fileno())
    print(f"{bars} bars written to {path}" + (" (resumed)" if resumed is not None else ""))
    return 0


def _fetcher(client: Any, args: argparse.Namespace) -> Tuple[Any, Optional[int], int]:
    """(fetch(a, b), span in days, workers) for the client's history, one window at a time."""
    from . import history as h

    minutes = h.interval_minutes(args.interval)
    if minutes not in client.history_caps:
        raise ValueError(f"--interval {args.interval!r} is not one {args.broker} offers")
    symbol = args.symbol
    client._ensure_session()  # once, before the download threads start
    if args.broker == "kite" and symbol.isdigit():
        symbol = int(symbol)  # an instrument token
    elif args.broker != "fyers":
        symbol = client.master().get(symbol) or client._instrument(symbol)

    def fetch(a: dt.datetime, b: dt.datetime) -> List[Candle]:
        end = b - dt.timedelta(seconds=1)
        return list(client.history(symbol, a, end, minutes, oi=args.oi))

    return fetch, client.history_caps[minutes], client.history_workers

