"""Raking and weighted estimates against answers worked out by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicplan.insights.weighting import (
    SMALL_BASE,
    Z95,
    Margin,
    allocation_estimates,
    crosstab,
    kish,
    mean,
    proportion,
    rake,
    ranking_estimates,
    shares,
)


def weighted_shares(codes, weights):
    """Weighted share per category among respondents with a category (None / "" left out)."""
    codes = np.array([code or "" for code in codes], dtype=object)
    known = codes != ""
    total = weights[known].sum()
    return {code: weights[codes == code].sum() / total for code in set(codes[known])}


def assert_margins_met(data, margins, weights, tolerance=1e-6):
    for margin in margins:
        got = weighted_shares(data[margin.variable], weights)
        for code, share in margin.normalised().items():
            assert got.get(code, 0.0) == pytest.approx(share, abs=tolerance), (margin.variable, code)


def table(counts, rows, columns):
    """Respondents laid out from a table of counts: counts[i][j] people with rows[i] and columns[j]."""
    row_codes, column_codes = [], []
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            row_codes += [row] * counts[i][j]
            column_codes += [column] * counts[i][j]
    return {"row": row_codes, "column": column_codes}


def cell_weights(data, weights):
    """The (single) weight of each (row, column) cell: raking gives everyone in a cell the same weight."""
    found = {}
    for row, column, weight in zip(data["row"], data["column"], weights, strict=True):
        found.setdefault((row, column), set()).add(round(float(weight), 9))
    assert all(len(values) == 1 for values in found.values())
    return {cell: values.pop() for cell, values in found.items()}


# --- Raking -------------------------------------------------------------------------------------------------


def test_it_rakes_a_small_two_by_three_example_to_every_margin():
    # 12 people: sex (m, f) by age (young, middle, old); the sample is 2/3 men and mostly young.
    data = {
        "sex": ["m", "m", "m", "m", "m", "m", "m", "m", "f", "f", "f", "f"],
        "age": ["y", "y", "y", "y", "m", "m", "o", "o", "y", "m", "o", "o"],
    }
    margins = [Margin("sex", {"m": 0.5, "f": 0.5}), Margin("age", {"y": 0.3, "m": 0.4, "o": 0.3})]
    result = rake(data, margins)
    assert result.converged and result.max_margin_error <= 1e-10
    assert_margins_met(data, margins, result.weights)
    assert result.weights.sum() == pytest.approx(12)
    assert (result.weights > 0).all()
    assert result.missing == {"sex": 0, "age": 0} and result.empty_categories == {"sex": [], "age": []}


def test_it_reproduces_the_textbook_two_by_two_fit_and_its_first_iteration():
    # Seed table (respondents): rows r1, r2 by columns c1, c2     Targets: rows 50 / 50, columns 60 / 40 (n = 100)
    #        c1  c2 | total
    #   r1   30  10 |  40
    #   r2   20  40 |  60
    #        50  50 | 100
    # Pass 1, rows: r1 x 50/40 = 1.25, r2 x 50/60 = 5/6 -> cells 37.5, 12.5 / 16.667, 33.333.
    # Pass 1, columns: c1 = 37.5 + 16.667 = 54.167 -> x 60/54.167 = 72/65; c2 = 12.5 + 33.333 = 45.833 -> x 48/55.
    # Weights after one pass: r1c1 1.25 * 72/65 = 18/13, r1c2 1.25 * 48/55 = 12/11, r2c1 5/6 * 72/65 = 12/13,
    # r2c2 5/6 * 48/55 = 8/11 (row r1 is then at 30 * 18/13 + 10 * 12/11 = 52.45, not yet 50).
    # Fixed point: IPF keeps the seed's odds ratio (30 * 40) / (10 * 20) = 6 (Bishop, Fienberg & Holland). With
    # the margins, the cells are t, 50 - t / 60 - t, t - 10, and t (t - 10) = 6 (50 - t)(60 - t) gives
    # t^2 - 130 t + 3600 = 0, t = 40 (or 90, too big): cells 40, 10 / 20, 30, so weights 40/30, 10/10, 20/20, 30/40.
    data = table([[30, 10], [20, 40]], ["r1", "r2"], ["c1", "c2"])
    margins = [Margin("row", {"r1": 50, "r2": 50}), Margin("column", {"c1": 60, "c2": 40})]
    first = rake(data, margins, max_iterations=1)
    assert first.iterations == 1 and not first.converged
    assert cell_weights(data, first.weights) == pytest.approx(
        {("r1", "c1"): 18 / 13, ("r1", "c2"): 12 / 11, ("r2", "c1"): 12 / 13, ("r2", "c2"): 8 / 11}, abs=1e-9
    )
    assert first.max_margin_error == pytest.approx(abs((30 * 18 / 13 + 10 * 12 / 11) / 100 - 0.5))
    result = rake(data, margins)
    assert result.converged
    assert cell_weights(data, result.weights) == pytest.approx(
        {("r1", "c1"): 4 / 3, ("r1", "c2"): 1.0, ("r2", "c1"): 1.0, ("r2", "c2"): 0.75}, abs=1e-9
    )


def test_it_finds_the_fixed_point_of_the_census_and_survey_example():
    # Klemens' raking example: a 35-person survey [[7, 9], [12, 7]] raked to census margins rows 5 / 15, columns
    # 10 / 10 (total 20). Cells t, 5 - t / 10 - t, 5 + t keep the survey's odds ratio 7 * 7 / (9 * 12) = 49/108:
    # 108 t (5 + t) = 49 (5 - t)(10 - t)  ->  59 t^2 + 1275 t - 2450 = 0  ->  t = (-1275 + sqrt(2203825)) / 118
    # = 1.7757. The weights carry the census cells at the survey's size (x 35/20) over the cell counts.
    data = table([[7, 9], [12, 7]], ["r1", "r2"], ["c1", "c2"])
    margins = [Margin("row", {"r1": 5, "r2": 15}), Margin("column", {"c1": 10, "c2": 10})]
    t = (-1275 + math.sqrt(1275**2 + 4 * 59 * 2450)) / 118
    assert t == pytest.approx(1.77567, abs=1e-5)
    scale = 35 / 20
    expected = {
        ("r1", "c1"): t * scale / 7,
        ("r1", "c2"): (5 - t) * scale / 9,
        ("r2", "c1"): (10 - t) * scale / 12,
        ("r2", "c2"): (5 + t) * scale / 7,
    }
    result = rake(data, margins)
    assert result.converged
    assert cell_weights(data, result.weights) == pytest.approx(expected, abs=1e-8)


def test_it_meets_three_margins_on_ten_thousand_random_respondents():
    rng = np.random.default_rng(20260301)
    n = 10_000
    data = {
        "age": list(rng.choice(["18-34", "35-54", "55+"], n, p=[0.2, 0.35, 0.45])),
        "district": list(rng.choice(["N", "S", "E", "W", "C"], n, p=[0.3, 0.1, 0.2, 0.15, 0.25])),
        "tenure": list(rng.choice(["own", "rent", "other"], n, p=[0.7, 0.25, 0.05])),
    }
    margins = [
        Margin("age", {"18-34": 0.31, "35-54": 0.34, "55+": 0.35}),
        Margin("district", {"N": 0.2, "S": 0.2, "E": 0.2, "W": 0.2, "C": 0.2}),
        Margin("tenure", {"own": 0.55, "rent": 0.4, "other": 0.05}),
    ]
    result = rake(data, margins)
    assert result.converged
    assert_margins_met(data, margins, result.weights)
    assert result.weights.mean() == pytest.approx(1.0)
    assert result.design_effect > 1 and result.effective_n == pytest.approx(n / result.design_effect)


def test_the_result_does_not_depend_on_the_order_of_the_margins():
    rng = np.random.default_rng(5)
    n = 2_000
    data = {
        "a": list(rng.choice(["x", "y", "z"], n, p=[0.6, 0.3, 0.1])),
        "b": list(rng.choice(["p", "q"], n, p=[0.8, 0.2])),
    }
    margins = [Margin("a", {"x": 0.3, "y": 0.3, "z": 0.4}), Margin("b", {"p": 0.5, "q": 0.5})]
    forward, backward = rake(data, margins), rake(data, margins[::-1])
    np.testing.assert_allclose(forward.weights, backward.weights, atol=1e-6)


def test_weights_stay_one_when_the_margins_are_the_samples_own_shares():
    data = {"a": ["x", "x", "y", "z", "z", "z"], "b": ["p", "q", "p", "q", "p", "q"]}
    margins = [Margin("a", {"x": 2 / 6, "y": 1 / 6, "z": 3 / 6}), Margin("b", {"p": 0.5, "q": 0.5})]
    result = rake(data, margins)
    assert result.iterations == 0 and result.converged
    assert result.weights.tolist() == [1.0] * 6
    assert result.design_effect == 1.0 and result.effective_n == 6.0


def test_base_weights_are_kept_where_they_already_fit():
    # Design weights 1, 3 on a 2-by-2 where the weighted sample already meets the margins: only rescaled to mean 1.
    data = {"a": ["x", "y", "x", "y"], "b": ["p", "p", "q", "q"]}
    margins = [Margin("a", {"x": 0.5, "y": 0.5}), Margin("b", {"p": 0.5, "q": 0.5})]
    result = rake(data, margins, base_weights=[1, 1, 3, 3])
    # Weighted b shares are 2/8, 6/8: raking lifts p to 0.5 (x2) and q down (x 2/3): everyone back to 1.
    np.testing.assert_allclose(result.weights, [1, 1, 1, 1])
    balanced = rake(data, margins, base_weights=[1, 3, 3, 1])  # shares already 0.5 everywhere
    np.testing.assert_allclose(balanced.weights, [0.5, 1.5, 1.5, 0.5])


def test_missing_values_keep_their_weight_and_the_targets_apply_to_those_with_a_category():
    # 10 people; 3 have no usable age (None, "", a code the margin does not list).
    data = {"age": ["y", "y", "y", "y", "y", "o", "o", None, "", "unknown"]}
    result = rake(data, [Margin("age", {"y": 0.5, "o": 0.5})])
    assert result.missing == {"age": 3}
    # The 7 with an age keep their total (7) and split it 50/50: y 3.5 / 5 = 0.7 each, o 3.5 / 2 = 1.75 each.
    np.testing.assert_allclose(result.weights, [0.7] * 5 + [1.75] * 2 + [1.0] * 3)
    assert result.weights.sum() == pytest.approx(10)


def test_respondents_missing_one_variable_are_still_raked_on_the_others():
    data = {
        "age": ["y", "y", "o", None, "o", None, "y", "o"],
        "sex": ["m", "m", "m", "m", "f", "f", "m", "f"],
    }
    margins = [Margin("age", {"y": 0.4, "o": 0.6}), Margin("sex", {"m": 0.5, "f": 0.5})]
    result = rake(data, margins)
    assert result.converged and result.missing == {"age": 2, "sex": 0}
    assert_margins_met(data, margins, result.weights)  # age among the 6 with an age, sex among all 8
    assert result.weights.sum() == pytest.approx(8)
    assert result.weights[3] != 1.0 and result.weights[5] != 1.0  # moved by the sex step


def test_a_category_nobody_is_in_is_dropped_and_the_other_shares_renormalised():
    data = {"tenure": ["own"] * 6 + ["rent"] * 4}
    result = rake(data, [Margin("tenure", {"own": 0.5, "rent": 0.3, "other": 0.2})])
    assert result.empty_categories == {"tenure": ["other"]}
    # own : rent = 0.5 : 0.3 renormalised to 0.625 : 0.375 -> own 6.25 / 6, rent 3.75 / 4.
    assert result.converged
    np.testing.assert_allclose(result.weights, [6.25 / 6] * 6 + [3.75 / 4] * 4)


def test_a_zero_share_sends_its_respondents_to_weight_zero():
    result = rake({"a": ["x", "x", "y", "z"]}, [Margin("a", {"x": 0.5, "y": 0.5, "z": 0})])
    np.testing.assert_allclose(result.weights, [1, 1, 2, 0])
    assert result.empty_categories == {"a": []}


def test_trimming_keeps_the_weights_within_bounds_and_the_margins():
    rng = np.random.default_rng(7)
    n = 3_000
    data = {
        "a": list(rng.choice(["a1", "a2", "a3"], n, p=[0.5, 0.4, 0.1])),
        "b": list(rng.choice(["b1", "b2"], n, p=[0.7, 0.3])),
    }
    margins = [Margin("a", {"a1": 0.35, "a2": 0.4, "a3": 0.25}), Margin("b", {"b1": 0.45, "b2": 0.55})]
    untrimmed = rake(data, margins)
    assert untrimmed.weights.max() > 5  # a3 x b2: about 2.5 x 1.8
    result = rake(data, margins, trim=(0.3, 3.0))
    assert result.converged and result.trim_rounds >= 1
    assert_margins_met(data, margins, result.weights)
    assert result.weights.min() >= 0.3 * (1 - 1e-9) and result.weights.max() <= 3.0 * (1 + 1e-9)
    at_bound = np.isclose(result.weights, 0.3, rtol=1e-9, atol=0) | np.isclose(
        result.weights, 3.0, rtol=1e-9, atol=0
    )
    assert result.trimmed == np.count_nonzero(at_bound) > 0
    # Everyone in a3 x b2 is at the cap; a3 x b1 makes up the difference.
    in_cell = [a == "a3" and b == "b2" for a, b in zip(data["a"], data["b"], strict=True)]
    assert result.trimmed == sum(in_cell)
    assert result.design_effect < untrimmed.design_effect
    reordered = rake(data, margins[::-1], trim=(0.3, 3.0))
    np.testing.assert_allclose(reordered.weights, result.weights, atol=1e-6)


def test_trimming_that_cannot_meet_the_margins_keeps_the_bounds_and_says_so():
    # 900 "a", 100 "b", target 50/50: b needs weight 5, the cap is 3. The compromise: a at 500/900, b at 3.
    data = {"x": ["a"] * 900 + ["b"] * 100}
    result = rake(data, [Margin("x", {"a": 0.5, "b": 0.5})], trim=(0.3, 3.0))
    assert not result.converged
    assert result.weights.max() == pytest.approx(3.0) and result.trimmed == 100
    np.testing.assert_allclose(result.weights[:900], 500 / 900)
    assert result.max_margin_error == pytest.approx(0.5 - 300 / 800)  # b's share: 300 of 800


def test_it_refuses_what_cannot_be_raked():
    with pytest.raises(ValueError, match="negative"):
        Margin("a", {"x": 0.6, "y": -0.1})
    with pytest.raises(ValueError, match="zero"):
        Margin("a", {"x": 0, "y": 0})
    with pytest.raises(ValueError, match="one value per respondent"):
        rake({"a": ["x", "y"], "b": ["p"]}, [Margin("a", {"x": 1}), Margin("b", {"p": 1})])
    with pytest.raises(ValueError, match="No data"):
        rake({"a": ["x"]}, [Margin("b", {"p": 1})])
    with pytest.raises(ValueError, match="Trim bounds"):
        rake({"a": ["x"]}, [Margin("a", {"x": 1})], trim=(1.5, 3.0))


def test_shares_need_not_add_to_one():
    assert Margin("a", {"x": 31, "y": 69}).normalised() == pytest.approx({"x": 0.31, "y": 0.69})


@st.composite
def feasible_surveys(draw):
    """Two or three variables; every combination of categories has a respondent, so any positive margins can be
    met (product weights), and up to 60 more respondents fall anywhere."""
    sizes = draw(st.lists(st.integers(2, 3), min_size=2, max_size=3))
    grid = np.array(np.meshgrid(*[np.arange(k) for k in sizes], indexing="ij")).reshape(len(sizes), -1).T
    extra = draw(st.lists(st.tuples(*[st.integers(0, k - 1) for k in sizes]), max_size=60))
    rows = [tuple(row) for row in grid] + extra
    data = {f"v{i}": [f"c{row[i]}" for row in rows] for i in range(len(sizes))}
    margins = [
        Margin(f"v{i}", {f"c{j}": draw(st.floats(0.05, 1.0)) for j in range(k)}) for i, k in enumerate(sizes)
    ]
    return data, margins


@given(feasible_surveys())
def test_raked_weights_are_positive_and_meet_every_feasible_margin(survey):
    data, margins = survey
    result = rake(data, margins, max_iterations=2_000)
    assert result.converged
    assert (result.weights > 0).all()
    assert result.weights.sum() == pytest.approx(len(data["v0"]))
    assert_margins_met(data, margins, result.weights)


# --- Estimates ----------------------------------------------------------------------------------------------


def test_kish_on_hand_values():
    # w = 1, 1, 2, 2: sum 6, sum of squares 10 -> deff 4 * 10 / 36 = 1.111, n_eff 36 / 10 = 3.6.
    design_effect, effective_n = kish(np.array([1.0, 1.0, 2.0, 2.0]))
    assert design_effect == pytest.approx(10 / 9) and effective_n == pytest.approx(3.6)
    assert kish(np.ones(5)) == (1.0, 5.0)


def test_an_unweighted_proportion_has_the_textbook_standard_error():
    estimate = proportion(np.array([True] * 30 + [False] * 70))
    se = math.sqrt(0.3 * 0.7 / 99)
    assert estimate.value == pytest.approx(0.3) and estimate.standard_error == pytest.approx(se)
    assert (estimate.low, estimate.high) == pytest.approx((0.3 - Z95 * se, 0.3 + Z95 * se))
    assert estimate.margin_of_error == pytest.approx(Z95 * se)
    assert estimate.n == 100 and estimate.effective_n == pytest.approx(100) and not estimate.small


def test_equal_weights_give_the_unweighted_answer():
    indicator = np.array([True] * 12 + [False] * 28)
    assert proportion(indicator, np.full(40, 2.5)).standard_error == pytest.approx(math.sqrt(0.3 * 0.7 / 39))


@pytest.mark.filterwarnings("error")
def test_a_weighted_proportion_by_hand_and_its_interval_clipped_at_zero():
    # y = 1, 0, 1, 0 with w = 1, 2, 3, 4: p = (1 + 3) / 10 = 0.4.
    # y - p = 0.6, -0.4, 0.6, -0.4; w^2 (y - p)^2 = 0.36, 0.64, 3.24, 2.56 -> 6.8.
    # var = 4/3 * 6.8 / 10^2 = 0.090667, se = 0.30111; 0.4 - 1.96 se < 0 -> low clipped to 0.
    estimate = proportion(np.array([True, False, True, False]), np.array([1.0, 2.0, 3.0, 4.0]))
    se = math.sqrt(4 / 3 * 6.8 / 100)
    assert estimate.value == pytest.approx(0.4) and estimate.standard_error == pytest.approx(se)
    assert estimate.low == 0.0 and estimate.high == pytest.approx(0.4 + Z95 * se)
    assert estimate.effective_n == pytest.approx(100 / 30) and estimate.small


def test_an_interval_is_clipped_at_one_too():
    # 19 of 20: se = sqrt(0.95 * 0.05 / 19) = 0.05 -> 0.95 + 0.098 clipped to 1.
    estimate = proportion(np.array([True] * 19 + [False]))
    assert estimate.standard_error == pytest.approx(0.05)
    assert estimate.high == 1.0 and estimate.low == pytest.approx(0.95 - Z95 * 0.05)


def test_a_base_limits_the_proportion_to_its_respondents():
    indicator = np.array([True, True, False, False, True])
    base = np.array([True, True, True, False, False])
    estimate = proportion(indicator, base=base)
    assert estimate.value == pytest.approx(2 / 3) and estimate.n == 3


@pytest.mark.filterwarnings("error")
def test_tiny_bases_give_no_interval_and_no_warning():
    one = proportion(np.array([True]))
    assert one.value == 1.0 and math.isnan(one.standard_error) and math.isnan(one.low) and one.n == 1
    none = proportion(np.array([], dtype=bool))
    assert math.isnan(none.value) and none.n == 0 and none.effective_n == 0.0 and none.small
    assert math.isnan(proportion(np.array([True, False]), base=np.array([False, False])).value)
    assert math.isnan(proportion(np.array([True, False]), np.array([0.0, 0.0])).value)
    assert math.isnan(mean(np.array([np.nan, np.nan])).value)
    assert math.isnan(mean(np.array([4.0])).standard_error)


@pytest.mark.filterwarnings("error")
def test_a_weighted_mean_by_hand():
    # Values 1, 2, (missing), 4 with weights 1, 1, 5, 2: the missing one is out. Sum w = 4, sum wy = 11 -> 2.75.
    # y - mean = -1.75, -0.75, 1.25; w^2 (y - mean)^2 = 3.0625, 0.5625, 6.25 -> 9.875.
    # var = 3/2 * 9.875 / 16 = 0.92578, se = 0.96218; n = 3, n_eff = 16 / 6.
    estimate = mean(np.array([1.0, 2.0, np.nan, 4.0]), np.array([1.0, 1.0, 5.0, 2.0]))
    assert estimate.value == pytest.approx(2.75) and estimate.n == 3
    assert estimate.standard_error == pytest.approx(math.sqrt(1.5 * 9.875 / 16))
    assert (estimate.low, estimate.high) == pytest.approx(
        (2.75 - Z95 * 0.962175, 2.75 + Z95 * 0.962175), abs=1e-5
    )
    assert estimate.effective_n == pytest.approx(16 / 6)


def test_an_unweighted_mean_has_the_standard_error_of_the_mean():
    values = np.array([1.0, 2.0, 4.0, 5.0, 5.0, 3.0])
    estimate = mean(values)
    assert estimate.standard_error == pytest.approx(values.std(ddof=1) / math.sqrt(6))


def test_shares_of_a_single_choice_over_those_who_answered():
    codes = ["a", "b", "a", None, "", "c", "zz"]
    result = shares(codes, categories=["a", "b", "c"])
    assert list(result) == ["a", "b", "c"]
    # Base: a, b, a, c (4); None, "" and the unlisted "zz" are out.
    assert [result[code].value for code in "abc"] == pytest.approx([0.5, 0.25, 0.25])
    assert result["a"].n == 4 and result["a"].standard_error == pytest.approx(math.sqrt(0.25 / 3))
    assert sorted(shares(codes)) == ["a", "b", "c", "zz"]  # without categories: the codes given, sorted


def test_weighted_shares_agree_with_proportion():
    codes = ["a", "b", "a", None, "c", "b", "a"]
    weights = np.array([1.0, 2.0, 0.5, 3.0, 1.5, 1.0, 2.0])
    answered = np.array([code is not None for code in codes])
    result = shares(codes, weights)
    assert sum(estimate.value for estimate in result.values()) == pytest.approx(1.0)
    for code, estimate in result.items():
        expected = proportion(np.array([c == code for c in codes]), weights, answered)
        assert dataclasses.astuple(estimate) == pytest.approx(dataclasses.astuple(expected))


def test_a_crosstab_gives_column_shares_that_add_to_one():
    answer = ["yes", "yes", "no", "yes", "no", "no", "yes", None, "yes"]
    district = ["N", "N", "N", "S", "S", "S", "S", "S", ""]
    weights = np.array([1.0, 2.0, 1.0, 1.0, 1.0, 2.0, 2.0, 5.0, 9.0])
    result = crosstab(answer, district, weights)
    assert result.rows == ("no", "yes") and result.columns == ("N", "S")
    assert result.counts.tolist() == [[1, 2], [2, 2]]  # the None answer and the blank district are out
    assert result.totals.tolist() == [[1.0, 3.0], [3.0, 3.0]]
    assert result.column_counts.tolist() == [3, 4] and result.column_totals.tolist() == [4.0, 6.0]
    # N: yes = 3 of 4 weight -> 0.75; S: yes = 3 of 6 -> 0.5.
    assert result.share("yes", "N").value == pytest.approx(0.75)
    assert result.share("yes", "S").value == pytest.approx(0.5)
    for column in result.columns:
        assert sum(result.share(row, column).value for row in result.rows) == pytest.approx(1.0)
    in_north = np.array([d == "N" and a is not None for a, d in zip(answer, district, strict=True)])
    expected = proportion(np.array([a == "yes" for a in answer]), weights, in_north)
    assert result.share("yes", "N").standard_error == pytest.approx(expected.standard_error)
    assert result.share("yes", "N").n == 3


def test_a_crosstab_keeps_the_categories_it_is_given():
    result = crosstab(["a", "b"], ["x", "x"], rows=["b", "a", "c"], columns=["x", "y"])
    assert result.rows == ("b", "a", "c") and result.columns == ("x", "y")
    assert result.share("c", "x").value == 0.0 and math.isnan(result.share("a", "y").value)


def test_ranking_estimates_by_hand():
    rankings = [["a", "b", "c"], ["b", "a"], ["a"], None, [], ["c", "zz", "a"]]
    result = ranking_estimates(rankings, ["a", "b", "c"])
    # Answered: 4 (None and [] are no answer). First: a twice, b once, c once.
    assert [result[o].first.value for o in "abc"] == pytest.approx([0.5, 0.25, 0.25])
    assert result["a"].first.n == 4
    # a at places 1, 2, 1, 3 (the unknown "zz" keeps its place) -> 1.75; b at 2, 1 -> 1.5; c at 3, 1 -> 2.
    assert [result[o].mean_rank.value for o in "abc"] == pytest.approx([1.75, 1.5, 2.0])
    assert [result[o].ranked for o in "abc"] == [4, 2, 2]
    weighted = ranking_estimates(rankings, ["a", "b", "c"], np.array([1.0, 2.0, 1.0, 1.0, 1.0, 3.0]))
    # Weight of those who answered: 1 + 2 + 1 + 3 = 7; a first for weights 1 + 1; places 1*1 + 2*2 + 1*1 + 3*3 = 15.
    assert weighted["a"].first.value == pytest.approx(2 / 7)
    assert weighted["a"].mean_rank.value == pytest.approx(15 / 7)


def test_allocation_estimates_by_hand():
    allocations = [{"a": 60, "b": 40}, {"a": 100}, None, {"b": 50, "c": 50, "zz": 10}, {}]
    result = allocation_estimates(allocations, ["a", "b", "c"])
    # Answered: 3. a: (60 + 100 + 0) / 3; b: (40 + 0 + 50) / 3; c: (0 + 0 + 50) / 3.
    assert [result[o].value for o in "abc"] == pytest.approx([160 / 3, 30.0, 50 / 3])
    assert all(result[o].n == 3 for o in "abc")
    points = np.array([60.0, 100.0, 0.0])
    assert result["a"].standard_error == pytest.approx(points.std(ddof=1) / math.sqrt(3))


def test_a_small_group_is_flagged():
    assert proportion(np.array([True, False] * (SMALL_BASE // 2 - 1))).small
    assert not proportion(np.array([True, False] * (SMALL_BASE // 2))).small


def test_estimates_use_raked_weights_end_to_end():
    # The 2 x 2 above: after raking, row r1 is 50 % of the weight and c1 60 %.
    data = table([[30, 10], [20, 40]], ["r1", "r2"], ["c1", "c2"])
    margins = [Margin("row", {"r1": 0.5, "r2": 0.5}), Margin("column", {"c1": 0.6, "c2": 0.4})]
    weights = rake(data, margins).weights
    assert shares(data["row"], weights)["r1"].value == pytest.approx(0.5)
    assert shares(data["column"], weights)["c1"].value == pytest.approx(0.6)
    # Within c1 (40 + 20 weighted), r1 is 40 / 60.
    assert crosstab(data["row"], data["column"], weights).share("r1", "c1").value == pytest.approx(2 / 3)
