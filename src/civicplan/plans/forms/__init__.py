"""Validation of the plan module's pages, one file per area (structure, action_plans, updates)."""

from .action_plans import *  # noqa: F403
from .structure import *  # noqa: F403
from .updates import *  # noqa: F403
