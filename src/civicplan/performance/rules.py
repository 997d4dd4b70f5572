"""Who may do what with indicators. Checked with `user.has_perm(name, obj)` on every object."""

from __future__ import annotations

from typing import Any

import rules

from civicplan.accounts.rules import is_coordinator, is_editor, is_staff_reader, owns_department_of


@rules.predicate
def owns_indicator(user: Any, obj: Any) -> bool:
    indicator = getattr(obj, "indicator", obj)
    owner_id = getattr(indicator, "owner_id", None)
    return bool(owner_id) and owner_id == getattr(user, "pk", None)


@rules.predicate
def owns_department_of_indicator(user: Any, obj: Any) -> bool:
    return owns_department_of(user, getattr(obj, "indicator", obj))


rules.add_perm("performance.view_indicator", is_staff_reader)
# Definitions, targets, thresholds and publishing: the coordinator.
rules.add_perm("performance.manage_indicator", is_coordinator)
# Entering and importing values: the coordinator, the indicator's owner, or an editor of its department.
rules.add_perm(
    "performance.enter_measurement",
    is_coordinator | (is_staff_reader & owns_indicator) | (is_editor & owns_department_of_indicator),
)
rules.add_perm("performance.import_measurements", is_coordinator | is_editor)
