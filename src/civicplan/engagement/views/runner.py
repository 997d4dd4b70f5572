"""The questionnaire, page by page, for every audience. Answers live in the session until the last page is sent,
so a person can go back, switch language mid-way or fix an error without losing anything. What differs between
audiences (who may answer, how the response is stored) is a `Door`."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civicplan.engagement import selectors, services
from civicplan.engagement.models import Survey
from civicplan.engagement.selectors import AskedQuestion
from civicplan.engagement.survey_form import bind, check_all, condition_text, read_page, visible_answers


@dataclass
class Door:
    """How one audience reaches a survey: `submit(request, answers, draft)` stores the response (raising
    RateLimited, PermissionDenied or ValidationError), `done_url` is where the person goes next."""

    session_key: str
    submit: Callable[[HttpRequest, dict[str, Any], dict[str, Any]], Any]
    done_url: str
    here_url: str
    initial: dict[str, Any] | None = None
    public: bool = True  # shows the honeypot and the follow-up opt-in
    kiosk: bool = False
    paper: bool = False  # staff keying in a questionnaire: every question on one page, and its language


def _draft(request: HttpRequest, door: Door) -> dict[str, Any]:
    draft = request.session.get(door.session_key)
    if not isinstance(draft, dict):
        draft = {
            "answers": dict(door.initial or {}),
            "started": time.time(),
            "key": uuid.uuid4().hex,
        }
        request.session[door.session_key] = draft
    return draft


def _page_number(raw: str, pages: list[int]) -> int:
    number = int(raw) if raw.isdigit() else pages[0]
    return number if number in pages else pages[0]


def run_survey(request: HttpRequest, survey: Survey, door: Door) -> HttpResponse:
    language = (get_language() or "en")[:2]
    asked = selectors.asked_questions(survey, language)
    pages = selectors.pages_of(asked) or [1]
    if door.paper:
        pages = [pages[0]]
    draft = _draft(request, door)
    page = _page_number(request.POST.get("page") or request.GET.get("page", ""), pages)
    on_page = asked if door.paper else [a for a in asked if a.question.page == page]
    errors: dict[str, str] = {}
    status = 200
    notice = ""
    if request.method == "POST":
        answers, errors = read_page(on_page, request.POST, draft["answers"], asked)
        draft["answers"] = answers
        request.session.modified = True
        action = request.POST.get("action", "next")
        index = pages.index(page)
        if action == "back" and index > 0:
            return redirect(f"{door.here_url}?page={pages[index - 1]}")
        if not errors and action == "next" and index < len(pages) - 1:
            return redirect(f"{door.here_url}?page={pages[index + 1]}")
        if not errors and action in ("submit", "next"):
            errors = check_all(asked, answers)
            first_bad = next((a.question.page for a in asked if a.key in errors), None)
            if first_bad is not None and first_bad != page:
                return redirect(f"{door.here_url}?page={first_bad}&check=1")
            if not errors:
                try:
                    door.submit(request, visible_answers(asked, answers), draft)
                except services.RateLimited:
                    status = 429
                    notice = _(
                        "Too many responses have come from your connection in the last few minutes. Your answers "
                        "are kept on this page: wait a few minutes, then send them again."
                    )
                except (PermissionDenied, ValidationError) as error:
                    status = 403 if isinstance(error, PermissionDenied) else 400
                    notice = " ".join(getattr(error, "messages", [str(error)])) or str(error)
                else:
                    request.session.pop(door.session_key, None)
                    return redirect(door.done_url)
    elif request.GET.get("check"):
        errors = {
            k: v for k, v in check_all(asked, draft["answers"]).items() if k in {a.key for a in on_page}
        }
    return render(
        request,
        "engagement/public/take.html",
        {
            "survey": survey,
            "door": door,
            "questions": _bound(on_page, draft["answers"], asked, errors),
            "answers": draft["answers"],
            "errors": errors,
            "error_list": [(a, errors[a.key]) for a in on_page if a.key in errors],
            "notice": notice,
            "page": page,
            "page_index": pages.index(page) + 1,
            "page_count": len(pages),
            "is_last": page == pages[-1],
            "progress": round(100 * pages.index(page) / len(pages)),
            "idempotency_key": draft["key"],
        },
        status=status,
    )


def _bound(
    on_page: list[AskedQuestion], answers: dict[str, Any], asked: list[AskedQuestion], errors: dict[str, str]
) -> list[Any]:
    numbers = {a.question.pk: index for index, a in enumerate(asked, start=1)}
    same_page = {a.question.pk: a for a in on_page}
    return [
        bind(
            a,
            answers,
            errors.get(a.key, ""),
            number=numbers[a.question.pk],
            condition=condition_text(a, same_page, numbers),
        )
        for a in _visible(on_page, answers, asked)
    ]


def _visible(on_page: list[AskedQuestion], answers: dict[str, Any], asked: list[AskedQuestion]) -> list[Any]:
    """Questions on this page with skip logic applied against answers so far. Without JavaScript a condition on
    the same page cannot react, so such questions show with a note saying when to answer them."""
    keys_by_id = {a.question.pk: a.key for a in asked}
    page_ids = {a.question.pk for a in on_page}
    shown = []
    for a in on_page:
        condition = a.question.show_if_question_id
        if condition in page_ids or selectors.is_shown(a.question, answers, keys_by_id):
            shown.append(a)
    return shown


def seconds_since(draft: dict[str, Any]) -> float | None:
    started = draft.get("started")
    return time.time() - float(started) if isinstance(started, int | float) else None
