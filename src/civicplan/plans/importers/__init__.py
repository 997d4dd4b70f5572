"""Plan files in: one parser per format (file bytes -> raw document), and one shared validator
(raw document -> clean document) in `document.py`. Nothing here writes to the database."""

from __future__ import annotations

from civicplan.plans.importers.document import PlanFileInvalid, Problem, validate_document
from civicplan.plans.importers.formats import detect_format, read_plan_file, read_plan_upload

__all__ = [
    "PlanFileInvalid",
    "Problem",
    "detect_format",
    "read_plan_file",
    "read_plan_upload",
    "validate_document",
]
