"""Hostile input for the feed parsers' property tests: mutated frames, hostile JSON
text, and a check that nothing non-finite comes out. Shared by every broker's
``test_feed_frames.py`` and by ``python -m tests.fuzz_feeds``."""

from __future__ import annotations

import json
import math
import random
import struct
from typing import Any, List

from hypothesis import strategies as st

# Settings for the frame property tests: enough examples to find the classes of
# bad input, few enough that the suite stays fast.
EXAMPLES = 150

NONFINITE = [float("nan"), float("inf"), float("-inf")]


def finite(value: Any) -> bool:
    """True when no float anywhere inside ``value`` (dicts, lists, tuples) is NaN or infinite."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, float) and not math.isfinite(v):
            return False
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
    return True


def nonfinite_f32(rnd: random.Random, big_endian: bool = False) -> bytes:
    """Four bytes of a float32 NaN (any payload) or infinity."""
    bits = 0x7F800000 | (rnd.randrange(1, 1 << 23) if rnd.random() < 0.6 else 0)
    bits |= 0x80000000 if rnd.random() < 0.5 else 0
    return struct.pack(">I" if big_endian else "<I", bits)


def mutate(data: bytes, rnd: random.Random) -> bytes:
    """One to four random edits: flip bits, overwrite, insert, delete, cut, or splice."""
    out = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(6)
        pos = rnd.randrange(len(out) + 1)
        if op == 0 and out:
            i = min(pos, len(out) - 1)
            out[i] ^= 1 << rnd.randrange(8)
        elif op == 1 and out:
            i = min(pos, len(out) - 1)
            out[i] = rnd.choice([0, 0xFF, 0x7F, 0x80, rnd.randrange(256)])
        elif op == 2:
            out[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
        elif op == 3 and out:
            del out[pos:pos + rnd.randint(1, 8)]
        elif op == 4:
            del out[pos:]
        else:
            out[pos:pos] = out[rnd.randrange(len(out) + 1):][:rnd.randint(1, 32)]
    return bytes(out)


@st.composite
def mutated(draw: Any, frames: Any) -> bytes:
    """A frame from ``frames`` after :func:`mutate` with a drawn seed."""
    frame = draw(frames)
    return mutate(frame, random.Random(draw(st.integers(0, 2 ** 32 - 1))))


def nested(depth: int, opener: str = "[") -> str:
    closer = {"[": "]", "{": "}"}[opener]
    if opener == "{":
        return '{"a":' * depth + "1" + closer * depth
    return opener * depth + closer * depth


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)

_HOSTILE_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" * 400, "0.0000001e-400"]


@st.composite
def hostile_json(draw: Any, shapes: List[Any]) -> str:
    """JSON text shaped like a broker's message (one of ``shapes``, dicts), with a
    value replaced by a non-finite or huge number, or deep nesting, or plain noise."""
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.text(max_size=60))
    if kind == 1:
        return nested(draw(st.integers(500, 100_000)), draw(st.sampled_from(["[", "{"])))
    shape = json.loads(json.dumps(draw(st.sampled_from(shapes))))
    if kind == 2:
        return json.dumps(draw(_JSON_VALUES)) if draw(st.booleans()) else json.dumps(shape)
    # Replace the leaf values of the shape, marking them, then put a hostile number in.
    text = json.dumps(shape)
    leaves = [k for k in _leaf_paths(shape)]
    if not leaves:
        return text
    path = draw(st.sampled_from(leaves))
    marker = "__HOSTILE__"
    _set(shape, path, marker)
    replacement = draw(st.sampled_from(_HOSTILE_NUMBERS)) if kind == 3 else nested(draw(st.integers(900, 5000)))
    return json.dumps(shape).replace(json.dumps(marker), replacement)


def _leaf_paths(value: Any, prefix: tuple = ()) -> List[tuple]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaf_paths(v, prefix + (k,))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaf_paths(v, prefix + (i,))]
    return [prefix]


def _set(value: Any, path: tuple, new: Any) -> None:
    for key in path[:-1]:
        value = value[key]
    value[path[-1]] = new
