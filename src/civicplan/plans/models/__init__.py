"""The plan module's tables: the plan's structure (structure.py) and the work of carrying it out (tracking.py)."""

from .following import GoalFollower
from .structure import (
    ITEM_CONTENT_FIELDS,
    LEVELS,
    Level,
    PendingImport,
    Plan,
    PlanItem,
    PlanState,
    PlanVersion,
    Status,
    Value,
    child_level,
    parent_level,
)
from .tracking import (
    EvidenceLink,
    Milestone,
    ProgressUpdate,
    ReminderKind,
    ReminderLog,
    ReportingPeriod,
    UpdateState,
)

__all__ = [
    "ITEM_CONTENT_FIELDS",
    "LEVELS",
    "EvidenceLink",
    "GoalFollower",
    "Level",
    "Milestone",
    "PendingImport",
    "Plan",
    "PlanItem",
    "PlanState",
    "PlanVersion",
    "ProgressUpdate",
    "ReminderKind",
    "ReminderLog",
    "ReportingPeriod",
    "Status",
    "UpdateState",
    "Value",
    "child_level",
    "parent_level",
]
