"""Writes of the plan module, one function per use case (keyword-only, transactional, permission-checked,
recorded in history). structure: the plan, its tree, versions and imports; action_plans: milestones, owners,
dependencies and evidence; updates: reporting periods, progress updates, review and reminders; following:
residents following a goal by e-mail."""

from .action_plans import *  # noqa: F403
from .following import *  # noqa: F403
from .structure import *  # noqa: F403
from .updates import *  # noqa: F403
