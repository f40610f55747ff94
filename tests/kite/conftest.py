"""Kite test helpers (the fixtures live in tests/conftest.py)."""

from ..conftest import USER, web_login_kwargs

__all__ = ["USER", "web_login_kwargs"]
