"""Reports: the figures of each kind against the data, the HTML page, XLSX safety and round-trip, the tagged PDF in
both languages, the build_report command, background builds with progress and download, and who may see what."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from civicplan.plans.models import Milestone, PlanItem, ProgressUpdate, ReportingPeriod, UpdateState
from civicplan.reports import exporters
from civicplan.reports.models import BuildState, ReportBuild
from civicplan.reports.report_data import ReportError, build_report, parse_report_period
from tests import factories as f

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
TODAY = dt.date(2026, 7, 15)  # after FY 2025-26 (FY2026) ended


def _actions(plan):
    return list(plan.items.filter(level="action").order_by("code"))


@pytest.fixture
def report_world(plan, coordinator, department_a, settings, tmp_path):
    """The small plan (2 priorities > 2 goals > 1 strategy > 2 actions) with mixed statuses, a published and a
    draft update in FY2026 Q2, a published indicator with a target, a done milestone and an adopted budget; then
    adopted. After adoption a draft action is added (it must never appear)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    actions = _actions(plan)
    completed = f.status(plan, "completed")
    at_risk = f.status(plan, "at-risk")
    PlanItem.objects.filter(pk=actions[0].pk).update(status=completed, progress=100)  # 1.1.1.1
    PlanItem.objects.filter(pk=actions[1].pk).update(status=at_risk)  # 1.1.1.2
    PlanItem.objects.filter(pk=actions[4].pk).update(status=completed, progress=100)  # 2.1.1.1
    f.adopt(plan, coordinator)
    period = ReportingPeriod.objects.create(
        plan=plan,
        name_en="FY 2025-26 Q2",
        name_es="AF 2025-26 T2",
        starts_on=dt.date(2025, 10, 1),
        ends_on=dt.date(2025, 12, 31),
        opens_on=dt.date(2025, 12, 15),
        due_on=dt.date(2026, 1, 15),
    )
    ProgressUpdate.objects.create(
        action=actions[0],
        period=period,
        state=UpdateState.PUBLISHED,
        status=completed,
        progress=Decimal(100),
        narrative_en="Crews repaved Main Street.",
        narrative_es="Las cuadrillas repavimentaron la calle Main.",
        published_at=dt.datetime(2026, 1, 20, tzinfo=dt.UTC),
    )
    PlanItem.objects.filter(pk=actions[0].pk).update(last_reported_at=dt.datetime(2026, 1, 20, tzinfo=dt.UTC))
    ProgressUpdate.objects.create(
        action=actions[2],
        period=period,
        state=UpdateState.SUBMITTED,
        status=at_risk,
        progress=Decimal(10),
        narrative_en="SECRET DRAFT NARRATIVE",
    )
    goal = plan.items.get(code="1.1")
    indicator = f.make_indicator(
        plan, items=[goal], is_published=True, key="PAVE", name_en="Streets repaved", name_es="Calles"
    )
    f.make_target(indicator, 2025, 80)
    f.make_measurement(indicator, dt.date(2025, 10, 1), 72)
    f.make_measurement(indicator, dt.date(2025, 11, 1), 85)
    f.make_indicator(plan, items=[goal], is_published=False, key="DRAFTIND", name_en="Draft indicator")
    Milestone.objects.create(
        action=actions[0],
        title_en="Design done",
        title_es="Diseño",
        due_on=dt.date(2025, 9, 30),
        done_on=dt.date(2025, 9, 20),
    )
    from civicplan.budget.models import Allocation

    line_one = f.make_budget_line(plan.organization, department_a, 2025, adopted_amount=Decimal("300000.00"))
    line_two = f.make_budget_line(plan.organization, department_a, 2025, adopted_amount=Decimal("100000.00"))
    Allocation.objects.create(line=line_one, item=plan.items.get(code="1"), share_percent=Decimal("100"))
    Allocation.objects.create(line=line_two, item=plan.items.get(code="2.1"), share_percent=Decimal("50"))
    draft_action = f.make_item(plan, plan.items.get(code="1.1.1"), title_en="DRAFT ACTION", status=completed)
    return {"plan": plan, "actions": actions, "period": period, "draft": draft_action}


# --- Periods ------------------------------------------------------------------------------------------------------


def test_it_reads_quarter_and_year_keys_as_budget_books_write_them():
    quarter = parse_report_period("quarterly", "FY2026-Q2")
    assert (quarter.start, quarter.end, quarter.fiscal_year) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
        2025,
    )
    assert quarter.key == "FY2026-Q2"
    year = parse_report_period("annual", "FY2026")
    assert (year.start, year.end, year.key) == (dt.date(2025, 7, 1), dt.date(2026, 6, 30), "FY2026")
    assert parse_report_period("annual", "FY 2025-26").key == "FY2026"


