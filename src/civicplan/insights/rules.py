"""Who may do what with the evidence base. Checked with `user.has_perm(name, obj)` on every object."""

from __future__ import annotations

import rules

from civicplan.accounts.rules import is_coordinator, is_editor, is_staff_reader

# The evidence base, codebook, traceability views and weighted results: every plan role reads (employee input
# only as the confidentiality rules allow).
rules.add_perm("insights.view_insights", is_staff_reader)
# Coding input to themes and confirming suggestions: the coordinator and department editors (who key in cards).
rules.add_perm("insights.code_input", is_coordinator | is_editor)
# The codebook, links to the plan, drafting from evidence, published quotes, weighting: the coordinator.
rules.add_perm("insights.manage_insights", is_coordinator)
