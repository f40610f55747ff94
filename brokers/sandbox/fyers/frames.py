"""The server side of Fyers' HSM binary protocol, written independently of
:mod:`brokers.fyers.codec` so that the sandbox checks the client's codec rather
than mirroring it. Big-endian throughout.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

__all__ = ["ClientFrame", "control", "custom", "datafeed", "lite", "parse_client", "snapshot", "update"]

NONE = -2147483648  # "absent / unchanged"


@dataclass
class ClientFrame:
    """A frame the client sent: its type and fields by id."""

    type: int
    fields: Dict[int, bytes]

    def topics(self) -> Tuple[List[str], int]:
        """For subscribe/unsubscribe: (topics, channel)."""
        raw = self.fields.get(1, b"")
        out: List[str] = []
        if len(raw) >= 2:
            (count,) = struct.unpack(">H", raw[:2])
            pos = 2
            for _ in range(count):
                if pos >= len(raw):
                    break
                n = raw[pos]
                out.append(raw[pos + 1:pos + 1 + n].decode("utf-8", "replace"))
                pos += 1 + n
        chan = self.fields.get(2, b"")
        return out, chan[0] if chan else 11

    def channels(self) -> List[int]:
        """For pause/resume/mode: the channels of the u64 bitmap in field 1."""
        raw = self.fields.get(1, b"")
        bits = struct.unpack(">Q", raw)[0] if len(raw) == 8 else 0
        return [c for c in range(64) if bits >> c & 1]


def parse_client(frame: bytes) -> ClientFrame:
    """Parse a client frame (``u16 len, u8 type, u8 count, fields``). ValueError if malformed."""
    if len(frame) < 3:
        raise ValueError("short frame")
    kind = frame[2]
    if len(frame) == 3:  # the 3-byte binary ping
        return ClientFrame(kind, {})
    fields: Dict[int, bytes] = {}
    pos = 4
    for _ in range(frame[3]):
        if pos + 3 > len(frame):
            raise ValueError("truncated field")
        fid = frame[pos]
        (n,) = struct.unpack(">H", frame[pos + 1:pos + 3])
        pos += 3
        if pos + n > len(frame):
            raise ValueError("truncated field")
        fields[fid] = frame[pos:pos + n]
        pos += n
    return ClientFrame(kind, fields)


def _frame(kind: int, fields: Sequence[bytes]) -> bytes:
    body = bytearray([kind, len(fields)])
    for fid, value in enumerate(fields, start=1):
        body += bytes([fid]) + struct.pack(">H", len(value)) + value
    return struct.pack(">H", len(body)) + bytes(body)


def control(kind: int, ok: bool = True, ack_count: Optional[int] = None) -> bytes:
    """An answer to a control frame: ``"K"`` for OK (and, for auth, the ack count)."""
    fields = [b"K" if ok else b"E"]
    if ack_count is not None:
        fields.append(struct.pack(">I", ack_count))
    return _frame(kind, fields)


def custom(code: int, message: str, ref_type: int = 0) -> bytes:
    """A type-51 server notice: field 1 the code (i32), 2 the text, 3 the frame type it refers to."""
    return _frame(51, [struct.pack(">i", code), message.encode("utf-8"), bytes([ref_type])])


def _ints(values: Sequence[Optional[int]]) -> bytes:
    return bytes([len(values)]) + b"".join(struct.pack(">i", NONE if v is None else v) for v in values)


def _text(s: str) -> bytes:
    b = s.encode("utf-8")
    return bytes([len(b)]) + b


def snapshot(topic_id: int, topic: str, values: Sequence[Optional[int]], multiplier: int, precision: int,
             exchange: str, token: str, symbol: str) -> bytes:
    """An ``'S'`` record."""
    return (b"S" + struct.pack(">H", topic_id) + _text(topic) + _ints(values) + b"\x00\x00"
            + struct.pack(">HB", multiplier, precision) + _text(exchange) + _text(token) + _text(symbol))


def update(topic_id: int, values: Sequence[Optional[int]]) -> bytes:
    """A ``'U'`` record (full mode)."""
    return b"U" + struct.pack(">H", topic_id) + _ints(values)


def lite(topic_id: int, ltp: int) -> bytes:
    """An ``'L'`` record (lite mode)."""
    return b"L" + struct.pack(">Hi", topic_id, ltp)


def datafeed(number: int, records: Sequence[bytes]) -> bytes:
    """A type-6 frame holding ``records`` back to back."""
    payload = b"".join(records)
    return struct.pack(">HBIH", (7 + len(payload)) & 0xFFFF, 6, number, len(records)) + payload
