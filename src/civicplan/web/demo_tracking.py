"""The demo city carrying its plan out: reporting periods, owners, milestones, a history of published progress
updates (with the latest quarter half reviewed and a few updates late), and performance indicators with targets
and values. Everything goes through the same services staff use, so the demo shows what the product does.
Dates follow the day the demo is loaded: the last quarter that fell due is the one being chased."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from civicplan.lib.periods import next_period, period_end, period_start
from civicplan.performance import services as indicator_services
from civicplan.plans import selectors, services

INDICATORS_FILE = Path(__file__).resolve().parent / "demo" / "indicators.yaml"
PUBLISHED_PERIODS = (
    3  # past-due quarters with a full history of updates (older ones are left out to load fast)
)
LATE_PER_EDITOR = 3  # in the quarter being chased, each demo editor still owes a few


def load_tracking(plan: Any, users: dict[str, Any], today: dt.date) -> str:
    """Add the implementation-tracking part of the demo; returns a one-line summary."""
    coordinator = users["coordinator"]
    plan.refresh_from_db()
    services.set_updates_need_review(
        plan=plan, user=coordinator, need_review=True, expected_version=plan.lock_version
    )
    periods = services.create_default_periods(plan=plan, user=coordinator)
    owners = {"PW": users["editor-pw"], "CDD": users["editor-cdd"]}
    actions = list(
        plan.items.filter(level="action", archived_at__isnull=True).select_related("department", "status")
    )
    for action in actions:
        owner = owners.get(action.department.code if action.department else "")
        if owner is not None:
            services.set_action_people(action=action, user=coordinator, owner=owner, contributors=[])
    milestones = _milestones(actions, owners, coordinator, today)
    updates = _updates(plan, periods, owners, coordinator, today)
    indicators = _indicators(plan, users, today)
    return (
        f"{len(periods)} reporting periods, {milestones} milestones, {updates} progress updates, "
        f"{indicators} indicators."
    )


def _milestones(actions: list[Any], owners: dict[str, Any], coordinator: Any, today: dt.date) -> int:
    """Three milestones for the first open actions of the two demo departments: one done, one overdue, one ahead."""
    count = 0
    for code, editor in owners.items():
        mine = [a for a in actions if a.department and a.department.code == code and a.due_date][:4]
        for index, action in enumerate(mine):
            steps = [
                (
                    "Scope and schedule approved",
                    "Alcance y calendario aprobados",
                    today - dt.timedelta(days=120),
                ),
                ("Contract awarded", "Contrato adjudicado", today - dt.timedelta(days=10 + 5 * index)),
                (
                    "Work complete and reported to council",
                    "Obra terminada e informada al Concejo",
                    max(action.due_date, today + dt.timedelta(days=20)),
                ),
            ]
            for number, (title_en, title_es, due_on) in enumerate(steps):
                milestone = services.add_milestone(
                    action=action,
                    user=editor,
                    data={"title_en": title_en, "title_es": title_es, "due_on": due_on},
                )
                count += 1
                if number == 0 or (number == 1 and index % 2):
                    services.mark_milestone_done(milestone=milestone, user=editor, done_on=min(due_on, today))
            services.add_evidence_link(
                action=action,
                user=editor,
                title="Staff report to City Council",
                url=f"https://aldercreek.example/council/reports/{action.code}",
            )
    return count


def _narratives(action: Any, progress: Decimal, period: Any) -> dict[str, str]:
    return {
        "narrative_en": (
            f"{period.name_en}: work on “{action.title_en[:70]}” continued; it is now {progress:.0f}% complete. "
            "The next steps are on schedule."
        ),
        "narrative_es": (
            f"{period.name_es}: continuó el trabajo en «{(action.title_es or action.title_en)[:70]}»; "
            f"ya está completo en un {progress:.0f}%. Los próximos pasos van según lo previsto."
        ),
    }


def _updates(plan: Any, periods: list[Any], owners: dict[str, Any], coordinator: Any, today: dt.date) -> int:
    """Published updates for the last few quarters that fell due; in the latest one, some wait for review, one
    was sent back, and each demo editor still owes a few (they show as late)."""
    past_due = [p for p in selectors.periods_of(plan) if p.due_on < today][-PUBLISHED_PERIODS:]
    rng = random.Random(20261126)
    on_track = plan.statuses.get(key="on-track")
    count = 0
    for position, period in enumerate(past_due):
        latest = position == len(past_due) - 1
        owed = list(selectors.owed_actions(period).select_related("status", "department", "owner"))
        late_left = {code: LATE_PER_EDITOR for code in owners}
        for action in owed:
            author = action.owner or coordinator
            share = Decimal(position + 1) / Decimal(len(past_due))
            progress = ((action.progress or Decimal(0)) * share).quantize(Decimal("1"))
            data = {
                "status": action.status or on_track,
                "progress": progress,
                **_narratives(action, progress, period),
            }
            department = action.department.code if action.department else ""
            on_time = period.due_on - dt.timedelta(days=3)
            if latest and late_left.get(department, 0) > 0:
                late_left[department] -= 1
                if late_left[department] == 0:  # one of them started a draft
                    services.save_update_draft(
                        action=action,
                        period=period,
                        user=author,
                        data=data,
                        expected_version=None,
                        today=today,
                    )
                    count += 1
                continue
            update = services.submit_update(
                action=action, period=period, user=author, data=data, expected_version=None, today=on_time
            )
            count += 1
            if latest and rng.random() < 0.25:
                continue  # waiting for the coordinator's review
            if latest and department in owners and update.action.owner and rng.random() < 0.3:
                services.send_back_update(
                    update=update,
                    user=coordinator,
                    comment="Please say what is left to do before the due date, and add the council report link.",
                    expected_version=update.lock_version,
                )
                continue
            services.approve_update(
                update=update,
                user=coordinator,
                narrative_es=update.narrative_es,
                expected_version=update.lock_version,
                today=on_time,
            )
    return count


def _indicators(plan: Any, users: dict[str, Any], today: dt.date) -> int:
    specs = yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8"))["indicators"]
    coordinator = users["coordinator"]
    owners = {"PW": users["editor-pw"], "CDD": users["editor-cdd"]}
    departments = {d.code: d for d in plan.organization.departments.all()}
    items = selectors.items_by_code(plan)
    month = plan.organization.fiscal_year_start_month
    first_day, last_day = plan.bounds
    for spec in specs:
        indicator = indicator_services.create_indicator(
            plan=plan,
            user=coordinator,
            data={
                "key": spec["key"],
                "name_en": spec["name"]["en"],
                "name_es": spec["name"]["es"],
                "unit_en": spec["unit"]["en"],
                "unit_es": spec["unit"]["es"],
                "direction": spec["direction"],
                "frequency": spec["frequency"],
                "stage": spec["stage"],
                "source_en": spec["source"]["en"],
                "source_es": spec["source"]["es"],
                "department": departments.get(spec["department"]),
                "owner": owners.get(spec["department"], coordinator),
                "baseline_value": Decimal(str(spec["baseline"]["value"])),
                "baseline_date": spec["baseline"]["date"],
            },
        )
        indicator_services.set_indicator_links(
            indicator=indicator,
            user=coordinator,
            items=[items[code] for code in spec["goals"] if code in items],
        )
        for year, target in spec["targets"].items():
            if isinstance(target, list):
                indicator_services.set_target(
                    indicator=indicator,
                    user=coordinator,
                    fiscal_year=int(year),
                    band_low=Decimal(str(target[0])),
                    band_high=Decimal(str(target[1])),
                )
            else:
                indicator_services.set_target(
                    indicator=indicator, user=coordinator, fiscal_year=int(year), value=Decimal(str(target))
                )
        _values(indicator, spec, coordinator, today, month, first_day, last_day)
        indicator_services.publish_indicator(indicator=indicator, user=coordinator)
    return len(specs)


def _values(
    indicator: Any, spec: dict[str, Any], user: Any, today: dt.date, month: int, first: dt.date, last: dt.date
) -> None:
    """One value per ended period from the plan's start, on a gentle trend with a seeded wobble."""
    frequency, series = spec["frequency"], spec["series"]
    rng = random.Random(spec["key"])
    starts = []
    start = period_start(first, frequency, month)
    while period_end(start, frequency) < min(today, last):
        starts.append(start)
        start = next_period(start, frequency)
    if series.get("missing"):
        starts = starts[: -series["missing"]]
    for index, start in enumerate(starts):
        wave = math.sin(index * 1.3) * 0.5 + (rng.random() - 0.5)
        value = series["start"] + series["step"] * index + series["wobble"] * wave
        indicator_services.record_measurement(
            indicator=indicator, user=user, period=start, value=Decimal(f"{value:.2f}"), today=today
        )
