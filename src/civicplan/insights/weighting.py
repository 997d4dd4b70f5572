"""Survey weighting (raking) and weighted estimates with their uncertainty. Pure: numpy and the standard library.

Raking adjusts respondent weights until the weighted sample matches known population shares (census margins) on
a few segment variables; the estimators then give every figure a standard error, a 95 % interval and an
effective base, so a page can say "41 % ± 3" and warn when a group is too small to read.

What a caller must know:

- Weights from `rake` average 1.0 over the respondents passed in (they sum to n), so weighted totals read like
  respondent counts.
- A respondent with no category for a variable (None, "" or a code the margin does not list) is *missing* for it:
  that variable's step leaves their weight alone and its target shares are met among the respondents who have a
  category. They are still raked on the other variables. `RakingResult.missing` counts them.
- A category with a target share but no respondent cannot be matched: it is dropped, the remaining shares are
  renormalised, and it is listed in `RakingResult.empty_categories` (the page warns).
- `trim` bounds the weights (relative to their mean) and keeps the margins when both can hold; when they cannot,
  the bounds win and `converged` is False (see `rake`).
- Every estimate's base is the respondents with an answer: None, "", nan and codes outside the listed categories
  are left out, and `Estimate.n` / `effective_n` are of that base (`small` below SMALL_BASE effective).
- Standard errors linearise the ratio estimator (Taylor): var = n/(n-1) · Σ w_i² (y_i - ȳ)² / (Σ w)², which is
  p(1-p)/(n-1) for an unweighted proportion. Weights are taken as fixed: the variance raking itself adds is left
  out, the usual approximation for published survey figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

Z95 = 1.96  # two-sided 95 % normal quantile, as the pages print it
SMALL_BASE = 30  # effective respondents under which the pages warn "small group"
TRIM_ROUNDS = 20  # clip-hold-re-rake rounds before trimming settles for a compromise
BOUND_SLACK = 1e-9  # relative: a weight this close to a trim bound is at it (float noise of the re-rake)
NAN = math.nan


# --- Raking ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Margin:
    """Population shares of one segment variable. Shares need not add to 1 (census tables round): they are
    normalised. A zero share is allowed and sends that category's respondents to weight 0."""

    variable: str
    shares: dict[str, float]

    def __post_init__(self) -> None:
        shares = {code: float(share) for code, share in self.shares.items()}
        if "" in shares:
            raise ValueError(
                f"Margin {self.variable!r}: an empty category code means 'missing', not a category."
            )
        bad = [code for code, share in shares.items() if not math.isfinite(share) or share < 0]
        if bad:
            raise ValueError(f"Margin {self.variable!r}: shares must be finite and not negative ({bad}).")
        if not sum(shares.values()) > 0:
            raise ValueError(f"Margin {self.variable!r}: the shares add to zero.")
        object.__setattr__(self, "shares", shares)  # a private copy: a frozen margin cannot change under us

    def normalised(self) -> dict[str, float]:
        total = sum(self.shares.values())
        return {code: share / total for code, share in self.shares.items()}


# Frozen but compared by identity (eq=False): numpy arrays have no single truth value for `==`.
@dataclass(frozen=True, eq=False)
class RakingResult:
    weights: FloatArray  # one per respondent, averaging 1.0 (sum = n)
    converged: bool  # every margin within tolerance at the end (trimmed weights are within bounds either way)
    iterations: int  # raking passes over all margins, trimming's included
    max_margin_error: float  # largest |weighted share - target share| after the last step
    design_effect: float  # Kish
    effective_n: float
    trimmed: int  # respondents whose weight was set to a trim bound in the final pass
    missing: dict[str, int]  # per variable: respondents with no (or an unknown) category
    empty_categories: dict[str, list[str]]  # per variable: categories with a target share but no respondent
    trim_rounds: int = 0  # clip-hold-re-rake rounds run


