"""The status vocabulary a new plan starts with; the coordinator can change it per plan."""

from __future__ import annotations

DEFAULT_STATUSES: list[dict] = [
    {
        "key": "not-started",
        "name": {"en": "Not started", "es": "No iniciado"},
        "color": "#565c65",
        "default_progress": 0,
        "counts_as_complete": False,
        "counts_in_rollup": True,
    },
    {
        "key": "on-track",
        "name": {"en": "On track", "es": "En curso"},
        "color": "#0b6b1f",
        "default_progress": None,
        "counts_as_complete": False,
        "counts_in_rollup": True,
    },
    {
        "key": "at-risk",
        "name": {"en": "At risk", "es": "En riesgo"},
        "color": "#8a4b00",
        "default_progress": None,
        "counts_as_complete": False,
        "counts_in_rollup": True,
    },
    {
        "key": "delayed",
        "name": {"en": "Delayed", "es": "Retrasado"},
        "color": "#b50909",
        "default_progress": None,
        "counts_as_complete": False,
        "counts_in_rollup": True,
    },
    {
        "key": "completed",
        "name": {"en": "Completed", "es": "Completado"},
        "color": "#1a4480",
        "default_progress": 100,
        "counts_as_complete": True,
        "counts_in_rollup": True,
    },
    {
        "key": "deferred",
        "name": {"en": "Deferred", "es": "Aplazado"},
        "color": "#5c1111",
        "default_progress": None,
        "counts_as_complete": False,
        "counts_in_rollup": False,
    },
]
DEFAULT_STATUS_KEYS = frozenset(status["key"] for status in DEFAULT_STATUSES)
