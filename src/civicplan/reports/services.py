"""Writes of the reports module: asking for a report to be prepared in the background, and preparing it (the task
runs `run_build`). HTML and XLSX are quick and are answered at once by the views; a PDF lays out every page with
WeasyPrint (about a quarter of a second per dense page) and always runs as a task, so a request never waits on it."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.utils import timezone

from civicplan.reports import exporters
from civicplan.reports.models import BuildState, ReportBuild
from civicplan.reports.report_data import KINDS, LANGUAGES, ReportError, build_report

log = logging.getLogger(__name__)
BACKGROUND_FORMATS = ("pdf",)


def request_build(*, user: Any, kind: str, period: str, language: str, fmt: str = "pdf") -> ReportBuild:
    """Record the request and queue the task (the immediate backend runs it before this returns)."""
    if not user.has_perm("reports.view_reports"):
        raise PermissionDenied
    if kind not in KINDS or language not in LANGUAGES or fmt not in exporters.FORMATS:
        raise ReportError("Unknown report, language or format.")
    build = ReportBuild.objects.create(
        kind=kind, period=period, language=language, fmt=fmt, requested_by=user
    )
    from civicplan.reports.tasks import build_report_file

    build_report_file.enqueue(build.pk)
    build.refresh_from_db()
    return build


def _set_progress(build_id: int, value: int) -> None:
    ReportBuild.objects.filter(pk=build_id).update(progress=value, updated_at=timezone.now())


def render(report: Any, fmt: str, *, progress: Any = None) -> tuple[bytes, int | None]:
    """The report's file in `fmt` and, for a PDF, its page count."""
    if fmt == "pdf":
        return exporters.write_pdf(report, progress=progress)
    if fmt == "xlsx":
        return exporters.write_xlsx(report), None
    return exporters.render_print_html(report).encode("utf-8"), None


def run_build(build_id: int) -> ReportBuild:
    """Prepare a queued build: state and progress are saved as it goes, the file at the end; an error is kept on
    the build (and logged) rather than lost in the worker."""
    build = ReportBuild.objects.get(pk=build_id)
    if build.state == BuildState.DONE:
        return build
    started = time.perf_counter()
    ReportBuild.objects.filter(pk=build_id).update(state=BuildState.RUNNING, progress=5, error="")
    try:
        report = build_report(build.kind, build.period or None, build.language)
        _set_progress(build_id, 20)
        data, pages = render(report, build.fmt, progress=lambda value: _set_progress(build_id, value))
        build.refresh_from_db()
        build.filename = exporters.filename(report, build.fmt)
        build.file.save(build.filename, ContentFile(data), save=False)
        build.pages = pages
        build.state = BuildState.DONE
        build.progress = 100
    except Exception as error:
        log.exception("Report build %s failed", build_id)
        build.refresh_from_db()
        build.state = BuildState.FAILED
        build.error = str(error) or error.__class__.__name__
    build.seconds = round(time.perf_counter() - started, 3)
    build.finished_at = timezone.now()
    build.save()
    return build
