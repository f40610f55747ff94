"""Kite's hosts and rate limits.

Everything here is data about the wire: where requests go and how many the
broker allows. How a response body becomes a value or one of the exceptions in
:mod:`brokers.kite.exceptions` is :mod:`brokers.kite.decode`.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

ROOT = "https://api.kite.trade"
WEB_ROOT = "https://kite.zerodha.com"
LOGIN_PATH = "/connect/login"
# Kite Web login (under WEB_ROOT) and the KiteConnect session routes (under ROOT).
WEB_LOGIN = "/api/login"
WEB_TWOFA = "/api/twofa"
SESSION_TOKEN = "/session/token"
SESSION_REFRESH = "/session/refresh_token"
KITE_VERSION = "3"

#: Documented limits per group, as ``(calls, seconds)`` windows.
RATE_LIMITS: Dict[str, List[Tuple[int, float]]] = {
    "quote": [(1, 1.0)],
    "historical": [(3, 1.0)],
    "orders": [(10, 1.0), (400, 60.0), (5000, 86400.0)],
    "default": [(10, 1.0)],
}
