"""What changed between two versions of a plan: added, removed, reworded, moved and otherwise changed items.

Works on two plan documents with item ids (adopted snapshots, or the working draft rendered the same way), so
comparing never depends on what the database holds today."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from civicplan.plans.models import Level
from civicplan.plans.selectors import iter_document_items

TEXT_FIELDS = ("title", "description")
OTHER_FIELDS = ("department", "lead", "start_date", "due_date", "weight")
FIELD_LABELS = {
    "title": _("Title"),
    "description": _("Description"),
    "department": _("Owner department"),
    "lead": _("Lead"),
    "start_date": _("Start date"),
    "due_date": _("Due date"),
    "weight": _("Weight"),
    "mission": _("Mission"),
    "vision": _("Vision"),
    "values": _("Values"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


@dataclass
class ItemChange:
    level: str
    code: str
    title: str
    old_code: str = ""
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)

    @property
    def labeled_fields(self) -> list[tuple[str, Any, Any]]:
        return [(field_label(name), old, new) for name, old, new in self.fields]


@dataclass
class PlanDiff:
    added: list[ItemChange] = field(default_factory=list)
    removed: list[ItemChange] = field(default_factory=list)
    reworded: list[ItemChange] = field(default_factory=list)
    moved: list[ItemChange] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    framing: list[tuple[str, Any, Any]] = field(default_factory=list)  # title, mission, vision, values

    @property
    def labeled_framing(self) -> list[tuple[str, Any, Any]]:
        return [(field_label(name), old, new) for name, old, new in self.framing]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.reworded or self.moved or self.changed or self.framing)


def _index(document: dict[str, Any]) -> dict[int, tuple[str, dict[str, Any], int | None]]:
    return {
        item["id"]: (level, item, parent["id"] if parent else None)
        for level, item, parent in iter_document_items(document)
    }


def _text(item: dict[str, Any], name: str) -> dict[str, str]:
    value = item.get(name) or {}
    return {"en": value.get("en", ""), "es": value.get("es", "")}


def _title(item: dict[str, Any], language: str) -> str:
    title = _text(item, "title")
    return title.get(language) or title["en"]


def compare_documents(old: dict[str, Any], new: dict[str, Any], language: str = "en") -> PlanDiff:
    """Items are named in `language` (English where that text is empty)."""
    diff = PlanDiff()
    before, after = _index(old), _index(new)
    for item_id, (level, item, parent_id) in after.items():
        title = _title(item, language)
        if item_id not in before:
            diff.added.append(ItemChange(level, item["code"], title))
            continue
        _old_level, old_item, old_parent_id = before[item_id]
        if old_parent_id != parent_id or old_item["code"] != item["code"]:
            diff.moved.append(ItemChange(level, item["code"], title, old_code=old_item["code"]))
        worded = [
            (name, _text(old_item, name), _text(item, name))
            for name in TEXT_FIELDS
            if _text(old_item, name) != _text(item, name)
        ]
        if worded:
            diff.reworded.append(
                ItemChange(level, item["code"], title, old_code=old_item["code"], fields=worded)
            )
        others = [
            (name, old_item.get(name), item.get(name))
            for name in OTHER_FIELDS
            if old_item.get(name) != item.get(name)
        ]
        if others:
            diff.changed.append(
                ItemChange(level, item["code"], title, old_code=old_item["code"], fields=others)
            )
    for item_id, (level, item, _parent_id) in before.items():
        if item_id not in after:
            diff.removed.append(ItemChange(level, item["code"], _title(item, language)))
    old_plan, new_plan = old["plan"], new["plan"]
    for name in ("title", "mission", "vision"):
        if _text(old_plan, name) != _text(new_plan, name):
            diff.framing.append((name, _text(old_plan, name), _text(new_plan, name)))
    old_values = [(_text(v, "name"), _text(v, "description")) for v in old_plan.get("values", [])]
    new_values = [(_text(v, "name"), _text(v, "description")) for v in new_plan.get("values", [])]
    if old_values != new_values:
        diff.framing.append(("values", [n["en"] for n, _d in old_values], [n["en"] for n, _d in new_values]))
    for bucket in (diff.added, diff.removed, diff.reworded, diff.moved, diff.changed):
        bucket.sort(key=lambda change: [int(p) if p.isdigit() else 0 for p in change.code.split(".")])
    return diff
