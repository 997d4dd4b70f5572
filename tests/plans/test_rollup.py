"""Roll-up properties: weighted mean with missing values and mixed weights."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from civicplan.plans.rollup import weighted_progress

progress = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=1))
weight = st.one_of(st.none(), st.decimals(min_value=0, max_value=50, places=2))
children = st.lists(st.tuples(progress, weight), max_size=12)


def _usable(pairs):
    return [(p, Decimal(1) if w is None else w) for p, w in pairs if p is not None and (w is None or w > 0)]


@given(children)
def test_the_result_lies_between_the_smallest_and_largest_counted_child(pairs):
    result = weighted_progress(pairs)
    usable = _usable(pairs)
    if not usable:
        assert result is None
    else:
        values = [p for p, _w in usable]
        assert min(values) - Decimal("0.05") <= result <= max(values) + Decimal("0.05")


@given(st.lists(st.decimals(min_value=0, max_value=100, places=1), min_size=1, max_size=12))
def test_without_weights_it_is_the_plain_mean(values):
    result = weighted_progress((value, None) for value in values)
    assert abs(result - sum(values) / len(values)) <= Decimal("0.05")


@given(children)
def test_the_order_of_children_does_not_matter(pairs):
    assert weighted_progress(pairs) == weighted_progress(list(reversed(pairs)))


@given(children, st.decimals(min_value=1, max_value=10, places=0))
def test_scaling_every_weight_changes_nothing(pairs, factor):
    explicit = [(p, Decimal(1) if w is None else w) for p, w in pairs]
    scaled = [(p, w * factor) for p, w in explicit]
    assert weighted_progress(explicit) == weighted_progress(scaled)


def test_missing_values_are_left_out_not_counted_as_zero():
    assert weighted_progress([(Decimal(80), None), (None, None)]) == Decimal("80.0")


def test_a_zero_weight_leaves_the_child_out():
    assert weighted_progress([(Decimal(100), Decimal(0)), (Decimal(20), Decimal(1))]) == Decimal("20.0")


def test_weights_pull_the_mean_toward_heavier_children():
    assert weighted_progress([(Decimal(100), Decimal(3)), (Decimal(0), Decimal(1))]) == Decimal("75.0")


def test_no_children_means_no_data():
    assert weighted_progress([]) is None