@dataclass(eq=False)
class _Step:
    """One margin laid out for the loop. `categories` index `target`, with k (= target.size) for respondents
    without a category; `codes` is the same but k + 1 for those held at a trim bound. Both k and k + 1 get factor
    1. `fixed_in` is the held weight per category, `fixed_missing` the held weight without one."""

    categories: IntArray
    target: FloatArray
    codes: IntArray
    fixed_in: FloatArray
    fixed_missing: float = 0.0

    @classmethod
    def free(cls, categories: IntArray, target: FloatArray) -> _Step:
        return cls(categories, target, categories, np.zeros(target.size))

    def _totals(self, weights: FloatArray) -> FloatArray:
        return _sums(self.codes, weights, self.target.size + 2)

    def error(self, weights: FloatArray) -> float:
        k = self.target.size
        have = self._totals(weights)[:k] + self.fixed_in
        known = float(have.sum())
        if not known > 0:
            return math.inf  # nobody left to carry this margin's weight: it cannot be met
        return float(np.abs(have / known - self.target).max())

    def apply(self, weights: FloatArray, total: float, unclipped: FloatArray | None = None) -> None:
        """Scales the free respondents of each category so the category reaches its share of the respondents who
        have one. Aiming at `total` minus the missing weight (rather than the current known weight) also brings
        the sum back to `total` after a trim clip; without a clip the two are the same. `unclipped` (the weights
        as if nobody were held) takes the same factors, held respondents included."""
        k = self.target.size
        totals = self._totals(weights)
        known = total - totals[k] - self.fixed_missing
        wanted = np.maximum(self.target * known - self.fixed_in, 0.0)
        factor = np.ones(k + 2)
        np.divide(wanted, totals[:k], out=factor[:k], where=totals[:k] > 0)
        weights *= factor[self.codes]
        if unclipped is not None:
            unclipped *= factor[self.categories]

    def holding(self, fixed: BoolArray, weights: FloatArray) -> _Step:
        """The same margin with the `fixed` respondents held where they are (at their trim bound)."""
        k = self.target.size
        held = _sums(self.categories[fixed], weights[fixed], k + 1)
        codes = np.where(fixed, k + 1, self.categories)
        return _Step(self.categories, self.target, codes, held[:k], float(held[k]))


def rake(
    data: Mapping[str, Sequence[str | None]],
    margins: Sequence[Margin],
    *,
    base_weights: Sequence[float] | None = None,
    max_iterations: int = 100,
    tolerance: float = 1e-10,
    trim: tuple[float, float] | None = None,
) -> RakingResult:
    """Iterative proportional fitting: for each margin in turn, every respondent's weight is multiplied by
    target share / current weighted share of their category, until every margin is within `tolerance` (the
    largest absolute share error) or `max_iterations` passes have run.

    Respondents missing for a variable (None, "", or a code the margin does not list) keep their weight in that
    variable's step; the targets are met among those who have a category. Categories with a target but no
    respondent are dropped and the other shares renormalised (`empty_categories`). The weights start from
    `base_weights` (design weights, default 1) scaled to average 1, and end averaging 1.

    `trim=(low, high)` bounds the weights relative to their mean (e.g. (0.3, 3.0)): after raking, weights outside
    are clipped to the bound and held there while the others are raked again, round after round (at most
    TRIM_ROUNDS; a held weight is released when raking would bring it back inside) until no weight leaves the
    bounds. Converged, that is the bounded raking solution, whatever the margins' order, within the bounds up to
    BOUND_SLACK. If margins and bounds cannot both be met, the bounds win: the weights are a compromise within
    them (clipped after every pass), `converged` is False, `max_margin_error` says how far off the margins are,
    and their sum can fall short of n (a 90/10 sample raked to 50/50 with a cap of 3: 800 of 1,000). Weights
    that raking set to 0 (zero base weight, zero target share) stay 0.
    """
    n = _respondents(data, margins, base_weights)
    bounds = None if trim is None else _bounds(trim)
    weights = _start(base_weights, n)
    steps: list[_Step] = []
    missing: dict[str, int] = {}
    empty: dict[str, list[str]] = {}
    for margin in margins:
        step, missing[margin.variable], empty[margin.variable] = _prepare(
            margin, data[margin.variable], weights
        )
        if step is not None:
            steps.append(step)
    total = float(n)
    iterations, error = _ipf(weights, steps, total, max_iterations, tolerance)
    trimmed = rounds = 0
    if bounds is not None and n:
        more, error, trimmed, rounds = _trim(weights, steps, total, bounds, max_iterations, tolerance)
        iterations += more
    design_effect, effective_n = kish(weights)
    return RakingResult(
        weights=weights,
        converged=bool(error <= tolerance),
        iterations=iterations,
        max_margin_error=float(error),
        design_effect=design_effect,
        effective_n=effective_n,
        trimmed=trimmed,
        missing=missing,
        empty_categories=empty,
        trim_rounds=rounds,
    )


