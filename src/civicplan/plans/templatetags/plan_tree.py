"""The staff plan tree, drawn in Python: one included template per item made the metro-scale tree (5,000 items)
take 9-21 s to render (bench/run.py); the same markup built here takes a small fraction of that."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from civicplan.core.templatetags.civicplan import progress_bar, status_tag
from civicplan.plans.models import Level
from civicplan.plans.selectors import StaffNode

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_tree(context: Any, nodes: list[StaffNode], open_all: bool = False) -> SafeString:
    """`{% staff_tree tree open_all %}`: nested lists; an item's link stays outside its <details>'s summary (a link
    inside the disclosure button would be a nested control for screen readers, axe nested-interactive).
    Actions in the page's `stale_ids` (computed once by the view) carry a "Stale" tag."""
    item_url = reverse("staff:item", args=[0])[: -len("0/")]  # one reverse() for thousands of links
    text = _TreeText(open_all, item_url, context.get("stale_ids") or frozenset())
    return format_html(
        '<ul class="cp-tree">{}</ul>', format_html_join("", "{}", ((text.node(n),) for n in nodes))
    )


class _TreeText:
    def __init__(self, open_all: bool, item_url: str, stale_ids: Any = frozenset()) -> None:
        self.open_all = open_all
        self.item_url = item_url
        self.stale_ids = stale_ids
        self.stale = format_html(
            ' <span class="usa-tag cp-tag cp-tag--late" title="{}">{}</span>',
            _("No progress update for the last period"),
            _("Stale"),
        )
        self.children_label = {
            Level.PRIORITY: _("Goals"),
            Level.GOAL: _("Strategies"),
            Level.STRATEGY: _("Actions"),
        }
        self.level_label = {level: str(label) for level, label in Level.choices}
        self.archived = format_html(' <span class="usa-tag">{}</span>', _("Archived"))
        self.spanish_missing = format_html(
            '<span class="usa-tag bg-gold text-ink">{}</span>', _("Spanish missing")
        )

    def node(self, node: StaffNode) -> SafeString:
        item = node.item
        meta = self.level_label[item.level]
        if item.department:
            meta = f"{meta} · {item.department.localized('name')}"
        row = format_html(
            '<span class="cp-tree__row{}"><a id="tree-item-{}" href="{}{}/"><span class="cp-code">{}</span> {}</a>'
            '{}{}<span class="cp-meta">{}</span>{}{}{}</span>',
            "" if node.matches else " cp-tree__nomatch",
            item.pk,
            self.item_url,
            item.pk,
            item.code,
            item.localized("title"),
            self.archived if item.is_archived else "",
            self.stale if item.pk in self.stale_ids else "",
            meta,
            status_tag(item.status),
            progress_bar(item.progress),
            "" if item.title_es else self.spanish_missing,
        )
        if not node.children:
            return format_html("<li>{}</li>", row)
        children = format_html_join("", "{}", ((self.node(child),) for child in node.children))
        return format_html(
            '<li>{}<details class="cp-tree__children"{}><summary aria-describedby="tree-item-{}">{} ({})</summary>'
            "<ul>{}</ul></details></li>",
            row,
            " open" if self.open_all or item.level == Level.PRIORITY else "",
            item.pk,
            self.children_label[item.level],
            len(node.children),
            children,
        )
