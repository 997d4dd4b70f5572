"""Following a goal by e-mail: double opt-in, no duplicates, nothing revealed, one-click unsubscribe, and the
digest of what was published since the last e-mail."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from civicplan.plans import selectors, services
from civicplan.plans.models import GoalFollower, UpdateState
from tests import factories as f
from tests.web.changes_support import ended_quarters, published

ADDRESS = "resident@example.org"


def _follow(client, code="1.1", email=ADDRESS, language="en"):
    return client.post(f"/{language}/goals/{code}/follow/", {"email": email})


def _path(url: str) -> str:
    return "/" + url.split("//", 1)[1].split("/", 1)[1]


def _confirm_path(message) -> str:
    return _path(re.search(r"https?://\S+/follow/confirm/\S+/", message.body).group(0))


@pytest.fixture
def confirmed(client, adopted_plan):
    _follow(client)
    client.post(_confirm_path(mail.outbox[-1]))
    mail.outbox.clear()
    return GoalFollower.objects.get()


# --- Subscribing ----------------------------------------------------------------------------------------------------


def test_the_goal_page_links_to_a_separate_follow_page_and_stays_free_of_csrf(client, adopted_plan):
    html = client.get("/en/goals/1.1/").content.decode()
    assert 'href="/en/goals/1.1/follow/"' in html
    assert "csrfmiddlewaretoken" not in html  # the goal page is cached for everyone


def test_the_follow_page_has_a_labelled_email_field_and_is_not_cached(client, adopted_plan):
    response = client.get("/en/goals/1.1/follow/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="usa-label" for="id_email">' in html and 'type="email"' in html
    assert "csrfmiddlewaretoken" in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_following_stores_a_pending_subscription_and_mails_a_confirmation_link(client, adopted_plan):
    response = _follow(client, email="  Resident@Example.org ")
    assert response.status_code == 302 and response["Location"] == "/en/goals/1.1/follow/sent/"
    follower = GoalFollower.objects.get()
    assert follower.email == ADDRESS and not follower.is_confirmed and follower.language == "en"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ADDRESS] and "1.1" in message.subject
    token = _confirm_path(message).rstrip("/").rsplit("/", 1)[1]
    assert follower.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(GoalFollower.objects.values().get())  # only the hash is kept
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()


def test_a_reader_of_the_spanish_site_gets_the_confirmation_in_spanish(client, adopted_plan):
    response = _follow(client, language="es")
    assert response["Location"] == "/es/goals/1.1/follow/sent/"
    message = mail.outbox[0]
    goal = adopted_plan.items.get(code="1.1")
    assert goal.title_es in message.body and goal.title_en not in message.body
    assert "/es/follow/confirm/" in message.body and "/es/goals/1.1/" in message.body
    assert GoalFollower.objects.get().language == "es"


def test_confirming_takes_a_button_press_then_activates(client, adopted_plan):
    _follow(client)
    path = _confirm_path(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200 and "Confirm" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    assert not GoalFollower.objects.get().is_confirmed  # a mail scanner opening the link confirms nothing
    done = client.post(path)
    assert done.status_code == 200 and "You are following this goal" in done.content.decode()
    follower = GoalFollower.objects.get()
    assert follower.is_confirmed and follower.last_notified_at == follower.confirmed_at
    assert "You are following this goal" in client.get(path).content.decode()  # the link still says so


def test_the_confirmation_form_works_with_csrf_checks(adopted_plan):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/en/goals/1.1/follow/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert browser.post("/en/goals/1.1/follow/", {"email": ADDRESS}).status_code == 403
    response = browser.post("/en/goals/1.1/follow/", {"email": ADDRESS, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and len(mail.outbox) == 1


def test_following_twice_makes_one_subscription_one_mail_and_the_same_answer(client, adopted_plan):
    first = _follow(client)
    second = _follow(client, email=ADDRESS.upper())
    assert first["Location"] == second["Location"]
    assert GoalFollower.objects.count() == 1 and len(mail.outbox) == 1


def test_a_confirmed_address_gets_no_mail_and_the_same_answer(client, confirmed):
    response = _follow(client)
    assert response.status_code == 302 and response["Location"] == "/en/goals/1.1/follow/sent/"
    assert mail.outbox == [] and GoalFollower.objects.get().is_confirmed


def test_a_pending_address_gets_a_new_link_after_an_hour_and_the_old_one_stops_working(client, adopted_plan):
    _follow(client)
    old_path = _confirm_path(mail.outbox[0])
    GoalFollower.objects.update(confirmation_sent_at=timezone.now() - dt.timedelta(minutes=61))
    _follow(client)
    assert len(mail.outbox) == 2 and GoalFollower.objects.count() == 1
    assert client.get(old_path).status_code == 404
    assert client.get(_confirm_path(mail.outbox[1])).status_code == 200


def test_one_address_gets_at_most_three_confirmations_an_hour(client, adopted_plan):
    for code in ("1.1", "1.2", "2.1", "2.2"):
        assert _follow(client, code=code).status_code == 302
    assert len(mail.outbox) == 3


def test_an_invalid_address_is_explained_next_to_the_field_and_kept(client, adopted_plan):
    response = _follow(client, email="not-an-address")
    html = response.content.decode()
    assert response.status_code == 200 and mail.outbox == [] and not GoalFollower.objects.exists()
    assert 'id="id_email-error"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email-error id_email-hint"' in html
    assert 'value="not-an-address"' in html


def test_an_empty_address_is_asked_for(client, adopted_plan):
    response = client.post("/en/goals/1.1/follow/", {})
    assert response.status_code == 200 and "Enter your e-mail address." in response.content.decode()
    assert mail.outbox == [] and not GoalFollower.objects.exists()


def test_a_goal_added_to_the_draft_after_adoption_cannot_be_followed(client, adopted_plan):
    priority = adopted_plan.items.get(code="1")
    draft_goal = f.make_item(adopted_plan, priority)
    assert client.get(f"/en/goals/{draft_goal.code}/follow/").status_code == 404
    assert _follow(client, code=draft_goal.code).status_code == 404
    assert client.get(f"/en/goals/{draft_goal.code}/follow/sent/").status_code == 404
    assert _follow(client, code="1").status_code == 404  # a priority is not a goal
    assert not GoalFollower.objects.exists() and mail.outbox == []


def test_an_unknown_or_expired_link_gives_a_clear_page(client, adopted_plan):
    for path in ("/en/follow/confirm/nope/", "/en/follow/unsubscribe/1-nope/", "/en/follow/unsubscribe/x/"):
        response = client.get(path)
        assert response.status_code == 404 and "This link does not work" in response.content.decode(), path
        assert client.post(path).status_code == 404
    _follow(client)
    GoalFollower.objects.update(confirmation_sent_at=timezone.now() - dt.timedelta(days=8))
    path = _confirm_path(mail.outbox[0])
    assert client.get(path).status_code == 404 and client.post(path).status_code == 404
    assert not GoalFollower.objects.get().is_confirmed


# --- Unsubscribing --------------------------------------------------------------------------------------------------


def _unsubscribe_link(follower: GoalFollower) -> str:
    return f"/en/follow/unsubscribe/{selectors.unsubscribe_token(follower)}/"


def test_unsubscribing_asks_first_then_deletes_the_address(client, confirmed):
    path = _unsubscribe_link(confirmed)
    page = client.get(path)
    assert page.status_code == 200 and "Stop the e-mails" in page.content.decode()
    assert GoalFollower.objects.exists()
    done = client.post(path)
    assert done.status_code == 200 and "deleted your address" in done.content.decode()
    assert not GoalFollower.objects.exists()
    assert client.get(path).status_code == 404  # the link is spent


def test_mail_programs_can_unsubscribe_in_one_click_without_a_csrf_token(confirmed):
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(
        _unsubscribe_link(confirmed),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and not GoalFollower.objects.exists()


def test_an_unsubscribe_link_of_another_subscription_does_not_work(client, confirmed):
    forged = f"/en/follow/unsubscribe/{confirmed.pk}-{'0' * 40}/"
    assert client.post(forged).status_code == 404 and GoalFollower.objects.exists()


# --- Notifications --------------------------------------------------------------------------------------------------


def test_the_digest_tells_followers_what_was_published_on_their_goal_since_their_last_mail(
    confirmed, adopted_plan
):
    before, last = ended_quarters(adopted_plan)
    items = {item.code: item for item in adopted_plan.items.all()}
    earlier = confirmed.confirmed_at - dt.timedelta(days=1)
    published(items["1.1.1.1"], before, "on-track", narrative="OLD NEWS", published_at=earlier)
    published(items["1.1.1.1"], last, "completed", narrative="The library opened.")
    published(items["1.1.1.2"], last, "at-risk", narrative="The contractor is late.")
    published(items["2.1.1.1"], last, "completed", narrative="OTHER GOAL NEWS")
    published(items["1.1.1.2"], before, "delayed", narrative="DRAFT NEWS", state=UpdateState.SUBMITTED)
    report = services.send_goal_updates()
    assert len(report.sent) == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ADDRESS] and "Goal 1.1: 2 new progress updates" == message.subject
    assert "The library opened." in message.body and "The contractor is late." in message.body
    assert "Completed." in message.body
    for hidden in ("OLD NEWS", "OTHER GOAL NEWS", "DRAFT NEWS"):
        assert hidden not in message.body
    unsubscribe_url = re.search(r"https?://\S+/follow/unsubscribe/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _path(unsubscribe_url) == _unsubscribe_link(confirmed)
    # Each update is told once.
    mail.outbox.clear()
    assert services.send_goal_updates().sent == [] and mail.outbox == []


def test_the_digest_reports_a_status_change_and_pending_followers_get_nothing(
    client, confirmed, adopted_plan
):
    _follow(client, email="pending@example.org")  # never confirmed
    mail.outbox.clear()
    before, last = ended_quarters(adopted_plan)
    action = adopted_plan.items.get(code="1.1.1.2")
    published(action, before, "on-track", published_at=confirmed.confirmed_at - dt.timedelta(days=1))
    published(action, last, "at-risk", narrative="Late.")
    services.send_goal_updates()
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    assert "Status changed from On track to At risk." in mail.outbox[0].body


def test_a_spanish_follower_gets_spanish_content_and_links(client, adopted_plan):
    _follow(client, language="es")
    client.post(_confirm_path(mail.outbox[0]))
    mail.outbox.clear()
    _before, last = ended_quarters(adopted_plan)
    published(adopted_plan.items.get(code="1.1.1.1"), last, "completed", narrative="Opened.")
    services.send_goal_updates()
    body = mail.outbox[0].body
    assert "ES Opened." in body and "/es/goals/1.1/" in body and "/es/follow/unsubscribe/" in body
    assert adopted_plan.items.get(code="1.1").title_es in body


def test_the_command_sends_the_digests_and_a_dry_run_sends_nothing(confirmed, adopted_plan, capsys):
    _before, last = ended_quarters(adopted_plan)
    published(adopted_plan.items.get(code="1.1.1.1"), last, "completed")
    call_command("send_goal_updates", "--dry-run")
    assert "Would send 1 digest" in capsys.readouterr().out and mail.outbox == []
    call_command("send_goal_updates")
    assert "Sent 1 digest" in capsys.readouterr().out and len(mail.outbox) == 1
