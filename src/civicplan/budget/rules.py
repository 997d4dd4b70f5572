"""Who may do what with the budget. Checked with `user.has_perm(name, obj)` on every object."""

from __future__ import annotations

import rules

from civicplan.accounts.rules import (
    is_coordinator,
    is_editor,
    is_finance,
    is_staff_reader,
    owns_department_of,
)
from civicplan.plans.rules import can_work_on_action

# Reading the budget, its alignment and the ranked requests: every plan role (council members read, never change).
rules.add_perm("budget.view_budget", is_staff_reader)
# Budget data (imports, funds, name mappings), linking lines to plan elements, action funding and the calendar:
# the coordinator and finance staff.
rules.add_perm("budget.manage_budget", is_coordinator | is_finance)

# Budget requests: an editor writes their own department's (the object is a request, saved or not); the
# coordinator writes any. Which states still allow changes is the service's rule, said in words.
rules.add_perm("budget.add_request", is_coordinator | is_editor)
rules.add_perm("budget.write_request", is_coordinator | (is_editor & owns_department_of))
# Scoring, ranking and deciding requests: the coordinator and finance.
rules.add_perm("budget.score_request", is_coordinator | is_finance)

# An action's estimated cost and funding status per year: the coordinator, finance, or whoever carries the action out
# (an editor of its department, its owner), who knows what it will cost.
rules.add_perm("budget.change_funding", is_coordinator | is_finance | can_work_on_action)
