"""Filters the report templates share: money in the reader's words."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.safestring import SafeString, mark_safe

from civicplan.lib.money import format_money

register = template.Library()


@register.filter
def money(value: Decimal | int | float | None) -> str:
    return format_money(value)


@register.filter
def css_string(value: object) -> SafeString:
    """Text for a CSS string inside `<style>` (page margin boxes): quotes, backslashes, line breaks and `<` escaped
    the CSS way, so a title can neither end the string nor the style element."""
    text = str(value)
    for char, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\A "), ("<", "\\3C "), ("&", "\\26 ")):
        text = text.replace(char, escaped)
    return mark_safe(text)
