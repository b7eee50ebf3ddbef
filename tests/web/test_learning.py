"""Learning from incidents, feedback from people and the practice framework (issue 15)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django import DjangoAssertNumQueries

from caseload.audit.models import AccessLogSubject, ChangeAction, ChangeEvent
from caseload.jobs.registry import find
from caseload.learning import actions, figures
from caseload.learning.models import BriefReading, Feedback, FeedbackLink, Recommendation
from caseload.learning.notices import send_recommendation_notices
from caseload.notifications.models import Notification, NotificationKind
from caseload.web.errors import ActionRefused
from tests import learning_factories as make
from tests.conftest import World, client_for
from tests.factories import CaseFactory, allocated_case


def _days_ago(field: str, days: int) -> dict[str, str]:
    day = timezone.localdate() - timedelta(days=days)
    return {
        f"{field}_day": str(day.day),
        f"{field}_month": str(day.month),
        f"{field}_year": str(day.year),
    }


# Incidents and learning reviews


def test_a_practitioner_records_an_incident_in_their_team(world: World) -> None:
    response = client_for(world.priya).post(
        reverse("learning_incident_new"),
        {
            "team": world.team_north.pk,
            "kind": "near_miss",
            **_days_ago("occurred_on", 3),
            # Arabic-Indic digits read as the digits they are.
            "case": "".join(chr(0x0660 + int(d)) for d in str(world.case_held_by_priya.pk)),
            "what_happened": "Synthetic: medication was nearly given twice",
            "immediate_actions": "Synthetic: checked the chart",
            "who_was_told": "Synthetic: Mona",
            "grade": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()
    event = ChangeEvent.objects.get(action=ChangeAction.INCIDENT_RECORDED)
    assert event.case_id == world.case_held_by_priya.pk
    # Free text never reaches the change log.
    assert "medication" not in str(event.changes)


@pytest.mark.parametrize(
    ("case", "message"),
    [("x12", "Enter the case number in digits"), ("\u00b2", "Enter the case number in digits")],
)
def test_a_bad_case_number_is_refused_with_a_message(world: World, case: str, message: str) -> None:
    response = client_for(world.priya).post(
        reverse("learning_incident_new"),
        {"team": world.team_north.pk, "case": case, "kind": "incident"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_another_teams_case_is_refused_like_one_that_does_not_exist(world: World) -> None:
    client = client_for(world.priya)
    for case in (world.case_waiting_south.pk, 10**11):
        response = client.post(
            reverse("learning_incident_new"),
            {
                "team": world.team_north.pk,
                "kind": "incident",
                **_days_ago("occurred_on", 3),
                "case": str(case),
                "what_happened": "Synthetic",
                "immediate_actions": "Synthetic",
                "who_was_told": "Synthetic",
                "grade": "1",
            },
        )
        assert response.status_code == 400
        assert f"Case {case} is not one of your team" in response.content.decode()
    assert not ChangeEvent.objects.filter(action=ChangeAction.INCIDENT_RECORDED).exists()


def test_a_practitioner_cannot_record_for_another_team(world: World) -> None:
    with pytest.raises(ActionRefused):
        make.incident(world.priya, world.team_south)


def test_recommendations_are_tracked_to_completion(world: World) -> None:
    review = make.review(world.pat, make.incident(world.priya, world.team_north))
    today = timezone.localdate()
    rec = make.recommendation(world.pat, review, world.mona, due_on=today + timedelta(days=1))
    # Mona owns it: she sees the review (and nothing else of the PSW's).
    assert (
        client_for(world.mona).get(reverse("learning_review", args=[review.pk])).status_code == 200
    )
    assert (
        client_for(world.max).get(reverse("learning_review", args=[review.pk])).status_code == 404
    )
    # Only its owner (or the PSW) marks it done.
    colin = client_for(world.colin)
    done_url = reverse("learning_recommendation_done", args=[rec.pk])
    assert colin.post(done_url, {"note": "Synthetic"}).status_code == 404
    # On the day due, and each week overdue, the owner is told; not on the days between.
    assert send_recommendation_notices(on=today) == 0
    assert send_recommendation_notices(on=today + timedelta(days=1)) == 1
    assert send_recommendation_notices(on=today + timedelta(days=3)) == 0
    assert send_recommendation_notices(on=today + timedelta(days=8)) == 1
    assert send_recommendation_notices(on=today + timedelta(days=8)) == 0  # once a day
    assert (
        Notification.objects.filter(
            recipient=world.mona, kind=NotificationKind.RECOMMENDATION_DUE
        ).count()
        == 2
    )
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        overdue = figures.recommendation_figures(on=timezone.localdate())
        assert (overdue.open, overdue.overdue) == (1, 1)
        page = client_for(world.pat).get(reverse("learning_recommendations"))
        assert "Overdue" in page.content.decode()
    assert client_for(world.mona).post(done_url, {"note": "Synthetic: done"}).status_code == 302
    rec.refresh_from_db()
    assert rec.done_by == world.mona
    with pytest.raises(ActionRefused, match="already done"):
        actions.complete_recommendation(by=world.mona, recommendation=rec, note="Again")
    assert send_recommendation_notices(on=today + timedelta(days=15)) == 0
    late = figures.recommendation_figures(on=today)
    assert (late.open, late.done_on_time, late.done_late) == (0, 1, 0)


def test_a_review_records_factors_from_the_framework_and_a_sar_link(world: World) -> None:
    review = make.review(world.pat, make.incident(world.mona, world.team_north), lead=world.mona)
    client = client_for(world.mona)
    url = reverse("learning_review_update", args=[review.pk])
    refused = client.post(url, {"contributing_factors": ["blame"], "findings": ""})
    assert refused.status_code == 400
    response = client.post(
        url,
        {
            "contributing_factors": ["communication", "local_working_conditions"],
            "findings": "Synthetic findings",
            "sar_reference": "SAR 2026/01",
            "sar_url": "https://example.org/sar/1",
            "complete": "on",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.contributing_factors == ["communication", "local_working_conditions"]
    assert review.completed_at is not None


def test_the_psw_changes_the_seriousness_with_a_reason_and_it_is_logged(world: World) -> None:
    incident = make.incident(world.priya, world.team_north, grade=2)
    url = reverse("learning_incident_grade", args=[incident.pk])
    psw = client_for(world.pat)
    same = psw.post(url, {"grade": "2", "reason": "Synthetic: no change"})
    assert same.status_code == 400
    assert "Choose a different seriousness" in same.content.decode()
    no_reason = psw.post(url, {"grade": "4", "reason": "  "})
    assert no_reason.status_code == 400
    assert psw.post(url, {"grade": "4", "reason": "Synthetic: the harm lasted"}).status_code == 302
    incident.refresh_from_db()
    assert incident.grade == 4
    event = ChangeEvent.objects.get(action=ChangeAction.INCIDENT_REGRADED)
    assert event.changes["grade"] == [2, 4]
    assert event.team_id == world.team_north.pk
    assert "harm lasted" not in str(event.changes) + str(event.detail)
    page = psw.get(reverse("learning_incident", args=[incident.pk])).content.decode()
    assert "Synthetic: the harm lasted" in page
    # The recorder sees the history but may not change the grade.
    priya = client_for(world.priya)
    assert (
        "Synthetic: the harm lasted"
        in priya.get(reverse("learning_incident", args=[incident.pk])).content.decode()
    )
    assert priya.post(url, {"grade": "1", "reason": "Synthetic"}).status_code == 403
    incident.refresh_from_db()
    assert incident.grade == 4


# Learning briefs


def test_practitioners_confirm_reading_a_brief_once_and_rates_count_by_team(world: World) -> None:
    brief = actions.publish_brief(by=world.pat, title="Synthetic brief", summary="Synthetic")
    client = client_for(world.priya)
    for _ in range(2):
        assert client.post(reverse("learning_brief_read", args=[brief.pk])).status_code == 302
    assert BriefReading.objects.filter(brief=brief).count() == 1
    count, rates = figures.brief_read_rates(since=timezone.localdate() - timedelta(days=1))
    north = next(r for r in rates if r.team == world.team_north.name)
    assert count == 1
    assert north.done == 1
    assert north.percent == round(100 / north.staff)
    # Only the PSW publishes.
    assert (
        client.post(reverse("learning_briefs"), {"title": "x", "summary": "y"}).status_code == 403
    )


def test_publishing_a_brief_tells_the_practitioners_it_is_for_once(world: World) -> None:
    brief = actions.publish_brief(by=world.pat, title="Synthetic brief", summary="Synthetic")
    told = Notification.objects.filter(kind=NotificationKind.LEARNING_BRIEF_PUBLISHED)
    # Whoever practises in a team (managers too), as the read rates count; not the PSW or
    # the director.
    assert set(told.values_list("recipient__username", flat=True)) == {
        world.priya.username,
        world.colin.username,
        world.mona.username,
        world.max.username,
    }
    notice = told.get(recipient=world.priya)
    assert notice.link == reverse("learning_briefs") + f"#brief-{brief.pk}"
    # The emailed title names neither the brief's subject nor anyone.
    assert "Synthetic" not in notice.title
    actions._tell_readers(brief)  # a second telling (say, a retried job) sends nothing more
    assert told.count() == 4


# Feedback and its anonymity


def test_the_practitioner_sees_anonymous_feedback_without_the_case_or_the_day(
    world: World,
) -> None:
    case = world.case_held_by_priya
    make.feedback(world.mona, case, anonymous=True, comments="Synthetic: anonymous words")
    make.feedback(world.mona, case, anonymous=False, comments="Synthetic: named words")
    page = client_for(world.priya).get(reverse("learning_feedback_mine")).content.decode()
    assert "Synthetic: anonymous words" in page
    assert page.count(f"case {case.pk}") == 1  # the named one only
    assert escape(case.person.family_name) not in page
    received = timezone.localdate() - timedelta(days=2)
    assert f"{received:%B %Y} · anonymous" in page
    # The team's manager, who follows feedback up, sees the case on both.
    team_page = client_for(world.mona).get(reverse("learning_feedback")).content.decode()
    assert team_page.count(reverse("case_detail", args=[case.pk])) == 2
    # Colin, in the same team, sees none of Priya's feedback.
    colins = client_for(world.colin).get(reverse("learning_feedback_mine")).content.decode()
    assert "Synthetic: anonymous words" not in colins


def test_small_numbers_are_not_reported_per_practitioner(world: World) -> None:
    start, end = timezone.localdate() - timedelta(days=30), timezone.localdate()
    for _ in range(figures.SMALL_NUMBER - 1):
        make.feedback(world.mona, world.case_held_by_priya)
    colins = allocated_case(world.colin_practitioner)
    for _ in range(figures.SMALL_NUMBER):
        make.feedback(world.mona, colins)
    rows = {
        r.name: r for r in figures.feedback_by_practitioner(start=start, end=end, team_ids=None)
    }
    assert rows[world.priya_practitioner.full_name].figures is None
    shown = rows[world.colin_practitioner.full_name].figures
    assert shown is not None
    assert shown.received == figures.SMALL_NUMBER
    page = client_for(world.dee).get(reverse("learning_figures")).content.decode()
    assert f"Fewer than {figures.SMALL_NUMBER}: not reported" in page


def test_only_words_the_person_agreed_to_have_quoted_are_picked(world: World) -> None:
    unquotable = make.feedback(world.mona, world.case_held_by_priya)
    with pytest.raises(ActionRefused, match="did not agree"):
        actions.pick_quotation(by=world.pat, feedback=unquotable, picked=True)
    quotable = make.feedback(world.mona, world.case_held_by_priya, may_quote=True)
    assert actions.pick_quotation(by=world.pat, feedback=quotable, picked=True).picked_for_report


def _link(world: World) -> str:
    _, token = actions.make_feedback_link(
        by=world.mona, case=world.case_held_by_priya, about="review"
    )
    return reverse("feedback_link", args=[token])


def test_a_feedback_link_works_once_without_sign_in_and_shows_nothing_personal(
    world: World,
) -> None:
    url = _link(world)
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200
    for secret in (world.person_of_priya.family_name, world.priya_practitioner.family_name):
        assert secret not in page.content.decode()
    answered = anonymous.post(
        url, {"listened_to": "yes", "outcomes_met": "partly", "comments": "Synthetic thanks"}
    )
    assert answered.status_code == 200
    made = Feedback.objects.get()
    assert (made.channel, made.practitioner, made.listened_to) == (
        "link",
        world.priya_practitioner,
        True,
    )
    assert anonymous.get(url).status_code == 404  # used
    assert anonymous.post(url, {"comments": "again"}).status_code == 404
    assert Feedback.objects.count() == 1


def test_an_expired_or_guessed_link_is_gone_and_guessing_is_rate_limited(world: World) -> None:
    url = _link(world)
    FeedbackLink.objects.update(expires_at=timezone.now())
    anonymous = Client()
    assert anonymous.get(url).status_code == 404
    for _ in range(actions.ATTEMPTS_PER_WINDOW - 1):
        assert anonymous.get(reverse("feedback_link", args=["guess"])).status_code == 404
    assert anonymous.get(reverse("feedback_link", args=["guess"])).status_code == 429
    with time_machine.travel(timezone.now() + actions.ATTEMPT_WINDOW + timedelta(seconds=1)):
        assert anonymous.get(reverse("feedback_link", args=["guess"])).status_code == 404


# The practice framework


FRAMEWORK = {
    "vision": "Synthetic vision",
    "values": "Synthetic values",
    "practice_model": "Strengths-based",
    "desired_outcomes": "Synthetic outcomes",
    "evidence": "Synthetic evidence",
    "contributors_people": "Synthetic experts by experience group",
}


def test_the_framework_is_versioned_and_acknowledged(world: World) -> None:
    pat = client_for(world.pat)
    assert pat.post(reverse("learning_framework_edit"), {}).status_code == 400
    assert pat.post(reverse("learning_framework_edit"), FRAMEWORK).status_code == 302
    assert pat.post(reverse("learning_framework_edit"), FRAMEWORK).status_code == 302
    priya = client_for(world.priya)
    assert priya.post(reverse("learning_framework_acknowledge")).status_code == 302
    current = actions.current_framework()
    assert current is not None
    assert current.number == 2
    with pytest.raises(ActionRefused, match="newer version"):
        actions.acknowledge_framework(
            by=world.mona, version=current.__class__.objects.get(number=1)
        )
    north = next(
        r for r in figures.acknowledgement_rates(current) if r.team == world.team_north.name
    )
    assert north.done == 1


# Lists keep a constant number of queries as rows grow


@pytest.mark.parametrize(
    ("name", "persona"),
    [
        ("learning_incidents", "pat"),
        ("learning_feedback", "mona"),
        ("learning_feedback_mine", "priya"),
        ("learning_briefs", "priya"),
        ("learning_recommendations", "pat"),
        ("learning_figures", "dee"),
        ("learning_direct_practice", "pat"),
        ("learning_framework", "priya"),
    ],
)
def test_lists_ask_the_same_queries_as_rows_are_added(
    world: World, django_assert_num_queries: DjangoAssertNumQueries, name: str, persona: str
) -> None:
    user = getattr(world, persona)
    client = client_for(user)

    def add() -> None:
        happened = make.incident(world.mona, world.team_north, case=world.case_held_by_priya)
        make.recommendation(world.pat, make.review(world.pat, happened), world.mona)
        make.feedback(world.mona, world.case_held_by_priya, anonymous=True)
        make.feedback(world.mona, allocated_case(world.colin_practitioner))
        brief = actions.publish_brief(by=world.pat, title="Synthetic", summary="Synthetic")
        actions.confirm_brief_read(by=world.priya, brief=brief)
        actions.record_direct_practice(
            by=world.pat,
            kind="mentoring",
            on=timezone.localdate(),
            hours=Decimal(2),
            team=world.team_north,
            note="Synthetic",
        )
        version = actions.publish_framework(
            by=world.pat,
            details=actions.FrameworkDetails(
                **{k: v for k, v in FRAMEWORK.items() if k != "contributors_people"}
            ),
        )
        actions.acknowledge_framework(by=world.colin, version=version)

    add()
    with CaptureQueriesContext(connection) as counted:
        assert client.get(reverse(name)).status_code == 200
    for _ in range(2):
        add()
    with django_assert_num_queries(len(counted.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


def test_feedback_on_a_case_of_another_team_is_refused(world: World) -> None:
    other = CaseFactory.create(team=world.team_south)
    with pytest.raises(ActionRefused):
        make.feedback(world.mona, other)
    assert not Recommendation.objects.exists()


def test_the_recommendation_notice_runs_daily() -> None:
    kind = find("recommendation_notices")
    assert kind is not None
    assert kind.daily


def test_the_recorder_sees_their_incident_and_a_colleague_does_not(world: World) -> None:
    recorded = make.incident(world.priya, world.team_north, case=world.case_held_by_priya)
    url = reverse("learning_incident", args=[recorded.pk])
    assert client_for(world.priya).get(url).status_code == 200
    assert client_for(world.colin).get(url).status_code == 404
    # Opening it names the case's person in the access log.
    assert AccessLogSubject.objects.filter(person_id=world.person_of_priya.pk).exists()


def test_a_manager_sees_their_own_teams_feedback_only(world: World) -> None:
    make.feedback(world.mona, world.case_held_by_priya, comments="Synthetic: north words")
    assert "Synthetic: north words" in client_for(world.mona).get(reverse("learning_feedback")).text
    assert (
        "Synthetic: north words" not in client_for(world.max).get(reverse("learning_feedback")).text
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("comments", "Synthetic\u202eevil", "control or hidden formatting characters"),
        ("case", "9" * 13, "Enter the case number in digits"),
        ("received_on_year", "99999", "real date"),
    ],
)
def test_bad_feedback_is_refused_with_a_message_and_nothing_written(
    world: World, field: str, value: str, message: str
) -> None:
    data = {
        "case": str(world.case_held_by_priya.pk),
        "about": "review",
        "kind": "compliment",
        "channel": "paper",
        **_days_ago("received_on", 1),
        field: value,
    }
    response = client_for(world.mona).post(reverse("learning_feedback_new"), data)
    assert response.status_code == 400
    assert message in response.text
    assert not Feedback.objects.exists()
