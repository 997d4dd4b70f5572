"""Writes of the performance module, one function per use case (keyword-only, transactional, permission-checked,
recorded in history). indicators: definitions, targets, links, publishing and entered values; imports:
measurement files (preview, then all-or-nothing)."""

from .imports import *  # noqa: F403
from .indicators import *  # noqa: F403
