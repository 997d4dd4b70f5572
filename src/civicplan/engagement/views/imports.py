"""Importing a survey run in another tool: upload, preview with the detected format, questions and mapping, then
import all or nothing; or build a new draft survey from the file first."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civicplan.core.access import require, signed_in_with
from civicplan.core.forms import UswdsFormMixin, read_upload
from civicplan.engagement.models import Audience, Survey
from civicplan.engagement.services import imports
from civicplan.plans import selectors as plan_selectors
from civicplan.plans.models import PendingImport

reader = signed_in_with("engagement.view_engagement")


class SurveyFileForm(UswdsFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Survey export"),
        help_text=gettext_lazy(
            "CSV or XLSX exported from LimeSurvey, KoboToolbox, Qualtrics, SurveyMonkey, Google Forms or "
            "Microsoft Forms. The format is detected; nothing is written before you confirm the preview."
        ),
    )


def _upload(request: HttpRequest, survey: Survey | None) -> HttpResponse:
    plan = plan_selectors.current_plan()
    if plan is None:
        raise Http404
    require(request, "engagement.manage_engagement", survey or plan)
    form = SurveyFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = read_upload(form)
        if data is not None:
            try:
                pending = imports.hold_survey_file(
                    user=request.user,
                    survey=survey,
                    plan=plan,
                    filename=form.cleaned_data["file"].name,
                    data=data,
                )
            except imports.SurveyFileError as error:
                form.add_error("file", str(error))
            else:
                url = reverse("engagement:import-preview", args=[pending.token])
                return redirect(f"{url}?survey={survey.pk}" if survey else url)
    return render(
        request,
        "engagement/staff/import_upload.html",
        {"form": form, "survey": survey},
        status=400 if request.method == "POST" else 200,
    )


@reader
@require_http_methods(["GET", "POST"])
def upload_for_survey(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    if survey.audience == Audience.EMPLOYEE:
        raise Http404  # employee answers come only through invitations: an import could name people
    return _upload(request, survey)


@reader
@require_http_methods(["GET", "POST"])
def upload_new(request: HttpRequest) -> HttpResponse:
    return _upload(request, None)


@reader
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, token: str) -> HttpResponse:
    pending = PendingImport.objects.filter(token=token, purpose=imports.PURPOSE).first()
    if pending is None:
        raise Http404
    if pending.created_by_id != request.user.pk:
        raise PermissionDenied
    plan = plan_selectors.current_plan()
    params = request.POST if request.method == "POST" else request.GET
    survey_id = params.get("survey", "")
    survey = get_object_or_404(Survey, pk=int(survey_id)) if survey_id.isdigit() else None
    require(request, "engagement.manage_engagement", survey or plan)
    data = bytes(pending.content)
    action = request.POST.get("action", "")
    if survey is None:
        if action == "create":
            try:
                survey = imports.create_survey_from_file(
                    plan=plan, user=request.user, filename=pending.filename, data=data
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, _("A draft survey was made from the file. Check the mapping, then import.")
                )
                return redirect(reverse("engagement:import-preview", args=[token]) + f"?survey={survey.pk}")
        title, questions, parsed = imports.read_definition(data, pending.filename)
        return render(
            request,
            "engagement/staff/import_new.html",
            {"pending": pending, "title": title, "questions": questions, "parsed": parsed},
        )
    mapping = None
    if request.method == "POST":
        mapping = {key[4:]: value for key, value in request.POST.items() if key.startswith("map:")}
    if action == "import":
        try:
            batch, result = imports.import_survey_file(
                survey=survey, user=request.user, filename=pending.filename, data=data, mapping=mapping
            )
        except ValidationError:
            status = 400
        else:
            pending.delete()
            if batch is None:
                messages.info(
                    request, _("Every response in this file was already imported: nothing was added.")
                )
            else:
                messages.success(
                    request,
                    _("Imported %(new)s responses from %(file)s (%(already)s were already there).")
                    % {"new": result.new, "file": pending.filename, "already": result.already},
                )
            return redirect("engagement:survey", survey.pk)
    else:
        status = 200
    result = imports.preview_survey_file(survey=survey, filename=pending.filename, data=data, mapping=mapping)
    return render(
        request,
        "engagement/staff/import_preview.html",
        {
            "pending": pending,
            "survey": survey,
            "preview": result,
            "questions": list(survey.questions.order_by("page", "position")),
            "problems": result.problems[:200],
        },
        status=400 if result.problems and request.method == "POST" else status,
    )


urlpatterns = [
    path("surveys/<int:survey_id>/import/", upload_for_survey, name="import"),
    path("import/", upload_new, name="import-new"),
    path("import/<str:token>/", preview, name="import-preview"),
]
