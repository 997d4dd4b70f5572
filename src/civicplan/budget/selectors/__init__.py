"""Reads of the budget module. common: fiscal years and funds; the other modules add theirs."""

from .alignment import *  # noqa: F403
from .calendar import *  # noqa: F403
from .common import *  # noqa: F403
from .requests import *  # noqa: F403
