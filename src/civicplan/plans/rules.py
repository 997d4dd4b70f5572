"""Who may do what with a plan. Checked with `user.has_perm(name, obj)` on every object."""

from __future__ import annotations

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
