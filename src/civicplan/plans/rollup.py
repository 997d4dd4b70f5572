"""Plan progress is an invariant of the tree: a parent's progress is the weighted mean of its children's.

Pure functions, so the rule can be tested on its own (tests/plans/test_rollup.py, with hypothesis)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

ONE_PLACE = Decimal("0.1")


def weighted_progress(children: Iterable[tuple[Decimal | None, Decimal | None]]) -> Decimal | None:
    """Roll up `(progress, weight)` pairs.

    - a child with no progress (no data yet) is left out rather than counted as 0;
    - an empty weight counts as 1, so a family with no weights gets the plain mean;
    - a weight of 0 leaves the child out;
    - no usable child gives `None` (no data), never 0.
    """
    total_weight = Decimal(0)
    weighted_sum = Decimal(0)
    for progress, weight in children:
        if progress is None:
            continue
        effective = Decimal(1) if weight is None else Decimal(weight)
        if effective <= 0:
            continue
        total_weight += effective
        weighted_sum += Decimal(progress) * effective
    if total_weight == 0:
        return None
    return (weighted_sum / total_weight).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
