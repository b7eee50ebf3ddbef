"""Accountable decisions: the decision log, the delegation scheme, sign-off and escalation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.audit.models import AccessAction, AccessLogEntry, ChangeAction, ChangeEvent
from caseload.decisions import actions
from caseload.decisions.models import (
    Decision,
    DelegationScheme,
    PracticeEscalation,
    SignOffLevel,
    SignOffRequest,
)
from caseload.notifications.models import Notification, NotificationKind
from caseload.register.actions import close_case, register_close_check, unregister_close_check
from caseload.register.models import Case, CaseStatus
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.decisions_factories import decision, decision_needing_sign_off, details, funding
from tests.factories import AssessmentFactory, PersonFactory, PractitionerFactory, allocated_case

pytestmark = pytest.mark.django_db


def _answer(world: World, user_name: str, request: SignOffRequest, **data: str) -> Any:
    return client_for(getattr(world, user_name)).post(
        reverse("sign_off_answer", args=[request.pk]), data
    )


def _told(user: User, kind: NotificationKind) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=kind).values_list("title", flat=True)
    )


# -- the decision log ------------------------------------------------------------------------


def test_a_decision_within_the_practitioners_authority_is_recorded_without_sign_off(
    world: World,
) -> None:
    recorded = decision(world.priya, world.case_held_by_priya)
    assert recorded.sign_off_level == SignOffLevel.NONE
    assert recorded.status == "Recorded"
    assert not recorded.sign_offs.exists()
    event = ChangeEvent.objects.get(action=ChangeAction.DECISION_RECORDED)
    assert (event.case_id, event.detail["decision_id"]) == (
        world.case_held_by_priya.pk,
        recorded.pk,
    )


def test_the_case_page_shows_the_decision_log_with_its_status(world: World) -> None:
    recorded = decision_needing_sign_off(world)
    page = client_for(world.priya).get(reverse("case_detail", args=[world.case_held_by_priya.pk]))
    html = page.content.decode()
    assert reverse("decision_detail", args=[recorded.pk]) in html
    assert "Awaiting sign-off" in html
    assert reverse("decision_new", args=[world.case_held_by_priya.pk]) in html


def test_recording_through_the_form_asks_the_team_manager(world: World) -> None:
    response = client_for(world.priya).post(
        reverse("decision_new", args=[world.case_held_by_priya.pk]),
        {
            "kind": "safeguarding",
            "summary": "Section 42 enquiry to begin",
            "options_considered": "Enquiry; no further action",
            "rationale": "Reasonable cause to suspect abuse",
            "legal_basis": "care_act_s42",
            "persons_view": "Wants her son kept away",
        },
    )
    recorded = Decision.objects.get()
    assert response.status_code == 302
    assert recorded.sign_off_level == SignOffLevel.TEAM_MANAGER
    assert recorded.sign_off_reason == "a safeguarding decision"
    assert _told(world.mona, NotificationKind.SIGN_OFF_REQUESTED) == [
        f"A decision on case {world.case_held_by_priya.pk} awaits your sign-off"
    ]
    # The other team's manager is not asked.
    assert _told(world.max, NotificationKind.SIGN_OFF_REQUESTED) == []


def test_a_correction_is_a_new_entry_and_the_original_stays(world: World) -> None:
    original = decision(world.priya, world.case_held_by_priya)
    response = client_for(world.priya).post(
        reverse("decision_correct", args=[original.pk]),
        {
            "kind": "care_and_support",
            "summary": "Day service two days a week, not three",
            "options_considered": "As before",
            "rationale": "The provider has two days",
            "legal_basis": "care_act_s24_25",
            "persons_view": "Content",
        },
    )
    assert response.status_code == 302
    correction = Decision.objects.exclude(pk=original.pk).get()
    assert correction.corrects == original
    original.refresh_from_db()
    assert original.summary == "Day service three days a week"


def test_a_closed_case_takes_no_new_decisions(world: World) -> None:
    with pytest.raises(ActionRefused):
        decision(world.mona, world.case_closed_north)


# -- levels of practice and the delegation scheme --------------------------------------------


def test_an_asye_is_told_where_the_decision_is_made_that_it_needs_sign_off(world: World) -> None:
    world.priya_practitioner.pcf_level = "asye"
    world.priya_practitioner.save(update_fields=["pcf_level"])
    page = client_for(world.priya).get(reverse("decision_new", args=[world.case_held_by_priya.pk]))
    assert "As an ASYE, every decision you record needs sign-off by a team manager." in (
        page.content.decode()
    )
    recorded = decision(world.priya, world.case_held_by_priya)
    assert recorded.sign_off_level == SignOffLevel.TEAM_MANAGER
    assert recorded.sign_off_reason == "decided by a practitioner in their ASYE"


@pytest.mark.parametrize(
    ("amount", "level"),
    [("1000.00", SignOffLevel.NONE), ("1000.01", SignOffLevel.SENIOR_MANAGER)],
)
def test_funding_above_the_threshold_needs_a_senior_manager(
    world: World, amount: str, level: SignOffLevel
) -> None:
    assert DelegationScheme.current().funding_threshold == Decimal("1000.00")
    recorded = actions.record_decision(
        by=world.priya, case=world.case_held_by_priya, details=funding(amount)
    )
    assert recorded.sign_off_level == level


def test_the_highest_level_asked_wins_and_every_reason_is_kept(world: World) -> None:
    recorded = actions.record_decision(
        by=world.priya,
        case=world.case_held_by_priya,
        details=details(kind="funding", weekly_amount=Decimal("1500"), against_wishes=True),
    )
    assert recorded.sign_off_level == SignOffLevel.SENIOR_MANAGER
    assert recorded.sign_off_reason == (
        "it goes against the person's expressed wishes; funding above £1,000.00 a week"
    )


def test_the_psw_publishes_a_new_version_and_later_decisions_follow_it(world: World) -> None:
    DelegationScheme.current()
    client = client_for(world.pat)
    form = {
        "closing_tier3": "team_manager",
        "against_wishes": "team_manager",
        "safeguarding": "team_manager",
        "funding_above_threshold": "senior_manager",
        "funding_threshold": "500",
        "by_asye": "team_manager",
        "change_note": "Lower threshold after the budget review",
    }
    assert client.post(reverse("delegation_scheme_edit"), form).status_code == 302
    assert DelegationScheme.current().number == 2
    recorded = actions.record_decision(
        by=world.priya, case=world.case_held_by_priya, details=funding("600")
    )
    assert (recorded.scheme.number, recorded.sign_off_level) == (2, SignOffLevel.SENIOR_MANAGER)
    # The same again changes nothing, and says so.
    again = client.post(reverse("delegation_scheme_edit"), {**form, "change_note": "Again"})
    assert "Nothing has changed from the version in force" in again.content.decode()
    assert DelegationScheme.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("funding_threshold", "0", "Enter an amount of £0.01 or more"),
        ("funding_threshold", "1e30", "Enter an amount up to £99,999.99 a week"),
        ("funding_threshold", "²", "Enter the amount in pounds"),
        ("closing_tier3", "chief_executive", "Select a valid choice"),
    ],
)
def test_the_scheme_form_refuses_bad_input_with_a_clear_message(
    world: World, field: str, value: str, message: str
) -> None:
    form = {
        "closing_tier3": "team_manager",
        "against_wishes": "",
        "safeguarding": "team_manager",
        "funding_above_threshold": "senior_manager",
        "funding_threshold": "800",
        "by_asye": "",
        "change_note": "A change",
        field: value,
    }
    response = client_for(world.pat).post(reverse("delegation_scheme_edit"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert DelegationScheme.objects.filter(number__gt=1).count() == 0


# -- sign-off --------------------------------------------------------------------------------


def _safeguarding_by_mona(world: World) -> SignOffRequest:
    recorded = decision(world.mona, world.case_held_by_priya, kind="safeguarding")
    return recorded.sign_offs.get()


def test_nobody_approves_their_own_request_in_the_action(world: World) -> None:
    request = _safeguarding_by_mona(world)
    with pytest.raises(ActionRefused, match="your own request"):
        actions.approve_sign_off(by=world.mona, request=request)
    request.refresh_from_db()
    assert request.state == SignOffRequest.State.OPEN


def test_nobody_approves_their_own_request_by_posting_directly(world: World) -> None:
    request = _safeguarding_by_mona(world)
    response = _answer(world, "mona", request, answer="approve")
    assert response.status_code == 200
    assert "You cannot sign off your own request" in response.content.decode()
    request.refresh_from_db()
    assert request.state == SignOffRequest.State.OPEN


def test_the_database_refuses_an_approval_by_the_requester(world: World) -> None:
    request = _safeguarding_by_mona(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOffRequest.objects.filter(pk=request.pk).update(
            state="approved", decided_by=world.mona, decided_at=timezone.now()
        )


def test_a_manager_of_another_team_cannot_approve(world: World) -> None:
    request = decision_needing_sign_off(world).sign_offs.get()
    with pytest.raises(ActionRefused):
        actions.approve_sign_off(by=world.max, request=request)
    assert _answer(world, "max", request, answer="approve").status_code == 404
    request.refresh_from_db()
    assert request.state == SignOffRequest.State.OPEN


def test_a_team_manager_cannot_give_a_senior_managers_sign_off(world: World) -> None:
    recorded = actions.record_decision(
        by=world.priya, case=world.case_held_by_priya, details=funding("2500")
    )
    request = recorded.sign_offs.get()
    with pytest.raises(ActionRefused, match="a senior manager"):
        actions.approve_sign_off(by=world.mona, request=request)
    assert _told(world.dee, NotificationKind.SIGN_OFF_REQUESTED)
    assert _answer(world, "dee", request, answer="approve").status_code == 302
    recorded.refresh_from_db()
    assert recorded.status == "Signed off"


def test_returned_with_comments_then_asked_again_then_approved(world: World) -> None:
    recorded = decision_needing_sign_off(world)
    first = recorded.sign_offs.get()
    # Returning needs comments.
    refused = _answer(world, "mona", first, answer="return", comments="")
    assert "Say what needs to change" in refused.content.decode()
    _answer(world, "mona", first, answer="return", comments="Record her daughter's view too")
    recorded.refresh_from_db()
    assert recorded.status == "Returned with comments"
    assert _told(world.priya, NotificationKind.SIGN_OFF_REQUESTED) == [
        f"Your decision on case {world.case_held_by_priya.pk} was returned with comments"
    ]
    client_for(world.priya).post(
        reverse("decision_request_sign_off", args=[recorded.pk]), {"note": "Daughter agrees"}
    )
    second = recorded.sign_offs.get(state=SignOffRequest.State.OPEN)
    assert second.note == "Daughter agrees"
    _answer(world, "mona", second, answer="approve")
    recorded.refresh_from_db()
    assert recorded.status == "Signed off"
    assert list(
        ChangeEvent.objects.filter(case_id=world.case_held_by_priya.pk)
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        ChangeAction.DECISION_RECORDED,
        ChangeAction.SIGN_OFF_REQUESTED,
        ChangeAction.SIGN_OFF_RETURNED,
        ChangeAction.SIGN_OFF_REQUESTED,
        ChangeAction.SIGN_OFF_APPROVED,
    ]
    with pytest.raises(ActionRefused, match="already been signed off"):
        actions.request_sign_off(by=world.priya, decision=recorded)


def test_an_answered_request_cannot_be_answered_again(world: World) -> None:
    request = decision_needing_sign_off(world).sign_offs.get()
    actions.approve_sign_off(by=world.mona, request=request)
    with pytest.raises(ActionRefused, match="already been answered"):
        actions.return_sign_off(by=world.dee, request=request, comments="Too late")


def _queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def _more_requests(world: World, count: int) -> None:
    for index in range(count):
        case = allocated_case(
            world.colin_practitioner,
            person=PersonFactory.create(given_name="Extra", family_name=f"Person{index}"),
        )
        decision(world.colin, case, against_wishes=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_approvers_answering_at_once_give_one_answer(world: World) -> None:
    request = decision_needing_sign_off(world).sign_offs.get()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer_at_once(approver: User, approve: bool) -> None:
        try:
            barrier.wait(timeout=10)
            if approve:
                actions.approve_sign_off(by=approver, request=request)
            else:
                actions.return_sign_off(by=approver, request=request, comments="Not yet")
            outcomes.append("answered")
        except ActionRefused as refusal:
            outcomes.append(refusal.message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=answer_at_once, args=(world.mona, True)),
        threading.Thread(target=answer_at_once, args=(world.dee, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["This request has already been answered", "answered"], outcomes
    request.refresh_from_db()
    assert request.state != SignOffRequest.State.OPEN
    answers = ChangeEvent.objects.filter(
        action__in=[ChangeAction.SIGN_OFF_APPROVED, ChangeAction.SIGN_OFF_RETURNED]
    )
    assert answers.count() == 1


def test_the_approvers_list_shows_age_and_keeps_its_query_count(world: World) -> None:
    decision_needing_sign_off(world)
    client = client_for(world.mona)
    url = reverse("sign_off_list")
    page = client.get(url)
    assert "Heldbypriya" in page.content.decode()
    small = _queries(lambda: client.get(url))
    _more_requests(world, 4)
    large = _queries(lambda: client.get(url))
    assert small == large
    # Not listed for whoever cannot answer: the other team's manager.
    assert "Heldbypriya" not in client_for(world.max).get(url).content.decode()


def test_the_case_panel_keeps_its_query_count(world: World) -> None:
    client = client_for(world.priya)
    url = reverse("case_detail", args=[world.case_held_by_priya.pk])
    decision_needing_sign_off(world)
    small = _queries(lambda: client.get(url))
    for _ in range(3):
        decision(world.priya, world.case_held_by_priya, against_wishes=True)
        actions.escalate_case(
            by=world.priya, case=world.case_held_by_priya, nature="complex", question="?"
        )
    assert _queries(lambda: client.get(url)) == small


# -- closing a Tier 3 case -------------------------------------------------------------------


def _tier3_case(world: World) -> Case:
    case = world.case_held_by_colin
    AssessmentFactory.create(
        case=case,
        assessed_by=world.colin,
        override_tier=3,
        override_reason="Judgement",
        overridden_by=world.mona,
        overridden_at=timezone.now(),
    )
    return case


def _close(world: World, case: Case) -> Case:
    return close_case(
        by=world.mona,
        case=case,
        outcome="nfa_information_advice",
        closed_at=timezone.now() - timedelta(minutes=1),
    )


def test_closing_a_tier_3_case_needs_a_signed_off_decision(world: World) -> None:
    case = _tier3_case(world)
    with pytest.raises(ActionRefused, match="Tier 3"):
        _close(world, case)
    closing = decision(world.colin, case, kind="closing_case")
    assert closing.sign_off_level == SignOffLevel.TEAM_MANAGER
    with pytest.raises(ActionRefused, match="Tier 3"):
        _close(world, case)
    actions.approve_sign_off(by=world.mona, request=closing.sign_offs.get())
    assert _close(world, case).status == CaseStatus.CLOSED


def test_a_tier_2_case_closes_without_a_decision(world: World) -> None:
    assert _close(world, world.case_held_by_priya).status == CaseStatus.CLOSED


def test_the_register_runs_each_close_check_registered(world: World) -> None:
    calls: list[int] = []
    register_close_check("test_check", lambda by, case: calls.append(case.pk))
    try:
        _close(world, world.case_held_by_priya)
    finally:
        unregister_close_check("test_check")
    assert calls == [world.case_held_by_priya.pk]


# -- escalation to the principal social worker -----------------------------------------------


def test_escalation_to_the_psw_then_the_director(world: World) -> None:
    response = client_for(world.priya).post(
        reverse("escalation_new", args=[world.case_held_by_priya.pk]),
        {"nature": "controversial", "question": "Family oppose the move: do we proceed?"},
    )
    escalation = PracticeEscalation.objects.get()
    assert response.status_code == 302
    assert _told(world.pat, NotificationKind.ESCALATION)
    listed = client_for(world.pat).get(reverse("escalation_list")).content.decode()
    assert "Heldbypriya" in listed
    # The director sees it only once it is taken to them.
    assert (
        "Heldbypriya" not in client_for(world.dee).get(reverse("escalation_list")).content.decode()
    )
    client_for(world.pat).post(
        reverse("escalation_refer", args=[escalation.pk]),
        {"note": "Funding and reputational risk: for the director"},
    )
    escalation.refresh_from_db()
    assert escalation.state == PracticeEscalation.State.WITH_DIRECTOR
    assert _told(world.dee, NotificationKind.ESCALATION)
    assert "Heldbypriya" in client_for(world.dee).get(reverse("escalation_list")).content.decode()
    # The PSW cannot decide for the director.
    assert (
        client_for(world.pat)
        .post(reverse("escalation_decide", args=[escalation.pk]), {"decision": "Go"})
        .status_code
        == 403
    )
    client_for(world.dee).post(
        reverse("escalation_decide", args=[escalation.pk]), {"decision": "Proceed with the move"}
    )
    escalation.refresh_from_db()
    assert (escalation.state, escalation.director) == (
        PracticeEscalation.State.DECIDED,
        world.dee,
    )
    assert len(_told(world.priya, NotificationKind.ESCALATION)) == 2
    page = client_for(world.priya).get(reverse("escalation_detail", args=[escalation.pk]))
    assert "Proceed with the move" in page.content.decode()
    assert set(
        ChangeEvent.objects.filter(case_id=world.case_held_by_priya.pk).values_list(
            "action", flat=True
        )
    ) == {
        ChangeAction.PRACTICE_ESCALATION_RAISED,
        ChangeAction.PRACTICE_ESCALATION_REFERRED,
        ChangeAction.PRACTICE_ESCALATION_DECIDED,
    }


def test_the_psws_advice_is_recorded_on_the_case(world: World) -> None:
    escalation = actions.escalate_case(
        by=world.priya, case=world.case_held_by_priya, nature="complex", question="Capacity?"
    )
    client_for(world.pat).post(
        reverse("escalation_advise", args=[escalation.pk]), {"advice": "Assess capacity first"}
    )
    escalation.refresh_from_db()
    assert (escalation.state, escalation.advice) == (
        PracticeEscalation.State.ADVISED,
        "Assess capacity first",
    )
    assert _told(world.priya, NotificationKind.ESCALATION)
    with pytest.raises(ActionRefused, match="moved on"):
        actions.take_escalation_to_director(by=world.pat, escalation=escalation, note="Late")


def test_the_escalation_list_keeps_its_query_count(world: World) -> None:
    client = client_for(world.pat)
    url = reverse("escalation_list")
    actions.escalate_case(
        by=world.priya, case=world.case_held_by_priya, nature="complex", question="?"
    )
    small = _queries(lambda: client.get(url))
    for index in range(4):
        case = allocated_case(
            world.colin_practitioner,
            person=PersonFactory.create(given_name="Extra", family_name=f"Escalated{index}"),
        )
        actions.escalate_case(by=world.colin, case=case, nature="controversial", question="?")
    assert _queries(lambda: client.get(url)) == small


# -- hostile input ---------------------------------------------------------------------------

GOOD = {
    "kind": "funding",
    "weekly_amount": "450",
    "summary": "Home care",
    "options_considered": "Home care; day care",
    "rationale": "Needs met at home",
    "legal_basis": "care_act_s18",
    "persons_view": "Agrees",
}


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"weekly_amount": "1e30"}, "Enter an amount up to £99,999.99 a week"),
        ({"weekly_amount": "99999999999999999999"}, "Enter an amount up to £99,999.99 a week"),
        ({"weekly_amount": "-5"}, "Enter an amount of £0 or more"),
        ({"weekly_amount": "²"}, "Enter the amount in pounds"),
        ({"weekly_amount": "NaN"}, "Enter the amount in pounds"),
        ({"weekly_amount": ""}, "Enter the weekly amount of the funding"),
        ({"kind": "other"}, "Only a funding decision has a weekly amount"),
        ({"kind": "rubber_stamp"}, "Select a valid choice"),
        ({"legal_basis": "care_act_s999"}, "Select a valid choice"),
        ({"legal_basis": "local_policy"}, "Name the local policy"),
        ({"summary": "Home\x07care"}, "control or hidden formatting characters"),
        ({"summary": "Home\u202ecare"}, "control or hidden formatting characters"),
        ({"summary": "x" * 4001}, "at most 4000 characters"),
        ({"persons_view": ""}, "Enter the person&#x27;s own view"),
    ],
)
def test_hostile_decision_input_is_a_form_error(
    world: World, changes: dict[str, str], field_error: str
) -> None:
    response = client_for(world.priya).post(
        reverse("decision_new", args=[world.case_held_by_priya.pk]), {**GOOD, **changes}
    )
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not Decision.objects.exists()


def test_digits_of_another_script_read_as_ascii(world: World) -> None:
    client_for(world.priya).post(
        reverse("decision_new", args=[world.case_held_by_priya.pk]),
        {**GOOD, "weekly_amount": "١٢٠٠"},
    )
    assert Decision.objects.get().weekly_amount == Decimal("1200")


def test_another_teams_case_or_decision_is_not_found(world: World) -> None:
    south_case = allocated_case(PractitionerFactory.create(team=world.team_south))
    south_decision = decision(world.max, south_case)
    client = client_for(world.priya)
    assert client.post(reverse("decision_new", args=[south_case.pk]), GOOD).status_code == 404
    assert (
        client.post(reverse("decision_correct", args=[south_decision.pk]), GOOD).status_code == 404
    )
    assert client.get(reverse("decision_detail", args=[10**12])).status_code == 404
    assert Decision.objects.count() == 1


def test_the_director_lists_the_decisions_kept_for_a_senior_manager(world: World) -> None:
    decision_needing_sign_off(world)
    actions.record_decision(by=world.colin, case=world.case_held_by_colin, details=funding("3000"))
    listed = client_for(world.dee).get(reverse("sign_off_list")).content.decode()
    assert "Heldbycolin" in listed
    assert "Heldbypriya" not in listed
    managers = client_for(world.mona).get(reverse("sign_off_list")).content.decode()
    assert "Heldbypriya" in managers
    assert "Heldbycolin" not in managers


def test_reading_a_decision_is_in_the_access_log(world: World) -> None:
    recorded = decision_needing_sign_off(world)
    client_for(world.pat).get(reverse("decision_detail", args=[recorded.pk]))
    entry = AccessLogEntry.objects.filter(user_id=world.pat.pk).latest("id")
    assert (entry.action, entry.case_id) == (AccessAction.VIEW_CASE, world.case_held_by_priya.pk)
    assert list(entry.subjects.values_list("person_id", flat=True)) == [world.person_of_priya.pk]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answer": "approve_everything"}, "Select a valid choice"),
        ({}, "Choose whether to sign off the decision or return it"),
        ({"answer": "return", "comments": "No\x00t"}, "Null characters are not allowed"),
        ({"answer": "return", "comments": "Bad\x1b[31m"}, "control or hidden formatting"),
        ({"answer": "return", "comments": "y" * 2001}, "at most 2000 characters"),
    ],
)
def test_hostile_sign_off_answers_are_form_errors(
    world: World, data: dict[str, str], message: str
) -> None:
    request = decision_needing_sign_off(world).sign_offs.get()
    response = _answer(world, "mona", request, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    request.refresh_from_db()
    assert request.state == SignOffRequest.State.OPEN


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nature": "trivial", "question": "?"}, "Select a valid choice"),
        ({"nature": "complex", "question": ""}, "Ask the principal social worker your question"),
        ({"nature": "complex", "question": "Why\u2066?"}, "control or hidden formatting"),
    ],
)
def test_hostile_escalations_are_form_errors(
    world: World, data: dict[str, str], message: str
) -> None:
    response = client_for(world.priya).post(
        reverse("escalation_new", args=[world.case_held_by_priya.pk]), data
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PracticeEscalation.objects.exists()


def test_an_escalation_on_another_teams_case_is_not_found(world: World) -> None:
    south_case = allocated_case(PractitionerFactory.create(team=world.team_south))
    escalation = actions.escalate_case(
        by=world.max, case=south_case, nature="complex", question="?"
    )
    assert (
        client_for(world.priya).get(reverse("escalation_detail", args=[escalation.pk])).status_code
        == 404
    )
    response = client_for(world.priya).post(
        reverse("escalation_new", args=[south_case.pk]), {"nature": "complex", "question": "?"}
    )
    assert response.status_code == 404


def test_the_close_form_links_to_recording_the_decision(world: World) -> None:
    case = _tier3_case(world)
    response = client_for(world.mona).post(
        reverse("case_close", args=[case.pk]),
        {
            "outcome": "nfa_information_advice",
            "closed_on_day": str(timezone.localdate().day),
            "closed_on_month": str(timezone.localdate().month),
            "closed_on_year": str(timezone.localdate().year),
        },
    )
    html = response.content.decode()
    assert "Closing a Tier 3 case needs a decision to close it, signed off" in html
    assert reverse("decision_new", args=[case.pk]) in html
    case.refresh_from_db()
    assert case.is_open


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_locks_taken_with_a_join_lock_only_their_own_rows(world: World) -> None:
    request = decision_needing_sign_off(world).sign_offs.get()
    escalation = actions.escalate_case(
        by=world.priya, case=world.case_held_by_priya, nature="complex", question="?"
    )
    with CaptureQueriesContext(connection) as queries:
        actions.approve_sign_off(by=world.mona, request=request)
        actions.advise_on_escalation(by=world.pat, escalation=escalation, advice="Go ahead")
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    joined = [sql for sql in locking if " JOIN " in sql]
    assert joined
    for sql in joined:
        assert "FOR UPDATE OF" in sql, sql


def test_a_teams_only_manager_asking_is_answered_by_a_senior_manager(world: World) -> None:
    request = _safeguarding_by_mona(world)
    assert _told(world.dee, NotificationKind.SIGN_OFF_REQUESTED) == [
        f"A decision on case {world.case_held_by_priya.pk} awaits your sign-off"
    ]
    listed = client_for(world.dee).get(reverse("sign_off_list")).content.decode()
    assert reverse("sign_off_answer", args=[request.pk]) in listed
    actions.approve_sign_off(by=world.dee, request=request)
    request.refresh_from_db()
    assert (request.state, request.decided_by) == (SignOffRequest.State.APPROVED, world.dee)
