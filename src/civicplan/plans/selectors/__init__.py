"""Reads of the plan module. structure: the plan, its tree and the public plan; action_plans: milestones,
timelines; dashboard: roll-ups and due dates for the staff dashboards; updates: what is owed each period, review queues, completeness and staleness."""

from .action_plans import *  # noqa: F403
from .dashboard import *  # noqa: F403
from .structure import *  # noqa: F403
from .updates import *  # noqa: F403
