"""Who may do what with a plan. Checked with `user.has_perm(name, obj)` on every object."""

from __future__ import annotations

from typing import Any

import rules

from civicplan.accounts.rules import is_coordinator, is_editor, is_staff_reader, owns_department_of

# Reading drafts: every plan role. The public reads only adopted versions (selectors.public_*).
rules.add_perm("plans.view_draft", is_staff_reader)
# Structure and adoption belong to the coordinator.
rules.add_perm("plans.manage_plan", is_coordinator)
rules.add_perm("plans.add_item", is_coordinator)
rules.add_perm("plans.move_item", is_coordinator)
rules.add_perm("plans.archive_item", is_coordinator)
rules.add_perm("plans.adopt_plan", is_coordinator)
rules.add_perm("plans.import_plan", is_coordinator)
# Content of an item: the coordinator, or an editor of the department that owns it.
rules.add_perm("plans.change_item", is_coordinator | (is_editor & owns_department_of))


@rules.predicate
def owns_item(user: Any, obj: Any) -> bool:
    """The accountable owner of an action (or of the action an update, milestone or evidence link belongs to)."""
    item = getattr(obj, "action", obj)
    owner_id = getattr(item, "owner_id", None)
    return bool(owner_id) and owner_id == getattr(user, "pk", None)


@rules.predicate
def owns_department_of_action(user: Any, obj: Any) -> bool:
    """Editor of the department that owns the action now (moving an action moves what its department owes)."""
    return owns_department_of(user, getattr(obj, "action", obj))


# Carrying an action out (its milestones, evidence, owner, contributors, dependencies, and writing its progress
# updates): the coordinator, an editor of the owning department, or the action's accountable owner.
can_work_on_action = is_coordinator | (is_editor & owns_department_of_action) | (is_staff_reader & owns_item)
rules.add_perm("plans.plan_action", can_work_on_action)
rules.add_perm("plans.write_update", can_work_on_action)
# The reporting calendar, approving or sending back updates and chasing late ones: the coordinator.
rules.add_perm("plans.manage_periods", is_coordinator)
rules.add_perm("plans.review_update", is_coordinator)
# Dashboards: every plan role reads them; council members and viewers read, never change.
rules.add_perm("plans.view_dashboard", is_staff_reader)
