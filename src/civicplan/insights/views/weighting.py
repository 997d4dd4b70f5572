"""Staff pages of survey weighting (namespace `insights`, under /staff/insights/): the population shares of each
segment a survey asks, raking the survey to them, and the weighted results with their margins of error. Every
plan role reads; the coordinator enters shares and weights. Employee surveys are never weighted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicplan.core.access import require, signed_in_with
from civicplan.core.forms import UswdsFormMixin, add_validation_error
from civicplan.engagement.models import Audience, Survey
from civicplan.insights import selectors_weighting as selectors
from civicplan.insights.services import weighting as services

reader = signed_in_with("insights.view_insights")


def _language() -> str:
    return (get_language() or "en")[:2]


def _survey(survey_id: int) -> Survey:
    return get_object_or_404(Survey.objects.select_related("plan"), pk=survey_id)


def _plain(share: Decimal | None) -> str:
    """30.000 -> "30", 12.500 -> "12.5": the share as someone would type it."""
    if share is None:
        return ""
    text = f"{share:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- The shares form (validation only: the sum and the categories are the service's rules) ---------------------


class _MarginForm(UswdsFormMixin, forms.Form):
    source = forms.CharField(
        label=gettext_lazy("Source of these shares"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example: Census ACS 2023 5-year estimates, table B01001."),
    )
    codes: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for index in range(len(self.codes)):
            name = f"share_{index}"
            share = data.get(name)
            if share is not None and not share > 0:
                self.add_error(name, _("Enter a share greater than 0, or leave it blank."))
        return data

    def rows(self) -> list[tuple[str, Any, str]]:
        source = self.cleaned_data.get("source", "")
        return [
            (code, self.cleaned_data[f"share_{index}"], source)
            for index, code in enumerate(self.codes)
            if self.cleaned_data.get(f"share_{index}") is not None
        ]


def margin_form(variable: selectors.VariableOverview, data: Any = None) -> _MarginForm:
    """The form of one segment: a share per answer option (blank: not weighted on, e.g. "Prefer not to say")."""
    fields: dict[str, Any] = {}
    for index, line in enumerate(variable.lines):
        fields[f"share_{index}"] = forms.DecimalField(
            label=_("Population share of “%(category)s” (percent)") % {"category": line.label},
            required=False,
            max_value=100,
            max_digits=6,
            decimal_places=3,
            widget=forms.TextInput(attrs={"class": "usa-input usa-input--small", "inputmode": "decimal"}),
        )
    form_class = type(
        "MarginForm", (_MarginForm,), {**fields, "codes": [line.code for line in variable.lines]}
    )
    initial = {f"share_{index}": _plain(line.population) for index, line in enumerate(variable.lines)}
    initial["source"] = variable.source
    return form_class(data, prefix=variable.name, initial=initial)


def _page(
    request: HttpRequest,
    survey: Survey,
    bound: _MarginForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    overview = selectors.weighting_overview(survey, _language())
    entries = []
    for variable in overview.variables:
        form = bound if bound is not None and bound.prefix == variable.name else margin_form(variable)
        rows = [(line, form[f"share_{index}"]) for index, line in enumerate(variable.lines)]
        entries.append({"variable": variable, "form": form, "rows": rows})
    return render(
        request,
        "insights/weighting.html",
        {
            "survey": survey,
            "overview": overview,
            "entries": entries,
            "problem": problem,
            "can_manage": request.user.has_perm("insights.manage_insights", survey.plan),
        },
        status=status,
    )


@reader
@require_http_methods(["GET", "POST"])
def weighting(request: HttpRequest, survey_id: int) -> HttpResponse:
    """GET: each segment's sample and population shares, and the weighting in force. POST: the population
    shares of one segment (`variable`), all or nothing; on a problem the page comes back with what was typed."""
    survey = _survey(survey_id)
    require(request, "insights.view_insights", survey.plan)
    if request.method != "POST":
        return _page(request, survey)
    require(request, "insights.manage_insights", survey.plan)
    if survey.audience == Audience.EMPLOYEE:
        return _page(request, survey, problem=_("Employee survey answers are not weighted."), status=400)
    overview = selectors.weighting_overview(survey, _language())
    variable = next((v for v in overview.variables if v.name == request.POST.get("variable")), None)
    if variable is None:
        return _page(request, survey, problem=_("Choose one of the survey's segments."), status=400)
    form = margin_form(variable, request.POST)
    if form.is_valid() and not form.rows() and not variable.has_margins:
        form.add_error(None, _("Enter the population share of at least one answer."))
    if form.is_valid():
        try:
            services.save_margins(
                plan=survey.plan,
                user=request.user,
                variable=variable.name,
                rows=form.rows(),
                categories=form.codes,
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if form.rows():
                messages.success(
                    request,
                    _("The population shares of “%(segment)s” were saved.") % {"segment": variable.label},
                )
            else:
                messages.success(
                    request,
                    _("The population shares of “%(segment)s” were removed.") % {"segment": variable.label},
                )
            return redirect("insights:weighting", survey.pk)
    return _page(request, survey, bound=form, status=400)


@reader
@require_POST
def weighting_run(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    require(request, "insights.manage_insights", survey.plan)
    try:
        done = services.weight_survey(survey=survey, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if done.converged:
            messages.success(request, _("The survey was weighted: the weighted responses match every share."))
        else:
            messages.warning(
                request,
                _(
                    "The survey was weighted, but the weights could not match every share within the trimming "
                    "limits. See the largest gap below."
                ),
            )
    return redirect("insights:weighting", survey.pk)


@reader
@require_http_methods(["GET"])
def weighted_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    require(request, "insights.view_insights", survey.plan)
    return render(
        request,
        "insights/weighted_results.html",
        {"survey": survey, "results": selectors.weighted_results(survey, request.GET, _language())},
    )


IMPORT_MAX_BYTES = 256 * 1024


def _segment_codes(survey: Survey) -> dict[str, list[str]]:
    return {
        asked.question.segment: [c.code for c in asked.shape.options]
        for asked in selectors.segment_questions(survey, _language())
    }


@reader
@require_http_methods(["GET", "POST"])
def weighting_import(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Population shares pasted or uploaded as a table: the first POST shows a preview (every share and every
    problem, nothing saved); "Save these shares" then saves them all or nothing."""
    survey = _survey(survey_id)
    require(request, "insights.manage_insights", survey.plan)
    codes = _segment_codes(survey)
    text = request.POST.get("table", "")
    upload = request.FILES.get("table_file")
    problem = ""
    if upload is not None:
        if upload.size > IMPORT_MAX_BYTES:
            problem = _("The file is larger than 256 KB: a table of population shares is a few lines.")
        else:
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
    table = services.read_margin_table(text, categories=codes) if request.method == "POST" and text else None
    if table is not None and request.POST.get("confirm") == "1" and not table.problems:
        saved = services.import_margin_table(
            plan=survey.plan, user=request.user, table=table, categories=codes
        )
        messages.success(request, _("%(count)s population shares were saved.") % {"count": saved})
        return redirect("insights:weighting", survey.pk)
    if request.method == "POST" and not text and not problem:
        problem = _("Paste the table or choose a file.")
    return render(
        request,
        "insights/weighting_import.html",
        {"survey": survey, "text": text, "table": table, "problem": problem, "segments": sorted(codes)},
        status=400 if problem or (table is not None and table.problems) else 200,
    )


urlpatterns = [
    path("surveys/<int:survey_id>/weighting/", weighting, name="weighting"),
    path("surveys/<int:survey_id>/weighting/run/", weighting_run, name="weighting-run"),
    path("surveys/<int:survey_id>/weighting/import/", weighting_import, name="weighting-import"),
    path("surveys/<int:survey_id>/weighted/", weighted_results, name="weighted-results"),
]
