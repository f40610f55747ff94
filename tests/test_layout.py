"""The same files mean the same thing in every broker package: URL paths are
written only in ``<broker>/routes.py``, argument checks live in
``<broker>/validate.py``, and every endpoint mixin derives from its broker's base."""

from __future__ import annotations

import ast
import importlib
import pathlib
import re
from typing import List

import pytest

import brokers

PACKAGE = pathlib.Path(brokers.__file__).parent
ENDPOINTS = {
    "kite": ["orders", "portfolio", "market", "mf", "alerts", "base", "client"],
    "dhan": ["orders", "account", "data", "global_stocks", "base", "client"],
    "fyers": ["orders", "account", "market", "extras", "base", "client"],
}
MIXINS = {
    "kite": ["orders.OrdersMixin", "portfolio.PortfolioMixin", "market.MarketMixin", "mf.MutualFundsMixin",
             "alerts.AlertsMixin"],
    "dhan": ["orders.OrdersMixin", "account.AccountMixin", "data.DataMixin", "global_stocks.GlobalStocksMixin"],
    "fyers": ["orders.OrdersMixin", "account.AccountMixin", "market.MarketMixin", "extras.FyersExtras"],
}
BASES = {"kite": "base.KiteBase", "dhan": "base.DhanBase", "fyers": "base.FyersBase"}


def _path_literals(source: str) -> List[str]:
    tree = ast.parse(source)
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if re.match(r"/[A-Za-z]", node.value):
                found.append(node.value)
    return found


@pytest.mark.parametrize("broker, module", [(b, m) for b, ms in ENDPOINTS.items() for m in ms])
def test_paths_live_only_in_routes(broker: str, module: str) -> None:
    source = (PACKAGE / broker / f"{module}.py").read_text(encoding="utf-8")
    assert _path_literals(source) == []


@pytest.mark.parametrize("broker", sorted(ENDPOINTS))
def test_each_broker_has_one_check_module_and_one_base(broker: str) -> None:
    assert (PACKAGE / broker / "validate.py").is_file()
    assert not (PACKAGE / broker / "params.py").exists()
    mod, _, name = BASES[broker].partition(".")
    base = getattr(importlib.import_module(f"brokers.{broker}.{mod}"), name)
    for spec in MIXINS[broker]:
        mod, _, name = spec.partition(".")
        mixin = getattr(importlib.import_module(f"brokers.{broker}.{mod}"), name)
        assert issubclass(mixin, base), spec
    assert isinstance(base._routes, dict) and base._routes
