"""Fyers' HSM datafeed book: per-connection state that turns the records
:func:`brokers.fyers.codec.parse_datafeed` reads into fyers_apiv3-shaped ticks.

Snapshots set a topic's values, updates change some of them, and each tick carries
the merged values scaled by the topic's precision and multiplier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .codec import FIELDS, OUT_FIELDS, Lite, Record, Snapshot, parse_datafeed


# -- merging records into ticks ---------------------------------------------------------------------
@dataclass
class _Topic:
    topic: str
    kind: str  # "sf" | "if" | "dp"
    symbol: str
    multiplier: int
    precision: int
    raw: Dict[str, int] = field(default_factory=dict)
    scale: float = 1.0

    def __post_init__(self) -> None:
        self.scale = float(10 ** self.precision * self.multiplier)


class HsmBook:
    """Per-connection state: topic ids -> the latest raw values; turns records into ticks.

    Args:
        symbols: topic name -> the user's symbol (``"sf|nse_cm|3045"`` -> ``"NSE:SBIN-EQ"``).
        lite: lite mode (ticks carry only ``ltp``, ``symbol`` and ``type``).

    Ticks are the dicts ``fyers_apiv3`` emits, with two fixes: circuit limits
    (``lower_ckt``/``upper_ckt``) carry their scaled values instead of 0, and
    index values past the known six never overwrite ``type`` or ``symbol``.
    A snapshot always yields a tick; an update or lite record yields one only
    when a value changed.
    """

    def __init__(self, symbols: Optional[Mapping[str, str]] = None, lite: bool = False) -> None:
        self.symbols: Dict[str, str] = dict(symbols or {})
        self.lite = lite
        self._topics: Dict[int, _Topic] = {}

    def reset(self) -> None:
        """Forget every topic id (a new connection numbers them afresh)."""
        self._topics.clear()

    def apply(self, record: Record) -> Optional[Dict[str, Any]]:
        """Merge one record; the resulting tick, or None when nothing changed."""
        if isinstance(record, Snapshot):
            kind = record.topic[:2]
            if kind not in FIELDS:
                return None
            names = FIELDS[kind]
            raw = {names[i]: v for i, v in enumerate(record.values[:len(names)]) if v is not None}
            fresh = _Topic(record.topic, kind, self.symbols.get(record.topic, record.symbol),
                           record.multiplier or 1, record.precision, raw)
            self._topics[record.topic_id] = fresh
            return self._tick(fresh)
        t = self._topics.get(record.topic_id)
        if t is None:
            return None  # an update before its snapshot: nothing to merge into
        if isinstance(record, Lite):
            if record.ltp is None or t.raw.get("ltp") == record.ltp:
                return None
            t.raw["ltp"] = record.ltp
            return self._tick(t)
        raw = t.raw
        changed = False
        for name, v in zip(FIELDS[t.kind], record.values):
            if v is not None and raw.get(name) != v:
                raw[name] = v
                changed = True
        return self._tick(t) if changed else None

    def feed(self, frame: bytes, errors: Optional[List[ValueError]] = None) -> Tuple[int, List[Dict[str, Any]]]:
        """Parse a datafeed frame and merge every record: ``(message_number, ticks)``.

        Raises:
            ValueError: as :func:`parse_datafeed` (with ``errors``, only for a bad header).
        """
        number, records = parse_datafeed(frame, errors)
        ticks = []
        for r in records:
            tick = self.apply(r)
            if tick is not None:
                ticks.append(tick)
        return number, ticks

    def _tick(self, t: _Topic) -> Dict[str, Any]:
        scale = t.scale
        raw = t.raw
        if self.lite and t.kind != "dp":
            ltp = raw.get("ltp")
            return {"ltp": ltp / scale if ltp is not None else None, "symbol": t.symbol, "type": t.kind}
        out: Dict[str, Any] = {}
        for name, is_price in OUT_FIELDS[t.kind]:
            v = raw.get(name)
            if v is not None:
                out[name] = v / scale if is_price else v
        out["type"] = t.kind
        out["symbol"] = t.symbol
        if t.kind != "dp" and "ltp" in out and out.get("prev_close_price"):
            digits = 4 if t.kind == "sf" else 2
            ch = round(out["ltp"] - out["prev_close_price"], digits)
            out["ch"] = ch
            out["chp"] = round(ch / out["prev_close_price"] * 100, digits)
        return out


