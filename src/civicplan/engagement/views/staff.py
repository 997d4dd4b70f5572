"""Staff pages for engagement (namespace `engagement`, under /staff/engagement/): the engagement record,
activities with their comment cards and session outputs, surveys and their questions, invitations, paper entry,
the council's own answers, kiosks. Each view checks the permission on the object, then calls a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicplan.core.access import require, signed_in_with
from civicplan.core.forms import add_validation_error
from civicplan.engagement import results_view, selectors, services
from civicplan.engagement.exporters import spreadsheet_response
from civicplan.engagement.forms import (
    KIND_LABELS,
    ActivityForm,
    CommentCardForm,
    InvitesForm,
    KioskForm,
    QuestionForm,
    SessionOutputForm,
    SurveyForm,
)
from civicplan.engagement.models import Activity, ActivityKind, Audience, InputItem, Kiosk, Question, Survey
from civicplan.engagement.services.surveys import TRANSITIONS, has_responses
from civicplan.engagement.tabulation import results_csv_rows
from civicplan.engagement.views.public import KIOSK_COOKIE
from civicplan.engagement.views.runner import Door, run_survey
from civicplan.plans import selectors as plan_selectors

reader = signed_in_with("engagement.view_engagement")


def _plan() -> Any:
    plan = plan_selectors.current_plan()
    if plan is None:
        raise Http404
    return plan


def _language() -> str:
    return (get_language() or "en")[:2]


def _survey(survey_id: int) -> Survey:
    return get_object_or_404(Survey.objects.select_related("plan"), pk=survey_id)


@reader
@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    return render(
        request,
        "engagement/staff/overview.html",
        {
            "plan": plan,
            "activities": selectors.activities_of(plan),
            "surveys": selectors.staff_surveys(plan),
            "input_counts": selectors.input_counts(plan),
            "kiosks": Kiosk.objects.filter(plan=plan, active=True).select_related("activity"),
            "can_manage": request.user.has_perm("engagement.manage_engagement", plan),
        },
    )


# --- Activities ------------------------------------------------------------------------------------------------


def _create_or_update(
    request: HttpRequest,
    form: Any,
    obj: Any,
    *,
    create: Any,
    update: Any,
    done: str,
    template: str,
    name: str,
    added: str,
    saved: str,
) -> HttpResponse:
    """The edit page of an activity or a survey: create it, or update it from the version the form was opened
    at (a conflict page when someone saved in between), then go to its page; errors keep what was typed."""
    if obj is not None and not request.POST:
        form.initial["lock_version"] = obj.lock_version
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in form.Meta.fields}
        try:
            if obj is None:
                obj = create(data)
                messages.success(request, added)
            else:
                update(data, form.cleaned_data["lock_version"] or 0)
                messages.success(request, saved)
            return redirect(done, obj.pk)
        except services.EditConflict as error:
            conflict = error.current
        except ValidationError as error:
            add_validation_error(form, error)
    return render(
        request,
        template,
        {"form": form, name: obj, "conflict": conflict},
        status=409 if conflict else (400 if form.errors else 200),
    )


@reader
@require_http_methods(["GET", "POST"])
def activity_form(request: HttpRequest, activity_id: int | None = None) -> HttpResponse:
    plan = _plan()
    activity = get_object_or_404(Activity, pk=activity_id, plan=plan) if activity_id else None
    require(request, "engagement.manage_engagement", activity or plan)
    return _create_or_update(
        request,
        ActivityForm(request.POST or None, instance=activity, plan=plan),
        activity,
        create=lambda data: services.create_activity(plan=plan, user=request.user, data=data),
        update=lambda data, version: services.update_activity(
            activity=activity, user=request.user, data=data, lock_version=version
        ),
        done="engagement:activity",
        template="engagement/staff/activity_form.html",
        name="activity",
        added=_("The activity was added."),
        saved=_("The activity was saved."),
    )


@reader
@require_http_methods(["GET", "POST"])
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The activity, and the fast comment-card entry: after each card the form comes back empty but for the
    language and topic, with the focus in the text box."""
    activity = get_object_or_404(Activity.objects.select_related("plan", "survey"), pk=activity_id)
    can_enter = request.user.has_perm("engagement.enter_input", activity)
    last = request.session.get("card-defaults", {})
    card_form = CommentCardForm(initial=last)
    output_form = SessionOutputForm()
    status = 200
    if request.method == "POST":
        require(request, "engagement.enter_input", activity)
        if request.POST.get("form") == "output":
            output_form = SessionOutputForm(request.POST)
            if output_form.is_valid():
                try:
                    services.add_session_output(
                        activity=activity, user=request.user, data=output_form.cleaned_data
                    )
                    messages.success(request, _("The output was recorded."))
                    return redirect("engagement:activity", activity.pk)
                except ValidationError as error:
                    add_validation_error(output_form, error)
            status = 400
        else:
            card_form = CommentCardForm(request.POST)
            if card_form.is_valid():
                try:
                    services.add_comment_card(
                        activity=activity, user=request.user, data=card_form.cleaned_data
                    )
                except ValidationError as error:
                    add_validation_error(card_form, error)
                else:
                    request.session["card-defaults"] = {
                        "language": card_form.cleaned_data["language"],
                        "topic": card_form.cleaned_data["topic"],
                    }
                    messages.success(request, _("Card saved. Next card:"))
                    return redirect(reverse("engagement:activity", args=[activity.pk]) + "#card-text")
            status = 400
    items = selectors.input_items_of(activity)
    return render(
        request,
        "engagement/staff/activity.html",
        {
            "activity": activity,
            "items": items[:200],
            "item_count": items.count(),
            "card_form": card_form,
            "output_form": output_form,
            "can_enter": can_enter,
            "can_manage": request.user.has_perm("engagement.manage_engagement", activity),
            "is_session": activity.kind == ActivityKind.COUNCIL_SESSION,
        },
        status=status,
    )


