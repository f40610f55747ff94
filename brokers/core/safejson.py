"""JSON from the network, read defensively: only ``ValueError`` escapes, and no
non-finite number gets in.

``json.loads`` raises ``RecursionError`` on deeply nested input (or, with a raised
recursion limit, can exhaust the C stack) and turns ``NaN``, ``Infinity`` and
overflowing literals such as ``1e999`` into floats that poison arithmetic further
on. :func:`loads` reads such numbers as ``None`` (the message is kept; only the
unreadable value is lost) and refuses nesting deeper than :data:`MAX_DEPTH` with a
``ValueError``, whatever the interpreter's recursion limit.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Optional, Union

__all__ = ["MAX_DEPTH", "loads"]

MAX_DEPTH = 100  # broker messages nest a few levels; far deeper is an attack or garbage
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _float(text: str) -> Optional[float]:
    value = float(text)
    return value if math.isfinite(value) else None


def _too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # the common case, at C speed
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _constant(name: str) -> None:
    return None  # NaN, Infinity, -Infinity


_DECODER = json.JSONDecoder(parse_float=_float, parse_constant=_constant)


def loads(text: Union[str, bytes, bytearray]) -> Any:
    """Decode JSON text (bytes must be UTF-8).

    Returns:
        The decoded value; ``NaN``, ``Infinity``, ``-Infinity`` and numbers too large
        for a float are ``None``.

    Raises:
        ValueError: not JSON, not UTF-8, not text, or nested deeper than ``MAX_DEPTH``.

    Example::

        loads('{"price": NaN, "qty": 1}')   # {"price": None, "qty": 1}
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")  # UnicodeDecodeError is a ValueError
    if not isinstance(text, str):
        raise ValueError(f"JSON text must be str or bytes, not {type(text).__name__}")
    if _too_deep(text):
        raise ValueError(f"JSON nested too deeply to read (more than {MAX_DEPTH} levels)")
    try:
        return _DECODER.decode(text)
    except RecursionError:  # cannot happen within MAX_DEPTH, kept as a last guard
        raise ValueError("JSON nested too deeply to read") from None