def test_it_refuses_a_year_for_a_quarterly_report_and_an_unknown_kind():
    with pytest.raises(ReportError):
        parse_report_period("quarterly", "FY2026")
    with pytest.raises(ReportError):
        parse_report_period("weekly", "FY2026")


# --- Figures --------------------------------------------------------------------------------------------------------


def test_annual_report_counts_actions_by_status_per_priority_and_goal(report_world):
    report = build_report("annual", "FY2026", "en", today=TODAY)
    names = [column.key for column in report.statuses]
    rows = {row.code: row for row in report.status_rows}
    assert [row.code for row in report.status_rows] == ["1", "1.1", "1.2", "2", "2.1", "2.2"]

    def count(code, key):
        return rows[code].counts[names.index(key)]

    assert rows["1.1"].total == 2  # the draft action added after adoption is not counted
    assert (count("1.1", "completed"), count("1.1", "at-risk"), count("1.1", "on-track")) == (1, 1, 0)
    assert (count("1", "completed"), count("1", "at-risk"), count("1", "on-track")) == (1, 1, 2)
    assert rows["1"].shares[names.index("completed")] == Decimal("25.0")
    assert (count("2.1", "completed"), count("2.1", "on-track")) == (1, 1)
    assert report.status_total.total == 8 and report.status_total.complete == 2
    assert report.status_total.counts[names.index("on-track")] == 5


def test_annual_report_shows_indicators_against_targets_and_only_published_ones(report_world):
    report = build_report("annual", "FY2026", "en", today=TODAY)
    assert [line.key for line in report.indicators] == ["PAVE"]
    line = report.indicators[0]
    assert line.value == Decimal("85") and line.target == Decimal("80")
    assert line.items == "1.1"
    from civicplan.performance import selectors

    expected = {row.indicator.key: str(row.status) for row in selectors.public_indicators(today=TODAY)}
    assert line.status == expected["PAVE"]


def test_budget_summary_rolls_adopted_money_up_the_adopted_priorities(report_world):
    report = build_report("annual", "FY2026", "en", today=TODAY)
    rows = {row.code: row for row in report.budget.rows}
    assert rows["1"].amount == Decimal("300000.00")
    assert rows["2"].amount == Decimal("50000.00") and rows["2.1"].amount == Decimal("50000.00")
    assert report.budget.total == Decimal("400000.00")
    assert report.budget.unlinked == Decimal("50000.00")


def test_budget_section_is_left_out_when_the_year_has_no_budget(report_world):
    report = build_report("annual", "FY2027", "en", today=TODAY)
    assert report.budget is None and "budget" not in report.sections


def test_quarterly_report_has_only_published_narratives_of_the_quarter(report_world):
    report = build_report("quarterly", "FY2026-Q2", "en", today=TODAY)
    assert [h.code for h in report.highlights] == ["1.1.1.1"]
    assert report.highlights[0].narrative == "Crews repaved Main Street."
    spanish = build_report("quarterly", "FY2026-Q2", "es", today=TODAY)
    assert spanish.highlights[0].narrative.startswith("Las cuadrillas")
    assert not build_report("quarterly", "FY2026-Q3", "en", today=TODAY).highlights


def test_accomplishments_lists_completed_actions_and_milestones_of_the_year(report_world):
    report = build_report("accomplishments", "FY2026", "en", today=TODAY)
    # 1.1.1.1 was completed in FY2026 (its published update); 2.1.1.1 changed last today, outside FY2026.
    assert [a.code for a in report.completed] == ["1.1.1.1"]
    assert [(m.code, m.title, m.done_on) for m in report.milestones] == [
        ("1.1.1.1", "Design done", dt.date(2025, 9, 20))
    ]
    assert report.sections == ["completed", "milestones"]


def test_drafts_never_reach_any_report(report_world):
    for kind, period in (("annual", "FY2026"), ("quarterly", "FY2026-Q2"), ("accomplishments", "FY2026")):
        report = build_report(kind, period, "en", today=TODAY)
        html = exporters.render_print_html(report)
        assert "DRAFT ACTION" not in html and "SECRET DRAFT" not in html and "Draft indicator" not in html


# --- HTML -------------------------------------------------------------------------------------------------------------


def test_the_staff_report_page_renders_in_the_chosen_language_with_chart_and_table(
    client, report_world, viewer
):
    client.force_login(viewer)
    url = reverse("reports:report")
    page = client.get(url, {"kind": "annual", "period": "FY2026", "lang": "es"})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="es">' in html
    assert "<svg" in html and 'role="img"' in html and "<table" in html
    # The city's Spanish formats keep US numbers ($1,234.50, 12.5%) and write dates the Spanish way.
    assert "$300,000" in html and "25%" in html and "1 de julio de 2025" in html
    english = client.get(url, {"kind": "annual", "period": "FY2026", "lang": "en"}).content.decode()
    assert '<html lang="en">' in english and "25%" in english and "July 1, 2025" in english


