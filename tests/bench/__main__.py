"""Run every benchmark: ``python -m tests.bench [name ...]`` (``tox -e bench``).

Each ``tests/bench/bench_*.py`` module has a ``main()`` that prints its figures,
measured side by side with the peers in one run. Nothing here asserts a time.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    for name in wanted:
        print(f"== {name}")
        importlib.import_module(f"tests.bench.{name}").main()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