def _respondents(
    data: Mapping[str, Sequence[str | None]], margins: Sequence[Margin], base_weights: Sequence[float] | None
) -> int:
    """The number of respondents, after checking every margin has a column and every column the same length."""
    variables = [margin.variable for margin in margins]
    if len(set(variables)) != len(variables):
        raise ValueError("Each variable may have only one margin.")
    absent = [variable for variable in variables if variable not in data]
    if absent:
        raise ValueError(f"No data for the margin variables {absent}.")
    lengths = {len(data[variable]) for variable in variables} or {len(column) for column in data.values()}
    if base_weights is not None:
        lengths.add(len(base_weights))
    if len(lengths) > 1:
        raise ValueError(
            f"Every variable (and the base weights) needs one value per respondent: {sorted(lengths)}."
        )
    return lengths.pop() if lengths else 0


def _start(base_weights: Sequence[float] | None, n: int) -> FloatArray:
    if base_weights is None:
        return np.ones(n)
    weights = _weights(base_weights, n)
    if n and not weights.sum() > 0:
        raise ValueError("The base weights add to zero.")
    return weights * (n / weights.sum()) if n else weights


def _prepare(
    margin: Margin, values: Sequence[str | None], weights: FloatArray
) -> tuple[_Step | None, int, list[str]]:
    """The margin's step (None when nobody has a category), its missing count and its empty categories."""
    categories = list(margin.shares)
    k = len(categories)
    codes = _encode(values, categories)
    missing = int(np.count_nonzero(codes == k))
    # A respondent of weight 0 cannot carry a share: a category with only such respondents counts as empty.
    present = np.bincount(codes[weights > 0], minlength=k + 1)[:k] > 0
    shares = np.array([margin.shares[code] for code in categories])
    empty = [
        code
        for code, share, there in zip(categories, shares, present, strict=True)
        if share > 0 and not there
    ]
    if not present.any():
        return None, missing, empty
    target = shares[present]
    if not target.sum() > 0:
        raise ValueError(f"Margin {margin.variable!r}: every category with respondents has a zero share.")
    kept = int(present.sum())
    lookup = np.full(k + 1, kept, dtype=np.intp)  # old index -> new; dropped and missing -> kept (missing)
    lookup[np.flatnonzero(present)] = np.arange(kept)
    return _Step.free(lookup[codes], target / target.sum()), missing, empty


def _ipf(
    weights: FloatArray,
    steps: Sequence[_Step],
    total: float,
    max_iterations: int,
    tolerance: float,
    unclipped: FloatArray | None = None,
) -> tuple[int, float]:
    """Rakes `weights` in place; returns the passes run and the final largest margin error. Measured before the
    first pass too, so weights that already fit are left exactly as they are."""
    error = _max_error(weights, steps)
    iterations = 0
    while error > tolerance and iterations < max_iterations:
        for step in steps:
            step.apply(weights, total, unclipped)
        iterations += 1
        error = _max_error(weights, steps)
    return iterations, error


def _max_error(weights: FloatArray, steps: Sequence[_Step]) -> float:
    return max((step.error(weights) for step in steps), default=0.0)