def test_a_bad_period_is_a_clear_400_not_a_crash(client, report_world, viewer):
    client.force_login(viewer)
    response = client.get(reverse("reports:report"), {"kind": "quarterly", "period": "nonsense"})
    assert response.status_code == 400


def test_the_public_report_card_shows_the_adopted_plan(client, report_world):
    response = client.get(reverse("reporting:report-card"), {"year": "FY2026"})
    assert response.status_code == 200
    assert b"DRAFT ACTION" not in response.content and b"<svg" in response.content


# --- XLSX -------------------------------------------------------------------------------------------------------------


def _workbook(data):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_round_trip_gives_the_same_figures(report_world):
    report = build_report("annual", "FY2026", "en", today=TODAY)
    book = _workbook(exporters.write_xlsx(report))
    assert book.sheetnames == ["Report", "Actions by status", "Indicators", "Highlights", "Budget"]
    status = book["Actions by status"]
    assert status.freeze_panes == "A2" and status.auto_filter.ref
    header = [cell.value for cell in status[1]]
    rows = {row[1]: row for row in status.iter_rows(min_row=2, values_only=True)}
    completed = header.index(report.statuses[[c.key for c in report.statuses].index("completed")].name)
    assert rows["1"][3] == 4 and rows["1"][completed] == 1 and rows["1"][completed + 1] == 25.0
    budget = {row[1]: row for row in book["Budget"].iter_rows(min_row=2, values_only=True)}
    assert budget["1"][3] == 300000 and isinstance(budget["1"][3], (int, float))
    indicators = list(book["Indicators"].iter_rows(min_row=2, values_only=True))
    assert indicators[0][0] == "PAVE" and indicators[0][4] == 85 and indicators[0][6] == 80


