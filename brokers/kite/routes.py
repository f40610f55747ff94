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

#: Widest range of one historical request, in days, per interval in minutes (1440 = day).
HISTORY_CAPS: Dict[int, int] = {1: 60, 3: 100, 5: 100, 10: 100, 15: 200, 30: 200, 60: 400, 1440: 2000}
#: Kite's interval names by minutes.
HISTORY_INTERVALS: Dict[int, str] = {1: "minute", 3: "3minute", 5: "5minute", 10: "10minute", 15: "15minute",
                                     30: "30minute", 60: "60minute", 1440: "day"}
HISTORY_WORKERS = 3  # as many threads as the 3/s budget can keep busy
