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
