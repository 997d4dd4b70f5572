"""Writes of the budget module, one function per use case (keyword-only, transactional, permission-checked,
recorded in history). allocations: lines linked to plan elements and actions' funding; imports: budget files;
requests: departments' budget requests; calendar: budget cycles and their milestones."""

from .allocations import *  # noqa: F403
from .calendar import *  # noqa: F403
from .funds import *  # noqa: F403
from .imports import *  # noqa: F403
from .requests import *  # noqa: F403
