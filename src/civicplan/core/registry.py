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
