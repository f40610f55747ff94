"""The cache file format: rows packed so that loading touches almost nothing.

A master of 100,000 rows holds over a million small Python objects; building
them all is what makes parsing slow, and unpickling (or unmarshalling) them all
would be nearly as slow. The file therefore keeps each row as its own small
:mod:`marshal` record inside one blob, the sorted upper-case keys as one list,
and two integer arrays (row offsets, and the row of each sorted key). Loading
reads the blob and the keys; a row is decoded only when someone asks for it.
Nothing but str, int, float, bytes and None is ever decoded: no code objects,
no pickle.
"""

from __future__ import annotations

import bisect
import marshal
from array import array
from typing import Any, Dict, Iterator, List, Optional, Sequence

from .model import Row

__all__ = ["LazyRows", "KeyIndex", "pack", "unpack"]


class LazyRows(Sequence[Row]):
    """Rows decoded on first access from a packed blob."""

    def __init__(self, blob: bytes, offsets: "array[int]") -> None:
        self._blob = blob
        self._offsets = offsets
        self._done: List[Optional[Row]] = [None] * (len(offsets) - 1)

    def __len__(self) -> int:
        return len(self._done)

    def __getitem__(self, n: Any) -> Any:
        if isinstance(n, slice):
            return [self[k] for k in range(*n.indices(len(self)))]
        row = self._done[n]
        if row is None:
            if n < 0:
                n += len(self._done)
            row = self._done[n] = marshal.loads(self._blob[self._offsets[n]:self._offsets[n + 1]])
        return row

    def __iter__(self) -> Iterator[Row]:
        for n in range(len(self._done)):
            yield self[n]


class KeyIndex:
    """``get(UPPER_KEY) -> row number`` by bisection over the sorted keys."""

    def __init__(self, keys: List[str], rows_of: "array[int]") -> None:
        self._keys = keys
        self._rows_of = rows_of

    def get(self, key: str, default: Optional[int] = None) -> Optional[int]:
        i = bisect.bisect_left(self._keys, key)
        if i < len(self._keys) and self._keys[i] == key:
            return self._rows_of[i]
        return default


def pack(day: str, rows: Sequence[Row]) -> bytes:
    """The cache document for ``rows`` (a marshal of plain values)."""
    parts = [marshal.dumps(tuple(r)) for r in rows]
    offsets = array("q", [0])
    total = 0
    for p in parts:
        total += len(p)
        offsets.append(total)
    order = sorted(range(len(rows)), key=lambda n: (rows[n][0].upper(), n))
    doc: Dict[str, Any] = {"day": day, "count": len(rows), "keys": [rows[n][0].upper() for n in order],
                           "rows_of": array("q", order).tobytes(), "offsets": offsets.tobytes(),
                           "blob": b"".join(parts)}
    return marshal.dumps(doc)


def unpack(data: bytes) -> "tuple[str, LazyRows, KeyIndex]":
    """``(day, rows, key index)`` from :func:`pack`'s bytes.

    Raises:
        ValueError: the bytes are not a cache document.
    """
    try:
        doc = marshal.loads(data)
    except (EOFError, TypeError) as e:
        raise ValueError(f"unreadable ({e})") from None
    if not isinstance(doc, dict) or not all(k in doc for k in ("day", "count", "keys", "rows_of", "offsets", "blob")):
        raise ValueError("unexpected contents")
    offsets, rows_of = array("q"), array("q")
    offsets.frombytes(doc["offsets"])
    rows_of.frombytes(doc["rows_of"])
    count = doc["count"]
    if not (isinstance(doc["day"], str) and len(offsets) == count + 1 and len(rows_of) == count == len(doc["keys"])
            and offsets[-1] == len(doc["blob"])):
        raise ValueError("inconsistent contents")
    return doc["day"], LazyRows(doc["blob"], offsets), KeyIndex(doc["keys"], rows_of)