def _bounds(trim: tuple[float, float]) -> tuple[float, float]:
    low, high = (float(bound) for bound in trim)
    # The weights average 1, so a low bound above 1 or a high one below it can never hold for everyone.
    if not (0 <= low <= 1 <= high and math.isfinite(high)):
        raise ValueError(f"Trim bounds must satisfy 0 <= low <= 1 <= high (relative to the mean): {trim}.")
    return low, high


def _trim(
    weights: FloatArray,
    steps: Sequence[_Step],
    total: float,
    bounds: tuple[float, float],
    max_iterations: int,
    tolerance: float,
) -> tuple[int, float, int, int]:
    """Trims `weights` in place to `bounds` x their mean, keeping the margins if both can hold. Returns passes,
    final margin error, respondents at a bound, rounds."""
    mean = total / weights.size
    low, high = bounds[0] * mean, bounds[1] * mean
    eligible = weights > 0
    raked = weights.copy()
    # Held weights can make a category's factor blow up when the bounds cannot be met; that path is dropped below.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        passes, error, trimmed, rounds = _hold_and_rerake(
            weights, steps, total, (low, high), eligible, max_iterations, tolerance
        )
    if error <= tolerance and np.isfinite(weights).all():
        return passes, error, trimmed, rounds
    weights[:] = raked
    more, error, trimmed = _clip_every_pass(
        weights, steps, total, (low, high), eligible, max_iterations, tolerance
    )
    return passes + more, error, trimmed, rounds


def _hold_and_rerake(
    weights: FloatArray,
    steps: Sequence[_Step],
    total: float,
    bounds: tuple[float, float],
    eligible: BoolArray,
    max_iterations: int,
    tolerance: float,
) -> tuple[int, float, int, int]:
    """Clip, hold the clipped at their bound, re-rake the others; repeat until the held set settles.

    Re-raking everyone after a clip pushes the clipped weights back out, and 20 rounds of that still miss the
    margins by ~1e-3. Holding them lets the others absorb the difference exactly. `unclipped` follows each
    respondent's raking factors as if nobody were held: a held weight whose unclipped value has come back
    inside the bounds is released, one still outside stays at its bound. When the held set stops changing, every
    weight is its raking weight clipped to the bounds and the margins hold: the bounded raking solution, the
    same whatever the margins' order. Returns passes, margin error (inf if the set never settled), respondents
    held, rounds."""
    low, high = bounds
    unclipped = weights.copy()
    fixed = np.zeros(weights.size, dtype=bool)
    iterations = rounds = 0
    error = _max_error(weights, steps)
    outside = _outside(unclipped, low, high, eligible)
    while rounds < TRIM_ROUNDS and not np.array_equal(outside, fixed):
        rounds += 1
        fixed = outside
        weights[:] = np.where(fixed, np.clip(unclipped, low, high), unclipped)
        held = [step.holding(fixed, weights) for step in steps]
        more, error = _ipf(weights, held, total, max_iterations, tolerance, unclipped)
        iterations += more
        outside = _outside(unclipped, low, high, eligible)
    if not np.array_equal(outside, fixed):
        return iterations, math.inf, 0, rounds  # never settled
    return iterations, error, int(np.count_nonzero(fixed)), rounds


def _clip_every_pass(
    weights: FloatArray,
    steps: Sequence[_Step],
    total: float,
    bounds: tuple[float, float],
    eligible: BoolArray,
    max_iterations: int,
    tolerance: float,
) -> tuple[int, float, int]:
    """When the margins and the bounds cannot both hold: a raking pass then a clip, `max_iterations` times. It
    settles on a compromise (every weight within bounds, their sum near n, margins as close as the bounds allow)
    where holding would pile the shortfall onto a few respondents."""
    low, high = bounds
    error, passes, clipped = math.inf, 0, np.zeros(weights.size, dtype=bool)
    while passes < max(max_iterations, 1):
        for step in steps:
            step.apply(weights, total)
        passes += 1
        clipped = _outside(weights, low, high, eligible)
        weights[clipped] = np.clip(weights[clipped], low, high)
        error = _max_error(weights, steps)
        if error <= tolerance:
            break
    return passes, error, int(np.count_nonzero(clipped))


