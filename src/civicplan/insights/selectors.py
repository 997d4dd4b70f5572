"""Reads of the evidence base for the staff pages and the public "You said, we did" page. Employee input follows
the confidentiality rules of `engagement.results_view` everywhere: counted only in groups of 5 or more, its text
shown only when the survey has 10 responses or more, never quoted in public, never shown with segments."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language

from civicplan.engagement import selectors as engagement_selectors
from civicplan.engagement.models import AgeBand, Audience, Option, Segment, Survey
from civicplan.engagement.results_view import MIN_COMMENT_GROUP, MIN_SCORE_GROUP
from civicplan.insights.models import (
    Coding,
    CodingState,
    Evidence,
    EvidenceChannel,
    LinkRelation,
    PlanLink,
    Theme,
)
from civicplan.insights.selectors_weighting import latest_weighting, weights_of
from civicplan.insights.weighting import Estimate, proportion
from civicplan.lib.text import normalize
from civicplan.plans.models import Level, Plan, PlanItem

STRONG_THEME = 5  # a theme raised by at least this many pieces of input is strong enough for the gap report
FILTERS = ("channel", "language", "activity", "district", "age_band", "theme", "coded")


def has_codebook(plan: Plan) -> bool:
    return Theme.objects.filter(plan=plan).exists()


def _readable_confidential(plan: Plan) -> set[int]:
    """Employee surveys whose answers may be read: at least 10 counted responses."""
    surveys = Survey.objects.filter(plan=plan, audience=Audience.EMPLOYEE)
    return {s.pk for s in surveys if engagement_selectors.counted_responses(s).count() >= MIN_COMMENT_GROUP}


def readable_evidence(plan: Plan) -> QuerySet[Evidence]:
    """Active input staff may read."""
    return Evidence.objects.filter(plan=plan, archived_at__isnull=True).filter(
        Q(confidential=False) | Q(survey_id__in=_readable_confidential(plan))
    )


def filtered_evidence(plan: Plan, params: Any) -> QuerySet[Evidence]:
    evidence = readable_evidence(plan)
    if params.get("channel") in EvidenceChannel.values:
        evidence = evidence.filter(channel=params["channel"])
    if params.get("language") in ("en", "es", "other"):
        evidence = evidence.filter(language=params["language"])
    for name in ("activity", "theme"):
        value = params.get(name, "")
        if value.isdigit():
            lookup = "activity_id" if name == "activity" else "codings__theme_id"
            evidence = evidence.filter(**{lookup: int(value)})
            if name == "theme":
                evidence = evidence.filter(codings__state=CodingState.CONFIRMED)
    for name in ("district", "age_band"):
        if params.get(name):
            evidence = evidence.filter(**{name: params[name]})
    if params.get("coded") == "no":
        evidence = evidence.exclude(codings__state=CodingState.CONFIRMED)
    elif params.get("coded") == "suggested":
        evidence = evidence.filter(codings__state=CodingState.SUGGESTED).exclude(
            codings__state=CodingState.CONFIRMED
        )
    # Every word of the search, in any order, accents and case aside ("arboles" finds "Más árboles").
    for word in normalize((params.get("q") or "").strip()).split():
        evidence = evidence.filter(search_text__contains=word)
    return evidence.distinct()


def count_text(count: int, confidential: bool) -> str:
    """A count as shown: employee groups under 5 read "fewer than 5"."""
    if confidential and 0 < count < MIN_SCORE_GROUP:
        return "<5"
    return str(count)


def channel_counts(evidence: QuerySet[Evidence]) -> list[tuple[str, str, int]]:
    counts = dict(evidence.order_by().values_list("channel").annotate(n=Count("pk", distinct=True)))
    return [
        (value, str(label), counts.get(value, 0))
        for value, label in EvidenceChannel.choices
        if counts.get(value)
    ]


@dataclass
class ThemeRow:
    theme: Theme
    total: int
    by_channel: dict[str, int]
    suggested: int = 0
    links: list[PlanLink] = field(default_factory=list)

    def shown_channels(self) -> list[tuple[str, str]]:
        labels = dict(EvidenceChannel.choices)
        return [
            (str(labels[c]), count_text(n, c == EvidenceChannel.EMPLOYEE_SURVEY))
            for c, n in sorted(self.by_channel.items(), key=lambda item: -item[1])
        ]


def theme_rows(plan: Plan) -> list[ThemeRow]:
    """The codebook with counts of confirmed input per channel, open suggestions and links."""
    themes = list(Theme.objects.filter(plan=plan, archived_at__isnull=True).select_related("parent"))
    readable = readable_evidence(plan)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    confirmed = Coding.objects.filter(state=CodingState.CONFIRMED, evidence__in=readable)
    for theme_id, channel, n in confirmed.values_list("theme_id", "evidence__channel").annotate(
        n=Count("pk")
    ):
        counts[theme_id][channel] += n
    suggested = dict(
        Coding.objects.filter(state=CodingState.SUGGESTED, evidence__in=readable)
        .values_list("theme_id")
        .annotate(n=Count("pk"))
    )
    links: dict[int, list[PlanLink]] = defaultdict(list)
    for plan_link in PlanLink.objects.filter(
        theme__in=themes, archived_at__isnull=True, item__archived_at__isnull=True
    ).select_related("item"):
        links[plan_link.theme_id].append(plan_link)
    rows = [
        ThemeRow(t, sum(counts[t.pk].values()), dict(counts[t.pk]), suggested.get(t.pk, 0), links[t.pk])
        for t in themes
    ]
    return sorted(rows, key=lambda r: (-r.total, r.theme.name_en))


SEGMENT_FIELDS = ("district", "age_band", "respondent_type", "language")


def segment_values(plan: Plan, name: str) -> list[str]:
    """The values of one segment field the readable input has (for the list's filters)."""
    if name not in SEGMENT_FIELDS:
        return []
    evidence = readable_evidence(plan).filter(confidential=False).exclude(**{name: ""})
    return sorted(set(evidence.values_list(name, flat=True)))


SEGMENT_QUESTIONS = {
    "district": Segment.DISTRICT,
    "age_band": Segment.AGE_BAND,
    "respondent_type": Segment.RELATIONSHIP,
}


def segment_names(plan: Plan, name: str) -> dict[str, str]:
    """A segment's codes in words in the reader's language: the answer options of the plan's survey questions
    that ask it (`18_34` -> "18 to 34"), the engagement record's age bands, and the language names. A code
    nothing names is shown as entered."""
    names: dict[str, str] = {}
    if name == "age_band":
        names.update({value: str(label) for value, label in AgeBand.choices})
    if name == "language":
        from django.utils.translation import gettext

        names.update(
            {"en": gettext("English"), "es": gettext("Spanish"), "other": gettext("Another language")}
        )
    if name in SEGMENT_QUESTIONS:
        options = Option.objects.filter(
            question__survey__plan=plan, question__segment=SEGMENT_QUESTIONS[name], is_row=False
        ).order_by("pk")
        names.update({option.code: option.localized("label") for option in options})
    return names


def theme_segments(theme: Theme) -> list[tuple[str, list[tuple[str, int]]]]:
    """Who raised a theme: its confirmed input counted by each segment known (employee input has none)."""
    evidence = readable_evidence(theme.plan).filter(
        codings__theme=theme, codings__state=CodingState.CONFIRMED, confidential=False
    )
    out = []
    for name in SEGMENT_FIELDS:
        counts = list(
            evidence.exclude(**{name: ""})
            .order_by()
            .values_list(name)
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n", name)
        )
        if counts:
            out.append((name, counts))
    return out


def suggestions_for(evidence: Iterable[Evidence]) -> dict[int, list[Coding]]:
    found: dict[int, list[Coding]] = defaultdict(list)
    for coding in (
        Coding.objects.filter(
            evidence__in=list(evidence), state__in=[CodingState.SUGGESTED, CodingState.CONFIRMED]
        )
        .select_related("theme")
        .order_by("-confidence", "pk")
    ):
        found[coding.evidence_id].append(coding)
    return found


# --- The evidence chain ------------------------------------------------------------------------------------------
def _items(plan: Plan) -> dict[int, PlanItem]:
    return {i.pk: i for i in PlanItem.objects.filter(plan=plan, archived_at__isnull=True).order_by("code")}


def _root_of(item: PlanItem, items: dict[int, PlanItem], level: str) -> PlanItem | None:
    """The ancestor (or the item itself) at `level`."""
    current: PlanItem | None = item
    while current is not None and current.level != level:
        current = items.get(current.parent_id) if current.parent_id else None
    return current


@dataclass
class ItemEvidence:
    """The input behind one plan element: its own links and the links of its sub-elements."""

    item: PlanItem
    themes: list[Theme]
    by_channel: list[tuple[str, str]]
    total: int
    quotes: list[Evidence]
    out_of_scope: list[PlanLink]
    estimates: list[SurveyEstimate] = field(default_factory=list)


@dataclass(frozen=True)
class SurveyEstimate:
    """The share of a survey's respondents whose open answers raised what supports an element."""

    survey: Survey
    estimate: Estimate
    weighted: bool

    @property
    def percent(self) -> str:
        return f"{100 * self.estimate.value:.0f}"

    @property
    def margin(self) -> str:
        return f"{100 * self.estimate.margin_of_error:.0f}"


def survey_estimates(plan: Plan, evidence_ids: set[int]) -> list[SurveyEstimate]:
    """For each resident or council survey with supporting open answers: the share of its counted respondents
    who gave one, weighted when the survey is weighted, with its margin of error."""
    raised: dict[int, set[int]] = defaultdict(set)
    for survey_id, response_id in Evidence.objects.filter(
        pk__in=evidence_ids, response__isnull=False, confidential=False
    ).values_list("survey_id", "response_id"):
        raised[survey_id].add(response_id)
    out = []
    for survey in Survey.objects.filter(pk__in=raised).order_by("pk"):
        ids = np.array(list(engagement_selectors.counted_responses(survey).values_list("pk", flat=True)))
        if not ids.size:
            continue
        weights = weights_of(latest_weighting(survey))
        given = np.array([weights.get(int(pk), 1.0) for pk in ids]) if weights else None
        estimate = proportion(np.isin(ids, list(raised[survey.pk])), given)
        out.append(SurveyEstimate(survey, estimate, bool(weights)))
    return out


def _supporting(plan: Plan, item_ids: set[int]) -> tuple[set[int], list[Theme], list[PlanLink]]:
    links = PlanLink.objects.filter(plan=plan, item_id__in=item_ids, archived_at__isnull=True).select_related(
        "theme"
    )
    evidence_ids: set[int] = set()
    themes: list[Theme] = []
    out: list[PlanLink] = []
    for plan_link in links:
        if plan_link.relation == LinkRelation.OUT_OF_SCOPE:
            out.append(plan_link)
        elif plan_link.evidence_id:
            evidence_ids.add(plan_link.evidence_id)
        elif plan_link.theme is not None and not plan_link.theme.is_archived:
            themes.append(plan_link.theme)
    coded = Coding.objects.filter(theme__in=themes, state=CodingState.CONFIRMED).values_list(
        "evidence_id", flat=True
    )
    return evidence_ids | set(coded), list(dict.fromkeys(themes)), out


def item_evidence(item: PlanItem, *, public: bool = False, language: str | None = None) -> ItemEvidence:
    language = (language or get_language() or "en")[:2]
    items = _items(item.plan)
    ids = {item.pk} | {i.pk for i in items.values() if _root_of(i, items, item.level) == item}
    evidence_ids, themes, out = _supporting(item.plan, ids)
    evidence = readable_evidence(item.plan).filter(pk__in=evidence_ids)
    counts = channel_counts(evidence)
    quotes = evidence.filter(confidential=False)
    if public:
        quotes = quotes.filter(quote_public=True)
    ordered = _distinct_texts(sorted(quotes[:200], key=lambda e: (e.language != language, -e.pk)))[:5]
    return ItemEvidence(
        item,
        themes,
        [(label, count_text(n, value == EvidenceChannel.EMPLOYEE_SURVEY)) for value, label, n in counts],
        sum(n for _v, _l, n in counts),
        ordered,
        out,
        survey_estimates(item.plan, set(evidence.values_list("pk", flat=True))),
    )


@dataclass
class GapReport:
    unanswered_themes: list[ThemeRow]  # strong themes with no link at all
    out_of_scope_themes: list[tuple[ThemeRow, list[PlanLink]]]  # strong themes only marked out of scope
    unsupported_goals: list[PlanItem]


def _addressing(row: ThemeRow) -> list[PlanLink]:
    return [link for link in row.links if link.relation != LinkRelation.OUT_OF_SCOPE]


def _out_of_scope(row: ThemeRow) -> list[PlanLink]:
    return [link for link in row.links if link.relation == LinkRelation.OUT_OF_SCOPE]


def gap_report(plan: Plan) -> GapReport:
    """Strong themes that no plan element addresses (apart from those staff marked out of scope, listed with
    their reasons), and goals that no input supports."""
    strong = [r for r in theme_rows(plan) if r.total >= STRONG_THEME and not _addressing(r)]
    unanswered = [r for r in strong if not _out_of_scope(r)]
    out_of_scope = [(r, _out_of_scope(r)) for r in strong if _out_of_scope(r)]
    items = _items(plan)
    supported: set[int] = set()
    for plan_link in PlanLink.objects.filter(plan=plan, archived_at__isnull=True).exclude(
        relation=LinkRelation.OUT_OF_SCOPE
    ):
        linked = items.get(plan_link.item_id)
        goal = _root_of(linked, items, Level.GOAL) if linked else None
        if goal is not None:
            supported.add(goal.pk)
    goals = [i for i in items.values() if i.level == Level.GOAL and i.pk not in supported]
    return GapReport(unanswered, out_of_scope, goals)


def adopted_item_ids(public_plan: Any) -> set[int]:
    """The plan elements in the adopted version residents see; the rest are the working draft."""
    return set(_public_nodes(public_plan))


@dataclass
class AlignmentMatrix:
    priorities: list[PlanItem]
    rows: list[tuple[Theme, list[int], int]]  # theme, input per priority, total input of the theme
    maximum: int


def alignment_matrix(plan: Plan) -> AlignmentMatrix:
    """Themes x priorities: how much of a theme's input is answered under each priority (through links of the
    theme to the priority or anything under it)."""
    items = _items(plan)
    priorities = [i for i in items.values() if i.level == Level.PRIORITY]
    position = {p.pk: n for n, p in enumerate(priorities)}
    rows = theme_rows(plan)
    matrix = []
    maximum = 0
    for row in rows:
        cells = [0] * len(priorities)
        for plan_link in row.links:
            if plan_link.relation == LinkRelation.OUT_OF_SCOPE:
                continue
            linked = items.get(plan_link.item_id)
            root = _root_of(linked, items, Level.PRIORITY) if linked else None
            if root is not None:
                cells[position[root.pk]] = row.total
        maximum = max([maximum, *cells])
        matrix.append((row.theme, cells, row.total))
    return AlignmentMatrix(priorities, matrix, maximum)


# --- You said, we did --------------------------------------------------------------------------------------------
@dataclass
class PublicTheme:
    name: str
    description: str
    total: int
    by_channel: list[tuple[str, str]]
    nodes: list[Any]  # the adopted plan's elements that address it (plans.selectors.PublicNode)
    quotes: list[Evidence]
    out_of_scope: list[str]  # staff's reasons, when the theme is outside what the plan can do


def you_said_we_did(plan: Plan, public_plan: Any, *, language: str, limit: int = 12) -> list[PublicTheme]:
    """The strongest themes with what the adopted plan does about each. Only elements of the adopted (public)
    plan are shown, never the working draft; quotes only when staff published them, never employee input."""
    by_id = _public_nodes(public_plan)
    out = []
    for row in theme_rows(plan)[: limit * 2]:
        if not row.total:
            continue
        nodes = [by_id[link.item_id] for link in _addressing(row) if link.item_id in by_id]
        reasons = list(
            dict.fromkeys(link.reason.strip() for link in _out_of_scope(row) if link.reason.strip())
        )
        quotes = (
            Evidence.objects.filter(
                codings__theme=row.theme,
                codings__state=CodingState.CONFIRMED,
                quote_public=True,
                confidential=False,
                archived_at__isnull=True,
            )
            .order_by("-pk")
            .distinct()[:20]
        )
        out.append(
            PublicTheme(
                row.theme.localized("name", language),
                row.theme.localized("description", language),
                row.total,
                row.shown_channels(),
                list({id(n): n for n in nodes}.values()),
                _distinct_texts(sorted(quotes, key=lambda e: e.language != language))[:3],
                [] if nodes else reasons,
            )
        )
    return out[:limit]


def _distinct_texts(evidence: list[Evidence]) -> list[Evidence]:
    """The same words from several people are quoted once."""
    seen: set[str] = set()
    out = []
    for item in evidence:
        key = " ".join(item.text.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _public_nodes(public_plan: Any) -> dict[int, Any]:
    return {node.id: node for node in public_plan.by_code.values()} if public_plan else {}
