"""Fuzz every feed parser and count what escapes: ``python -m tests.fuzz_feeds [N] [SEED]``.

For each parser, N inputs (default 100,000): a third random bytes, a third
well-framed frames whose packet bodies are random bytes (so floats take every bit
pattern, NaN and infinity included), a third such frames after random edits. Text
parsers get broker-shaped JSON with NaN / Infinity / 1e999 / deep nesting put in,
or noise. Prints, per parser, how many inputs returned, raised ValueError, or raised
anything else (the rule: nothing else), and for Dhan how many frames holding at least
one good packet delivered none. Uses only the parsers' long-standing signatures, so
it runs against older checkouts too (for before/after figures).
"""

from __future__ import annotations

import collections
import json
import random
import struct
import sys
from typing import Any, Callable, Counter, Dict, List

from brokers.dhan import codec as dhan
from brokers.fyers import codec as fyers
from brokers.fyers.hsm_book import HsmBook
from brokers.kite import codec as kite

from .hostile import mutate, nested

DHAN_SIZES = {1: 16, 2: 16, 4: 50, 5: 12, 6: 16, 7: 8, 8: 162, 50: 10}
KITE_SIZES = [8, 28, 32, 44, 184]


def dhan_frame(rnd: random.Random) -> bytes:
    out = b""
    for _ in range(rnd.randint(1, 4)):
        code = rnd.choice(list(DHAN_SIZES))
        size = DHAN_SIZES[code]
        out += struct.pack("<BHBI", code, size, rnd.randrange(9), rnd.randrange(2 ** 32))
        out += bytes(rnd.randrange(256) for _ in range(size - 8))
    return out


def kite_frame(rnd: random.Random) -> bytes:
    packets = [bytes(rnd.randrange(256) for _ in range(rnd.choice(KITE_SIZES))) for _ in range(rnd.randint(1, 4))]
    return struct.pack(">H", len(packets)) + b"".join(struct.pack(">H", len(p)) + p for p in packets)


def fyers_frame(rnd: random.Random) -> bytes:
    records = []
    for _ in range(rnd.randint(1, 4)):
        kind = rnd.choice("SUL")
        tid = struct.pack(">H", rnd.randrange(4))
        values = struct.pack(f">{21}i", *[rnd.randrange(-2 ** 31, 2 ** 31) for _ in range(21)])
        if kind == "L":
            records.append(b"L" + tid + values[:4])
        elif kind == "U":
            records.append(b"U" + tid + bytes([21]) + values)
        else:
            records.append(b"S" + tid + b"\x0dsf|nse_cm|999" + bytes([21]) + values + b"\x00\x00"
                           + struct.pack(">HB", rnd.randrange(65536), rnd.randrange(256)) + b"\x0210\x03999\x01X")
    body = b"".join(records)
    return struct.pack(">HBIH", (7 + len(body)) & 0xFFFF, 6, rnd.randrange(2 ** 32), len(records)) + body


def binary_inputs(rnd: random.Random, n: int, framed: Callable[[random.Random], bytes]) -> List[bytes]:
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append(bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 200))))
        elif i % 3 == 1:
            out.append(framed(rnd))
        else:
            out.append(mutate(framed(rnd), rnd))
    return out


SHAPES = [
    {"type": "order", "data": {"order_id": "1", "price": 1.5, "quantity": 1}},
    {"Type": "order_alert", "Data": {"OrderNo": "1", "Price": 1.5, "Quantity": 2}},
    {"s": "ok", "orders": {"id": "1", "org_ord_status": 90, "price_traded": 1.5, "qty": 1}},
    {"s": "ok", "trades": {"id_fill": "1", "price_traded": 1.5}},
]
HOSTILE = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]


def text_inputs(rnd: random.Random, n: int) -> List[str]:
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append("".join(chr(rnd.randrange(32, 127)) for _ in range(rnd.randrange(60))))
        elif kind == 1:
            out.append(nested(rnd.randint(900, 20_000), rnd.choice("[{")))
        else:
            shape = json.loads(json.dumps(rnd.choice(SHAPES)))
            body = shape[[k for k in shape if isinstance(shape[k], dict)][0]]
            key = rnd.choice(list(body))
            body[key] = "__X__"
            value = rnd.choice(HOSTILE) if kind == 2 else nested(rnd.randint(900, 5000))
            out.append(json.dumps(shape).replace('"__X__"', value))
    return out


def run(name: str, parse: Callable[[Any], Any], inputs: List[Any]) -> Counter[str]:
    counts: Counter[str] = collections.Counter()
    for item in inputs:
        try:
            parse(item)
            counts["returned"] += 1
        except ValueError:
            counts["ValueError"] += 1
        except Exception as e:  # what the rule forbids
            counts[type(e).__name__] += 1
    return counts


def dhan_hidden(frames: List[bytes]) -> int:
    """Frames with at least one good packet (parse_packet reads it) that delivered none."""
    hidden = 0
    for frame in frames:
        good = 0
        pos = 0
        while pos + 8 <= len(frame):
            size = DHAN_SIZES.get(frame[pos], 0)
            if not size or pos + size > len(frame):
                break
            try:
                dhan.parse_packet(frame[pos:pos + size])
                good += 1
            except Exception:
                pass
            pos += size
        try:
            delivered = [r for r in dhan.parse_frame(frame) if r["type"] not in ("Invalid", "Truncated", "Unknown")]
        except Exception:
            delivered = []
        hidden += bool(good and not delivered)
    return hidden


def main(argv: List[str]) -> None:
    n = int(argv[0]) if argv else 100_000
    seed = int(argv[1]) if len(argv) > 1 else 1
    rnd = random.Random(seed)
    dhan_frames = binary_inputs(rnd, n, dhan_frame)
    kite_frames = binary_inputs(rnd, n, kite_frame)
    fyers_frames = binary_inputs(rnd, n, fyers_frame)
    texts = text_inputs(rnd, n)
    table: Dict[str, Counter[str]] = {
        "dhan.parse_frame": run("dhan.parse_frame", dhan.parse_frame, dhan_frames),
        "dhan.parse_packet": run("dhan.parse_packet", dhan.parse_packet, dhan_frames),
        "dhan.parse_order_update": run("dhan.parse_order_update", dhan.parse_order_update, texts),
        "kite.parse_binary": run("kite.parse_binary", kite.parse_binary, kite_frames),
        "kite.parse_text": run("kite.parse_text", kite.parse_text, texts),
        "fyers.parse_datafeed": run("fyers.parse_datafeed", fyers.parse_datafeed, fyers_frames),
        "fyers.parse_control": run("fyers.parse_control", fyers.parse_control, fyers_frames),
        "fyers.HsmBook.feed": run("fyers.HsmBook.feed", HsmBook().feed, fyers_frames),
        "fyers.map_order_message": run("fyers.map_order_message", fyers.map_order_message, texts),
    }
    print(f"{n:,} inputs per parser, seed {seed}")
    for name, counts in table.items():
        other = {k: v for k, v in counts.items() if k not in ("returned", "ValueError")}
        print(f"  {name:26} returned {counts['returned']:>7,}  ValueError {counts['ValueError']:>7,}  "
              f"other {sum(other.values()):>6,} {dict(other) if other else ''}")
    print(f"  dhan frames holding a good packet that delivered none: {dhan_hidden(dhan_frames):,}")


if __name__ == "__main__":
    main(sys.argv[1:])
