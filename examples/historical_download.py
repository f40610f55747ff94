"""Download daily candles for a list of symbols into CSV files, within Kite's 3 requests/s.

    python examples/historical_download.py NSE:INFY NSE:SBIN --days 365 --out candles/

Against a running sandbox (``python -m brokers sandbox``, then ``brokers login kite
--sandbox URL``): add ``--sandbox http://127.0.0.1:PORT`` or set ``BROKERS_SANDBOX``.

The client paces the calls itself (the ``historical`` rate-limit group), so the loop
needs no sleeps, and a network error on a read is retried for you.
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


def download(kite: Kite, symbols: List[str], days: int, out: Path) -> Dict[str, int]:
    """Write ``<out>/<EXCHANGE>_<SYMBOL>.csv`` per symbol; returns the candle count per symbol."""
    tokens = {f"{i['exchange']}:{i['tradingsymbol']}": i["instrument_token"] for i in kite.instruments()}
    missing = [s for s in symbols if s not in tokens]
    if missing:
        raise SystemExit(f"unknown symbols: {', '.join(missing)}")
    out.mkdir(parents=True, exist_ok=True)
    to = dt.date.today()
    counts = {}
    for symbol in symbols:
        candles = kite.historical_data(tokens[symbol], to - dt.timedelta(days=days), to, "day")
        with open(out / (symbol.replace(":", "_") + ".csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["date", "open", "high", "low", "close", "volume"])
            for c in candles:
                w.writerow([c["date"].date().isoformat(), c["open"], c["high"], c["low"], c["close"], c["volume"]])
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
