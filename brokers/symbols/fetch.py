"""Small helpers the brokers' ``master()`` and ``history()`` share."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Optional, Union

__all__ = ["cache_name", "cache_root"]


def cache_name(broker: str, root: str, default_root: str) -> str:
    """The cache file name of a broker's master: the broker's name for the real
    host, with a hash of the host otherwise (a sandbox's master never stands in
    for the real one)."""
    if root.rstrip("/") == default_root.rstrip("/"):
        return broker
    return f"{broker}-{hashlib.sha1(root.encode('utf-8')).hexdigest()[:10]}"


def cache_root(value: Union[str, Path, None, bool], fallback: Any = None) -> Optional[Path]:
    """A cache directory argument as a Path (``None``: the default location)."""
    if value is None or value is True:
        return Path(fallback) if isinstance(fallback, (str, Path, os.PathLike)) else None
    if value is False:
        raise ValueError("cache_dir=False: the master needs a cache directory")
    return Path(value)
