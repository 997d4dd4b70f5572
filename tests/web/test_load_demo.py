"""`manage.py load_demo` (what `make demo` serves): the demo city with its plan, reporting periods, update history
and indicators, loaded once; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from civicplan.performance.models import Indicator, Measurement
from civicplan.plans.models import Milestone, PlanVersion, ProgressUpdate, ReportingPeriod, UpdateState


def test_the_demo_city_is_ready_to_show_the_whole_update_loop(db, client):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert PlanVersion.objects.count() == 2
    assert ReportingPeriod.objects.count() == 20
    assert Milestone.objects.exists()
    assert ProgressUpdate.objects.filter(state=UpdateState.PUBLISHED).exists()
    assert ProgressUpdate.objects.filter(state=UpdateState.SUBMITTED).exists()  # waiting for the coordinator
    assert Indicator.objects.filter(is_published=True).count() == Indicator.objects.count() > 20
    assert Measurement.objects.count() > 100
    assert "editor-pw" in out.getvalue()

    counts = (ProgressUpdate.objects.count(), Measurement.objects.count())
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "nothing changed" in again.getvalue()
    assert (ProgressUpdate.objects.count(), Measurement.objects.count()) == counts

    from civicplan.accounts.models import User

    client.force_login(User.objects.get(username="editor-pw"))
    assert client.get(reverse("staff:my-updates")).status_code == 200
    client.force_login(User.objects.get(username="coordinator"))
    assert client.get(reverse("web:dashboard")).status_code == 200
    client.logout()
    goal = client.get("/es/goals/4.1/").content.decode()
    assert "Baches reparados en 2 días hábiles" in goal  # a published indicator on the public goal page


def test_the_demo_city_has_two_fiscal_years_of_budget_linked_to_the_plan(db, client):
    """Finance loaded two fiscal years (the budget book's drifting department names mapped once), departments
    submitted requests tied to goals, the coordinator sees which goals have no money and which money serves none,
    and residents see spending by priority."""
    from civicplan.accounts.models import User
    from civicplan.budget.models import Allocation, BudgetLine, BudgetRequest, NameMapping, RequestState

    call_command("load_demo", stdout=StringIO())
    years = set(BudgetLine.objects.values_list("fiscal_year", flat=True))
    assert years == {2025, 2026}
    assert BudgetLine.objects.filter(fiscal_year=2025, actual_amount__isnull=False).count() > 100
    assert NameMapping.objects.filter(spelling="public works dept.").exists()
    assert BudgetLine.objects.filter(is_transfer=True).count() >= 2
    assert Allocation.objects.count() > 150
    assert BudgetRequest.objects.filter(state=RequestState.SUBMITTED).count() >= 4
    adopted = BudgetRequest.objects.get(state=RequestState.ADOPTED)
    assert adopted.line.adopted_amount == adopted.adopted_amount

    client.force_login(User.objects.get(username="coordinator"))
    gaps = client.get(reverse("budget:gaps") + "?year=2026")
    assert gaps.status_code == 200
    assert "outside the plan" in gaps.content.decode().lower()
    client.force_login(User.objects.get(username="council"))
    assert client.get(reverse("budget:ranking")).status_code == 200
    client.logout()
    page = client.get("/es/budget/?year=2026").content.decode()
    assert "Infraestructura" in page  # priority 4, in Spanish
