"""Staff pages of the evidence base (namespace `insights`, under /staff/insights/): all input in one list with
coding and suggestions, the codebook with discovery and the classifier's quality, a theme's page (edit, merge,
links to the plan, drafting a plan element from it), and the traceability views (gap report, alignment
matrix). Each view checks the permission on the object, then calls a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicplan.core.access import require, signed_in_with
from civicplan.core.forms import add_validation_error
from civicplan.engagement.models import Activity
from civicplan.insights import selectors
from civicplan.insights.forms import (
    CandidateForm,
    CodeForm,
    DraftForm,
    EvidenceLinkForm,
    LinkForm,
    MergeForm,
    ThemeForm,
)
from civicplan.insights.models import Coding, Evidence, EvidenceChannel, PlanLink, Theme
from civicplan.insights.services import coding as coding_services
from civicplan.insights.services import links as link_services
from civicplan.insights.services.evidence import collect_evidence, set_quote_public
from civicplan.plans import selectors as plan_selectors
from civicplan.plans.models import Level, PlanItem
from civicplan.plans.services import EditConflict

reader = signed_in_with("insights.view_insights")
SEGMENT_LABELS = {
    "district": gettext_lazy("ZIP code or district"),
    "age_band": gettext_lazy("Age band"),
    "respondent_type": gettext_lazy("Relationship to the city"),
    "language": gettext_lazy("Language"),
}
PAGE_SIZE = 50


def _plan() -> Any:
    plan = plan_selectors.current_plan()
    if plan is None:
        raise Http404
    return plan


def _language() -> str:
    return (get_language() or "en")[:2]


def _back(request: HttpRequest, default: str) -> str:
    """Where a bulk action returns: the list as it was filtered."""
    query = request.POST.get("return_query", "")
    return f"{reverse(default)}?{query}" if query else reverse(default)


@reader
@require_http_methods(["GET"])
def evidence_list(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    collect_evidence(plan)
    return _render_evidence(request, plan, request.GET)


def _render_evidence(
    request: HttpRequest,
    plan: Any,
    params: QueryDict,
    *,
    ticked: frozenset[int] = frozenset(),
    code_error: str = "",
) -> HttpResponse:
    """The list as `params` filter it; after a failed coding, with the same comments ticked and the error at
    the theme choice."""
    matching = selectors.filtered_evidence(plan, params).select_related("activity", "survey")
    page = Paginator(matching.order_by("-received_on", "-pk"), PAGE_SIZE).get_page(params.get("page"))
    suggestions = selectors.suggestions_for(page.object_list)
    names = {field: selectors.segment_names(plan, field) for field in ("district", "age_band")}
    rows = [
        (
            e,
            suggestions.get(e.pk, []),
            [names[field].get(value, value) for field in names if (value := getattr(e, field))],
        )
        for e in page.object_list
    ]
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "insights/evidence.html",
        {
            "plan": plan,
            "page": page,
            "rows": rows,
            "total": page.paginator.count,
            "channel_counts": selectors.channel_counts(selectors.readable_evidence(plan)),
            "themes": Theme.objects.filter(plan=plan, archived_at__isnull=True),
            "activities": Activity.objects.filter(plan=plan, archived_at__isnull=True),
            "channels": EvidenceChannel.choices,
            "districts": _named_values(plan, "district"),
            "age_bands": _named_values(plan, "age_band"),
            "query": query.urlencode(),
            "params": params,
            "ticked": ticked,
            "code_error": code_error,
            "current": "evidence",
        },
        status=400 if code_error else 200,
    )


def _named_values(plan: Any, field: str) -> list[tuple[str, str]]:
    names = selectors.segment_names(plan, field)
    return [(value, names.get(value, value)) for value in selectors.segment_values(plan, field)]


@reader
@require_POST
def code(request: HttpRequest) -> HttpResponse:
    """Code the ticked input (or everything matching the list's filters) to one theme."""
    plan = _plan()
    require(request, "insights.code_input", plan)
    listed = QueryDict(request.POST.get("return_query", ""))
    if request.POST.get("all_matching") == "1":
        ids = list(selectors.filtered_evidence(plan, listed).values_list("pk", flat=True))
        data = request.POST.copy()
        data.setlist("evidence", [str(pk) for pk in ids])
    else:
        data = request.POST
        ids = [int(v) for v in request.POST.getlist("evidence") if v.isdigit()]
    form = CodeForm(data, plan=plan, evidence_ids=ids)
    if not form.is_valid():
        error = " ".join(" ".join(errors) for errors in form.errors.values())
        ticked = frozenset() if request.POST.get("all_matching") == "1" else frozenset(ids)
        return _render_evidence(request, plan, listed, ticked=ticked, code_error=error)
    chosen = selectors.readable_evidence(plan).filter(pk__in=form.cleaned_data["evidence"])
    theme = form.cleaned_data["theme"]
    changed = coding_services.code_input(evidence=chosen, theme=theme, user=request.user)
    messages.success(
        request,
        _("%(count)s comments coded to “%(theme)s”.") % {"count": changed, "theme": theme.localized("name")},
    )
    return redirect(_back(request, "insights:evidence"))


@reader
@require_POST
def decide_suggestion(request: HttpRequest, decision: str) -> HttpResponse:
    plan = _plan()
    require(request, "insights.code_input", plan)
    coding = get_object_or_404(
        Coding.objects.select_related("theme", "evidence"), pk=request.POST.get("coding", 0), theme__plan=plan
    )
    if decision == "confirm":
        coding_services.code_input(evidence=[coding.evidence], theme=coding.theme, user=request.user)
        messages.success(request, _("Coded to “%(theme)s”.") % {"theme": coding.theme.localized("name")})
    else:
        coding_services.reject_coding(coding=coding, user=request.user)
        messages.success(request, _("Suggestion rejected: it will not be made again."))
    return redirect(_back(request, "insights:evidence"))


@reader
@require_POST
def quote(request: HttpRequest, evidence_id: int) -> HttpResponse:
    plan = _plan()
    evidence = get_object_or_404(Evidence, pk=evidence_id, plan=plan)
    require(request, "insights.manage_insights", plan)
    public = request.POST.get("public") == "1"
    try:
        set_quote_public(evidence=evidence, user=request.user, public=public)
        messages.success(
            request,
            _("The quote is shown on the public site.") if public else _("The quote is no longer shown."),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_back(request, "insights:evidence"))


def _link_from(request: HttpRequest, form: Any, plan: Any, **source: Any) -> None:
    """Link a theme or one piece of input (`source`) to the element a valid link form names, and say so."""
    item = get_object_or_404(PlanItem, pk=form.cleaned_data["item"], plan=plan)
    link_services.link(
        item=item,
        user=request.user,
        relation=form.cleaned_data["relation"],
        reason=form.cleaned_data["reason"],
        **source,
    )
    messages.success(request, _("Linked to %(code)s.") % {"code": item.code})


@reader
@require_http_methods(["GET", "POST"])
def evidence_link(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """Link one piece of input to the plan element it supports (or mark it out of scope, with the reason)."""
    plan = _plan()
    evidence = get_object_or_404(selectors.readable_evidence(plan), pk=evidence_id)
    form = EvidenceLinkForm(request.POST or None, plan=plan)
    if request.method == "POST":
        require(request, "insights.manage_insights", plan)
        if form.is_valid():
            try:
                _link_from(request, form, plan, evidence=evidence)
                return redirect("insights:evidence-link", evidence.pk)
            except ValidationError as error:
                add_validation_error(form, error)
    return render(
        request,
        "insights/evidence_link.html",
        {
            "evidence": evidence,
            "form": form,
            "links": PlanLink.objects.filter(evidence=evidence, archived_at__isnull=True).select_related(
                "item"
            ),
            "current": "evidence",
        },
        status=400 if form.errors else 200,
    )


# --- Codebook ----------------------------------------------------------------------------------------------------
@reader
@require_http_methods(["GET", "POST"])
def codebook(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    collect_evidence(plan)
    form = ThemeForm(request.POST or None, plan=plan)
    if request.method == "POST":
        require(request, "insights.manage_insights", plan)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in ThemeForm.Meta.fields}
            try:
                theme = coding_services.create_theme(plan=plan, user=request.user, data=data)
                messages.success(request, _("Theme added to the codebook."))
                return redirect("insights:theme", theme.pk)
            except ValidationError as error:
                add_validation_error(form, error)
    language = request.GET.get("discover", "")
    candidates = []
    if language in ("en", "es"):
        candidates = [
            (
                candidate,
                CandidateForm(
                    # The top words name the candidate in the language it was found in; the other
                    # language's name is left for staff to write.
                    initial={
                        f"name_{language}": ", ".join(candidate.words[:2]).capitalize(),
                        "words": ", ".join(candidate.words),
                    },
                    prefix=f"c{n}",
                ),
            )
            for n, candidate in enumerate(coding_services.discover_candidates(plan, language))
        ]
    quality, quality_error = None, ""
    if request.GET.get("quality") == "1":
        try:
            quality = coding_services.evaluate_classifier(plan)
        except (ValidationError, ValueError):
            quality_error = _(
                "Too few comments are coded to check the suggestions yet: code at least 10 comments to each of "
                "two themes or more."
            )
    themes = {str(t.pk): t for t in Theme.objects.filter(plan=plan)}
    return render(
        request,
        "insights/codebook.html",
        {
            "plan": plan,
            "rows": selectors.theme_rows(plan),
            "form": form,
            "discover": language,
            "candidates": candidates,
            "quality": quality,
            "quality_rows": [(themes.get(s.code), s) for s in quality.per_theme] if quality else [],
            "quality_error": quality_error,
            "uncoded": coding_services.uncoded(plan).count(),
            "current": "codebook",
        },
        status=400 if form.errors else 200,
    )


@reader
@require_POST
def accept_candidate(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    require(request, "insights.manage_insights", plan)
    prefix = request.POST.get("prefix", "")
    form = CandidateForm(
        request.POST, prefix=prefix if prefix.startswith("c") and prefix[1:].isdigit() else None
    )
    if form.is_valid():
        try:
            theme = coding_services.accept_candidate(
                plan=plan,
                user=request.user,
                name_en=form.cleaned_data["name_en"],
                name_es=form.cleaned_data["name_es"],
                words=[w.strip() for w in form.cleaned_data["words"].split(",") if w.strip()],
            )
            messages.success(request, _("Theme added: check its keywords and code a few comments to it."))
            return redirect("insights:theme", theme.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Give the theme a name in both languages."))
    return redirect(f"{reverse('insights:codebook')}?discover={request.POST.get('language', 'en')}")


@reader
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    require(request, "insights.code_input", plan)
    try:
        made = coding_services.suggest_themes(plan=plan, user=request.user)
        messages.success(
            request, _("%(count)s suggestions made. Confirm or reject them in the list.") % {"count": made}
        )
        return redirect(f"{reverse('insights:evidence')}?coded=suggested")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("insights:codebook")


@reader
@require_http_methods(["GET", "POST"])
def theme_page(request: HttpRequest, theme_id: int) -> HttpResponse:
    plan = _plan()
    theme = get_object_or_404(Theme, pk=theme_id, plan=plan)
    form = ThemeForm(request.POST or None, instance=theme, plan=plan)
    if not request.POST:
        form.initial["lock_version"] = theme.lock_version
    conflict = None
    if request.method == "POST":
        require(request, "insights.manage_insights", plan)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in ThemeForm.Meta.fields}
            try:
                coding_services.update_theme(
                    theme=theme,
                    user=request.user,
                    data=data,
                    lock_version=form.cleaned_data["lock_version"] or 0,
                )
                messages.success(request, _("Theme saved."))
                return redirect("insights:theme", theme.pk)
            except EditConflict as error:
                conflict = error.current
            except ValidationError as error:
                add_validation_error(form, error)
    theme.refresh_from_db()
    return _render_theme(request, plan, theme, form=form, conflict=conflict)


# The theme page holds four forms; each has a prefix so that their fields' ids stay unique on the page.
def _render_theme(
    request: HttpRequest,
    plan: Any,
    theme: Theme,
    *,
    form: Any = None,
    conflict: Any = None,
    merge_target: Theme | None = None,
    **forms: Any,
) -> HttpResponse:
    """The theme page; a form that failed is shown again as it was typed, with its errors beside its fields."""
    form = form or ThemeForm(instance=theme, plan=plan, initial={"lock_version": theme.lock_version})
    coded = selectors.filtered_evidence(plan, {"theme": str(theme.pk)}).order_by("-pk")
    failed = conflict or any(f.errors for f in [form, *forms.values()])
    return render(
        request,
        "insights/theme.html",
        {
            "plan": plan,
            "theme": theme,
            "form": form,
            "conflict": conflict,
            "coded": coded[:30],
            "coded_count": coded.count(),
            "links": PlanLink.objects.filter(theme=theme, archived_at__isnull=True).select_related("item"),
            "segments": _segment_tables(theme),
            "link_form": forms.get("link_form") or LinkForm(plan=plan, prefix="link"),
            "draft_form": forms.get("draft_form") or DraftForm(plan=plan, prefix="draft", theme=theme),
            "merge_form": forms.get("merge_form") or MergeForm(theme=theme, prefix="merge"),
            "merge_target": merge_target,
            "current": "codebook",
        },
        status=409 if conflict else (400 if failed else 200),
    )


def _segment_tables(theme: Theme) -> list[tuple[str, list[tuple[str, int]]]]:
    """The counts of `selectors.theme_segments`, each code in words."""
    tables = []
    for field, counts in selectors.theme_segments(theme):
        names = selectors.segment_names(theme.plan, field)
        tables.append((str(SEGMENT_LABELS[field]), [(names.get(value, value), n) for value, n in counts]))
    return tables


def _theme_action(request: HttpRequest, theme_id: int) -> tuple[Any, Theme]:
    plan = _plan()
    theme = get_object_or_404(Theme, pk=theme_id, plan=plan, archived_at__isnull=True)
    require(request, "insights.manage_insights", plan)
    return plan, theme


@reader
@require_POST
def link_theme(request: HttpRequest, theme_id: int) -> HttpResponse:
    plan, theme = _theme_action(request, theme_id)
    form = LinkForm(request.POST, plan=plan, prefix="link")
    if form.is_valid():
        try:
            _link_from(request, form, plan, theme=theme)
            return redirect("insights:theme", theme.pk)
        except ValidationError as error:
            add_validation_error(form, error)
    return _render_theme(request, plan, theme, link_form=form)


@reader
@require_POST
def unlink(request: HttpRequest, link_id: int) -> HttpResponse:
    plan = _plan()
    plan_link = get_object_or_404(PlanLink, pk=link_id, plan=plan, archived_at__isnull=True)
    require(request, "insights.manage_insights", plan)
    link_services.unlink(plan_link=plan_link, user=request.user, reason=_("Link removed"))
    messages.success(request, _("Link removed."))
    return (
        redirect("insights:theme", plan_link.theme_id)
        if plan_link.theme_id
        else redirect("insights:traceability")
    )


@reader
@require_POST
def draft(request: HttpRequest, theme_id: int) -> HttpResponse:
    plan, theme = _theme_action(request, theme_id)
    form = DraftForm(request.POST, plan=plan, prefix="draft", theme=theme)
    if form.is_valid():
        parent_id = form.cleaned_data["parent"]
        parent = get_object_or_404(PlanItem, pk=parent_id, plan=plan) if parent_id else None
        data = {k: form.cleaned_data[k] for k in ("title_en", "title_es", "description_en", "description_es")}
        try:
            item = link_services.draft_from_theme(theme=theme, user=request.user, parent=parent, data=data)
            messages.success(
                request,
                _(
                    "%(level)s %(code)s “%(title)s” was added to the working draft, linked to this theme. "
                    "Council sees it with its evidence before adopting."
                )
                % {"level": item.get_level_display(), "code": item.code, "title": item.localized("title")},
            )
            return redirect("insights:theme", theme.pk)
        except ValidationError as error:
            add_validation_error(form, error)
    return _render_theme(request, plan, theme, draft_form=form)


@reader
@require_POST
def merge(request: HttpRequest, theme_id: int) -> HttpResponse:
    """Merging archives this theme: the first POST asks to confirm, naming what moves; the second merges."""
    _unused, theme = _theme_action(request, theme_id)
    form = MergeForm(request.POST, theme=theme, prefix="merge")
    if form.is_valid():
        target = form.cleaned_data["target"]
        if request.POST.get("confirmed") != "1":
            return _render_theme(request, theme.plan, theme, merge_form=form, merge_target=target)
        target = coding_services.merge_themes(source=theme, target=target, user=request.user)
        messages.success(request, _("Merged into “%(theme)s”.") % {"theme": target.localized("name")})
        return redirect("insights:theme", target.pk)
    return _render_theme(request, theme.plan, theme, merge_form=form)


# --- Traceability ------------------------------------------------------------------------------------------------
@reader
@require_http_methods(["GET"])
def traceability(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    collect_evidence(plan)
    goals = PlanItem.objects.filter(plan=plan, level=Level.GOAL, archived_at__isnull=True).order_by("code")
    matrix = selectors.alignment_matrix(plan)
    return render(
        request,
        "insights/traceability.html",
        {
            "plan": plan,
            "gaps": selectors.gap_report(plan),
            "matrix": matrix,
            "matrix_rows": [
                (theme, [(n, _heat(n, matrix.maximum)) for n in cells], total)
                for theme, cells, total in matrix.rows
            ],
            "goals": [selectors.item_evidence(goal, language=_language()) for goal in goals],
            "strong": selectors.STRONG_THEME,
            "adopted": selectors.adopted_item_ids(plan_selectors.public_plan()),
            "current": "traceability",
        },
    )


def _heat(count: int, maximum: int) -> int:
    """A heat-map step 0-4 for a cell (the number is always printed too)."""
    if not count or not maximum:
        return 0
    return min(4, 1 + (4 * count - 1) // maximum)


urlpatterns = [
    path("", evidence_list, name="evidence"),
    path("code/", code, name="code"),
    path("suggestions/<str:decision>/", decide_suggestion, name="suggestion"),
    path("input/<int:evidence_id>/quote/", quote, name="quote"),
    path("input/<int:evidence_id>/link/", evidence_link, name="evidence-link"),
    path("themes/", codebook, name="codebook"),
    path("themes/accept/", accept_candidate, name="accept-candidate"),
    path("themes/suggest/", suggest, name="suggest"),
    path("themes/<int:theme_id>/", theme_page, name="theme"),
    path("themes/<int:theme_id>/link/", link_theme, name="theme-link"),
    path("themes/<int:theme_id>/draft/", draft, name="theme-draft"),
    path("themes/<int:theme_id>/merge/", merge, name="theme-merge"),
    path("links/<int:link_id>/remove/", unlink, name="unlink"),
    path("traceability/", traceability, name="traceability"),
]
