"""Where modules announce what they offer to the layers above them, so siblings never import each other.
A module's `apps.ready()` registers; the site shell reads."""

from __future__ import annotations

from dataclasses import dataclass


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
