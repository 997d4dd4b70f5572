"""Reads of the plan module. structure: the plan, its tree and the public plan; action_plans: milestones,
timelines; changes: what changed last quarter / on a goal; following: goal followers; dashboard: roll-ups and due dates for the staff dashboards; reporting: published updates and milestones done in a date range, for reports; updates: what is owed each period, review queues, completeness and staleness."""

from .action_plans import *  # noqa: F403
from .changes import *  # noqa: F403
from .dashboard import *  # noqa: F403
from .following import *  # noqa: F403
from .reporting import *  # noqa: F403
from .structure import *  # noqa: F403
from .updates import *  # noqa: F403