def test_xlsx_stores_a_formula_looking_title_as_text(report_world, coordinator):
    plan = report_world["plan"]
    plan.items.filter(code="1.1").update(title_en='=HYPERLINK("http://evil.example","x")')
    f.adopt(plan, coordinator, reason="retitle")
    report = build_report("annual", "FY2026", "en", today=TODAY)
    book = _workbook(exporters.write_xlsx(report))
    titles = [row[2] for row in book["Actions by status"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example","x")' in titles
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_the_staff_xlsx_download_is_immediate(client, report_world, viewer):
    client.force_login(viewer)
    response = client.get(reverse("reports:report"), {"kind": "annual", "period": "FY2026", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == exporters.CONTENT_TYPES["xlsx"]
    assert "annual-FY2026-en.xlsx" in response["Content-Disposition"]


# --- PDF --------------------------------------------------------------------------------------------------------------


def _pdf(data):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_pdf_is_tagged_has_its_language_and_extractable_figures(report_world, language):
    report = build_report("annual", "FY2026", language, today=TODAY)
    data, pages = exporters.write_pdf(report)
    reader = _pdf(data)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and "/MarkInfo" in root
    assert str(root["/Lang"]).startswith(language)
    assert pages == len(reader.pages) >= 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "PAVE" in text and ("Streets repaved" if language == "en" else "Calles") in text
    assert "$300,000" in text  # the budget figure (the city's Spanish formats keep US numbers)
    assert ("July 1, 2025" if language == "en" else "1 de julio de 2025") in text
    assert "u002D" not in text and (
        "FY 2025-26" in text or "AF 2025-26" in text
    )  # margin boxes escaped right
    assert "DRAFT ACTION" not in text
    assert reader.metadata.title == f"{report.title} · {report.organization}"


def test_the_pdf_never_fetches_from_the_network(report_world, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "create_connection", no_network)
    report = build_report("quarterly", "FY2026-Q2", "en", today=TODAY)
    data, _pages = exporters.write_pdf(report)
    assert data.startswith(b"%PDF")


# --- The command ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "xlsx", "pdf"])
def test_build_report_command_writes_the_file(report_world, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    call_command(
        "build_report",
        kind="annual",
        period="FY2026",
        lang="es",
        format=fmt,
        out=str(out),
        stdout=io.StringIO(),
    )
    data = out.read_bytes()
    if fmt == "pdf":
        assert data.startswith(b"%PDF") and str(_pdf(data).trailer["/Root"]["/Lang"]).startswith("es")
    elif fmt == "xlsx":
        assert "Actions by status" not in _workbook(data).sheetnames[0]
    else:
        assert b'<html lang="es">' in data


def test_build_report_command_rejects_a_bad_period(report_world, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("build_report", kind="quarterly", period="FY2026", out=str(tmp_path / "x.pdf"))


# --- Background builds --------------------------------------------------------------------------------------------------


@override_settings(TASKS=IMMEDIATE)
def test_a_pdf_is_built_in_the_background_with_progress_and_a_download(client, report_world, editor_a):
    client.force_login(editor_a)
    response = client.post(
        reverse("reports:build-start"), {"kind": "annual", "period": "FY2026", "lang": "en", "format": "pdf"}
    )
    build = ReportBuild.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:build", args=[build.pk])
    assert build.state == BuildState.DONE and build.progress == 100 and build.pages >= 1
    assert build.requested_by == editor_a
    page = client.get(response["Location"]).content.decode()
    assert reverse("reports:download", args=[build.pk]) in page and 'http-equiv="refresh"' not in page
    download = client.get(reverse("reports:download", args=[build.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_queued_build_page_refreshes_itself_without_javascript(client, report_world, editor_a):
    client.force_login(editor_a)
    build = ReportBuild.objects.create(kind="annual", period="FY2026", language="en", requested_by=editor_a)
    html = client.get(reverse("reports:build", args=[build.pk])).content.decode()
    assert 'http-equiv="refresh"' in html and "hx-get" in html and "Refresh" in html
    assert client.get(reverse("reports:download", args=[build.pk])).status_code == 404
    partial = client.get(reverse("reports:build", args=[build.pk]), headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="build-status"')


def test_a_failed_build_keeps_its_error(report_world, editor_a):
    from civicplan.reports.services import run_build

    build = ReportBuild.objects.create(
        kind="quarterly", period="FY2026", language="en", requested_by=editor_a
    )
    run_build(build.pk)
    build.refresh_from_db()
    assert build.state == BuildState.FAILED and "fiscal quarter" in build.error


@override_settings(TASKS=IMMEDIATE)
def test_html_and_xlsx_from_the_form_go_straight_to_the_report(client, report_world, viewer):
    client.force_login(viewer)
    response = client.post(
        reverse("reports:build-start"),
        {"kind": "quarterly", "period": "FY2026-Q2", "lang": "es", "format": "html"},
    )
    assert (
        response.status_code == 302
        and "format=html" in response["Location"]
        and "lang=es" in response["Location"]
    )
    assert not ReportBuild.objects.exists()


# --- Permissions ------------------------------------------------------------------------------------------------------


def test_anonymous_people_and_residents_cannot_read_staff_reports(client, report_world, resident):
    url = reverse("reports:report")
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(resident)
    assert client.get(url).status_code == 403
    assert client.get(reverse("reports:index")).status_code == 403


def test_it_rejects_another_reader_downloading_someone_elses_build(
    client, report_world, editor_a, viewer, coordinator
):
    build = ReportBuild.objects.create(
        kind="annual", period="FY2026", language="en", requested_by=editor_a, state=BuildState.DONE
    )
    client.force_login(viewer)
    assert client.get(reverse("reports:build", args=[build.pk])).status_code == 403
    assert client.get(reverse("reports:download", args=[build.pk])).status_code == 403
    client.force_login(coordinator)
    assert client.get(reverse("reports:build", args=[build.pk])).status_code == 200


def test_readers_see_the_reports_menu_entry(client, report_world, council_member):
    client.force_login(council_member)
    page = client.get(reverse("reports:index"))
    assert page.status_code == 200 and reverse("reports:index").encode() in page.content


def test_the_public_report_card_speaks_spanish_under_es(client, report_world):
    response = client.get("/es/report-card/", {"year": "FY2026"})
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="es">' in html and html.count("<h1") == 1
    assert "1 de julio de 2025" in html


def test_every_xlsx_sheet_has_a_frozen_bold_header_and_an_autofilter(report_world):
    book = _workbook(exporters.write_xlsx(build_report("quarterly", "FY2026-Q2", "es", today=TODAY)))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref and sheet["A1"].font.bold


def test_the_reports_menu_entry_is_registered_for_readers():
    from civicplan.core.registry import staff_menu

    entry = next(entry for entry in staff_menu() if entry.url_name == "reports:index")
    assert entry.permission == "reports.view_reports"


def test_the_reports_page_offers_the_quarter_that_has_ended(client, adopted_plan, coordinator):
    import datetime as dt

    from django.utils import timezone

    from civicplan.reports import report_data

    today = timezone.localdate()
    month = adopted_plan.organization.fiscal_year_start_month
    running = report_data.default_period(report_data.QUARTERLY_KIND, today, month)
    ended = report_data.default_period(
        report_data.QUARTERLY_KIND, running.start - dt.timedelta(days=1), month
    )
    client.force_login(coordinator)
    page = client.get("/en/staff/reports/").content.decode()
    assert f'<option value="{ended.key}" selected>' in page
