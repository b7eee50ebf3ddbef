"""ASYE programmes: who sees them, recording a review (all or nothing, hostile input refused),
the list of ASYEs with overdue reviews, the practitioner page's panel, the daily notices."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.accounts.models import AccessRole
from caseload.asye import actions
from caseload.asye.models import Programme, ProgrammeStatus, Review
from caseload.asye.notices import send_review_notices
from caseload.audit.models import AccessAction, AccessLogEntry, ChangeAction, ChangeEvent
from caseload.jobs import registry
from caseload.notifications.models import Notification, NotificationKind
from caseload.register.models import Practitioner, Specialism, Team
from caseload.web.errors import ActionRefused
from caseload_engine import asye
from tests.asye_factories import ProgrammeFactory, ReviewFactory, evidence
from tests.conftest import World, client_for
from tests.factories import PractitionerFactory, TeamFactory, UserFactory

START = date(2026, 8, 31)
# 10 Dec 2026: the 3-month review (due 30 Nov) is overdue by 10 days.
TODAY = date(2026, 12, 10)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(TODAY.isoformat() + " 12:00 +0000", tick=False):
        yield


@pytest.fixture
def programme(world: World) -> Programme:
    """Priya, newly qualified, assessed by Colin from 31 Aug 2026; started by Mona."""
    Practitioner.objects.filter(pk=world.priya_practitioner.pk).update(role="asye")
    world.priya_practitioner.refresh_from_db()
    return actions.start_programme(
        by=world.mona, practitioner=world.priya_practitioner, starts_on=START, assessor=world.colin
    )


def _review_post(**overrides: str) -> dict[str, str]:
    data = {
        "held_on_day": "2",
        "held_on_month": "12",
        "held_on_year": "2026",
        "outcome": "on_track",
        "assessor_comments": "Good progress; more work on capacity assessments.",
        **{f"pcf_{code}": text for code, text in evidence(asye.PCF_DOMAINS).items()},
        **{f"kss_{code}": text for code, text in evidence(asye.KSS_ADULTS).items()},
    }
    data.update(overrides)
    return data


# -- who sees ---------------------------------------------------------------------------------


def test_the_asye_assessor_manager_and_psw_see_the_programme(
    world: World, programme: Programme
) -> None:
    url = reverse("asye_programme", args=[programme.pk])
    for user in (world.priya, world.colin, world.mona, world.pat):
        response = client_for(user).get(url)
        assert response.status_code == 200, user.username
        page = response.content.decode()
        assert "Overdue by 10 days" in page
        assert "30 Nov 2026" in page  # 31 Aug + 3 months, held to the month's end


def test_colleagues_other_managers_the_director_and_admin_do_not(
    world: World, programme: Programme
) -> None:
    colleague = UserFactory.create(access_role=AccessRole.PRACTITIONER)
    PractitionerFactory.create(user=colleague, team=world.team_north)
    url = reverse("asye_programme", args=[programme.pk])
    for user in (colleague, world.max, world.dee, world.ada):
        response = client_for(user).get(url)
        assert response.status_code == 404, user.username
        assert "Priyapersona" not in response.content.decode()


def test_viewing_a_programme_is_in_the_access_log(world: World, programme: Programme) -> None:
    client_for(world.pat).get(reverse("asye_programme", args=[programme.pk]))
    entry = AccessLogEntry.objects.get(user_id=world.pat.pk)
    assert entry.action == AccessAction.VIEW_ASYE_PROGRAMME
    assert entry.practitioner_id == world.priya_practitioner.pk


def test_the_programme_shows_the_development_time_from_the_complexity_model(
    world: World, programme: Programme
) -> None:
    page = client_for(world.priya).get(reverse("asye_programme", args=[programme.pk]))
    # The default model gives ASYEs 0.9 of a worker's capacity.
    assert "<strong>10%</strong>" in page.content.decode()


def test_the_practitioner_page_shows_the_asye_panel(world: World, programme: Programme) -> None:
    page = client_for(world.mona).get(
        reverse("practitioner_detail", args=[world.priya_practitioner.pk])
    )
    text = page.content.decode()
    assert "Development time" in text
    assert reverse("asye_programme", args=[programme.pk]) in text
    assert AccessLogEntry.objects.filter(
        user_id=world.mona.pk, action=AccessAction.VIEW_ASYE_PROGRAMME
    ).exists()


def test_the_assessor_finds_their_asyes_on_their_own_page(
    world: World, programme: Programme
) -> None:
    own = client_for(world.colin).get(
        reverse("practitioner_detail", args=[world.colin_practitioner.pk])
    )
    assert "ASYEs you assess" in own.content.decode()
    assert reverse("asye_programme", args=[programme.pk]) in own.content.decode()
    # Their manager, on Colin's page, does not see it: it is Colin's own list.
    theirs = client_for(world.mona).get(
        reverse("practitioner_detail", args=[world.colin_practitioner.pk])
    )
    assert "ASYEs you assess" not in theirs.content.decode()


def test_a_social_workers_page_has_no_asye_panel(world: World) -> None:
    page = client_for(world.mona).get(
        reverse("practitioner_detail", args=[world.colin_practitioner.pk])
    )
    assert "Development time" not in page.content.decode()


# -- recording a review -------------------------------------------------------------------------


def test_the_assessor_records_the_review_with_its_evidence(
    world: World, programme: Programme
) -> None:
    url = reverse("asye_review_new", args=[programme.pk])
    response = client_for(world.colin).post(url, _review_post())
    assert response.status_code == 302
    review = Review.objects.get(programme=programme)
    assert (review.months, review.held_on, review.due_on) == (
        3,
        date(2026, 12, 2),
        date(2026, 11, 30),
    )
    assert set(review.pcf_evidence) == {code for code, _ in asye.PCF_DOMAINS}
    event = ChangeEvent.objects.get(action=ChangeAction.ASYE_REVIEW_RECORDED)
    assert event.practitioner_id == world.priya_practitioner.pk
    assert event.changes["outcome"] == [None, "on_track"]
    page = client_for(world.priya).get(reverse("asye_programme", args=[programme.pk]))
    assert "more work on capacity assessments" in page.content.decode()
    assert "Overdue" not in page.content.decode()
    assert review.asye_comments == ""  # the assessor's form has no say for the ASYE


def test_the_asye_and_the_psw_cannot_record(world: World, programme: Programme) -> None:
    url = reverse("asye_review_new", args=[programme.pk])
    for user in (world.priya, world.pat):
        assert client_for(user).post(url, _review_post()).status_code == 403
    assert not Review.objects.exists()


def test_one_missing_piece_of_evidence_records_nothing(world: World, programme: Programme) -> None:
    url = reverse("asye_review_new", args=[programme.pk])
    response = client_for(world.colin).post(url, _review_post(kss_safeguarding=" "))
    assert response.status_code == 200
    assert "Enter evidence for 3. Safeguarding" in response.content.decode()
    assert not Review.objects.exists()
    assert not ChangeEvent.objects.filter(action=ChangeAction.ASYE_REVIEW_RECORDED).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("held_on_year", "99999999999999999999"),
        ("held_on_day", "\u0663\u0664"),  # Arabic-Indic digits read as 34: not a day
        ("held_on_day", "\u00b2"),
        ("held_on_month", "13"),
        ("held_on_year", "2027"),  # in the future
        ("held_on_year", "2025"),  # before the programme started
        ("outcome", "pass"),  # the final assessment's outcome, at 3 months
        ("outcome", "x" * 5000),
        ("assessor_comments", "fine\x00"),
        ("assessor_comments", "fine\x1b[31m"),
        ("pcf_knowledge", "x" * 2001),
    ],
)
def test_hostile_input_is_a_form_error(
    world: World, programme: Programme, field: str, value: str
) -> None:
    url = reverse("asye_review_new", args=[programme.pk])
    response = client_for(world.colin).post(url, _review_post(**{field: value}))
    assert response.status_code == 200
    assert field.removesuffix("_day").removesuffix("_month").removesuffix("_year") in (
        response.context["form"].errors
    )
    assert not Review.objects.exists()


def test_the_same_form_with_arabic_indic_digits_is_recorded(
    world: World, programme: Programme
) -> None:
    url = reverse("asye_review_new", args=[programme.pk])
    assert client_for(world.colin).post(url, _review_post(held_on_day="\u0663")).status_code == 302
    assert Review.objects.get().held_on == date(2026, 12, 3)


def test_another_teams_programme_id_is_not_found(world: World, programme: Programme) -> None:
    other = ProgrammeFactory.create(practitioner__team=world.team_south)
    url = reverse("asye_review_new", args=[other.pk])
    assert client_for(world.mona).post(url, _review_post()).status_code == 404


def test_the_final_pass_ends_the_programme(world: World, programme: Programme) -> None:
    for months in (3, 6, 9):
        ReviewFactory.create(programme=programme, months=months)
    with time_machine.travel("2027-09-02 12:00 +0000", tick=False):
        actions.record_review(
            by=world.colin,
            programme=programme,
            months=12,
            held_on=date(2027, 9, 1),
            outcome="pass",
            pcf_evidence=evidence(asye.PCF_DOMAINS),
            kss_evidence=evidence(asye.KSS_ADULTS),
            assessor_comments="Passed.",
        )
    programme.refresh_from_db()
    assert (programme.status, programme.ended_on, programme.outcome) == (
        ProgrammeStatus.COMPLETED,
        date(2027, 9, 1),
        "pass",
    )


def test_an_extension_keeps_the_programme_going(world: World, programme: Programme) -> None:
    for months in (3, 6, 9):
        ReviewFactory.create(programme=programme, months=months)
    with time_machine.travel("2027-09-02 12:00 +0000", tick=False):
        actions.record_review(
            by=world.mona,
            programme=programme,
            months=12,
            held_on=date(2027, 9, 1),
            outcome="extended",
            pcf_evidence=evidence(asye.PCF_DOMAINS),
            kss_evidence=evidence(asye.KSS_ADULTS),
            assessor_comments="Three more months.",
        )
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.ACTIVE


def _extend(world: World, programme: Programme) -> None:
    for months in (3, 6, 9):
        ReviewFactory.create(programme=programme, months=months)
    ReviewFactory.create(programme=programme, months=12, outcome="extended")


def test_an_extension_schedules_the_extension_review_three_months_on(
    world: World, programme: Programme
) -> None:
    _extend(world, programme)
    with time_machine.travel("2027-11-20 12:00 +0000", tick=False):
        page = client_for(world.colin).get(reverse("asye_programme", args=[programme.pk]))
    text = page.content.decode()
    assert "Extension review" in text
    assert "30 Nov 2027" in text  # the final assessment's 31 Aug 2027 + 3 months
    assert "Record the extension review" in text


@pytest.mark.parametrize("outcome", ["pass", "fail"])
def test_the_extension_review_ends_the_programme(
    world: World, programme: Programme, outcome: str
) -> None:
    _extend(world, programme)
    with time_machine.travel("2027-12-02 12:00 +0000", tick=False):
        review = actions.record_review(
            by=world.colin,
            programme=programme,
            months=asye.EXTENSION_REVIEW,
            held_on=date(2027, 12, 1),
            outcome=outcome,
            pcf_evidence=evidence(asye.PCF_DOMAINS),
            kss_evidence=evidence(asye.KSS_ADULTS),
            assessor_comments="Decided.",
        )
    programme.refresh_from_db()
    assert (programme.status, programme.ended_on, programme.outcome) == (
        ProgrammeStatus.COMPLETED,
        date(2027, 12, 1),
        outcome,
    )
    assert review.due_on == date(2027, 11, 30)


def test_the_extension_review_cannot_extend_again_nor_come_without_an_extension(
    world: World, programme: Programme
) -> None:
    for months in (3, 6, 9):
        ReviewFactory.create(programme=programme, months=months)
    ReviewFactory.create(programme=programme, months=12, outcome="pass")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory.create(programme=programme, months=15, outcome="extended")
    Programme.objects.filter(pk=programme.pk).update(status=ProgrammeStatus.ACTIVE)
    with pytest.raises(ActionRefused, match="next review"):
        actions.record_review(
            by=world.colin,
            programme=programme,
            months=asye.EXTENSION_REVIEW,
            held_on=TODAY,
            outcome="pass",
            pcf_evidence=evidence(asye.PCF_DOMAINS),
            kss_evidence=evidence(asye.KSS_ADULTS),
            assessor_comments="No extension was given.",
        )


# -- the ASYE's own comments ------------------------------------------------------------------


def test_the_asye_adds_then_changes_their_comments_in_the_change_log(
    world: World, programme: Programme
) -> None:
    review = ReviewFactory.create(programme=programme, months=3)
    page = client_for(world.priya).get(reverse("asye_programme", args=[programme.pk]))
    assert "Add your comments" in page.content.decode()
    url = reverse("asye_review_comments", args=[review.pk])
    for text in ("I would like more MCA cases.", "More MCA cases, please."):
        response = client_for(world.priya).post(url, {"asye_comments": text})
        assert response.status_code == 302
        review.refresh_from_db()
        assert review.asye_comments == text
    events = ChangeEvent.objects.filter(action=ChangeAction.ASYE_COMMENTS_RECORDED).order_by("pk")
    assert [e.detail["changed"] for e in events] == [False, True]
    assert {e.practitioner_id for e in events} == {world.priya_practitioner.pk}
    assert AccessLogEntry.objects.filter(
        user_id=world.priya.pk, action=AccessAction.ASYE_REVIEW_FORM
    ).exists()


def test_only_the_asye_comments_as_the_asye(world: World, programme: Programme) -> None:
    review = ReviewFactory.create(programme=programme, months=3)
    url = reverse("asye_review_comments", args=[review.pk])
    for user in (world.colin, world.mona, world.pat):
        assert client_for(user).post(url, {"asye_comments": "Not mine"}).status_code == 404
        page = client_for(user).get(reverse("asye_programme", args=[programme.pk]))
        assert "Add your comments" not in page.content.decode()
        with pytest.raises(ActionRefused):
            actions.record_asye_comments(by=user, review=review, comments="Not mine")
    review.refresh_from_db()
    assert review.asye_comments == ""
    assert not ChangeEvent.objects.filter(action=ChangeAction.ASYE_COMMENTS_RECORDED).exists()


def test_comments_close_when_the_next_review_is_recorded_or_after_28_days(
    world: World, programme: Programme
) -> None:
    first = ReviewFactory.create(programme=programme, months=3)
    url = reverse("asye_review_comments", args=[first.pk])
    with time_machine.travel(TODAY + timedelta(days=29), tick=False):
        assert client_for(world.priya).post(url, {"asye_comments": "Late"}).status_code == 403
        with pytest.raises(ActionRefused, match="no longer"):
            actions.record_asye_comments(by=world.priya, review=first, comments="Late")
    ReviewFactory.create(programme=programme, months=6)
    assert client_for(world.priya).get(url).status_code == 403
    first.refresh_from_db()
    assert first.asye_comments == ""


@pytest.mark.parametrize("value", ["", "   ", "fine\x07", "x" * 4001])
def test_hostile_comments_are_a_form_error(world: World, programme: Programme, value: str) -> None:
    review = ReviewFactory.create(programme=programme, months=3)
    url = reverse("asye_review_comments", args=[review.pk])
    response = client_for(world.priya).post(url, {"asye_comments": value})
    assert response.status_code == 200
    assert "asye_comments" in response.context["form"].errors
    review.refresh_from_db()
    assert review.asye_comments == ""


def test_reviews_are_recorded_in_order(world: World, programme: Programme) -> None:
    with pytest.raises(ActionRefused, match="next review"):
        actions.record_review(
            by=world.colin,
            programme=programme,
            months=6,
            held_on=date(2026, 12, 1),
            outcome="on_track",
            pcf_evidence=evidence(asye.PCF_DOMAINS),
            kss_evidence=evidence(asye.KSS_ADULTS),
            assessor_comments="Early.",
        )


def test_a_programme_needs_an_asye_and_another_assessor(world: World) -> None:
    with pytest.raises(ActionRefused, match="Only an ASYE"):
        actions.start_programme(
            by=world.mona,
            practitioner=world.colin_practitioner,
            starts_on=START,
            assessor=world.mona,
        )
    Practitioner.objects.filter(pk=world.priya_practitioner.pk).update(role="asye")
    with pytest.raises(ActionRefused, match="assessor other than"):
        actions.start_programme(
            by=world.mona,
            practitioner=world.priya_practitioner,
            starts_on=START,
            assessor=world.priya,
        )
    with pytest.raises(ActionRefused, match="cannot start"):
        actions.start_programme(
            by=world.max,
            practitioner=world.priya_practitioner,
            starts_on=START,
            assessor=world.colin,
        )


def test_the_database_keeps_one_review_each_and_fitting_outcomes(programme: Programme) -> None:
    ReviewFactory.create(programme=programme, months=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory.create(programme=programme, months=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory.create(programme=programme, months=6, outcome="pass")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory.create(programme=programme, months=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=programme.pk).update(status=ProgrammeStatus.COMPLETED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeFactory.create(practitioner=programme.practitioner)


# -- starting a programme ---------------------------------------------------------------------


@pytest.fixture
def priya_asye(world: World) -> Practitioner:
    Practitioner.objects.filter(pk=world.priya_practitioner.pk).update(role="asye")
    world.priya_practitioner.refresh_from_db()
    return world.priya_practitioner


def _start_post(assessor: int | str, day: str = "1") -> dict[str, str]:
    return {
        "starts_on_day": day,
        "starts_on_month": "12",
        "starts_on_year": "2026",
        "assessor": str(assessor),
    }


def test_the_manager_starts_a_programme_from_the_practitioner_page(
    world: World, priya_asye: Practitioner
) -> None:
    client = client_for(world.mona)
    page = client.get(reverse("practitioner_detail", args=[priya_asye.pk])).content.decode()
    url = reverse("asye_programme_new", args=[priya_asye.pk])
    assert url in page
    response = client.post(url, _start_post(world.colin.pk))
    programme = Programme.objects.get()
    assert response["Location"] == reverse("asye_programme", args=[programme.pk])
    assert (programme.starts_on, programme.assessor) == (date(2026, 12, 1), world.colin)
    event = ChangeEvent.objects.get(action=ChangeAction.ASYE_PROGRAMME_STARTED)
    assert event.changes["assessor"] == [None, world.colin.pk]
    again = client.post(url, _start_post(world.colin.pk))
    assert "already started" in again.content.decode()


@pytest.mark.parametrize(
    "assessor",
    [
        "max",
        "priya",
        "dee",
        "99999999999999999999999",
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667",
        "1 OR 1=1",
        "",
    ],
)
def test_an_assessor_from_outside_the_list_is_a_form_error(
    world: World, priya_asye: Practitioner, assessor: str
) -> None:
    # Max manages another team; Priya is the ASYE; Dee has no practitioner record.
    value = str(getattr(world, assessor).pk) if hasattr(world, assessor) and assessor else assessor
    url = reverse("asye_programme_new", args=[priya_asye.pk])
    response = client_for(world.mona).post(url, _start_post(value))
    assert response.status_code == 200
    assert "assessor" in response.context["form"].errors
    assert not Programme.objects.exists()


def test_a_practice_educator_in_another_team_may_assess(
    world: World, priya_asye: Practitioner
) -> None:
    educator = PractitionerFactory.create(team=world.team_south, role="experienced")
    educator.specialisms.add(Specialism.objects.get_or_create(code="practice_educator")[0])
    url = reverse("asye_programme_new", args=[priya_asye.pk])
    response = client_for(world.mona).post(url, _start_post(educator.user_id or 0))
    assert response.status_code == 302
    assert Programme.objects.get().assessor_id == educator.user_id


def test_only_the_teams_manager_starts_a_programme(world: World, priya_asye: Practitioner) -> None:
    url = reverse("asye_programme_new", args=[priya_asye.pk])
    assert client_for(world.max).post(url, _start_post(world.colin.pk)).status_code == 404
    assert client_for(world.pat).post(url, _start_post(world.colin.pk)).status_code == 403
    assert client_for(world.priya).post(url, _start_post(world.colin.pk)).status_code == 403
    assert not Programme.objects.exists()


# -- the list --------------------------------------------------------------------------------


def _asyes(team: Team, count: int, *, overdue: bool) -> None:
    """`count` ASYEs in the team, whose 3-month review is overdue or not yet due."""
    starts_on = START if overdue else TODAY - timedelta(days=30)
    ProgrammeFactory.create_batch(count, practitioner__team=team, starts_on=starts_on)


def test_the_list_shows_each_managers_team_and_every_team_to_the_psw(
    world: World, programme: Programme
) -> None:
    _asyes(world.team_south, 2, overdue=False)
    assert client_for(world.mona).get(reverse("asye_list")).context["page"].paginator.count == 1
    assert client_for(world.max).get(reverse("asye_list")).context["page"].paginator.count == 2
    assert client_for(world.pat).get(reverse("asye_list")).context["page"].paginator.count == 3
    for user in (world.priya, world.dee, world.ada):
        assert client_for(user).get(reverse("asye_list")).status_code == 403


def test_the_list_narrows_to_one_team_the_user_oversees(world: World, programme: Programme) -> None:
    _asyes(world.team_south, 2, overdue=True)
    client = client_for(world.pat)
    south = client.get(reverse("asye_list"), {"team": str(world.team_south.pk), "show": "overdue"})
    assert south.context["page"].paginator.count == 2
    assert "2 ASYEs in Mental Health South" in south.content.decode()
    # A manager naming another team's id gets the form's error, never that team's ASYEs.
    other = client_for(world.mona).get(reverse("asye_list"), {"team": world.team_south.pk})
    assert "Choose a team from the list" in other.content.decode()
    assert [row.programme.pk for row in other.context["page"]] == [programme.pk]
    for hostile in ("9" * 30, "\u0661", "\x00"):
        assert client.get(reverse("asye_list"), {"team": hostile}).status_code == 200


def test_the_list_can_show_only_overdue_reviews(world: World, programme: Programme) -> None:
    _asyes(world.team_north, 2, overdue=False)
    response = client_for(world.pat).get(reverse("asye_list"), {"show": "overdue"})
    rows = list(response.context["page"])
    assert [row.programme.pk for row in rows] == [programme.pk]
    assert "Overdue by 10 days" in response.content.decode()


def test_the_list_costs_the_same_queries_for_one_asye_or_many(
    world: World, django_assert_num_queries: Any
) -> None:
    client = client_for(world.pat)
    _asyes(world.team_north, 1, overdue=True)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("asye_list")).status_code == 200
    _asyes(world.team_south, 8, overdue=True)
    _asyes(TeamFactory.create(), 4, overdue=False)
    with django_assert_num_queries(len(one)):
        response = client.get(reverse("asye_list"), {"show": "overdue"})
    assert response.context["page"].paginator.count == 9


# -- notices ---------------------------------------------------------------------------------


def test_the_assessor_is_told_once_when_due_soon_and_once_when_overdue(
    world: World, programme: Programme
) -> None:
    due = asye.due_on(START, 3)
    assert send_review_notices(on=due - timedelta(days=20)) == 0
    assert send_review_notices(on=due - timedelta(days=10)) == 1
    assert send_review_notices(on=due - timedelta(days=9)) == 0
    assert send_review_notices(on=due + timedelta(days=1)) == 1
    assert send_review_notices(on=due + timedelta(days=2)) == 0
    notices = Notification.objects.filter(
        recipient=world.colin, kind=NotificationKind.ASYE_REVIEW_DUE
    )
    assert [n.title.endswith("(due 30 November 2026)") for n in notices] == [True, False]
    assert all(n.link == reverse("asye_programme", args=[programme.pk]) for n in notices)


def test_no_notice_once_the_review_is_held(world: World, programme: Programme) -> None:
    ReviewFactory.create(programme=programme, months=3)
    assert send_review_notices(on=asye.due_on(START, 3) + timedelta(days=1)) == 0
    assert not Notification.objects.exists()


def test_the_daily_run_sends_the_notices() -> None:
    assert "asye_review_notices" in [kind.key for kind in registry.daily()]


@pytest.mark.parametrize("name", ["asye_programme", "asye_review_new", "asye_programme_new"])
def test_an_id_beyond_the_database_is_not_found(world: World, name: str) -> None:
    url = reverse(name, args=[10**30])
    assert client_for(world.mona).get(url).status_code == 404


def test_the_programme_page_costs_the_same_queries_for_one_review_or_three(
    world: World, programme: Programme, django_assert_num_queries: Any
) -> None:
    client = client_for(world.pat)
    url = reverse("asye_programme", args=[programme.pk])
    ReviewFactory.create(programme=programme, months=3)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    ReviewFactory.create(programme=programme, months=6)
    ReviewFactory.create(programme=programme, months=9, outcome="not_on_track")
    with django_assert_num_queries(len(one)):
        page = client.get(url)
    assert page.content.decode().count("Professional Capabilities Framework") == 3


# The statement's headings (Department of Health, 2015) by their numbers; 10 by its number
# alone (see caseload_engine/asye.py).
KSS_SECTIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
# The codes reviews were stored under before sections 10 and 11 were listed: they never change.
KSS_CODES_BEFORE = [
    "role",
    "person_centred",
    "safeguarding",
    "mental_capacity",
    "assessment_planning",
    "direct_work",
    "supervision_reflection",
    "organisational_context",
    "ethics_leadership",
]


def test_the_kss_lists_the_statements_numbered_sections() -> None:
    assert [int(label.split(".")[0]) for _, label in asye.KSS_ADULTS] == KSS_SECTIONS
    assert [code for code, _ in asye.KSS_ADULTS][:9] == KSS_CODES_BEFORE
    assert dict(asye.KSS_ADULTS)["assessment_planning"] == (
        "5. Effective assessments and outcome based support planning"
    )
    assert dict(asye.KSS_ADULTS)["section_10"] == "10. Section 10 of the statement"
    assert dict(asye.KSS_ADULTS)["capability"].startswith("11. Level of capability")


def test_a_review_needs_evidence_for_section_11(world: World, programme: Programme) -> None:
    url = reverse("asye_review_new", args=[programme.pk])
    page = client_for(world.colin).get(url).content.decode()
    assert "Evidence for 11. Level of capability" in page
    response = client_for(world.colin).post(url, _review_post(kss_capability=""))
    assert response.status_code == 200
    assert "Enter evidence for 11. Level of capability" in response.content.decode()
    assert not Review.objects.exists()
    with pytest.raises(ActionRefused, match="every KSS statement"):
        actions.record_review(
            by=world.colin,
            programme=programme,
            months=3,
            held_on=date(2026, 12, 2),
            outcome="on_track",
            pcf_evidence=evidence(asye.PCF_DOMAINS),
            kss_evidence={code: "Seen" for code in KSS_CODES_BEFORE},
            assessor_comments="Good.",
        )


def test_a_review_recorded_before_section_11_stays_as_signed_off(
    world: World, programme: Programme
) -> None:
    before = {code: f"Seen before: {code}" for code in KSS_CODES_BEFORE}
    ReviewFactory.create(programme=programme, months=3, kss_evidence=before)
    [(_, pcf), (_, kss)] = Review.objects.get().evidence()
    assert len(pcf) == len(asye.PCF_DOMAINS)
    assert [label for label, _ in kss] == [label for _, label in asye.KSS_ADULTS][:9]
    assert all(text.startswith("Seen before") for _, text in kss)
    page = client_for(world.colin).get(reverse("asye_programme", args=[programme.pk]))
    assert page.status_code == 200
    assert "Level of capability" not in page.content.decode()
    # The next review is recorded against every section, 11 included.
    response = client_for(world.colin).post(
        reverse("asye_review_new", args=[programme.pk]),
        _review_post(held_on_day="1", held_on_month="12"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = Review.objects.get(months=6)
    assert sorted(latest.kss_evidence) == sorted(code for code, _ in asye.KSS_ADULTS)
