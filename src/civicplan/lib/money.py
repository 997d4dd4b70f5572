"""Money as budget files write it and as pages show it: `$1,234`, `(1,234)` for -1,234, `-` for zero; and splitting
an amount into parts that always add up to the whole, to the cent."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
LIMIT = Decimal(10) ** 14  # DecimalField(max_digits=16, decimal_places=2)
_ZERO_MARKS = {"-", "–", "—", "$-", "$ -", "$–"}
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^(\d+(\.\d*)?|\.\d+)$")


def parse_amount(value: Any) -> Decimal:
    """An amount of money to the cent. Accepts numbers from a workbook and text such as `1234.5`, `$1,234.56`,
    `-1,234`, `(1,234)` or `$(1,234.00)` (accounting negatives), `1,234-` and `-` or `$ -` (zero, as budget books
    print it). A comma is only a thousands separator (`12,5` is refused, not guessed). Raises ValueError in plain
    words."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("the amount is missing"))
    if isinstance(value, bool):
        raise ValueError(_("the amount %(value)s is not a number") % {"value": value})
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        number = _parse_text(value)
    else:
        raise ValueError(_("the amount %(value)s is not a number") % {"value": str(value)[:40]})
    if not number.is_finite():
        raise ValueError(_("the amount %(value)s is not a finite number") % {"value": str(value)[:40]})
    if abs(number) >= LIMIT:
        raise ValueError(_("the amount %(value)s is too large") % {"value": str(value)[:40]})
    return number.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _parse_text(value: str) -> Decimal:
    text = value.strip().replace("\u00a0", " ")
    if text.replace(" ", "") in _ZERO_MARKS:
        return Decimal(0)
    negative = False
    compact = text.replace(" ", "")
    if compact.startswith("(") and compact.endswith(")"):
        negative, compact = True, compact[1:-1]
    if compact.startswith("-"):
        negative, compact = not negative, compact[1:]
    elif compact.endswith("-"):
        negative, compact = not negative, compact[:-1]
    elif compact.startswith("+"):
        compact = compact[1:]
    if compact.startswith("$"):
        compact = compact[1:]
    if compact.startswith("(") and compact.endswith(")"):  # $(1,234)
        negative, compact = not negative, compact[1:-1]
    if compact.startswith("-"):  # $-1,234
        negative, compact = not negative, compact[1:]
    if _THOUSANDS.match(compact):
        compact = compact.replace(",", "")
    if not _PLAIN.match(compact):
        raise ValueError(
            _("the amount %(value)r is not a number (write it like 1234.56, $1,234 or (1,234))")
            % {"value": value[:40]}
        )
    try:
        number = Decimal(compact)
    except InvalidOperation:
        raise ValueError(_("the amount %(value)r is not a number") % {"value": value[:40]}) from None
    return -number if negative else number


def split_amount(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` split in proportion to `weights`, each part in whole cents, the parts adding up to exactly `total`
    (largest remainder: the cents lost to rounding down go to the parts that lost most, first ones first on ties).
    Weights are non-negative and not all zero; a negative total splits the same way, with negative parts."""
    if not weights:
        return []
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total < 0 else 1
    cents = int((abs(total) / CENT).to_integral_value(ROUND_HALF_EVEN))
    exact = [Decimal(cents) * weight / weight_sum for weight in weights]
    floors = [int(part.to_integral_value(ROUND_DOWN)) for part in exact]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in order[:left]:
        floors[index] += 1
    return [sign * Decimal(part) * CENT for part in floors]


def share_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, to the cent (half to even)."""
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_EVEN)


def format_money(value: Decimal | int | float | None, *, cents: bool = False) -> str:
    """`$1,234` (or `$1,234.56`) in the active language's number format; negatives as `-$1,234`; None as an
    em dash. Pages, exports and commands all show money through this."""
    if value is None:
        return "—"
    places = 2 if cents else 0
    # Round first: number_format cuts extra digits off rather than rounding them.
    amount = Decimal(value).quantize(CENT if cents else Decimal(1), rounding=ROUND_HALF_EVEN)
    text = number_format(abs(amount), decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"-${text}" if amount < 0 else f"${text}"


def format_money_short(value: Decimal | int | float) -> str:
    """`$1.2M`, `$350K`, `$900` for chart labels (the table beside the chart gives the exact figures)."""
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    for limit, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K")):
        if size >= limit:
            scaled = (size / limit).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
            text = format(scaled.normalize(), "f")
            return f"{sign}${text}{suffix}"
    return f"{sign}${format(size.quantize(Decimal(1)), 'f')}"
