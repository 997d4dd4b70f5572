"""Plan codes (`2`, `2.3`, `2.3.1`) in the order people read them."""

from __future__ import annotations

from typing import Any


def code_key(code: str) -> list[Any]:
    """`1.10` after `1.9`: plan codes sort by their numbers (a part that is not a number sorts after them)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split(".")]