def _outside(weights: FloatArray, low: float, high: float, eligible: BoolArray) -> BoolArray:
    # Weight 0 after raking (a zero-share category, a zero base weight) is outside the population by design, not
    # an outlier: only the `eligible` are trimmed.
    return eligible & ((weights < low * (1 - BOUND_SLACK)) | (weights > high * (1 + BOUND_SLACK)))


def kish(weights: npt.ArrayLike) -> tuple[float, float]:
    """Kish's design effect n·Σw²/(Σw)² and effective sample size (Σw)²/Σw²: what the weights cost in precision.
    (nan, 0.0) for no weight at all."""
    w = np.asarray(weights, dtype=float).reshape(-1)
    total, squares = float(w.sum()), float(np.dot(w, w))
    if not squares > 0:
        return NAN, 0.0
    return w.size * squares / total**2, total**2 / squares


# --- Estimates ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    value: float  # a proportion in [0, 1], or a mean
    standard_error: float  # nan under 2 respondents
    low: float  # 95 % confidence interval; proportions clipped to [0, 1]
    high: float
    n: int  # respondents in the base (non-missing)
    effective_n: float  # Kish, over the base

    @property
    def margin_of_error(self) -> float:
        return Z95 * self.standard_error

    @property
    def small(self) -> bool:
        return self.effective_n < SMALL_BASE


@dataclass(frozen=True)
class RankEstimate:
    first: Estimate  # share who ranked the option first, over everyone who answered the ranking
    mean_rank: Estimate  # mean position among those who ranked it, 1 = top
    ranked: int  # respondents who ranked it


