"""Safeguarding adults: the statutory criteria, the reserved-function rule, visibility, sign-off,
timeliness and the notices, hostile input, and constant query counts on the list pages.

Every page's refusal for every role is in tests/web/test_permission_matrix.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload.audit.models import AccessAction, AccessLogEntry, ChangeAction, ChangeEvent
from caseload.decisions.models import DelegationScheme, SignOffLevel
from caseload.notifications.models import Notification, NotificationKind
from caseload.safeguarding import actions, timeliness
from caseload.safeguarding.models import Concern, Enquiry, EnquiryStatus, Targets
from caseload.safeguarding.notices import send_overdue_notices
from caseload.web.errors import ActionRefused
from caseload_engine import safeguarding_reference as ref
from tests.conftest import World, client_for
from tests.factories import PractitionerFactory, allocated_case
from tests.safeguarding_factories import ConcernFactory, EnquiryFactory, StrategyRecordFactory


@pytest.fixture(name="world")
def _world(shared_world: World) -> World:
    return shared_world


ALL_MET = {key: True for key, _ in ref.CRITERIA}


def _concern(w: World, **more: Any) -> Concern:
    return ConcernFactory.create(team=w.team_north, person=w.person_of_priya, **more)


def _enquiry(w: World, **more: Any) -> Enquiry:
    concern = _concern(w)
    actions.decide_concern(
        by=w.mona,
        concern=concern,
        criteria=ALL_MET,
        decision=ref.SECTION_42,
        lead=more.pop("lead", w.priya_practitioner),
    )
    return Enquiry.objects.get(concern=concern)


# -- the statutory criteria --------------------------------------------------------------------


@pytest.mark.parametrize("unmet", [key for key, _ in ref.CRITERIA])
def test_a_section_42_enquiry_needs_all_three_criteria(world: World, unmet: str) -> None:
    concern = _concern(world)
    with pytest.raises(ActionRefused, match="all three statutory criteria"):
        actions.decide_concern(
            by=world.mona,
            concern=concern,
            criteria={**ALL_MET, unmet: False},
            decision=ref.SECTION_42,
        )
    concern.refresh_from_db()
    assert concern.decision == ""


@pytest.mark.parametrize("decision", [ref.OTHER_ENQUIRY, ref.NO_FURTHER_ACTION])
def test_with_all_three_met_only_a_section_42_enquiry_will_do(world: World, decision: str) -> None:
    with pytest.raises(ActionRefused, match="must make a Section 42 enquiry"):
        actions.decide_concern(
            by=world.mona,
            concern=_concern(world),
            criteria=ALL_MET,
            decision=decision,
            reason="Synthetic reason",
        )


def test_no_further_action_gives_its_reason_and_starts_no_enquiry(world: World) -> None:
    concern = _concern(world)
    criteria = {**ALL_MET, "unable_to_protect": False}
    with pytest.raises(ActionRefused, match="reason"):
        actions.decide_concern(
            by=world.mona, concern=concern, criteria=criteria, decision=ref.NO_FURTHER_ACTION
        )
    actions.decide_concern(
        by=world.mona,
        concern=concern,
        criteria=criteria,
        decision=ref.NO_FURTHER_ACTION,
        reason="Able to protect themselves",
        signposting="Citizens Advice",
    )
    concern.refresh_from_db()
    assert concern.decision == ref.NO_FURTHER_ACTION
    assert concern.criterion_unable_to_protect is False
    assert not Enquiry.objects.filter(concern=concern).exists()
    assert ChangeEvent.objects.filter(action=ChangeAction.SAFEGUARDING_CONCERN_DECIDED).exists()


def test_the_decision_page_records_each_criterion(world: World) -> None:
    concern = _concern(world)
    url = reverse("safeguarding_concern", args=[concern.pk])
    answers = {f"criterion_{key}": "yes" for key, _ in ref.CRITERIA}
    response = client_for(world.mona).post(
        url,
        {**answers, "criterion_unable_to_protect": "no", "decision": ref.SECTION_42},
    )
    assert response.status_code == 200
    assert "needs all three statutory criteria met" in response.content.decode()
    response = client_for(world.mona).post(
        url, {**answers, "decision": ref.SECTION_42, "lead": world.priya_practitioner.pk}
    )
    enquiry = Enquiry.objects.get(concern=concern)
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding_enquiry", args=[enquiry.pk])
    assert (enquiry.kind, enquiry.lead, enquiry.lead_role) == (
        "section_42",
        world.priya_practitioner,
        "social_worker",
    )


# -- the reserved-function rule ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["assistant", "occupational_therapist"])
def test_only_a_registered_social_worker_leads_a_section_42_enquiry(
    world: World, role: str
) -> None:
    other = PractitionerFactory.create(team=world.team_north, role=role)
    concern = _concern(world)
    with pytest.raises(ActionRefused, match="reserved function"):
        actions.decide_concern(
            by=world.mona, concern=concern, criteria=ALL_MET, decision=ref.SECTION_42, lead=other
        )
    enquiry = _enquiry(world)
    with pytest.raises(ActionRefused, match="reserved function"):
        actions.choose_lead(by=world.mona, enquiry=enquiry, lead=other)


def test_another_enquiry_may_be_led_by_an_unregistered_worker(world: World) -> None:
    assistant = PractitionerFactory.create(team=world.team_north, role="assistant")
    concern = _concern(world)
    actions.decide_concern(
        by=world.mona,
        concern=concern,
        criteria={**ALL_MET, "care_and_support_needs": False},
        decision=ref.OTHER_ENQUIRY,
        reason="No care and support needs; the council looks into it all the same",
        lead=assistant,
    )
    assert Enquiry.objects.get(concern=concern).lead_role == "assistant"


def test_the_lead_is_in_the_enquirys_team(world: World) -> None:
    enquiry = _enquiry(world)
    with pytest.raises(ActionRefused, match="not in the enquiry's team"):
        actions.choose_lead(by=world.mona, enquiry=enquiry, lead=world.max_practitioner)


# -- visibility ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("priya", 200), ("mona", 200), ("pat", 200), ("sally", 200), ("max", 404), ("dee", 403)],
)
def test_an_enquiry_is_seen_by_its_team_its_manager_the_lead_and_the_psw(
    world: World, who: str, status: int
) -> None:
    enquiry = _enquiry(world)
    response = client_for(getattr(world, who)).get(
        reverse("safeguarding_enquiry", args=[enquiry.pk])
    )
    assert response.status_code == status
    if status == 200:
        entry = AccessLogEntry.objects.filter(
            user_id=getattr(world, who).pk, action=AccessAction.VIEW_PERSON
        ).latest("pk")
        assert list(entry.subjects.values_list("person_id", flat=True)) == [enquiry.person_id]


def test_another_teams_worker_holding_the_case_sees_only_that_an_enquiry_exists(
    world: World,
) -> None:
    south_worker = PractitionerFactory.create(team=world.team_south, role="social_worker")
    south_user = south_worker.user
    assert south_user is not None
    enquiry = _enquiry(world)
    case = allocated_case(south_worker, person=enquiry.person)
    page = client_for(south_user).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "A safeguarding enquiry about this person is open" in page
    assert reverse("safeguarding_enquiry", args=[enquiry.pk]) not in page
    response = client_for(south_user).get(reverse("safeguarding_enquiry", args=[enquiry.pk]))
    assert response.status_code == 404
    # Max manages South but does not hold the case: nothing is said.
    other = client_for(world.max).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "safeguarding enquiry" not in other.lower()


def test_the_team_sees_the_enquiry_on_the_case(world: World) -> None:
    enquiry = _enquiry(world)
    page = client_for(world.mona).get(reverse("case_detail", args=[world.case_held_by_priya.pk]))
    assert reverse("safeguarding_enquiry", args=[enquiry.pk]) in page.content.decode()


# -- the enquiry and its sign-off ----------------------------------------------------------


def _outcomes(w: World, enquiry: Enquiry) -> Enquiry:
    return actions.record_outcomes(
        by=w.priya,
        enquiry=enquiry,
        msp_asked=ref.MSP_ASKED_EXPRESSED,
        desired_outcomes="Synthetic: I want to stay at home and feel safe",
        not_asked_reason="",
        lacked_capacity=False,
        support="family",
    )


def _conclude(w: World, enquiry: Enquiry, *, by: Any = None) -> Enquiry:
    return actions.conclude(
        by=by or w.priya,
        enquiry=enquiry,
        concluded_on=timezone.localdate(),
        action_and_result="risk_identified_action",
        risk_outcome="reduced",
        msp_achieved="partially",
        conclusion="Synthetic conclusion",
    )


def test_desired_outcomes_in_the_persons_words_or_why_not(world: World) -> None:
    enquiry = _enquiry(world)
    with pytest.raises(ActionRefused, match="own words"):
        actions.record_outcomes(
            by=world.priya,
            enquiry=enquiry,
            msp_asked=ref.MSP_ASKED_EXPRESSED,
            desired_outcomes=" ",
            not_asked_reason="",
            lacked_capacity=None,
            support="",
        )
    with pytest.raises(ActionRefused, match="why no outcomes"):
        actions.record_outcomes(
            by=world.priya,
            enquiry=enquiry,
            msp_asked="not_asked",
            desired_outcomes="",
            not_asked_reason="",
            lacked_capacity=None,
            support="",
        )
    assert _outcomes(world, enquiry).msp_asked == ref.MSP_ASKED_EXPRESSED


def test_a_conclusion_needs_the_outcomes_asked_and_a_risk_outcome_where_risk_was_found(
    world: World,
) -> None:
    enquiry = _enquiry(world)
    with pytest.raises(ActionRefused, match="desired outcomes were asked"):
        _conclude(world, enquiry)
    _outcomes(world, enquiry)
    with pytest.raises(ActionRefused, match="risk remains"):
        actions.conclude(
            by=world.priya,
            enquiry=enquiry,
            concluded_on=timezone.localdate(),
            action_and_result="risk_identified_action",
            risk_outcome="",
            msp_achieved="fully",
            conclusion="Synthetic",
        )


def test_closure_is_signed_off_by_a_team_manager_never_the_one_who_concluded(
    world: World,
) -> None:
    enquiry = _enquiry(world)
    _outcomes(world, enquiry)
    concluded = _conclude(world, enquiry, by=world.mona)
    assert concluded.status == EnquiryStatus.AWAITING_SIGN_OFF
    assert concluded.sign_off_level == SignOffLevel.TEAM_MANAGER
    for who in (world.mona, world.priya, world.max, world.pat, world.sally):
        with pytest.raises(ActionRefused, match="may not sign off"):
            actions.sign_off(by=who, enquiry=concluded, approve=True)
    manager = PractitionerFactory.create(team=world.team_north, role="team_manager")
    assert manager.user is not None
    manager.user.access_role = "team_manager"
    manager.user.save(update_fields=["access_role"])
    signed = actions.sign_off(by=manager.user, enquiry=concluded, approve=True)
    assert (signed.status, signed.signed_off_by) == (EnquiryStatus.CLOSED, manager.user)


def test_a_returned_closure_reopens_the_enquiry_with_the_comments(world: World) -> None:
    enquiry = _enquiry(world)
    _outcomes(world, enquiry)
    concluded = _conclude(world, enquiry)
    # Mona was told that it waits for her.
    assert Notification.objects.filter(
        recipient=world.mona, kind=NotificationKind.SIGN_OFF_REQUESTED
    ).exists()
    with pytest.raises(ActionRefused, match="what needs to change"):
        actions.sign_off(by=world.mona, enquiry=concluded, approve=False)
    returned = actions.sign_off(
        by=world.mona, enquiry=concluded, approve=False, comments="Say who the plan protects"
    )
    assert (returned.status, returned.concluded_on, returned.returned_comments) == (
        EnquiryStatus.OPEN,
        None,
        "Say who the plan protects",
    )


def test_a_senior_level_in_the_scheme_asks_for_a_senior_manager(world: World) -> None:
    DelegationScheme.current()
    DelegationScheme.objects.update(safeguarding=SignOffLevel.SENIOR_MANAGER)
    enquiry = _enquiry(world)
    _outcomes(world, enquiry)
    concluded = _conclude(world, enquiry)
    assert concluded.sign_off_level == SignOffLevel.SENIOR_MANAGER
    assert not actions.may_sign_off(world.mona, concluded)


def test_a_concluded_enquiry_takes_no_more_changes(world: World) -> None:
    enquiry = _enquiry(world)
    _outcomes(world, enquiry)
    _conclude(world, enquiry)
    with pytest.raises(ActionRefused, match="closed to changes"):
        actions.record_plan(
            by=world.priya, enquiry=enquiry, plan="Synthetic", agreed_on=timezone.localdate()
        )
    url = reverse("safeguarding_enquiry_plan", args=[enquiry.pk])
    assert client_for(world.priya).get(url).status_code == 403


# -- timeliness ----------------------------------------------------------------------------


def test_the_decision_is_due_in_two_working_days_past_bank_holidays(world: World) -> None:
    targets = Targets.current()
    assert targets.decision_days == 2
    # Thursday 24 December 2026: Christmas Day is a Friday, Boxing Day's substitute a Monday.
    assert timeliness.decision_due(date(2026, 12, 24), targets) == date(2026, 12, 30)


def test_a_concern_records_its_due_date_from_the_targets_in_force(world: World) -> None:
    actions.publish_targets(
        by=world.sally,
        days={**{n: 5 for n in Targets.DAY_FIELDS}, "decision_days": 1},
        note="Tighter",
    )
    received = timezone.make_aware(datetime(2026, 11, 27, 9, 0))  # a Friday
    concern = actions.record_concern(
        by=world.priya,
        team=world.team_north,
        person=world.person_of_priya,
        details=actions.ConcernDetails(
            received_at=received,
            source="police",
            source_detail="",
            route="phone",
            summary="Synthetic report",
            types_of_risk=["financial_or_material", "psychological"],
            location_of_risk="own_home",
            source_of_risk="other_known",
        ),
    )
    assert concern.decision_due_on == date(2026, 11, 30)
    assert concern.types_of_risk == ["financial_or_material", "psychological"]


def test_overdue_items_are_listed_and_notified_once(world: World) -> None:
    late = _concern(world, decision_due_on=timezone.localdate() - timedelta(days=1))
    enquiry = _enquiry(world)
    Enquiry.objects.filter(pk=enquiry.pk).update(
        strategy_due_on=timezone.localdate() - timedelta(days=1)
    )
    page = client_for(world.sally).get(reverse("safeguarding_overdue")).content.decode()
    assert reverse("safeguarding_concern", args=[late.pk]) in page
    assert "Strategy discussion" in page
    assert escape(world.person_of_priya.full_name) in page
    assert client_for(world.max).get(reverse("safeguarding_overdue")).status_code == 200
    assert reverse("safeguarding_concern", args=[late.pk]) not in (
        client_for(world.max).get(reverse("safeguarding_overdue")).content.decode()
    )
    # One digest each, once a day: the team's manager, the safeguarding lead, the lead.
    assert send_overdue_notices(on=timezone.localdate()) == 3
    assert send_overdue_notices(on=timezone.localdate()) == 0
    digest = Notification.objects.get(recipient=world.sally)
    assert digest.body == "Past their target today: 1 concern not decided, 1 enquiry step."
    told = set(
        Notification.objects.filter(kind=NotificationKind.SAFEGUARDING).values_list(
            "recipient_id", flat=True
        )
    )
    assert {world.mona.pk, world.sally.pk, world.priya.pk} <= told
    assert world.max.pk not in told
    # Titles are emailed: they name nobody.
    assert not Notification.objects.filter(title__contains=world.person_of_priya.family_name)
    StrategyRecordFactory.create(enquiry=enquiry, recorded_by=world.priya)
    assert not timeliness.overdue_enquiries(Enquiry.objects.all(), today=timezone.localdate())


# -- the whole flow through the pages, and hostile input -----------------------------------


def test_a_concern_about_someone_new_through_the_pages(world: World) -> None:
    client = client_for(world.priya)
    today = timezone.localdate()
    data = {
        "team": world.team_north.pk,
        "given_name": "Nora",
        "family_name": "Newperson",
        "date_of_birth_day": "3",
        "date_of_birth_month": "4",
        "date_of_birth_year": "1941",
        "postcode": "zz1 1aa",
        "sex": "female",
        "ethnicity": "white",
        "received_on_day": str(today.day),
        "received_on_month": str(today.month),
        "received_on_year": str(today.year),
        "received_time": "09:15",
        "source": "health",
        "route": "email",
        "summary": "Synthetic: unexplained bruising",
        "types_of_risk": ["physical", "neglect_and_acts_of_omission"],
        "location_of_risk": "care_home_residential",
        "source_of_risk": "service_provider",
    }
    response = client.post(reverse("safeguarding_concern_new"), data)
    assert response.status_code == 302
    concern = Concern.objects.get(person__family_name="Newperson")
    assert (concern.person.sex, concern.person.postcode) == ("female", "ZZ1 1AA")
    # Another team's id, control characters, and a Section 42 decision Priya may not take.
    hostile = {**data, "team": world.team_south.pk, "summary": "Bad\x00text"}
    page = client.post(reverse("safeguarding_concern_new"), hostile).content.decode()
    assert "Choose a team" in page
    assert "control or hidden formatting characters" in page
    assert client.post(reverse("safeguarding_concern", args=[concern.pk])).status_code == 403


@pytest.mark.parametrize("value", ["99999999999999999999", "5.5", "-1", "0"])
def test_targets_refuse_what_is_not_a_number_of_working_days(world: World, value: str) -> None:
    data = {name: "5" for name in Targets.DAY_FIELDS} | {"decision_days": value, "note": "x"}
    response = client_for(world.sally).post(reverse("safeguarding_targets"), data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert Targets.objects.count() == 1


# -- query counts --------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "name", ["safeguarding_concerns", "safeguarding_enquiries", "safeguarding_overdue"]
)
def test_list_pages_take_as_many_queries_for_many_rows_as_for_few(world: World, name: str) -> None:
    client = client_for(world.sally)
    url = reverse(name)
    yesterday = timezone.localdate() - timedelta(days=1)

    def more(n: int) -> None:
        for _ in range(n):
            concern = _concern(world, decision_due_on=yesterday)
            EnquiryFactory.create(
                concern__team=world.team_north,
                lead=world.priya_practitioner,
                conclusion_due_on=yesterday,
            )
            StrategyRecordFactory.create(enquiry=Enquiry.objects.latest("pk"))
            assert concern.pk

    more(1)
    few = _queries(client, url)
    more(6)
    assert _queries(client, url) == few


def test_a_concern_names_only_someone_whose_record_the_user_may_open(world: World) -> None:
    """Priya may not name Max's team's person by id (it would show her their name), and the
    answer is the same as for an id nobody has."""
    today = timezone.localdate()
    data = {
        "team": world.team_north.pk,
        "received_on_day": str(today.day),
        "received_on_month": str(today.month),
        "received_on_year": str(today.year),
        "received_time": "10:00",
        "source": "police",
        "route": "phone",
        "summary": "Synthetic",
        "types_of_risk": ["physical"],
        "location_of_risk": "own_home",
        "source_of_risk": "other_known",
    }
    client = client_for(world.priya)
    answers = []
    for person_id in (world.case_waiting_south.person.council_person_id, "P0000000"):
        response = client.post(
            reverse("safeguarding_concern_new"), {**data, "council_person_id": person_id}
        )
        answers.append(response.content.decode().count("No one whose record you may open"))
    assert answers == [2, 2]
    assert not Concern.objects.filter(person=world.case_waiting_south.person).exists()
    response = client.post(
        reverse("safeguarding_concern_new"),
        {**data, "council_person_id": world.person_of_priya.council_person_id},
    )
    assert response.status_code == 302
