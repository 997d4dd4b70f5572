"""The demo city's budget (web/demo/budget.yaml and the two files beside it), loaded through the services finance
and departments use: two fiscal years imported (the FY 2026-27 budget book spells three departments its own way and
finance confirms the mapping), lines linked to what they pay for, actions' funding, last cycle's adopted request
and this cycle's requests in an open window. Dates follow the load date, like the tracking demo."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from civicplan.budget import selectors as budget_selectors
from civicplan.budget import services as budget_services
from civicplan.plans import selectors

DEMO_DIR = Path(__file__).resolve().parent / "demo"
FUND_NAMES_ES = {
    "100": "Fondo General",
    "210": "Impuesto a la gasolina",
    "215": "SB 1 (Ley de Reparación y Rendición de Cuentas de Caminos)",
    "230": "Impuesto sobre las ventas Medida K",
    "250": "Subvención en Bloque para el Desarrollo Comunitario (CDBG)",
    "310": "Fondo de Mejoras de Capital",
    "510": "Empresa de Agua",
    "520": "Empresa de Alcantarillado",
    "530": "Empresa de Residuos Sólidos",
    "610": "Fondo de Servicio Interno de Tecnología",
}


def load_budget(plan: Any, users: dict[str, Any], today: dt.date) -> str:
    """Add the budget part of the demo; returns a one-line summary."""
    spec = yaml.safe_load((DEMO_DIR / "budget.yaml").read_text(encoding="utf-8"))
    finance, coordinator = users["finance"], users["coordinator"]
    organization = plan.organization
    lines = _import_files(spec["files"], plan, finance)
    _name_funds_in_spanish(organization, finance)
    items = selectors.items_by_code(plan)
    links = _link_lines(spec["links"], organization, items, finance)
    funded = _fund_linked_actions(organization, items, spec["links"], finance)
    funded += _set_funding(spec["funding"], organization, items, finance)
    requests = _requests(spec, plan, items, users, coordinator, today)
    return (
        f"{lines} budget lines in 2 fiscal years, {links} links to the plan, {funded} action funding rows, "
        f"{requests} budget requests."
    )


def _import_files(files: list[dict[str, Any]], plan: Any, user: Any) -> int:
    organization = plan.organization
    written = 0
    for entry in files:
        path = DEMO_DIR / entry["name"]
        choices = {}
        for spelling, code in (entry.get("departments") or {}).items():
            department = next(d for d in organization.departments.all() if d.code == code)
            choices[budget_services.name_field("department", spelling)] = str(department.pk)
        preview = budget_services.import_budget_file(
            organization=organization,
            plan=plan,
            user=user,
            filename=path.name,
            data=path.read_bytes(),
            choices=choices,
            create_missing=True,  # the first file brings the city's funds
        )
        written += preview.new
    return written


def _name_funds_in_spanish(organization: Any, user: Any) -> None:
    for fund in budget_selectors.funds_of(organization):
        if fund.code in FUND_NAMES_ES and not fund.name_es:
            budget_services.save_fund(
                organization=organization,
                user=user,
                fund=fund,
                data={"code": fund.code, "name_en": fund.name_en, "name_es": FUND_NAMES_ES[fund.code]},
            )


def _link_lines(links: list[dict[str, Any]], organization: Any, items: dict[str, Any], user: Any) -> int:
    by_description = budget_selectors.lines_by_description(organization)
    count = 0
    for link in links:
        item = items[str(link["code"])]
        for line in by_description.get(link["description"], []):
            budget_services.allocate_line(
                line=line, item=item, user=user, share_percent=Decimal(str(link["share"]))
            )
            count += 1
    return count


def _fund_linked_actions(
    organization: Any, items: dict[str, Any], links: list[dict[str, Any]], user: Any
) -> int:
    """An action paid for by a line of its own is funded in that year, its estimate close to the budget (a few
    percent either way, as estimates are)."""
    rng = random.Random("alder-creek-budget")
    by_description = budget_selectors.lines_by_description(organization)
    count = 0
    for link in links:
        item = items[str(link["code"])]
        if item.level != "action":
            continue
        for line in by_description.get(link["description"], []):
            budgeted = line.budgeted or Decimal(0)
            estimate = (budgeted * Decimal(str(round(rng.uniform(0.9, 1.15), 2)))).quantize(Decimal(1000))
            budget_services.set_action_funding(
                action=item,
                fiscal_year=line.fiscal_year,
                user=user,
                status="funded",
                estimated_cost=estimate,
                fund=line.fund,
            )
            count += 1
    return count


def _set_funding(entries: list[dict[str, Any]], organization: Any, items: dict[str, Any], user: Any) -> int:
    funds = {fund.code: fund for fund in budget_selectors.funds_of(organization)}
    for entry in entries:
        budget_services.set_action_funding(
            action=items[str(entry["code"])],
            fiscal_year=int(entry["year"]),
            user=user,
            status=entry["status"],
            estimated_cost=Decimal(entry["estimated"]),
            fund=funds.get(str(entry.get("fund", ""))),
            note=entry.get("note", ""),
        )
    return len(entries)


def _requests(
    spec: dict[str, Any],
    plan: Any,
    items: dict[str, Any],
    users: dict[str, Any],
    coordinator: Any,
    today: dt.date,
) -> int:
    """Last cycle (FY 2026-27) with the chipping program adopted as a funded line; this cycle (FY 2027-28) with its
    request window open and departments' requests submitted, most of them scored."""
    organization = plan.organization
    funds = {fund.code: fund for fund in budget_selectors.funds_of(organization)}
    finance = users["finance"]
    last = budget_services.save_cycle(
        organization=organization,
        user=finance,
        data={"first_fiscal_year": spec["cycle"]["first_fiscal_year"] - 1, "years": 1},
        add_usual_milestones=True,
    )
    chipping = budget_services.save_request(
        user=coordinator,
        cycle=last,
        today=today,
        data={
            "title_en": "Curbside chipping in hillside neighborhoods",
            "title_es": "Trituración de ramas en la acera en los barrios de las colinas",
            "justification_en": "Free chipping days remove the brush residents clear from defensible space.",
            "justification_es": "Los días de trituración gratuitos retiran la maleza que los residentes limpian.",
            "amount": Decimal(85000),
            "fund": funds["100"],
            "fiscal_year": last.first_fiscal_year,
            "items": [items["1.2.1.5"]],
            "department": next(d for d in organization.departments.all() if d.code == "PW"),
        },
    )
    budget_services.submit_request(budget_request=chipping, user=coordinator, today=today)
    chipping.refresh_from_db()
    budget_services.score_request(
        budget_request=chipping,
        user=finance,
        scores={"score_alignment": 3, "score_need": 3, "score_readiness": 3},
    )
    budget_services.decide_request(
        budget_request=chipping,
        user=finance,
        decision="adopt",
        adopted_amount=Decimal(80000),
        note="Adopted with the FY 2026-27 budget, Resolution No. 2026-39.",
    )
    cycle = budget_services.save_cycle(
        organization=organization,
        user=finance,
        data={"first_fiscal_year": spec["cycle"]["first_fiscal_year"], "years": 1},
    )
    for milestone in spec["cycle"]["milestones"]:
        budget_services.save_milestone(
            cycle=cycle,
            user=finance,
            data={"kind": milestone["kind"], "date": today + dt.timedelta(days=milestone["days"])},
        )
    editors = {"PW": users["editor-pw"], "CDD": users["editor-cdd"]}
    count = 1
    for entry in spec["requests"]:
        department = next(d for d in organization.departments.all() if d.code == entry["department"])
        author = editors.get(entry["department"], coordinator)
        request = budget_services.save_request(
            user=author,
            cycle=cycle,
            today=today,
            data={
                "title_en": entry["title"]["en"],
                "title_es": entry["title"]["es"],
                "justification_en": entry["justification"]["en"],
                "justification_es": entry["justification"]["es"],
                "amount": Decimal(entry["amount"]),
                "fund": funds[str(entry["fund"])],
                "fiscal_year": cycle.first_fiscal_year,
                "items": [items[str(code)] for code in entry["items"]],
                "department": department,
            },
        )
        if entry["state"] == "submitted":
            request = budget_services.submit_request(budget_request=request, user=author, today=today)
            if entry.get("scores"):
                alignment, need, readiness = entry["scores"]
                budget_services.score_request(
                    budget_request=request,
                    user=finance,
                    scores={"score_alignment": alignment, "score_need": need, "score_readiness": readiness},
                )
        count += 1
    return count
