"""Who may do what with engagement. Checked with `user.has_perm(name, obj)` on every object."""

from __future__ import annotations

import rules

from civicplan.accounts.rules import is_coordinator, is_council, is_editor, is_staff_reader

# The engagement record, survey definitions and results (employee results only as the confidentiality rules allow):
# every plan role reads.
rules.add_perm("engagement.view_engagement", is_staff_reader)
# Surveys (building, opening, closing, publishing), activities, kiosks, invitations and imports: the coordinator.
rules.add_perm("engagement.manage_engagement", is_coordinator)
# Keying in comment cards and paper questionnaires after an event: the coordinator and department editors.
rules.add_perm("engagement.enter_input", is_coordinator | is_editor)
# Answering the council survey: council members.
rules.add_perm("engagement.answer_council_survey", is_council)
