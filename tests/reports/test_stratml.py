"""StratML: the adopted plan goes out as Part 1 and Part 2 files that follow the schemas' structure, drafts never
leave, the export reads back as the same plan, foreign files (ISO, stratml.net and no namespace) import, and hostile
files are refused without writing anything."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET
from django.core.management import CommandError, call_command

from civicplan.plans import services
from civicplan.plans.importers import PlanFileInvalid, read_plan_file, validate_document
from civicplan.plans.importers.stratml import read_stratml
from civicplan.plans.models import Plan
from civicplan.reports.stratml import PART1_NS, PART2_NS, check_structure, export_stratml, identifier
from tests import factories as f

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
CANARY = "DRAFT-CANARY-7f3a"


@pytest.fixture
def stratml_plan(plan, coordinator, department_a):
    """The small plan with descriptions worth round-tripping, values, and a published indicator with targets and
    values on goal 1.1 (measured through its strategy), then adopted."""
    priority = plan.items.get(code="1")
    priority.description_en = "Streets & parks <for all>.\nSecond line, ñ and ü."
    priority.description_es = "Calles y parques <para todos>."
    priority.save()
    strategy = plan.items.get(code="1.1.1")
    strategy.description_en = "Step one: survey.\n\nStep two: Strategy 9.9: not a line of its own."
    strategy.description_es = "Primero: encuesta."
    strategy.save()
    action = plan.items.get(code="1.1.1.2")
    action.title_en = "Repave Main St.: phase 1"
    action.save()
    services.save_value(
        plan=plan,
        user=coordinator,
        data={
            "name_en": "Integrity",
            "name_es": "Integridad",
            "description_en": "We keep our word.",
            "description_es": "Cumplimos.",
        },
    )
    indicator = f.make_indicator(
        plan,
        items=[strategy],
        key="PS-1",
        name_en="Potholes filled",
        name_es="Baches reparados",
        unit_en="potholes",
        unit_es="baches",
        stage="output",
        is_published=True,
    )
    f.make_target(indicator, 2025, 120)
    f.make_measurement(indicator, dt.date(2025, 7, 1), 9)
    f.make_measurement(indicator, dt.date(2025, 8, 1), "11.5")
    f.adopt(plan, coordinator)
    return plan


def _root(data: bytes) -> Any:
    return SafeET.fromstring(data)


def _find_all(root: Any, name: str) -> list[Any]:
    return [element for element in root.iter() if str(element.tag).rpartition("}")[2] == name]


# --- Export -----------------------------------------------------------------------------------------------------


def test_it_exports_part_1_that_follows_the_schema_structure(stratml_plan):
    data = export_stratml(part=1, lang="en")
    assert check_structure(data) == []
    root = _root(data)
    assert root.tag == f"{{{PART1_NS}}}StrategicPlan"
    goals = _find_all(root, "Goal")
    assert [g.find(f"{{{PART1_NS}}}SequenceIndicator").text for g in goals] == ["1", "2"]
    assert goals[0].find(f"{{{PART1_NS}}}Identifier").text == "p_1"
    assert len(_find_all(root, "Objective")) == 4
    assert not _find_all(root, "PerformanceIndicator") and not _find_all(root, "Role")
    stakeholder = goals[0].find(f"{{{PART1_NS}}}Stakeholder")
    assert stakeholder.find(f"{{{PART1_NS}}}Name").text == "Public Works (PW)"
    admin = root.find(f"{{{PART1_NS}}}AdministrativeInformation")
    assert [child.tag.rpartition("}")[2] for child in admin] == ["StartDate", "EndDate", "PublicationDate"]
    assert admin[0].text == "2025-07-01" and admin[1].text == "2030-06-30" and admin[2].text == "2025-06-24"


def test_it_exports_a_part_2_report_with_indicators_targets_and_values(stratml_plan):
    data = export_stratml(part=2, doc_type="Performance_Report", lang="en")
    assert check_structure(data) == []
    root = _root(data)
    assert root.tag == f"{{{PART2_NS}}}PerformancePlanOrReport" and root.get("Type") == "Performance_Report"
    (indicator,) = _find_all(root, "PerformanceIndicator")
    assert indicator.get("PerformanceIndicatorType") == "Quantitative"
    assert indicator.get("ValueChainStage") == "Output"
    q = f"{{{PART2_NS}}}"
    assert indicator.find(f"{q}MeasurementDimension").text == "Potholes filled"
    assert indicator.find(f"{q}UnitOfMeasurement").text == "potholes"
    assert indicator.find(f"{q}Identifier").text == "i_1_1_PS-1"
    (target,) = _find_all(indicator, "TargetResult")
    assert target.find(f"{q}NumberOfUnits").text == "120"
    assert (target.find(f"{q}StartDate").text, target.find(f"{q}EndDate").text) == (
        "2025-07-01",
        "2026-06-30",
    )
    actuals = _find_all(indicator, "ActualResult")
    assert [a.find(f"{q}NumberOfUnits").text for a in actuals] == ["9", "11.5"]
    assert actuals[0].find(f"{q}EndDate").text == "2025-07-31"
    owner = _find_all(root, "Role")[0]
    assert owner.find(f"{q}RoleType").text == "Performer"
    assert root.find(f"{q}AdministrativeInformation/{q}Identifier").text.startswith("plan_")


def test_a_performance_plan_carries_targets_but_no_actual_values(stratml_plan):
    data = export_stratml(part=2, doc_type="Performance_Plan", lang="en")
    assert check_structure(data) == []
    assert _find_all(_root(data), "TargetResult") and not _find_all(_root(data), "ActualResult")


def test_it_exports_in_spanish_on_request(stratml_plan):
    data = export_stratml(part=2, doc_type="Performance_Report", lang="es")
    assert check_structure(data) == []
    text = data.decode()
    assert "Baches reparados" in text and "Estrategia 1.1.1:" in text and "Plan Estratégico" in text
    assert "Obras Públicas (PW)" in text and "Responsable" in text


def test_drafts_never_leave(stratml_plan, coordinator):
    priority = stratml_plan.items.get(code="1")
    services.create_item(plan=stratml_plan, user=coordinator, parent=priority, data={"title_en": CANARY})
    goal = stratml_plan.items.get(code="1.2")
    f.make_indicator(stratml_plan, items=[goal], name_en=f"{CANARY} indicator", is_published=False)
    for part, doc_type in ((1, "Performance_Plan"), (2, "Performance_Report")):
        for lang in ("en", "es"):
            assert CANARY not in export_stratml(part=part, doc_type=doc_type, lang=lang).decode()


def test_nothing_is_exported_before_a_plan_is_adopted(plan, client):
    from civicplan.reports.stratml import NoAdoptedPlan

    with pytest.raises(NoAdoptedPlan):
        export_stratml(part=1)
    assert client.get("/en/plan.stratml.xml").status_code == 404


def test_identifiers_are_ncnames():
    assert identifier("g", "2.3") == "g_2_3"
    assert identifier("i", "1.1.PS-1") == "i_1_1_PS-1"


# --- The structure check ------------------------------------------------------------------------------------------


def test_the_structure_check_catches_order_namespace_and_identifier_problems(stratml_plan):
    good = export_stratml(part=1).decode()
    swapped = good.replace("<Name>Strategic Plan</Name>", "", 1).replace(
        "</StrategicPlanCore>", "</StrategicPlanCore>\n  <Name>Strategic Plan</Name>", 1
    )
    assert any("out of the schema's order" in p for p in check_structure(swapped.encode()))
    assert any("namespace" in p for p in check_structure(good.replace(PART1_NS, "urn:other").encode()))
    assert any("NCName" in p for p in check_structure(good.replace(">p_1<", ">1 p<").encode()))
    assert any(
        "is missing" in p for p in check_structure(good.replace("<Name>Strategic Plan</Name>", "").encode())
    )
    assert any(
        "attribute" in p for p in check_structure(good.replace("<Goal>", '<Goal xml:lang="en">').encode())
    )
    assert check_structure(b"<StrategicPlan") and check_structure(b"<Other/>")


# --- Round trip ---------------------------------------------------------------------------------------------------


def _essentials(document: dict[str, Any]) -> dict[str, Any]:
    """What StratML carries of a plan document: the texts in English, codes, structure and item owners."""

    def en(pair: Any) -> str:
        return (pair or {}).get("en") or ""

    def node(item: dict[str, Any], level: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": item["code"],
            "title": en(item["title"]),
            "description": en(item["description"]),
        }
        if level < 2:  # priorities and goals keep their owner; strategies and actions are outline lines
            out["department"] = item.get("department") or ""
        children = item.get(("goals", "strategies", "actions")[level]) if level < 3 else None
        if children:
            out["children"] = [node(child, level + 1) for child in children]
        return out

    plan = document["plan"]
    return {
        "title": en(plan["title"]),
        "start_fiscal_year": plan["start_fiscal_year"],
        "years": plan["years"],
        "mission": en(plan["mission"]),
        "vision": en(plan["vision"]),
        "values": [(en(v["name"]), en(v["description"])) for v in plan["values"]],
        "priorities": [node(p, 0) for p in plan["priorities"]],
    }


@pytest.mark.parametrize(("part", "doc_type"), [(1, "Performance_Plan"), (2, "Performance_Report")])
def test_the_export_reads_back_as_the_same_plan(stratml_plan, organization, part, doc_type):
    data = export_stratml(part=part, doc_type=doc_type, lang="en")
    imported = validate_document(read_plan_file("plan.xml", data), known_departments=set())
    adopted = stratml_plan.versions.get().snapshot
    assert _essentials(imported) == _essentials(validate_document(adopted_without_ids(adopted)))
    assert {d["code"] for d in imported["departments"]} == {"PW"}
    parsed = read_stratml(data)
    assert parsed.part == part
    if part == 2:
        (indicator,) = parsed.indicators
        assert (indicator["goal"], indicator["key"], indicator["unit"]) == ("1.1", "PS-1", "potholes")
        assert [a["value"] for a in indicator["actuals"]] == ["9", "11.5"]


def adopted_without_ids(document: dict[str, Any]) -> dict[str, Any]:
    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "id"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(document)


# --- Foreign files ------------------------------------------------------------------------------------------------


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_it_imports_a_part_1_file_in_the_iso_namespace():
    document = validate_document(read_plan_file("riverton.xml", _fixture("part1_iso.xml")))
    plan = document["plan"]
    assert plan["title"]["en"] == "Riverton Strategic Plan 2024-2028" and plan["title"]["es"] == ""
    assert (plan["start_fiscal_year"], plan["years"]) == (2024, 5)
    assert plan["vision"]["en"] == "A river city for everyone."
    assert [v["name"]["en"] for v in plan["values"]] == ["Openness", "Care"]
    assert plan["values"][1]["description"]["en"] == ""
    first, second = plan["priorities"]
    assert (first["code"], first["department"]) == ("1", "PARKS")  # the Generic_Group stakeholder is no owner
    assert [g["code"] for g in first["goals"]] == ["1.1", "1.2"]
    assert first["goals"][0]["description"]["en"] == "Along streets & in parks."
    assert first["goals"][1]["strategies"] == []  # free text in OtherInformation is no outline
    assert (second["code"], second["department"], second["goals"][0]["code"]) == ("2", "", "2.1")
    assert document["departments"] == [{"code": "PARKS", "name": {"en": "Parks and Recreation", "es": ""}}]
    assert all(not item.get("lead") and not item.get("status") for item in first["goals"])


def test_it_imports_a_part_1_file_in_the_stratml_net_namespace():
    document = validate_document(read_plan_file("lakeside.xml", _fixture("part1_stratml_net.xml")))
    plan = document["plan"]
    assert plan["title"]["en"] == "Lakeside Strategic Plan"
    assert (plan["start_fiscal_year"], plan["years"]) == (2023, 4)
    assert plan["mission"] == {"en": "", "es": ""} and plan["values"] == []
    assert [p["code"] for p in plan["priorities"]] == ["A", "2"]
    assert plan["priorities"][0]["goals"][0]["code"] == "A.1"
    assert plan["priorities"][1]["goals"][0]["code"] == "2.1"  # "(i)" cannot be a code: its position is
    assert document["departments"] == []


def test_it_imports_a_part_2_performance_report_without_namespace():
    parsed = read_stratml(_fixture("part2_report.xml"))
    assert (parsed.part, parsed.doc_type) == (2, "Performance_Report")
    document = validate_document(parsed.document)
    (priority,) = document["plan"]["priorities"]
    assert priority["department"] == "HCTA"  # the performer, not the beneficiary
    assert [d["code"] for d in document["departments"]] == ["HCTA"]
    (indicator,) = parsed.indicators
    assert indicator["key"] == "BUS-1" and indicator["goal"] == "1.1" and indicator["stage"] == "Outcome"
    assert indicator["targets"][0]["value"] == "12" and indicator["actuals"][0]["value"] == "9"


def test_a_file_without_dates_is_refused_rather_than_given_a_made_up_year():
    data = _fixture("part1_iso.xml").replace(b"<StartDate>2024-07-01</StartDate>", b"")
    with pytest.raises(PlanFileInvalid) as error:
        validate_document(read_plan_file("plan.xml", data))
    assert any("first fiscal year" in str(p) for p in error.value.problems)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<StrategicPlan><Name>x</Name>", "malformed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b"<StrategicPlan><Name>&lol2;</Name></StrategicPlan>",
            "unsafe",
        ),
        (b'<!DOCTYPE x SYSTEM "http://evil.example/x.dtd"><StrategicPlan/>', "unsafe"),
        (b"<Budget><Name>x</Name></Budget>", "not StratML"),
        (b'<StrategicPlan xmlns="urn:other"><Name>x</Name></StrategicPlan>', "namespace"),
        (b'<PerformancePlanOrReport Type="Wish_List"><Name>x</Name></PerformancePlanOrReport>', "Type"),
        (b"<StrategicPlan><Name>x</Name></StrategicPlan>", "StrategicPlanCore"),
    ],
)
def test_it_refuses_bad_and_hostile_files_with_a_clear_message(data, message):
    with pytest.raises(PlanFileInvalid) as error:
        read_plan_file("plan.xml", data)
    assert message in str(error.value)


# --- Commands and the download ------------------------------------------------------------------------------------


def test_the_commands_export_and_import_a_plan(stratml_plan, tmp_path):
    out = tmp_path / "plan.xml"
    call_command(
        "export_stratml",
        "--part",
        "2",
        "--type",
        "Performance_Report",
        "--out",
        str(out),
        stderr=io.StringIO(),
    )
    assert check_structure(out.read_bytes()) == []
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_plan", str(out), stdout=stdout, stderr=stderr)
    assert "Imported" in stdout.getvalue()
    assert "1 indicator(s), 1 target(s), 2 value(s)" in stdout.getvalue()
    assert "unpublished drafts" in stdout.getvalue() and stderr.getvalue() == ""
    imported = Plan.objects.exclude(pk=stratml_plan.pk).get()
    assert imported.state == "draft"
    assert set(imported.items.values_list("code", flat=True)) == set(
        stratml_plan.items.values_list("code", flat=True)
    )
    assert imported.items.get(code="1.1.1.2").title_en == "Repave Main St.: phase 1"


def test_the_export_command_writes_to_standard_output_and_refuses_before_adoption(plan):
    with pytest.raises(CommandError, match="No plan has been adopted"):
        call_command("export_stratml", stdout=io.StringIO())


def test_the_export_command_writes_to_standard_output(stratml_plan):
    stdout = io.StringIO()
    call_command("export_stratml", "--lang", "es", stdout=stdout)
    assert check_structure(stdout.getvalue().encode()) == []


def test_a_refused_file_imports_nothing(organization, tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><StrategicPlan>&a;</StrategicPlan>')
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_plan", str(bomb), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Plan.objects.exists()


def test_the_public_download_serves_xml_in_the_page_language(stratml_plan, client):
    response = client.get("/en/plan.stratml.xml?part=2&type=Performance_Report")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert check_structure(response.content) == []
    spanish = client.get("/es/plan.stratml.xml")
    assert "Estrategia 1.1.1:" in spanish.content.decode() and check_structure(spanish.content) == []
    assert client.get("/en/plan.stratml.xml?part=3").status_code == 400
    assert client.get("/en/plan.stratml.xml?lang=fr").status_code == 400
    assert client.post("/en/plan.stratml.xml").status_code == 405


def test_the_staff_import_page_previews_a_stratml_upload_without_writing(client, coordinator, organization):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civicplan.plans.models import PendingImport, PlanItem

    client.force_login(coordinator)
    response = client.post(
        "/en/staff/import/", {"file": SimpleUploadedFile("riverton.xml", _fixture("part1_iso.xml"))}
    )
    assert response.status_code == 302
    assert PendingImport.objects.count() == 1 and not PlanItem.objects.exists()
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and "Riverton Strategic Plan 2024-2028" in preview.content.decode()


def test_the_public_download_follows_a_new_adoption_and_never_shows_drafts(stratml_plan, client, coordinator):
    priority = stratml_plan.items.get(code="2")
    services.create_item(
        plan=stratml_plan, user=coordinator, parent=priority, data={"title_en": CANARY, "title_es": CANARY}
    )
    assert CANARY not in client.get("/en/plan.stratml.xml").content.decode()
    f.adopt(stratml_plan, coordinator, reason="Amended")
    assert CANARY in client.get("/en/plan.stratml.xml").content.decode()


# --- Part 2 indicators come in with the plan ---------------------------------------------------------------------


def _indicators_of(plan: Plan) -> dict[str, dict[str, Any]]:
    """Each indicator of `plan` as what StratML carries of it: definition, goals, targets and values."""
    from civicplan.performance.models import Indicator

    found = {}
    for indicator in Indicator.objects.filter(plan=plan).prefetch_related("items", "targets", "measurements"):
        found[indicator.key] = {
            "name": indicator.name_en,
            "unit": indicator.unit_en,
            "description": indicator.description_en,
            "stage": indicator.stage,
            "frequency": indicator.frequency,
            "published": indicator.is_published,
            "goals": sorted(item.code for item in indicator.items.all()),
            "targets": {t.fiscal_year: t.value for t in indicator.targets.all()},
            "values": {m.period_start: m.value for m in indicator.measurements.all()},
        }
    return found


def test_a_part_2_import_creates_the_indicators_with_targets_and_values_on_their_goals(
    organization, tmp_path
):
    path = tmp_path / "harbor.xml"
    path.write_bytes(_fixture("part2_indicators.xml"))
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_plan", str(path), stdout=stdout, stderr=stderr)
    assert "3 indicator(s), 2 target(s), 3 value(s)" in stdout.getvalue()
    assert "2 StratML target or actual result(s) without NumberOfUnits were left out" in stderr.getvalue()
    plan = Plan.objects.get()
    indicators = _indicators_of(plan)
    assert indicators["BUS-1"] == {
        "name": "Routes running every 10 minutes",
        "unit": "routes",
        "description": "Counted in October.",
        "stage": "outcome",
        "frequency": "yearly",  # its values cover a fiscal year
        "published": False,
        "goals": ["1.1", "1.2"],  # written under both objectives: one indicator measuring both goals
        "targets": {2024: Decimal(12), 2025: Decimal(14)},
        "values": {dt.date(2024, 7, 1): Decimal(9)},
    }
    qualitative = indicators["1.2-2"]  # no SequenceIndicator: the key is its place under goal 1.2
    assert (qualitative["name"], qualitative["goals"], qualitative["values"]) == (
        "Rider satisfaction",
        ["1.2"],
        {},
    )
    assert qualitative["stage"] == "outcome"  # Input_Processing has no place: the model's default stays
    parks = indicators["PK-7"]
    assert (parks["stage"], parks["frequency"], parks["goals"], parks["targets"]) == (
        "output",
        "monthly",
        ["2.1"],
        {},
    )
    assert parks["values"] == {dt.date(2024, 7, 1): Decimal(41), dt.date(2024, 8, 1): Decimal("1250.5")}
    from civicplan.performance.models import Indicator

    assert all(i.name_es == "" and i.unit_es == "" for i in Indicator.objects.all())  # never invented


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            b"<NumberOfUnits>9</NumberOfUnits>",
            b"<NumberOfUnits>nine</NumberOfUnits>",
            "Goal[1]/Objective[1]/PerformanceIndicator[1]/MeasurementInstance[1]/ActualResult[1]",
            "not a number",
        ),
        (
            b"<StartDate>2025-07-01</StartDate>\n              <EndDate>2026-06-30</EndDate>",
            b"<StartDate>2031-07-01</StartDate>\n              <EndDate>2032-06-30</EndDate>",
            "Goal[1]/Objective[1]/PerformanceIndicator[1]/MeasurementInstance[2]/TargetResult[1]",
            "outside the plan",
        ),
        (
            b"<MeasurementDimension>Litter pickups</MeasurementDimension>",
            b"<MeasurementDimension></MeasurementDimension>",
            "Goal[2]/Objective[1]/PerformanceIndicator[1]",
            "MeasurementDimension",
        ),
    ],
)
def test_a_bad_indicator_refuses_the_whole_import(organization, tmp_path, old, new, where, message):
    data = _fixture("part2_indicators.xml")
    assert old in data
    path = tmp_path / "bad.xml"
    path.write_bytes(data.replace(old, new, 1))
    with pytest.raises(CommandError, match="nothing was written") as error:
        call_command("import_plan", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert f"{where}: " in str(error.value) and message in str(error.value)
    assert not Plan.objects.exists()


def test_an_indicator_the_services_refuse_rolls_the_plan_back(organization, coordinator):
    """The check before writing and the services agree; should they not, nothing stays either."""
    from civicplan.plans.importers.stratml import read_stratml

    parsed = read_stratml(_fixture("part2_indicators.xml"))
    document = validate_document(parsed.document)
    extras = parsed.extras()
    extras["stratml_indicators"]["indicators"][0]["unit"] = "u" * 41
    with pytest.raises(PlanFileInvalid) as error:
        services.import_plan_document(
            document=document, user=coordinator, organization=organization, extras=extras
        )
    assert "Goal[1]/Objective[1]/PerformanceIndicator[1]" in str(error.value)
    assert not Plan.objects.exists()


def test_a_part_2_report_round_trips_its_indicators_targets_and_values(stratml_plan, client, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = export_stratml(part=2, doc_type="Performance_Report", lang="en")
    client.force_login(coordinator)
    response = client.post("/en/staff/import/", {"file": SimpleUploadedFile("plan.xml", data)})
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "1 performance indicator, as an unpublished draft" in preview and "1 target" in preview
    assert "2 values" in preview
    assert client.post(response["Location"]).status_code == 302
    imported = Plan.objects.exclude(pk=stratml_plan.pk).get()
    assert imported.state == "draft"
    (original,) = _indicators_of(stratml_plan).values()
    (copy,) = _indicators_of(imported).values()
    assert copy["goals"] == ["1.1"]  # the original measures strategy 1.1.1; StratML carries its goal
    assert {**copy, "goals": None, "published": None} == {**original, "goals": None, "published": None}
    assert copy["published"] is False and copy["targets"] == {2025: Decimal(120)}
    assert copy["values"] == {dt.date(2025, 7, 1): Decimal(9), dt.date(2025, 8, 1): Decimal("11.5")}


def test_a_dry_run_says_what_the_indicators_would_be_and_writes_nothing(organization, tmp_path):
    path = tmp_path / "harbor.xml"
    path.write_bytes(_fixture("part2_indicators.xml"))
    stdout = io.StringIO()
    call_command("import_plan", str(path), "--dry-run", stdout=stdout, stderr=io.StringIO())
    assert "3 indicator(s), 2 target(s), 3 value(s)" in stdout.getvalue() and "--dry-run" in stdout.getvalue()
    assert not Plan.objects.exists()


def test_lang_es_reads_a_spanish_export_into_the_spanish_fields(stratml_plan):
    spanish = export_stratml(part=1, lang="es")
    document = read_stratml(spanish, "es").document
    assert document["plan"]["title"] == {"es": "Plan Estratégico"}
    assert "en" not in document["plan"]["priorities"][0]["title"]
    # A plan needs English titles, so a Spanish file alone is refused rather than imported as English.
    with pytest.raises(CommandError, match="A plan needs English titles"):
        from tempfile import NamedTemporaryFile

        with NamedTemporaryFile(suffix=".xml") as file:
            file.write(spanish)
            file.flush()
            call_command("import_plan", file.name, "--lang", "es", stdout=io.StringIO(), stderr=io.StringIO())
    assert Plan.objects.count() == 1


def test_the_staff_import_page_refuses_a_bad_indicator_at_upload(client, coordinator, organization):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civicplan.plans.models import PendingImport

    bad = _fixture("part2_indicators.xml").replace(b"<NumberOfUnits>41<", b"<NumberOfUnits>4 1 x<", 1)
    client.force_login(coordinator)
    response = client.post("/en/staff/import/", {"file": SimpleUploadedFile("harbor.xml", bad)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Goal[2]/Objective[1]/PerformanceIndicator[1]/MeasurementInstance[1]/ActualResult[1]" in page
    assert not PendingImport.objects.exists() and not Plan.objects.exists()
