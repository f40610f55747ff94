"""JSON from the network, read defensively: only ``ValueError`` escapes, and no
non-finite number gets in.

``json.loads`` raises ``RecursionError`` on deeply nested input and turns
``NaN``, ``Infinity`` and overflowing literals such as ``1e999`` into floats that
poison arithmetic further on. :func:`loads` reads such numbers as ``None`` (the
message is kept; only the unreadable value is lost) and reports nesting too deep
to read as ``ValueError``.
"""

from __future__ import annotations

import json
import math
from typing import Any, Optional, Union

__all__ = ["loads"]


def _float(text: str) -> Optional[float]:
    value = float(text)
    return value if math.isfinite(value) else None


def _constant(name: str) -> None:
    return None  # NaN, Infinity, -Infinity


_DECODER = json.JSONDecoder(parse_float=_float, parse_constant=_constant)


def loads(text: Union[str, bytes, bytearray]) -> Any:
    """Decode JSON text (bytes must be UTF-8).

    Returns:
        The decoded value; ``NaN``, ``Infinity``, ``-Infinity`` and numbers too large
        for a float are ``None``.

    Raises:
        ValueError: not JSON, not UTF-8, not text, or nested too deeply to read.

    Example::

        loads('{"price": NaN, "qty": 1}')   # {"price": None, "qty": 1}
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")  # UnicodeDecodeError is a ValueError
    if not isinstance(text, str):
        raise ValueError(f"JSON text must be str or bytes, not {type(text).__name__}")
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply to read") from None
