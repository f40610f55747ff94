"""Download daily candles for a list of symbols into CSV files, within Kite's 3 requests/s.

    python examples/historical_download.py NSE:INFY NSE:SBIN --days 365 --out candles/

Against a running sandbox (``python -m brokers sandbox``, then ``brokers login kite
--sandbox URL``): add ``--sandbox http://127.0.0.1:PORT`` or set ``BROKERS_SANDBOX``.

The client paces the calls itself (the ``historical`` rate-limit group), so the loop
needs no sleeps, and a network error on a read is retried for you. For any interval and
any range with a progress bar and ``--resume``, see ``brokers history``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
from pathlib import Path
from typing import Dict, List

from brokers.kite import Kite
from brokers.stores import FileStore
from brokers.symbols.resolve import resolve


def download(kite: Kite, symbols: List[str], days: int, out: Path) -> Dict[str, int]:
    """Write ``<out>/<EXCHANGE>_<SYMBOL>.csv`` per symbol; returns the candle count per symbol.

    Symbols are looked up in Kite's instrument master (``kite.master()``, downloaded at
    most once a day and cached for every process), and ``kite.history`` splits any range
    into requests Kite accepts. An unknown symbol raises ``InputError`` naming the
    closest matches, before any candle is fetched.
    """
    master = kite.master()
    instruments = [resolve(master, s) for s in symbols]  # all checked before the first download
    out.mkdir(parents=True, exist_ok=True)
    to = dt.date.today()
    counts = {}
    for symbol, instrument in zip(symbols, instruments):
        candles = kite.history(instrument, to - dt.timedelta(days=days), to, "day")
        with open(out / (symbol.replace(":", "_") + ".csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["date", "open", "high", "low", "close", "volume"])
            for c in candles:
                w.writerow([c.time.date().isoformat(), c.open, c.high, c.low, c.close, c.volume])
        counts[symbol] = len(candles)
    return counts


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("symbols", nargs="+")
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--out", type=Path, default=Path("candles"))
    p.add_argument("--sandbox", metavar="URL", default=os.environ.get("BROKERS_SANDBOX"),
                   help="use a running sandbox instead of Kite (default: $BROKERS_SANDBOX)")
    a = p.parse_args()
    urls: Dict[str, str] = {}
    if a.sandbox:
        from brokers.sandbox import client_urls

        urls = client_urls(a.sandbox, "kite")
    # the session saved by `brokers login kite` (or daily_login.py) in $BROKERS_STORE or the default FileStore
    with Kite(store=FileStore(os.environ.get("BROKERS_STORE") or None), **urls) as kite:
        print(download(kite, a.symbols, a.days, a.out))