@reader
@require_POST
def input_archive(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(InputItem, pk=item_id)
    require(request, "engagement.enter_input", item)
    try:
        services.archive_input(item=item, user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("The input was archived. It stays on record."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return (
        redirect("engagement:activity", item.activity_id)
        if item.activity_id
        else redirect("engagement:overview")
    )


# --- Surveys ---------------------------------------------------------------------------------------------------


@reader
@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, survey_id: int | None = None) -> HttpResponse:
    plan = _plan()
    survey = _survey(survey_id) if survey_id else None
    require(request, "engagement.manage_engagement", survey or plan)
    return _create_or_update(
        request,
        SurveyForm(request.POST or None, instance=survey),
        survey,
        create=lambda data: services.create_survey(plan=plan, user=request.user, data=data),
        update=lambda data, version: services.update_survey(
            survey=survey, user=request.user, data=data, lock_version=version
        ),
        done="engagement:survey",
        template="engagement/staff/survey_form.html",
        name="survey",
        added=_("The survey was created. Now add its questions."),
        saved=_("The survey was saved."),
    )


@reader
@require_http_methods(["GET"])
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    questions = selectors.questions_of(survey)
    can_manage = request.user.has_perm("engagement.manage_engagement", survey)
    return render(
        request,
        "engagement/staff/survey.html",
        {
            "survey": survey,
            "questions": questions,
            "kind_labels": {str(k): v for k, v in KIND_LABELS.items()},
            "counts": selectors.response_counts(survey),
            "locked": has_responses(survey),
            "can_manage": can_manage,
            "can_enter": request.user.has_perm("engagement.enter_input", survey)
            and survey.audience != Audience.EMPLOYEE,
            "can_answer": survey.audience == Audience.COUNCIL
            and request.user.has_perm("engagement.answer_council_survey", survey),
            "transitions": sorted(TRANSITIONS.get(survey.state, set())),
            "missing_spanish": services.missing_spanish(survey) if can_manage else [],
            "public_url": request.build_absolute_uri(reverse("surveys:take", args=[survey.slug]))
            if survey.audience == Audience.PUBLIC
            else "",
            "invite_counts": {
                "total": survey.invites.count(),
                "used": survey.invites.filter(used=True).count(),
            }
            if survey.audience == Audience.EMPLOYEE
            else None,
        },
    )


@reader
@require_POST
def survey_state(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    require(request, "engagement.manage_engagement", survey)
    try:
        survey = services.change_state(survey=survey, user=request.user, state=request.POST.get("state", ""))
        messages.success(request, _("The survey is now: %(state)s.") % {"state": survey.get_state_display()})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("engagement:survey", survey.pk)


@reader
@require_POST
def survey_new_version(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    require(request, "engagement.manage_engagement", survey)
    try:
        copy = services.new_version(survey=survey, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("engagement:survey", survey.pk)
    messages.success(request, _("A new draft version was made. Change it, then open it."))
    return redirect("engagement:survey", copy.pk)


@reader
@require_http_methods(["GET", "POST"])
def question_form(request: HttpRequest, survey_id: int, question_id: int | None = None) -> HttpResponse:
    survey = _survey(survey_id)
    require(request, "engagement.manage_engagement", survey)
    question = get_object_or_404(Question, pk=question_id, survey=survey) if question_id else None
    if has_responses(survey):
        messages.error(
            request,
            _(
                "This survey already has responses, so its questions cannot change. Make a new version instead."
            ),
        )
        return redirect("engagement:survey", survey.pk)
    form = QuestionForm(request.POST or None, instance=question, survey=survey)
    if question and not request.POST:
        form.initial.update({"kind": question.kind, "segment": question.segment})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_question(
                survey=survey,
                user=request.user,
                data=form.question_data(),
                options=form.cleaned_data["options"],
                rows=form.cleaned_data["rows"] if form.cleaned_data["kind"] == "matrix" else [],
                question=question,
                show_if=(form.cleaned_data["show_if_question"], form.cleaned_data["show_if_values"]),
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The question was saved."))
            if request.POST.get("then") == "another":
                return redirect("engagement:question-new", survey.pk)
            return redirect("engagement:survey", survey.pk)
    return render(
        request,
        "engagement/staff/question_form.html",
        {"form": form, "survey": survey, "question": question},
        status=400 if form.errors else 200,
    )


@reader
@require_POST
def question_move(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=question_id, survey_id=survey_id)
    services.move_question(question=question, user=request.user, up=request.POST.get("direction") == "up")
    return redirect(reverse("engagement:survey", args=[survey_id]) + f"#question-{question.key}")


@reader
@require_POST
def question_remove(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=question_id, survey_id=survey_id)
    try:
        services.remove_question(question=question, user=request.user)
        messages.success(request, _("The question was removed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("engagement:survey", survey_id)


@reader
@require_http_methods(["GET", "POST"])
def invites(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    require(request, "engagement.manage_engagement", survey)
    if survey.audience != Audience.EMPLOYEE:
        raise Http404
    form = InvitesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        created = services.create_invites(
            survey=survey, user=request.user, emails=form.cleaned_data["addresses"]
        )
        sent = services.send_invites(
            survey=survey,
            invites=created,
            link_for=lambda token: request.build_absolute_uri(
                reverse("surveys:invitation", args=[survey.slug, token])
            ),
        )
        skipped = len(form.cleaned_data["addresses"]) - len(created)
        messages.success(
            request,
            _("%(sent)s invitations were sent; %(skipped)s addresses already had one.")
            % {"sent": sent, "skipped": skipped},
        )
        return redirect("engagement:survey", survey.pk)
    return render(
        request,
        "engagement/staff/invites.html",
        {
            "form": form,
            "survey": survey,
            "total": survey.invites.count(),
            "used": survey.invites.filter(used=True).count(),
        },
        status=400 if form.errors else 200,
    )


@reader
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Key in a paper questionnaire: the same form residents see, every answer checked the same way."""
    survey = _survey(survey_id)
    require(request, "engagement.enter_input", survey)
    if survey.audience == Audience.EMPLOYEE:
        raise PermissionDenied

    def submit(request: HttpRequest, answers: dict[str, Any], draft: dict[str, Any]) -> Any:
        response = services.enter_paper_response(
            survey=survey,
            user=request.user,
            answers=answers,
            language=request.POST.get("paper_language", "en"),
        )
        messages.success(request, _("Paper questionnaire saved. The form is ready for the next one."))
        return response

    here = reverse("engagement:paper", args=[survey.pk])
    door = Door(
        session_key=f"paper:{survey.pk}",
        submit=submit,
        done_url=here,
        here_url=here,
        public=False,
        paper=True,
    )
    return run_survey(request, survey, door)


@reader
@require_http_methods(["GET", "POST"])
def council_answer(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    if survey.audience != Audience.COUNCIL:
        raise Http404
    require(request, "engagement.answer_council_survey", survey)
    if not survey.is_open:
        messages.error(request, _("This survey is not taking responses."))
        return redirect("engagement:survey", survey.pk)
    existing = services.council_response(survey, request.user)

    def submit(request: HttpRequest, answers: dict[str, Any], draft: dict[str, Any]) -> Any:
        response = services.save_council_response(
            survey=survey, user=request.user, answers=answers, language=_language()
        )
        messages.success(request, _("Your answers were saved. You can change them until the survey closes."))
        return response

    door = Door(
        session_key=f"council:{survey.pk}",
        submit=submit,
        done_url=reverse("engagement:survey", args=[survey.pk]),
        here_url=reverse("engagement:council-answer", args=[survey.pk]),
        initial=existing.answers if existing else None,
        public=False,
    )
    return run_survey(request, survey, door)


@reader
@require_http_methods(["GET"])
def results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    require(request, "engagement.view_engagement", survey)
    shown = results_view.survey_results(survey, request.GET, public=False)
    return render(
        request,
        "engagement/staff/results.html",
        {
            "survey": survey,
            "results": shown,
            "can_publish": survey.audience == Audience.PUBLIC
            and request.user.has_perm("engagement.manage_engagement", survey),
        },
    )


@reader
@require_POST
def question_public(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=question_id, survey_id=survey_id)
    services.set_results_public(
        question=question, user=request.user, public=request.POST.get("public") == "1"
    )
    return redirect(reverse("engagement:results", args=[survey_id]) + f"#result-{question.key}")


@reader
@require_http_methods(["GET"])
def results_export(request: HttpRequest, survey_id: int, fmt: str) -> HttpResponse:
    """The tabulation (never raw answers) as CSV or XLSX, with the same figures and rules as the page."""
    survey = _survey(survey_id)
    require(request, "engagement.view_engagement", survey)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    shown = results_view.survey_results(survey, request.GET, public=False)
    rows = results_csv_rows([item.result for item in shown.shown])
    return spreadsheet_response(rows, f"{survey.slug}-results", fmt, sheet=_("Results"))


# --- Kiosks ----------------------------------------------------------------------------------------------------


@reader
@require_http_methods(["GET", "POST"])
def kiosk_register(request: HttpRequest) -> HttpResponse:
    """Done on the tablet itself: the coordinator signs in on it, registers it, and hands it over."""
    plan = _plan()
    require(request, "engagement.manage_engagement", plan)
    form = KioskForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        _kiosk, secret = services.register_kiosk(
            plan=plan,
            user=request.user,
            name=form.cleaned_data["name"],
            activity=form.cleaned_data["activity"],
        )
        response = redirect("surveys:kiosk")
        response.set_signed_cookie(
            KIOSK_COOKIE,
            secret,
            salt="kiosk",
            max_age=14 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        messages.success(request, _("This device is now a kiosk. Sign out before handing it over."))
        return response
    return render(
        request, "engagement/staff/kiosk_form.html", {"form": form}, status=400 if form.errors else 200
    )


@reader
@require_POST
def kiosk_retire(request: HttpRequest, kiosk_id: int) -> HttpResponse:
    kiosk = get_object_or_404(Kiosk, pk=kiosk_id)
    services.retire_kiosk(kiosk=kiosk, user=request.user)
    messages.success(
        request, _("The kiosk was retired: its submissions now count against the address limit.")
    )
    return redirect("engagement:overview")


urlpatterns = [
    path("", overview, name="overview"),
    path("activities/new/", activity_form, name="activity-new"),
    path("activities/<int:activity_id>/", activity_detail, name="activity"),
    path("activities/<int:activity_id>/edit/", activity_form, name="activity-edit"),
    path("input/<int:item_id>/archive/", input_archive, name="input-archive"),
    path("surveys/new/", survey_form, name="survey-new"),
    path("surveys/<int:survey_id>/", survey_detail, name="survey"),
    path("surveys/<int:survey_id>/edit/", survey_form, name="survey-edit"),
    path("surveys/<int:survey_id>/state/", survey_state, name="survey-state"),
    path("surveys/<int:survey_id>/new-version/", survey_new_version, name="survey-new-version"),
    path("surveys/<int:survey_id>/questions/new/", question_form, name="question-new"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/", question_form, name="question-edit"),
    path("surveys/<int:survey_id>/questions/<int:question_id>/move/", question_move, name="question-move"),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/remove/", question_remove, name="question-remove"
    ),
    path("surveys/<int:survey_id>/invitations/", invites, name="invites"),
    path("surveys/<int:survey_id>/paper/", paper_entry, name="paper"),
    path("surveys/<int:survey_id>/answer/", council_answer, name="council-answer"),
    path("surveys/<int:survey_id>/results/", results, name="results"),
    path("surveys/<int:survey_id>/results.<str:fmt>", results_export, name="results-export"),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/public/", question_public, name="question-public"
    ),
    path("kiosks/new/", kiosk_register, name="kiosk-new"),
    path("kiosks/<int:kiosk_id>/retire/", kiosk_retire, name="kiosk-retire"),
]
