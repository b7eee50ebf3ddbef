"""Notifications: sent by `notify` (and by allocation, handovers and registration renewals),
listed for their recipient only, marked read, and emailed from a task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from caseload.accounts.models import User
from caseload.allocation import actions
from caseload.allocation.notices import send_handover_notices
from caseload.notifications.actions import notify
from caseload.notifications.daily import send_renewal_notices
from caseload.notifications.models import Notification, NotificationKind
from tests.conftest import World, client_for
from tests.factories import PractitionerFactory, UserFactory
from tests.web.test_allocation import accept_all, waiting_scored

ROLES = (
    "practitioner",
    "team_manager",
    "other_team_manager",
    "principal_social_worker",
    "director",
    "administrator",
)


def _tell(
    user: User,
    title: str = "Something for you",
    *,
    body: str = "The details, in the app only.",
    link: str = "/notifications/",
    email: bool = True,
    once: str = "",
) -> Notification:
    notification = notify(
        recipient=user,
        kind=NotificationKind.SIGN_OFF_REQUESTED,
        title=title,
        body=body,
        link=link,
        email=email,
        once=once,
    )
    assert notification is not None
    return notification


def test_the_list_shows_a_users_own_notifications_newest_first(world: World) -> None:
    _tell(world.priya, "First for Priya")
    _tell(world.priya, "Second for Priya")
    _tell(world.colin, "Only for Colin")
    page = client_for(world.priya).get(reverse("notification_list")).content.decode()
    assert page.index("Second for Priya") < page.index("First for Priya")
    assert "Only for Colin" not in page
    assert "The details, in the app only." in page
    assert "Mark all as read" in page


def test_the_header_counts_the_unread_on_every_page(world: World) -> None:
    _tell(world.priya)
    _tell(world.priya)
    page = client_for(world.priya).get(reverse("team_list")).content.decode()
    assert 'href="/notifications/">Notifications' in page
    assert '2<span class="govuk-visually-hidden"> unread</span>' in page
    colins = client_for(world.colin).get(reverse("team_list")).content.decode()
    assert "unread</span>" not in colins


def test_marking_one_and_then_all_read(world: World) -> None:
    first, *_ = [_tell(world.priya, f"Note {n}") for n in range(3)]
    client = client_for(world.priya)
    response = client.post(reverse("notification_read", args=[first.pk]), {"page": "1"})
    assert response["Location"] == reverse("notification_list") + "?page=1"
    first.refresh_from_db()
    assert first.is_read
    read_at = first.read_at
    client.post(reverse("notification_read", args=[first.pk]))  # again: no change
    first.refresh_from_db()
    assert first.read_at == read_at
    page = client.post(reverse("notification_read_all"), follow=True).content.decode()
    assert "2 notifications marked as read." in page
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "Mark all as read" not in page


@pytest.mark.parametrize("role", ROLES)
def test_nobody_else_sees_or_marks_a_notification(world: World, role: str) -> None:
    people = world.by_role()
    mine = _tell(people[role], "A private note", body="Private details")
    for other_role, other in people.items():
        if other_role == role:
            continue
        client = client_for(other)
        assert client.post(reverse("notification_read", args=[mine.pk])).status_code == 404
        client.post(reverse("notification_read_all"))
        assert "Private details" not in client.get(reverse("notification_list")).content.decode()
    mine.refresh_from_db()
    assert not mine.is_read


def test_marking_read_needs_a_post(world: World) -> None:
    note = _tell(world.priya)
    client = client_for(world.priya)
    assert client.get(reverse("notification_read", args=[note.pk])).status_code == 405
    assert client.get(reverse("notification_read_all")).status_code == 405


def test_a_once_notice_goes_once(world: World) -> None:
    assert _tell(world.priya, once="renewal:1:2026-06-01")
    again = notify(
        recipient=world.priya,
        kind=NotificationKind.REGISTRATION_RENEWAL_DUE,
        title="Again",
        body="",
        link="",
        once="renewal:1:2026-06-01",
    )
    assert again is None
    assert Notification.objects.filter(recipient=world.priya).count() == 1


def test_a_notification_links_within_the_site_only(world: World) -> None:
    with pytest.raises(ValueError, match="within the site"):
        _tell(world.priya, link="https://example.com/")
    with pytest.raises(IntegrityError):  # the database says so too
        Notification.objects.create(
            recipient=world.priya, kind="escalation", title="x", link="//example.com/"
        )


def test_an_unknown_kind_is_refused_by_the_database(world: World) -> None:
    with pytest.raises(IntegrityError):
        Notification.objects.create(recipient=world.priya, kind="gossip", title="x")


def test_email_goes_from_a_task_after_commit_without_the_body(
    world: World,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    settings: Settings,
) -> None:
    settings.CASELOAD_BASE_URL = "https://caseload.example.gov.uk"
    world.priya.email = "priya@example.gov.uk"
    world.priya.save(update_fields=["email"])
    with django_capture_on_commit_callbacks() as callbacks:
        note = _tell(world.priya, "2 cases allocated to you", body="Wendy Waitingnorth")
    assert mail.outbox == []  # nothing sent inside the transaction
    for callback in callbacks:
        callback()
    [email] = mail.outbox
    assert email.to == ["priya@example.gov.uk"]
    assert email.subject == "caseload: 2 cases allocated to you"
    assert "https://caseload.example.gov.uk/notifications/" in email.body
    assert "Wendy" not in email.body
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_no_email_without_an_address_or_when_not_wanted(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _tell(world.priya)  # no address
        world.colin.email = "colin@example.gov.uk"
        world.colin.save(update_fields=["email"])
        _tell(world.colin, email=False)
    assert mail.outbox == []


def test_the_list_query_count_is_constant(world: World) -> None:
    client = client_for(world.priya)
    url = reverse("notification_list")
    _tell(world.priya)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        _tell(world.priya, f"Note {n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(few) == len(many)
    assert "Showing 1 to 25 of 31" in page


def test_a_decision_tells_each_practitioner_once_with_their_cases(world: World) -> None:
    cases = waiting_scored(world, 4)
    proposal = actions.propose_for_meeting(by=world.mona, team=world.team_north)
    actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))
    told = Notification.objects.filter(kind=NotificationKind.NEW_ALLOCATION)
    given: dict[str, list[str]] = {}
    for row in proposal.result["proposals"]:
        given.setdefault(row["practitioner_id"], []).append(row["case_id"])
    assert told.count() == len(given)
    for notification in told:
        practitioner = notification.recipient.practitioner
        theirs = [c for c in cases if str(c.pk) in given[str(practitioner.pk)]]
        assert notification.title == (
            f"{len(theirs)} case{'s' if len(theirs) > 1 else ''} allocated to you"
        )
        assert "Allocated to you by Mona Monapersona:" in notification.body
        for case in theirs:
            assert case.person.full_name in notification.body
        assert notification.link == reverse("practitioner_detail", args=[practitioner.pk])


def _plan_priya_away(world: World, days: int) -> None:
    proposal = actions.propose_what_if(
        by=world.mona,
        practitioner=world.priya_practitioner,
        away_from=timezone.localdate() + timedelta(days=days),
        reason="annual_leave",
    )
    actions.decide(by=world.mona, proposal=proposal, choices=accept_all(proposal))


def test_a_handover_coming_up_is_told_to_both_practitioners_once(
    world: World, settings: Settings
) -> None:
    settings.CASELOAD_HANDOVER_NOTICE_DAYS = 3
    _plan_priya_away(world, days=7)
    today = timezone.localdate()
    assert send_handover_notices(on=today) == 0  # a week off: not yet
    assert send_handover_notices(on=today + timedelta(days=4)) == 2
    assert send_handover_notices(on=today + timedelta(days=5)) == 0  # once only
    person = world.case_held_by_priya.person.full_name
    leaving = Notification.objects.get(recipient=world.priya)
    due_on = today + timedelta(days=7)
    due = f"{due_on.day} {due_on:%B %Y}"
    assert leaving.title == f"1 case of yours pass to colleagues on {due}"
    assert f"{person} to {world.colin_practitioner.full_name}" in leaving.body
    taking = Notification.objects.get(recipient=world.colin)
    assert taking.title == f"1 case pass to you on {due}"
    assert f"{person} from {world.priya_practitioner.full_name}" in taking.body
    assert taking.kind == NotificationKind.HANDOVER_DUE


def test_with_no_notice_period_a_handover_is_told_on_its_day(
    world: World, settings: Settings
) -> None:
    settings.CASELOAD_HANDOVER_NOTICE_DAYS = 0
    _plan_priya_away(world, days=2)
    today = timezone.localdate()
    assert send_handover_notices(on=today + timedelta(days=1)) == 0
    assert send_handover_notices(on=today + timedelta(days=2)) == 2


def test_a_registration_renewal_is_told_to_the_practitioner_and_manager_once(
    world: World,
) -> None:
    today = timezone.localdate()
    priya = world.priya_practitioner
    priya.swe_renewal_date = today + timedelta(days=20)
    priya.save(update_fields=["swe_renewal_date"])
    for other in (world.colin_practitioner, world.max_practitioner):
        other.swe_renewal_date = today + timedelta(days=32)
        other.save(update_fields=["swe_renewal_date"])
    mona = world.mona.practitioner
    mona.swe_renewal_date = today + timedelta(days=300)
    mona.save(update_fields=["swe_renewal_date"])
    # A manager of another team, and one who has left, are not told.
    PractitionerFactory.create(
        user=UserFactory.create(access_role="team_manager"),
        team=world.team_north,
        role="team_manager",
        left_on=today - timedelta(days=1),
        swe_renewal_date=today + timedelta(days=300),
    )

    assert send_renewal_notices(on=today) == 2
    assert send_renewal_notices(on=today + timedelta(days=1)) == 0  # once per renewal
    own = Notification.objects.get(recipient=world.priya)
    when = f"{priya.swe_renewal_date.day} {priya.swe_renewal_date:%B %Y}"
    assert own.title == f"Your Social Work England registration is due for renewal on {when}"
    assert own.kind == NotificationKind.REGISTRATION_RENEWAL_DUE
    managers = Notification.objects.get(recipient=world.mona)
    assert managers.title == (
        f"{priya.full_name}'s Social Work England registration is due for renewal on {when}"
    )
    assert managers.link == reverse("practitioner_detail", args=[priya.pk])

    # Renewed: next year's date is a new renewal, told again when it comes near.
    priya.swe_renewal_date = priya.swe_renewal_date + timedelta(days=365)
    priya.save(update_fields=["swe_renewal_date"])
    assert send_renewal_notices(on=priya.swe_renewal_date - timedelta(days=10)) == 2
