"""Numbers as people type them into forms and spreadsheets: `1234.5`, `1,234.5`, `12.5%`, or a spreadsheet's own
number. One reader for the quick-entry form and for files, so both accept and refuse the same things."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

QUANTUM = Decimal("0.000001")  # what a DecimalField(max_digits=20, decimal_places=6) keeps
LIMIT = Decimal(10) ** 14
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(value: Any) -> Decimal:
    """A finite number with at most 14 digits before the point, rounded to 6 decimals (a spreadsheet's 0.1 + 0.2
    gives 0.30000000000000004). A comma is read only as a thousands separator (`1,234.5`): `12,5` is refused
    rather than guessed. A trailing `%` is dropped (`12.5%` is 12.5: a percentage indicator stores points).
    Raises ValueError in plain words."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("the value is missing"))
    if isinstance(value, bool):
        raise ValueError(_("the value %(value)s is not a number") % {"value": value})
    if isinstance(value, (int, float, Decimal)):
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, (dt.date, dt.datetime)):
        raise ValueError(_("the value %(value)s is a date, not a number") % {"value": value})
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        if text.endswith("%"):
            text = text[:-1]
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if not _PLAIN.match(text):
            raise ValueError(
                _("the value %(value)r is not a number (write it like 1234.5, without units)")
                % {"value": str(value)[:40]}
            )
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("the value %(value)r is not a number") % {"value": str(value)[:40]}) from None
    if not number.is_finite():
        raise ValueError(_("the value %(value)s is not a finite number") % {"value": str(value)[:40]})
    if abs(number) >= LIMIT:
        raise ValueError(
            _("the value %(value)s is too large (at most 14 digits before the decimal point)")
            % {"value": str(value)[:40]}
        )
    return number.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def plain(value: Decimal) -> str:
    """A number as plain text, without exponent or trailing zeros: `2`, `1.5`, `0.000001`."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text
