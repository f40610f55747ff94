"""Download daily candles for a list of symbols into CSV files, within Kite's 3 requests/s.

    python examples/historical_download.py NSE:INFY NSE:SBIN --days 365 --out candles/

The client paces the calls itself (the ``historical`` rate-limit group), so the loop
needs no sleeps, and a network error on a read is retried for you.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path
from typing import Dict, List

from brokers.kite import Kite


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
    a = p.parse_args()
    with Kite() as kite:  # the session saved by `brokers login kite`
        print(download(kite, a.symbols, a.days, a.out))
