"""Where modules announce what they offer to the layers above them, so siblings never import each other.
A module's `apps.ready()` registers; the site shell reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MenuEntry:
    label: str  # a lazy translation
    url_name: str
    order: int = 100
    permission: str = ""


_staff_menu: list[MenuEntry] = []


def register_staff_menu(entry: MenuEntry) -> None:
    if entry not in _staff_menu:
        _staff_menu.append(entry)


def staff_menu() -> list[MenuEntry]:
    return sorted(_staff_menu, key=lambda entry: entry.order)


@dataclass(frozen=True)
class ItemSection:
    """A block a higher module adds to a plan item's page, e.g. performance shows a goal's indicators.
    `render(request, item_id=, child_ids=, level=, public=, descendant_ids=)` returns safe HTML ("" for nothing)
    with a fixed number of queries. On public pages the ids come from the adopted version, never from the draft,
    and `descendant_ids` lists every element below the item there (None on staff pages)."""

    key: str
    render: Callable[..., Any]
    order: int = 100


_item_sections: dict[str, ItemSection] = {}


def register_item_section(section: ItemSection) -> None:
    _item_sections[section.key] = section


def item_sections() -> list[ItemSection]:
    return sorted(_item_sections.values(), key=lambda section: section.order)


class PlanImportProblem(Exception):
    """What an import extra refuses: `problems` are (where in the file, message) pairs. The plans import turns
    them into its own refusal, so the whole import (plan included) is rolled back."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(
            "; ".join(f"{where}: {message}" if where else message for where, message in problems)
        )
        self.problems = problems


@dataclass(frozen=True)
class PlanImportExtra:
    """Data a plan file carries beyond the plan itself, which a higher module creates with the new draft plan.

    Why the hook exists: a StratML Part 2 file also holds performance indicators, but the plans module (layer 3)
    may not import performance (layer 4). The plans parser hands the extra data back under `key` (e.g.
    "stratml_indicators"); the plans import calls the registered handler inside its own transaction, so the plan
    and its extras are created together or not at all.

    `check(data=, document=, organization=)` reads the data against the validated plan document without writing
    and returns counts for the preview ({"indicators": 2, ...}); `create(data=, plan=, items=, user=,
    check_permission=)` writes them (`items` maps the new plan's codes to its items) and returns the same counts.
    Both raise PlanImportProblem."""

    key: str
    check: Callable[..., dict[str, int]]
    create: Callable[..., dict[str, int]]


_plan_import_extras: dict[str, PlanImportExtra] = {}


def register_plan_import_extra(extra: PlanImportExtra) -> None:
    _plan_import_extras[extra.key] = extra


def plan_import_extras() -> dict[str, PlanImportExtra]:
    return dict(_plan_import_extras)