@dataclass(frozen=True, eq=False)
class WeightedCrosstab:
    """Rows by columns over respondents with both codes. Each cell's estimate is the column share: of the
    column's respondents, the share in that row (each column's estimates add to 1)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: npt.NDArray[np.int64]  # respondents per cell, unweighted (rows x columns)
    totals: FloatArray  # weight per cell
    column_counts: npt.NDArray[np.int64]
    column_totals: FloatArray
    cells: dict[tuple[str, str], Estimate]  # (row, column) -> column share

    def share(self, row: str, column: str) -> Estimate:
        return self.cells[(row, column)]


def proportion(
    indicator: npt.ArrayLike, weights: npt.ArrayLike | None = None, base: npt.ArrayLike | None = None
) -> Estimate:
    """The weighted share of `base` respondents (default: everyone) for whom `indicator` is true."""
    hit = _vector(indicator, bool)
    w = _weights(weights, hit.size)
    in_base = np.ones(hit.size, dtype=bool) if base is None else _vector(base, bool, hit.size)
    w_base = w[in_base]
    w_hit = w_base[hit[in_base]]
    return _share(
        float(w_hit.sum()),
        float(np.dot(w_hit, w_hit)),
        float(w_base.sum()),
        float(np.dot(w_base, w_base)),
        int(np.count_nonzero(in_base)),
    )


def mean(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> Estimate:
    """The weighted mean of `values` over respondents with a value (nan = missing)."""
    v = _vector(values, float)
    w = _weights(weights, v.size)
    known = ~np.isnan(v)
    v, w = v[known], w[known]
    n, total = int(v.size), float(w.sum())
    if not total > 0:
        return _nothing(n)
    value = float(np.dot(w, v)) / total
    spread = float(np.sum((w * (v - value)) ** 2))
    return _estimate(value, spread, total, n, _effective(total, float(np.dot(w, w))), bounded=False)


def shares(
    codes: Sequence[str | None], weights: npt.ArrayLike | None = None, categories: Sequence[str] | None = None
) -> dict[str, Estimate]:
    """A single-choice question: per category, its share of the respondents who answered. With `categories`,
    codes outside them (and None, "") are left out of the base, so the shares add to 1; without, the categories
    are the codes given, sorted."""
    listed = _categories(codes, categories)
    index = _encode(codes, listed)
    return dict(zip(listed, _shares_of(index, _weights(weights, index.size), len(listed)), strict=True))


def crosstab(
    row_codes: Sequence[str | None],
    column_codes: Sequence[str | None],
    weights: npt.ArrayLike | None = None,
    rows: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
) -> WeightedCrosstab:
    """Row codes by column codes (e.g. an answer by district), over respondents with both. `rows` / `columns`
    fix the categories and their order, as in `shares`."""
    row_list, column_list = _categories(row_codes, rows), _categories(column_codes, columns)
    r, c = _encode(row_codes, row_list), _encode(column_codes, column_list)
    if r.size != c.size:
        raise ValueError("Row and column codes need one value per respondent each.")
    w = _weights(weights, r.size)
    shape = (len(row_list) + 1, len(column_list) + 1)  # the last row and column collect the missing
    cell = r * shape[1] + c
    counts, totals, squares = (_cell_sums(cell, shape, values) for values in (None, w, w * w))
    column_counts, column_totals, column_squares = (part.sum(axis=0) for part in (counts, totals, squares))
    cells = {
        (row, column): _share(
            float(totals[i, j]),
            float(squares[i, j]),
            float(column_totals[j]),
            float(column_squares[j]),
            int(column_counts[j]),
        )
        for i, row in enumerate(row_list)
        for j, column in enumerate(column_list)
    }
    return WeightedCrosstab(
        rows=tuple(row_list),
        columns=tuple(column_list),
        counts=counts.astype(np.int64),
        totals=totals,
        column_counts=column_counts.astype(np.int64),
        column_totals=column_totals,
        cells=cells,
    )


def ranking_estimates(
    rankings: Sequence[Sequence[str] | None], options: Sequence[str], weights: npt.ArrayLike | None = None
) -> dict[str, RankEstimate]:
    """A ranking question: per option, the share who put it first (over everyone who answered) and its mean
    position among those who ranked it. A ranking is a list of option codes, top first, and may be partial;
    None or an empty list is no answer. Positions are as given (the tabulation's convention): unknown codes are
    skipped without renumbering, and a repeated code counts at its first place."""
    index = {code: j for j, code in enumerate(options)}
    answered = np.zeros(len(rankings), dtype=bool)
    cells: dict[tuple[int, int], int] = {}  # (respondent, option) -> place, first occurrence kept
    for i, ranking in enumerate(rankings):
        if ranking is None or len(ranking) == 0:
            continue
        answered[i] = True
        for place, code in enumerate([ranking] if isinstance(ranking, str) else ranking, start=1):
            j = index.get(code)
            if j is not None:
                cells.setdefault((i, j), place)
    positions = np.full((len(rankings), len(options)), NAN)
    if cells:
        at = np.array(list(cells), dtype=np.intp)
        positions[at[:, 0], at[:, 1]] = list(cells.values())
    w = _weights(weights, len(rankings))
    return {
        option: RankEstimate(
            first=proportion(positions[:, j] == 1, w, answered),
            mean_rank=mean(positions[:, j], w),
            ranked=int(np.count_nonzero(~np.isnan(positions[:, j]))),
        )
        for j, option in enumerate(options)
    }


def allocation_estimates(
    allocations: Sequence[Mapping[str, int] | None],
    options: Sequence[str],
    weights: npt.ArrayLike | None = None,
) -> dict[str, Estimate]:
    """An allocation question (points spread over options): per option, the mean points over respondents who
    answered; an option left out of an answer got 0. None or an empty mapping is no answer (no points given)."""
    index = {code: j for j, code in enumerate(options)}
    points = np.zeros((len(allocations), len(options)))
    for i, allocation in enumerate(allocations):
        if not allocation:
            points[i] = NAN  # not in the base of any option
            continue
        for code, value in allocation.items():
            j = index.get(code)
            if j is not None:
                points[i, j] = float(value or 0)
    w = _weights(weights, len(allocations))
    return {option: mean(points[:, j], w) for j, option in enumerate(options)}


# --- Helpers ----------------------------------------------------------------------------------------------------


def _encode(values: Sequence[str | None], categories: Sequence[str]) -> IntArray:
    """Category index per respondent; len(categories) for None, "" and codes not listed. A dict lookup per value
    is quicker than np.unique's sort of 100,000 strings and keeps the categories' own order."""
    index: dict[str | None, int] = {code: i for i, code in enumerate(categories) if code}
    missing = len(categories)
    return np.fromiter(map(index.get, values, repeat(missing)), dtype=np.intp, count=len(values))


def _categories(codes: Sequence[str | None], given: Sequence[str] | None) -> list[str]:
    if given is not None:
        return [code for code in dict.fromkeys(given) if code]
    return sorted({code for code in codes if code})


def _weights(weights: npt.ArrayLike | Sequence[float] | None, n: int) -> FloatArray:
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"Expected {n} weights, one per respondent; got shape {w.shape}.")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("Weights must be finite and not negative.")
    return w


def _vector(values: npt.ArrayLike, dtype: type, n: int | None = None) -> npt.NDArray[np.generic]:
    array: npt.NDArray[np.generic] = np.asarray(values, dtype=dtype)
    if array.ndim != 1 or (n is not None and array.size != n):
        raise ValueError(
            f"Expected a flat array of {n if n is not None else 'n'} values; got shape {array.shape}."
        )
    return array


def _sums(index: IntArray, values: FloatArray | None, size: int) -> FloatArray:
    """Per index 0..size-1, the sum of `values` (or the count, as floats, when None): numpy's group-by."""
    return np.bincount(index, weights=values, minlength=size).astype(np.float64, copy=False)


def _cell_sums(cell: IntArray, shape: tuple[int, int], values: FloatArray | None) -> FloatArray:
    return _sums(cell, values, shape[0] * shape[1]).reshape(shape)[:-1, :-1]


def _shares_of(index: IntArray, weights: FloatArray, k: int) -> list[Estimate]:
    """Per category 0..k-1 of `index` (k = missing), its share of the weight of those with a category."""
    counts, totals, squares = (
        _sums(index, values, k + 1)[:k] for values in (None, weights, weights * weights)
    )
    total, total_squares, n = float(totals.sum()), float(squares.sum()), int(counts.sum())
    return [_share(float(totals[j]), float(squares[j]), total, total_squares, n) for j in range(k)]


def _share(hit: float, hit_squares: float, total: float, total_squares: float, n: int) -> Estimate:
    """A proportion from sums: y is 1 on the `hit` part of the base and 0 elsewhere, so
    Σ w²(y - p)² = Σ_hit w² (1 - p)² + Σ_rest w² p², and nothing per respondent is needed."""
    if not total > 0:
        return _nothing(n)
    p = min(max(hit / total, 0.0), 1.0)
    spread = hit_squares * (1 - p) ** 2 + max(total_squares - hit_squares, 0.0) * p**2
    return _estimate(p, spread, total, n, _effective(total, total_squares), bounded=True)


def _estimate(
    value: float, spread: float, total: float, n: int, effective_n: float, *, bounded: bool
) -> Estimate:
    """Linearised standard error from spread = Σ w²(y - value)² and total = Σ w; no interval under 2."""
    if n < 2:
        return Estimate(value, NAN, NAN, NAN, n, effective_n)
    se = math.sqrt(n / (n - 1) * spread) / total
    low, high = value - Z95 * se, value + Z95 * se
    if bounded:
        low, high = max(low, 0.0), min(high, 1.0)
    return Estimate(value, se, low, high, n, effective_n)


def _nothing(n: int) -> Estimate:
    """No weight in the base (nobody, or only weight 0): nothing to estimate."""
    return Estimate(NAN, NAN, NAN, NAN, n, 0.0)


def _effective(total: float, squares: float) -> float:
    return total**2 / squares if squares > 0 else 0.0
