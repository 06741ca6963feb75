"""The Great Expectations expectation type names, known without importing GX (which takes seconds).

The names ship in ``expectation_types.txt``; a test compares them with the registry of the installed
GX, so the list cannot drift from it silently.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

COLUMN_KEYS = ("column", "column_A", "column_B", "column_list", "column_set")
"""The kwargs by which an expectation names columns (a single name or a list of names)."""

SCHEMA_EXPECTATIONS = frozenset({
    "expect_column_to_exist", "expect_table_columns_to_match_set",
    "expect_table_columns_to_match_ordered_list"})
"""Expectations about which columns exist: a missing column is their failure, not a usage error."""


@cache
def known_expectation_types() -> frozenset[str]:
    """Every expectation type of the GX version aiflab is tested with."""
    text = files("aiflab.validate").joinpath("expectation_types.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def close_expectation_types(name: str, n: int = 3) -> list[str]:
    """Known types that look like `name` (for "did you mean" hints)."""
    return difflib.get_close_matches(name, sorted(known_expectation_types()), n=n, cutoff=0.6)


def columns_named(kwargs: Mapping[str, Any]) -> list[str]:
    """The columns an expectation's kwargs name, in order, without repeats."""
    names: list[str] = []
    for key in COLUMN_KEYS:
        value = kwargs.get(key)
        for name in [value] if isinstance(value, str) else value if _is_collection(value) else []:
            if isinstance(name, str) and name not in names:
                names.append(name)
    return names


def _is_collection(value: Any) -> bool:
    return isinstance(value, list | tuple | set | frozenset)
