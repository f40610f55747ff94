"""Checking a sandbox answer against a broker's documented field list.

Each broker's ``tests/<broker>/test_answers.py`` writes down the fields the broker
documents for a route, with their JSON types, and checks the sandbox's raw JSON
(read with plain ``requests``, not through our clients, which convert some values).
"""

from __future__ import annotations

from typing import Any, Mapping, Tuple, Type, Union

__all__ = ["ANY", "BOOL", "DICT", "INT", "LIST", "NUM", "STR", "check", "opt"]

TypeSpec = Union[Type[Any], Tuple[Type[Any], ...]]

NUM: TypeSpec = (int, float)
INT: TypeSpec = int
STR: TypeSpec = str
BOOL: TypeSpec = bool
DICT: TypeSpec = dict
LIST: TypeSpec = list
ANY: TypeSpec = object


def opt(kind: TypeSpec) -> TypeSpec:
    """``kind`` or JSON null."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return kinds + (type(None),)


def check(row: Any, spec: Mapping[str, TypeSpec], where: str) -> None:
    """Assert that ``row`` (a JSON object) carries every documented field in its type.

    Fields the broker does not document may be present too; booleans never pass as numbers.
    """
    assert isinstance(row, dict), f"{where}: expected an object, got {type(row).__name__}"
    missing = sorted(set(spec) - set(row))
    assert not missing, f"{where}: missing documented fields {missing}"
    for name, kind in spec.items():
        value = row[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds and object not in kinds:
            raise AssertionError(f"{where}.{name}: a boolean where the broker documents {kinds}")
        assert isinstance(value, kinds), f"{where}.{name}: {value!r} is not {kinds}"
