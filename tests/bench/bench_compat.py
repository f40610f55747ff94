"""What the compat layer costs: the same GET through our client and through its
compat adapter (dhanhq / fyers_apiv3 shapes), side by side on the same sandbox route,
and the Dhan feed packet reshaped into dhanhq's dict. The clients themselves are the
same objects either way, so using them directly costs nothing extra.

``python -m tests.bench compat``.
"""

from __future__ import annotations

import time
from typing import Any, Callable, List, Tuple

from brokers.compat import use_sandbox
from brokers.compat.dhanhq import DhanContext, dhanhq, shapes
from brokers.compat.fyers_apiv3 import fyersModel
from brokers.dhan import Dhan, codec
from brokers.fyers import Fyers
from brokers.kite import Kite, KiteConnect
from brokers.sandbox import Sandbox

CALLS = 300
ROUNDS = 3
CLIENT = "1100000001"


def timed(fns: List[Callable[[], Any]], calls: int = CALLS) -> List[float]:
    """Best of ROUNDS mean seconds per call; the functions take turns in blocks of 10
    calls, so that load from other processes falls on each of them alike."""
    best = [float("inf")] * len(fns)
    block = 10
    for _ in range(ROUNDS):
        spent = [0.0] * len(fns)
        for _ in range(max(1, calls // block)):
            for n, fn in enumerate(fns):
                start = time.perf_counter()
                for _ in range(block):
                    fn()
                spent[n] += time.perf_counter() - start
        for n in range(len(fns)):
            best[n] = min(best[n], spent[n] / (max(1, calls // block) * block))
    return best


def show(title: str, rows: List[Tuple[str, float]]) -> None:
    print(title)
    for name, seconds in rows:
        print(f"  {name:28s} {seconds * 1e6:9.1f} us/call  ({seconds / rows[0][1]:.3f}x)")


def main() -> None:
    with Sandbox() as sb, use_sandbox(sb):
        sb.dhan.rate_limits = {k: (10 ** 6, 1.0) for k in sb.dhan.rate_limits}
        sb.fyers.rate_limits = [(10 ** 6, 1.0)]
        token = sb.dhan.issue_token(CLIENT)
        direct = Dhan(CLIENT, token, rate_limits=False, cache_dir=False, **sb.dhan_urls())
        compat = dhanhq(DhanContext(CLIENT, token))
        compat.dhan.transport.limiter = direct.transport.limiter  # both unlimited
        fy_token = sb.fyers.issue_access_token()
        fy_direct = Fyers(sb.fyers.client_id, fy_token, rate_limits=False, **sb.fyers_urls())
        fy_compat = fyersModel.FyersModel(client_id=sb.fyers.client_id, token=fy_token)
        fy_compat.fyers.transport.limiter = fy_direct.transport.limiter
        d = timed([direct.get_fund_limits, compat.get_fund_limits])
        show("Dhan GET /fundlimit over loopback", [("Dhan.get_fund_limits", d[0]), ("dhanhq compat", d[1])])
        f = timed([fy_direct.funds, fy_compat.funds])
        show("Fyers GET /funds over loopback", [("Fyers.funds", f[0]), ("FyersModel compat", f[1])])
        sb.kite.rate_limits = {k: (10 ** 6, 1.0) for k in sb.kite.rate_limits}
        kite_token = sb.kite.issue_access_token("AB1234")
        kite = Kite(access_token=kite_token, api_key=sb.kite.api_key, rate_limits=False, **sb.kite_urls())
        kc = KiteConnect(sb.kite.api_key, kite_token, rate_limits=False)
        k = timed([kite.profile, kc.profile])
        show("Kite GET /user/profile over loopback", [("Kite.profile", k[0]), ("KiteConnect (compat)", k[1])])
        kite.close()
        kc.close()
        frame = codec.encode_quote(1, 1333, ltp=1612.35, ltq=5, ltt=1732780800, avg_price=1610.1, volume=1000,
                                   total_sell_quantity=5, total_buy_quantity=7, open=1600, close=1605,
                                   high=1620, low=1598)
        p = timed([lambda: codec.parse_frame(frame), lambda: shapes.packet(codec.parse_frame(frame)[0])], 20000)
        show("Dhan quote packet", [("codec.parse_frame", p[0]), ("+ dhanhq dict", p[1])])
        for c in (direct, compat, fy_direct, fy_compat):
            c.close()
