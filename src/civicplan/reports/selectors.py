"""Reads of the reports module: the builds a person may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from civicplan.reports.models import ReportBuild


def recent_builds(user: Any, limit: int = 10) -> QuerySet[ReportBuild]:
    """The person's own builds, newest first."""
    return ReportBuild.objects.filter(requested_by=user).order_by("-created_at", "-pk")[:limit]
