"""Supervision records: recorded with their case discussions and actions, locked once both
have signed, added to by addenda, commented on by the supervisee only, seen by the supervisor,
the supervisee and whoever may supervise in the team (no colleague, no other team's manager),
every view in the access log; agreements; actions on their owner's list, noticed when due."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.audit.models import AccessAction, AccessLogEntry, ChangeAction, ChangeEvent
from caseload.audit.presenters import describe_changes, directory_for
from caseload.jobs import registry
from caseload.notifications.models import Notification, NotificationKind
from caseload.register.models import Case
from caseload.supervision import actions
from caseload.supervision.models import Action, Addendum, Agreement, Session
from caseload.supervision.notices import send_action_notices
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.factories import allocated_case
from tests.supervision_factories import ActionFactory, AgreementFactory, SessionFactory

NOTE = "Synthetic note: coping well"


def _details(w: World, **more: Any) -> actions.SessionDetails:
    values: dict[str, Any] = {
        "held_on": timezone.localdate() - timedelta(days=1),
        "minutes": 90,
        "kind": "one_to_one",
        "wellbeing": NOTE,
        "discussions": [
            actions.DiscussionDetails(
                case=w.case_held_by_priya,
                discussion="Carer under strain",
                decision="Offer a carer's assessment",
                actions=[
                    actions.ActionDetails(
                        description="Book the carer's assessment",
                        owner=w.priya,
                        due_on=timezone.localdate() + timedelta(days=14),
                    )
                ],
            )
        ],
    }
    return actions.SessionDetails(**(values | more))


def _recorded(w: World, **more: Any) -> Session:
    return actions.record_session(
        by=w.mona, supervisee=w.priya_practitioner, details=_details(w, **more)
    )


def _locked(w: World) -> Session:
    session = _recorded(w)
    actions.sign_session(by=w.mona, session=session)
    return actions.sign_session(by=w.priya, session=session)


# Recording


def test_a_session_is_recorded_with_what_its_cases_showed_then(world: World) -> None:
    session = _recorded(world)
    [discussion] = session.discussions.all()
    assessment = world.assessment_of_priyas_case
    assert (discussion.tier_at_time, discussion.points_at_time, discussion.risk_at_time) == (
        assessment.effective_tier,
        assessment.points,
        assessment.scores["risk"],
    )
    [action] = Action.objects.filter(session=session)
    assert (action.discussion, action.owner) == (discussion, world.priya)
    assert session.supervisor == world.mona
    # Priya holds one scored case: her utilisation is not zero, and is kept as it was.
    assert session.utilisation_percent_at_time is not None
    assert session.utilisation_percent_at_time > 0
    event = ChangeEvent.objects.get(action=ChangeAction.SUPERVISION_RECORDED)
    assert event.practitioner_id == world.priya_practitioner.pk
    assert event.detail["case_ids"] == [world.case_held_by_priya.pk]
    # The change log keeps no notes.
    assert NOTE not in str(event.changes) + str(event.detail)


def test_a_case_the_supervisee_does_not_hold_refuses_the_whole_record(world: World) -> None:
    details = _details(
        world,
        discussions=[
            actions.DiscussionDetails(case=world.case_held_by_priya, discussion="Fine"),
            actions.DiscussionDetails(case=world.case_waiting_south, discussion="Not hers"),
        ],
    )
    with pytest.raises(ActionRefused, match="not one of Priya"):
        actions.record_session(by=world.mona, supervisee=world.priya_practitioner, details=details)
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("who", "supervisee"),
    [
        ("colin", "priya_practitioner"),  # a colleague
        ("max", "priya_practitioner"),  # another team's manager
        ("dee", "priya_practitioner"),  # the director
        ("priya", "priya_practitioner"),  # herself
    ],
)
def test_only_who_may_supervise_records(world: World, who: str, supervisee: str) -> None:
    with pytest.raises(ActionRefused):
        actions.record_session(
            by=getattr(world, who),
            supervisee=getattr(world, supervisee),
            details=_details(world, discussions=[]),
        )
    assert not Session.objects.exists()


def test_the_psw_may_supervise_anyone(world: World) -> None:
    session = actions.record_session(
        by=world.pat, supervisee=world.max_practitioner, details=_details(world, discussions=[])
    )
    assert session.supervisor == world.pat


def test_an_action_is_owned_by_the_supervisee_or_the_supervisor(world: World) -> None:
    details = _details(
        world,
        discussions=[],
        actions=[
            actions.ActionDetails(
                description="Someone else's job", owner=world.colin, due_on=timezone.localdate()
            )
        ],
    )
    with pytest.raises(ActionRefused, match="owned by"):
        actions.record_session(by=world.mona, supervisee=world.priya_practitioner, details=details)


# Locking, signatures, comments, addenda


def test_once_both_have_signed_every_change_is_refused(world: World) -> None:
    session = _locked(world)
    assert session.is_locked
    with pytest.raises(ActionRefused, match="addendum"):
        actions.edit_session(by=world.mona, session=session, details=_details(world, minutes=60))
    with pytest.raises(ActionRefused, match="addendum"):
        actions.comment_on_session(by=world.priya, session=session, comment="Late thought")
    with pytest.raises(ActionRefused):
        actions.sign_session(by=world.mona, session=session)
    session.refresh_from_db()
    assert session.minutes == 90
    assert session.supervisee_comment == ""


def test_posting_a_change_to_a_locked_record_is_refused(world: World) -> None:
    session = _locked(world)
    url = reverse("supervision_session_edit", args=[session.pk])
    client = client_for(world.mona)
    page = client.get(url)
    assert page.status_code == 200
    assert "locked" in page.content.decode()
    assert client.post(url, _form_data(world, minutes="45")).status_code == 403
    comment = client_for(world.priya).post(
        reverse("supervision_session_comment", args=[session.pk]), {"comment": "Late thought"}
    )
    assert "cannot be changed" in comment.content.decode()
    session.refresh_from_db()
    assert (session.minutes, session.supervisee_comment) == (90, "")


def test_a_change_clears_a_signature_given_to_the_record_as_it_stood(world: World) -> None:
    session = _recorded(world)
    actions.sign_session(by=world.priya, session=session)
    changed = actions.edit_session(
        by=world.mona, session=session, details=_details(world, minutes=60)
    )
    assert changed.minutes == 60
    assert changed.supervisee_signed_at is None
    event = ChangeEvent.objects.get(action=ChangeAction.SUPERVISION_CHANGED)
    assert event.changes["minutes"] == [90, 60]
    assert event.changes["supervisee_signed_at_cleared"] == [True, None]


def test_a_change_keeps_what_a_case_showed_when_first_recorded(world: World) -> None:
    session = _recorded(world)
    assessment = world.assessment_of_priyas_case
    first_tier = assessment.effective_tier
    # The case is re-scored meanwhile: the record still says what it showed then.
    assessment.override_tier, assessment.override_reason = first_tier + 1, "Escalating"
    assessment.overridden_by, assessment.overridden_at = world.mona, timezone.now()
    assessment.save()
    actions.edit_session(by=world.mona, session=session, details=_details(world, minutes=60))
    [discussion] = session.discussions.all()
    assert discussion.tier_at_time == first_tier
    # Open actions are replaced by the form's; there is still one.
    assert Action.objects.filter(session=session).count() == 1


def test_only_the_supervisor_changes_the_record(world: World) -> None:
    session = _recorded(world)
    with pytest.raises(ActionRefused, match="Only the supervisor"):
        actions.edit_session(by=world.pat, session=session, details=_details(world, minutes=60))


def test_only_the_supervisee_comments(world: World) -> None:
    session = _recorded(world)
    with pytest.raises(ActionRefused, match="Only the supervisee"):
        actions.comment_on_session(by=world.mona, session=session, comment="Not mine to say")
    actions.comment_on_session(by=world.priya, session=session, comment="  I agree  ")
    session.refresh_from_db()
    assert session.supervisee_comment == "I agree"
    assert ChangeEvent.objects.filter(action=ChangeAction.SUPERVISION_COMMENTED).count() == 1


def test_the_comment_box_is_shown_to_the_supervisee_only(world: World) -> None:
    session = _recorded(world)
    url = reverse("supervision_session", args=[session.pk])
    assert "Save your comment" in client_for(world.priya).get(url).content.decode()
    assert "Save your comment" not in client_for(world.mona).get(url).content.decode()
    refused = client_for(world.mona).post(
        reverse("supervision_session_comment", args=[session.pk]), {"comment": "Not mine"}
    )
    assert "Only the supervisee" in refused.content.decode()
    session.refresh_from_db()
    assert session.supervisee_comment == ""


def test_addenda_come_after_locking_from_either_party(world: World) -> None:
    session = _recorded(world)
    with pytest.raises(ActionRefused, match="not signed by both"):
        actions.add_addendum(by=world.mona, session=session, text="Too early")
    actions.sign_session(by=world.mona, session=session)
    session = actions.sign_session(by=world.priya, session=session)
    actions.add_addendum(by=world.mona, session=session, text="The carer's assessment is booked")
    response = client_for(world.priya).post(
        reverse("supervision_session_addendum", args=[session.pk]), {"text": "And I agree"}
    )
    assert response.status_code == 302
    with pytest.raises(ActionRefused):
        actions.add_addendum(by=world.pat, session=session, text="Not a party")
    assert [a.author for a in Addendum.objects.order_by("pk")] == [world.mona, world.priya]
    page = client_for(world.mona).get(reverse("supervision_session", args=[session.pk]))
    assert "And I agree" in page.content.decode()


# Who sees it


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("priya", 200),  # the supervisee
        ("mona", 200),  # the supervisor
        ("pat", 200),  # the principal social worker
        ("colin", 404),  # a colleague in the same team
        ("max", 404),  # another team's manager
        ("dee", 403),  # the director sees aggregates only
        ("ada", 403),
    ],
)
def test_who_sees_a_record(world: World, who: str, status: int) -> None:
    session = _recorded(world)
    agreement = AgreementFactory.create(
        practitioner=world.priya_practitioner, supervisor=world.mona, if_missed=NOTE
    )
    user: User = getattr(world, who)
    for url in (
        reverse("supervision_session", args=[session.pk]),
        reverse("supervision_practitioner", args=[world.priya_practitioner.pk]),
        reverse("supervision_agreement", args=[agreement.pk]),
    ):
        response = client_for(user).get(url)
        assert response.status_code == status, url
        if status != 200:
            assert NOTE not in response.content.decode()


def test_the_practitioner_page_links_to_supervision_only_for_who_may_see_it(
    world: World,
) -> None:
    url = reverse("practitioner_detail", args=[world.priya_practitioner.pk])
    link = reverse("supervision_practitioner", args=[world.priya_practitioner.pk])
    assert link in client_for(world.mona).get(url).content.decode()
    assert link in client_for(world.priya).get(url).content.decode()
    # The director sees Priya's page and caseload, but not her supervision.
    director_view = client_for(world.dee).get(url)
    assert director_view.status_code == 200
    assert link not in director_view.content.decode()


def test_every_view_of_a_record_is_in_the_access_log(world: World) -> None:
    session = _recorded(world)
    client_for(world.pat).get(reverse("supervision_session", args=[session.pk]))
    entry = AccessLogEntry.objects.get(user_id=world.pat.pk, action=AccessAction.VIEW_SUPERVISION)
    assert entry.practitioner_id == world.priya_practitioner.pk
    assert [s.person_id for s in entry.subjects.all()] == [world.person_of_priya.pk]
    client_for(world.pat).get(
        reverse("supervision_practitioner", args=[world.priya_practitioner.pk])
    )
    assert AccessLogEntry.objects.filter(
        user_id=world.pat.pk,
        action=AccessAction.VIEW_SUPERVISION_LIST,
        practitioner_id=world.priya_practitioner.pk,
    ).exists()


def test_a_refused_view_writes_nothing_to_the_access_log(world: World) -> None:
    session = _recorded(world)
    client_for(world.colin).get(reverse("supervision_session", args=[session.pk]))
    assert not AccessLogEntry.objects.filter(user_id=world.colin.pk).exists()


# The record form


def _form_data(w: World, **more: str) -> dict[str, str]:
    day = timezone.localdate() - timedelta(days=1)
    data = {
        "held_on_day": str(day.day),
        "held_on_month": str(day.month),
        "held_on_year": str(day.year),
        "minutes": "90",
        "kind": "one_to_one",
        "agenda": "Caseload",
        "workload_review": "",
        "wellbeing": NOTE,
        "reflection": "",
        "cpd": "",
        "discussions-TOTAL_FORMS": "1",
        "discussions-INITIAL_FORMS": "0",
        "discussions-0-case": str(w.case_held_by_priya.pk),
        "discussions-0-discussion": "Carer under strain",
        "discussions-0-decision": "Offer a carer's assessment",
        "discussions-0-action": "Book it",
        "discussions-0-owner": "supervisee",
        "discussions-0-due_on_day": "1",
        "discussions-0-due_on_month": "2",
        "discussions-0-due_on_year": str(day.year + 1),
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-action": "",
        "actions-0-owner": "supervisee",
    }
    return data | more


def _record_url(w: World) -> str:
    return reverse("supervision_record", args=[w.priya_practitioner.pk])


def test_the_manager_records_a_session_through_the_form(world: World) -> None:
    response = client_for(world.mona).post(_record_url(world), _form_data(world))
    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision_session", args=[session.pk])
    [action] = Action.objects.all()
    assert (action.owner, action.description, action.due_on.month) == (world.priya, "Book it", 2)
    page = client_for(world.priya).get(response["Location"]).content.decode()
    assert "Carer under strain" in page


def test_the_case_picker_offers_the_supervisee_cases_only(world: World) -> None:
    page = client_for(world.mona).get(_record_url(world)).content.decode()
    assert f'value="{world.case_held_by_priya.pk}"' in page
    assert f'value="{world.case_held_by_colin.pk}"' not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("discussions-0-case", "{south}", "Choose one of the supervisee"),  # another team's
        ("discussions-0-case", "{colins}", "Choose one of the supervisee"),  # a colleague's
        ("discussions-0-case", "99999999999999999999999", "Choose one of the supervisee"),
        ("discussions-0-case", "-1", "Choose one of the supervisee"),
        ("actions-0-case", "{south}", "Choose one of the supervisee"),
        ("minutes", "99999999999999999999999", "600 minutes or less"),
        ("minutes", "0", "at least 1 minute"),
        ("minutes", "ninety", "whole number"),
        ("held_on_year", "99999", "real date"),
        ("held_on_day", "\u00b9", "real date"),  # a superscript one
        ("held_on_year", str(date.today().year + 1), "cannot be in the future"),
        ("kind", "weekly_chat", "Select a valid choice"),
        ("discussions-0-owner", "director", "Choose the supervisee or the supervisor"),
        ("discussions-0-due_on_day", "", "must include a day"),
        ("wellbeing", "x" * 10_001, "10,000 characters or fewer"),
        ("agenda", "Null\x00byte", "Null characters are not allowed"),
        ("discussions-TOTAL_FORMS", "5000", "Please submit at most 30 forms"),
    ],
)
def test_hostile_input_is_a_form_error(world: World, field: str, value: str, message: str) -> None:
    value = value.format(south=world.case_waiting_south.pk, colins=world.case_held_by_colin.pk)
    response = client_for(world.mona).post(_record_url(world), _form_data(world, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Session.objects.exists()


def test_a_case_discussed_twice_is_a_form_error(world: World) -> None:
    data = _form_data(world) | {
        "discussions-TOTAL_FORMS": "2",
        "discussions-1-case": str(world.case_held_by_priya.pk),
        "discussions-1-discussion": "Again",
        "discussions-1-owner": "supervisee",
    }
    response = client_for(world.mona).post(_record_url(world), data)
    assert "already discussed above" in response.content.decode()
    assert not Session.objects.exists()


def test_the_supervisor_changes_an_unsigned_record_through_the_form(world: World) -> None:
    session = _recorded(world)
    url = reverse("supervision_session_edit", args=[session.pk])
    client = client_for(world.mona)
    form_page = client.get(url).content.decode()
    assert "Carer under strain" in form_page
    data = _form_data(world, minutes="75") | {"discussions-INITIAL_FORMS": "1"}
    assert client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert session.minutes == 75
    # Another who may see it is told who may change it.
    assert "Only the supervisor" in client_for(world.pat).get(url).content.decode()


def test_a_change_keeps_the_actions_it_keeps_so_a_notice_goes_once(world: World) -> None:
    today = timezone.localdate()
    session = _recorded(world)
    [action] = Action.objects.all()
    Action.objects.filter(pk=action.pk).update(due_on=today)
    assert send_action_notices(on=today) == 1
    url = reverse("supervision_session_edit", args=[session.pk])
    client = client_for(world.mona)
    assert f'name="discussions-0-action_id" value="{action.pk}"' in client.get(url).content.decode()
    data = _form_data(world) | {
        "discussions-INITIAL_FORMS": "1",
        "discussions-0-action": "Book it this week",
        "discussions-0-due_on_day": str(today.day),
        "discussions-0-due_on_month": str(today.month),
        "discussions-0-due_on_year": str(today.year),
        "discussions-0-action_id": str(action.pk),
        "actions-0-action": "Read the carers' policy",
        "actions-0-due_on_day": str(today.day),
        "actions-0-due_on_month": str(today.month),
        "actions-0-due_on_year": str(today.year),
    }
    assert client.post(url, data).status_code == 302
    kept = Action.objects.get(discussion__isnull=False)
    assert (kept.pk, kept.description) == (action.pk, "Book it this week")
    event = ChangeEvent.objects.get(action=ChangeAction.SUPERVISION_CHANGED)
    assert (event.detail["actions_added"], event.detail["actions_changed"]) == (1, [action.pk])
    assert event.detail["actions_removed"] == []
    # Only the new action's notice goes today; the kept one had its notice already.
    assert send_action_notices(on=today) == 1
    assert send_action_notices(on=today) == 0
    assert Notification.objects.filter(kind=NotificationKind.SUPERVISION_DUE).count() == 2


def test_a_change_removes_only_the_open_actions_left_out(world: World) -> None:
    session = _recorded(world)
    [kept] = Action.objects.all()
    dropped = ActionFactory.create(session=session, owner=world.mona)
    done = ActionFactory.create(
        session=session, owner=world.priya, done_at=timezone.now(), done_by=world.priya
    )
    [discussion] = _details(world).discussions
    [details] = discussion.actions
    again = replace(discussion, actions=[replace(details, pk=kept.pk)])
    changed = _details(world, discussions=[again])
    actions.edit_session(by=world.mona, session=session, details=changed)
    assert set(Action.objects.values_list("pk", flat=True)) == {kept.pk, done.pk}
    assert not Action.objects.filter(pk=dropped.pk).exists()
    event = ChangeEvent.objects.get(action=ChangeAction.SUPERVISION_CHANGED)
    assert (
        event.detail["actions_added"],
        event.detail["actions_changed"],
        event.detail["actions_removed"],
    ) == (0, [], [dropped.pk])
    [line] = describe_changes([event], directory_for(world.mona))
    assert line.text.endswith("1 action removed")


def test_a_change_naming_another_records_action_is_refused(world: World) -> None:
    session = _recorded(world)
    other = ActionFactory.create(
        session=SessionFactory.create(supervisee=world.priya_practitioner, supervisor=world.mona),
        owner=world.priya,
    )
    url = reverse("supervision_session_edit", args=[session.pk])
    data = _form_data(world, minutes="75") | {
        "discussions-INITIAL_FORMS": "1",
        "discussions-0-action_id": str(other.pk),
    }
    response = client_for(world.mona).post(url, data)
    assert response.status_code == 200
    assert "done or changed meanwhile" in response.content.decode()
    session.refresh_from_db()
    assert session.minutes == 90
    assert Action.objects.filter(session=session).count() == 1


def test_a_discussion_has_several_actions_kept_across_changes(world: World) -> None:
    day = timezone.localdate() + timedelta(days=30)
    more = {
        "actions-0-case": str(world.case_held_by_priya.pk),
        "actions-0-action": "Write to the GP",
        "actions-0-owner": "supervisor",
        "actions-0-due_on_day": str(day.day),
        "actions-0-due_on_month": str(day.month),
        "actions-0-due_on_year": str(day.year),
    }
    client = client_for(world.mona)
    assert client.post(_record_url(world), _form_data(world) | more).status_code == 302
    session = Session.objects.get()
    [discussion] = session.discussions.all()
    assert set(Action.objects.values_list("description", "discussion")) == {
        ("Book it", discussion.pk),
        ("Write to the GP", discussion.pk),
    }
    url = reverse("supervision_session_edit", args=[session.pk])
    page = client.get(url).content.decode()
    second = Action.objects.get(description="Write to the GP")
    assert f'name="actions-0-action_id" value="{second.pk}"' in page
    first = Action.objects.get(description="Book it")
    data = (
        _form_data(world, minutes="75")
        | more
        | {
            "discussions-INITIAL_FORMS": "1",
            "discussions-0-action_id": str(first.pk),
            "actions-INITIAL_FORMS": "1",
            "actions-0-action_id": str(second.pk),
        }
    )
    assert client.post(url, data).status_code == 302
    assert set(Action.objects.values_list("pk", "discussion")) == {
        (first.pk, discussion.pk),
        (second.pk, discussion.pk),
    }


def test_another_action_about_a_case_not_discussed_is_a_form_error(world: World) -> None:
    data = _form_data(world) | {
        "actions-0-case": str(world.case_held_by_priya.pk),
        "actions-0-action": "Write to the GP",
        "actions-0-due_on_day": "1",
        "actions-0-due_on_month": "2",
        "actions-0-due_on_year": str(timezone.localdate().year + 1),
        "discussions-0-case": "",
        "discussions-0-discussion": "",
        "discussions-0-decision": "",
        "discussions-0-action": "",
        "discussions-0-due_on_day": "",
        "discussions-0-due_on_month": "",
        "discussions-0-due_on_year": "",
    }
    response = client_for(world.mona).post(_record_url(world), data)
    assert response.status_code == 200
    assert "Choose a case discussed above" in response.content.decode()
    assert not Session.objects.exists()


# Agreements


def test_a_new_agreement_supersedes_the_current_one_and_both_sign(world: World) -> None:
    old = AgreementFactory.create(practitioner=world.priya_practitioner, supervisor=world.mona)
    details = actions.AgreementDetails(
        frequency="Fortnightly",
        place="Room 2",
        if_missed="Rebooked in a week",
        starts_on=timezone.localdate(),
    )
    new = actions.make_agreement(
        by=world.mona, practitioner=world.priya_practitioner, details=details
    )
    old.refresh_from_db()
    assert old.superseded_at is not None
    assert Agreement.objects.filter(superseded_at__isnull=True).get() == new
    with pytest.raises(ActionRefused, match="newer agreement"):
        actions.sign_agreement(by=world.priya, agreement=old)
    actions.sign_agreement(by=world.mona, agreement=new)
    signed = actions.sign_agreement(by=world.priya, agreement=new)
    assert signed.is_signed
    with pytest.raises(ActionRefused):
        actions.sign_agreement(by=world.colin, agreement=new)


def test_the_agreement_form_refuses_blank_parts(world: World) -> None:
    response = client_for(world.mona).post(
        reverse("supervision_agreement_new", args=[world.priya_practitioner.pk]),
        {"frequency": " ", "place": "Room 2", "if_missed": "Rebooked", "starts_on_day": "1"},
    )
    page = response.content.decode()
    assert "Enter how often" in page
    assert "must include a month and year" in page
    assert not Agreement.objects.exists()


# Actions and their notices


def test_the_owner_marks_an_action_done_and_it_leaves_the_lists(world: World) -> None:
    session = _recorded(world)
    [action] = Action.objects.filter(session=session)
    actions_url = reverse("supervision_actions")
    assert "Book the carer" in client_for(world.priya).get(actions_url).content.decode()
    # The supervisor follows it up on their own list, but the owner says when it is done.
    assert "Book the carer" in client_for(world.mona).get(actions_url).content.decode()
    done_url = reverse("supervision_action_done", args=[action.pk])
    assert client_for(world.mona).post(done_url).status_code == 404
    assert client_for(world.priya).post(done_url).status_code == 302
    action.refresh_from_db()
    assert (action.done_by, action.is_done) == (world.priya, True)
    assert "Book the carer" not in client_for(world.mona).get(actions_url).content.decode()
    with pytest.raises(ActionRefused, match="already done"):
        actions.complete_action(by=world.priya, action=action)


def test_marking_done_from_the_task_list_swaps_only_its_row(world: World) -> None:
    session = _recorded(world)
    [action] = Action.objects.filter(session=session)
    done_url = reverse("supervision_action_done", args=[action.pk])
    listed = client_for(world.priya).get(reverse("supervision_actions")).content.decode()
    assert f'hx-post="{done_url}"' in listed
    client = client_for(world.priya)
    row = client.post(done_url, headers={"HX-Request": "true"})
    assert row.status_code == 200
    assert row.content.decode().lstrip().startswith("<tr")
    assert 'role="status"' in row.content.decode()
    again = client.post(done_url, headers={"HX-Request": "true"}).content.decode()
    assert "Not done" in again
    assert "already done" in again


def test_the_notices_run_every_day() -> None:
    kind = registry.find("supervision_action_notices")
    assert kind is not None
    assert kind.daily


def test_a_notice_goes_to_the_owner_on_the_due_day_once(world: World) -> None:
    session = SessionFactory.create(supervisee=world.priya_practitioner, supervisor=world.mona)
    due = timezone.localdate() + timedelta(days=3)
    ActionFactory.create(session=session, owner=world.priya, due_on=due)
    ActionFactory.create(session=session, owner=world.mona, due_on=due)
    ActionFactory.create(
        session=session, owner=world.priya, due_on=due, done_at=timezone.now(), done_by=world.priya
    )
    ActionFactory.create(session=session, owner=world.priya, due_on=due + timedelta(days=1))
    assert send_action_notices(on=due - timedelta(days=1)) == 0
    assert send_action_notices(on=due) == 2
    assert send_action_notices(on=due) == 0
    notices = Notification.objects.filter(kind=NotificationKind.SUPERVISION_DUE)
    assert sorted(n.recipient.username for n in notices) == ["mona", "priya"]
    # The emailed title names nobody the service supports.
    assert all(world.person_of_priya.family_name not in n.title for n in notices)


# Query counts, constant in rows


def _queries(client: Client, url: str, *, rows: str, expected: int) -> int:
    """The queries to show the page, which must show `rows` `expected` times."""
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count(rows) == expected
    return len(captured)


def _more_sessions(w: World, n: int) -> None:
    for _ in range(n):
        session = SessionFactory.create(supervisee=w.priya_practitioner, supervisor=w.mona)
        case: Case = allocated_case(w.priya_practitioner)
        discussion = session.discussions.create(case=case, discussion="Synthetic")
        ActionFactory.create(session=session, discussion=discussion, owner=w.priya)
        ActionFactory.create(session=session, owner=w.mona)


@pytest.mark.parametrize(
    ("who", "url", "rows_per_session"),
    [
        # Priya owns one action per session; Mona one, and follows up Priya's.
        ("priya", "supervision_actions", 1),
        ("mona", "supervision_actions", 2),
        ("mona", "supervision_practitioner", 1),
        # The supervisee and the principal social worker see the same record.
        ("priya", "supervision_practitioner", 1),
        ("pat", "supervision_practitioner", 1),
    ],
)
def test_list_pages_take_as_many_queries_for_many_rows_as_for_few(
    world: World, who: str, url: str, rows_per_session: int
) -> None:
    client = client_for(getattr(world, who))
    args = [world.priya_practitioner.pk] if url == "supervision_practitioner" else []
    path = reverse(url, args=args)
    row = '<tr class="govuk-table__row">'
    _more_sessions(world, 1)
    # One row of headers, then the rows.
    few = _queries(client, path, rows=row, expected=1 + rows_per_session)
    _more_sessions(world, 8)
    assert _queries(client, path, rows=row, expected=1 + 9 * rows_per_session) == few


def test_the_session_page_takes_as_many_queries_for_many_discussions(world: World) -> None:
    session = SessionFactory.create(supervisee=world.priya_practitioner, supervisor=world.mona)
    client = client_for(world.mona)
    url = reverse("supervision_session", args=[session.pk])

    def discuss(n: int) -> None:
        for _ in range(n):
            discussion = session.discussions.create(
                case=allocated_case(world.priya_practitioner), discussion="Synthetic"
            )
            ActionFactory.create(session=session, discussion=discussion, owner=world.priya)

    card = 'class="govuk-summary-card"'
    discuss(1)
    few = _queries(client, url, rows=card, expected=1)
    discuss(6)
    assert _queries(client, url, rows=card, expected=7) == few
