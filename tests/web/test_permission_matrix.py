"""Every URL x every role, with the expected answer worked out from the permissions.

Each row says what a URL is about: the record (its team, and which permissions let a user see
it) and what else the page asks. The view says which permission it requires (its
@require_permission). From those and the persona's role and team, the expected status follows:

- 403 if the persona holds the view's permission nowhere (their role has no business there),
- 404 if they may not see the record (a refusal looks like nothing there),
- 403 if they may see it but do not hold the view's permission, or the row's `also`
  permissions, for the record's team,
- the row's `otherwise` code if they lack all of its permissions (a page that sends them on),
- else the row's `ok` code.

A row with `only` is about a record that belongs to one user (their job, their notification):
the row's `ok` code for them, 404 for everyone else.

A URL missing from the matrix fails the suite; so does a view that neither requires a
permission nor is listed as one whose record decides (RECORD_PAGES).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.allocation.actions import Choice, decide, propose_for_meeting, propose_what_if
from caseload.allocation.jobs import start_proposal
from caseload.annualreport.actions import draft_report
from caseload.annualreport.actions import publish_report as publish_annual_report
from caseload.annualreport.models import AnnualReport
from caseload.asye.actions import start_programme
from caseload.asye.models import Programme
from caseload.audits.actions import appoint_moderator, assign_audit, complete_audit
from caseload.audits.models import Audit, ToolVersion
from caseload.decisions.actions import escalate_case
from caseload.healthcheck.actions import publish_report
from caseload.learning.actions import FrameworkDetails, publish_brief, publish_framework
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.register.models import Practitioner, Team
from caseload.web.decorators import required_permission
from caseload.workload.actions import raise_concern
from caseload_engine.reference import Role
from tests import learning_factories
from tests.asye_factories import ReviewFactory
from tests.audits_factories import answers
from tests.conftest import World
from tests.decisions_factories import decision_needing_sign_off
from tests.planning_factories import saved_plan
from tests.safeguarding_factories import ConcernFactory, EnquiryFactory
from tests.supervision_factories import ActionFactory, AgreementFactory, SessionFactory


@pytest.fixture(name="world")
def _world(shared_world: World) -> World:
    """Over 400 tests here read the same two teams: built once for the module."""
    return shared_world


P = Permission
FORBIDDEN, NOT_FOUND, REDIRECT = 403, 404, 302
ROLES = (
    "practitioner",
    "team_manager",
    "other_team_manager",
    "principal_social_worker",
    "director",
    "administrator",
    "safeguarding_lead",
)
# The feedback link's page is for people who use services: no sign-in (its token is the key).
PUBLIC = {"login", "health", "logout", "feedback_link"}
# Pages open to every signed-in user whose record (or start page) decides what they get, and
# the pages every signed-in user has: their own notifications, the sign-in steps.
RECORD_PAGES = {
    "home",
    "practitioner_detail",
    "person_detail",
    "case_detail",
    "decision_detail",
    "escalation_detail",
    "job_detail",
    "notification_list",
    "notification_read",
    "notification_read_all",
    "asye_programme",
    "asye_review_new",
    "supervision_action_done",
    "asye_review_comments",
    "safeguarding_sign_off",
    "audits_action_done",
    "two_factor_verify",
    "two_factor_setup",
    "oidc_authentication_init",
    "oidc_authentication_callback",
}


@dataclass(frozen=True)
class Seen:
    """Who may see the record a URL is about: whoever holds any of `via` for its team, or,
    with VIEW_OWN_CASELOAD, the user it is `own_for` (the holder of a case, say)."""

    team: Callable[[World], Team]
    via: tuple[Permission, ...]
    own_for: Callable[[World], User] | None = None

    def visible_to(self, w: World, user: User) -> bool:
        team = self.team(w)
        if any(has_permission(user, p, team=team) for p in self.via):
            return True
        return (
            self.own_for is not None
            and self.own_for(w) == user
            and has_permission(user, P.VIEW_OWN_CASELOAD)
        )


def north(w: World) -> Team:
    return w.team_north


def south(w: World) -> Team:
    return w.team_south


def _held_by_priya(w: World) -> User:
    return w.priya


WAITING_NORTH = Seen(north, (P.VIEW_TEAM,))
WAITING_SOUTH = Seen(south, (P.VIEW_TEAM,))
PRIYAS = Seen(north, (P.VIEW_TEAM_CASELOADS,), own_for=_held_by_priya)
COLINS = Seen(north, (P.VIEW_TEAM_CASELOADS,), own_for=lambda w: w.colin)
CLOSED_NORTH = Seen(north, (P.VIEW_TEAM_CASELOADS,))
NORTH_PROPOSALS = Seen(north, (P.VIEW_ALLOCATION_PROPOSALS,))
PRIYAS_ASYE = Seen(north, (P.VIEW_ASYE_PROGRAMMES,), own_for=_held_by_priya)
DEMAND_NORTH = Seen(north, (P.VIEW_DEMAND,))


def _saved_plan(w: World) -> list[int]:
    return [saved_plan(by=w.pat).pk]


def _saved_plan_only(w: World) -> list[int]:
    saved_plan(by=w.pat)
    return []


@dataclass(frozen=True)
class Row:
    name: str
    args: Callable[[World], list[int]] = lambda w: []
    method: str = "get"
    ok: int = 200
    record: Seen | None = None
    also: tuple[Permission, ...] = ()
    otherwise: tuple[tuple[Permission, ...], int] | None = None
    # The code for a user who may not see the record but holds one of these (a person's page
    # sends whoever may break the glass to its form).
    unseen: tuple[tuple[Permission, ...], int] | None = None
    only: Callable[[World], User] | None = None
    # Of those the rest of the row lets in, only this user acts; the others are refused (403).
    acting: Callable[[World], User] | None = None
    # A text of the record that must not appear in a refused page.
    secret: Callable[[World], str] = lambda w: ""


def _planned_handover(w: World) -> list[int]:
    """Mona has accepted that Priya's case passes to Colin in a week."""
    proposal = propose_what_if(
        by=w.mona,
        practitioner=w.priya_practitioner,
        away_from=timezone.localdate() + timedelta(days=7),
        reason="annual_leave",
    )
    decide(
        by=w.mona,
        proposal=proposal,
        choices=[
            Choice(
                case_id=w.case_held_by_priya.pk,
                accept=True,
                practitioner_id=w.colin_practitioner.pk,
            )
        ],
    )
    return [proposal.decision.handovers.get().pk]


def _north_proposal(w: World) -> list[int]:
    return [propose_for_meeting(by=w.mona, team=w.team_north).pk]


def _notification_for_priya(w: World) -> list[int]:
    notification = notify(
        recipient=w.priya,
        kind=NotificationKind.NEW_ALLOCATION,
        title="1 case allocated to you",
        body=w.person_of_priya.full_name,
        link=reverse("practitioner_detail", args=[w.priya_practitioner.pk]),
    )
    assert notification is not None
    return [notification.pk]


def _priya_as_asye(w: World) -> list[int]:
    Practitioner.objects.filter(pk=w.priya_practitioner.pk).update(role=Role.ASYE)
    w.priya_practitioner.refresh_from_db()
    return [w.priya_practitioner.pk]


def _priyas_asye_programme(w: World) -> list[int]:
    """Priya as an ASYE, assessed by Colin (who is none of the personas)."""
    _priya_as_asye(w)
    programme = start_programme(
        by=w.mona,
        practitioner=w.priya_practitioner,
        starts_on=timezone.localdate() - timedelta(days=30),
        assessor=w.colin,
    )
    return [programme.pk]


def _priyas_asye_review(w: World) -> list[int]:
    programme = Programme.objects.get(pk=_priyas_asye_programme(w)[0])
    return [ReviewFactory.create(programme=programme, recorded_by=w.colin).pk]


def _priyas_person(w: World) -> str:
    return w.person_of_priya.family_name


def _priyas_decision(w: World) -> list[int]:
    return [decision_needing_sign_off(w).pk]


def _priyas_sign_off(w: World) -> list[int]:
    return [decision_needing_sign_off(w).sign_offs.get().pk]


def _priyas_escalation(w: World) -> list[int]:
    escalation = escalate_case(
        by=w.priya, case=w.case_held_by_priya, nature="complex", question="Which way now?"
    )
    return [escalation.pk]


WORKLOAD_NORTH = Seen(north, (P.VIEW_TEAM_WORKLOAD,))
# Priya's workload concern and extra hours: hers, and her team's (and the PSW's) to answer.
PRIYAS_WORKLOAD = Seen(north, (P.ANSWER_WORKLOAD_CONCERNS,), own_for=_held_by_priya)
CONCERN_TEXT = "Synthetic concern: three new tier 3 cases this week"


def _priyas_concern(w: World) -> list[int]:
    return [raise_concern(by=w.priya, concern=CONCERN_TEXT).pk]


START_PAGES = (P.VIEW_OWN_CASELOAD, P.VIEW_TEAM_CASELOADS, P.VIEW_SAFEGUARDING)
BREAK_GLASS = ((P.BREAK_GLASS,), REDIRECT)

# Priya's supervision: seen by her, by whoever may supervise in her team, and by no one else.
PRIYAS_SUPERVISION = Seen(north, (P.RECORD_SUPERVISION,), own_for=_held_by_priya)
SUPERVISION_NOTE = "Synthetic note: coping well"


def _priyas_session(w: World) -> list[int]:
    return [SessionFactory.create(supervisee=w.priya_practitioner, supervisor=w.mona).pk]


def _priyas_agreement(w: World) -> list[int]:
    return [AgreementFactory.create(practitioner=w.priya_practitioner, supervisor=w.mona).pk]


def _priyas_action(w: World) -> list[int]:
    session = SessionFactory.create(supervisee=w.priya_practitioner, supervisor=w.mona)
    return [ActionFactory.create(session=session, owner=w.priya).pk]


def _supervision_row(name: str, args: Callable[[World], list[int]], **more: Any) -> Row:
    return Row(name, args, record=PRIYAS_SUPERVISION, secret=lambda w: SUPERVISION_NOTE, **more)


# An audit of Priya's case, by the PSW: seen by its auditor (who manages the audits) and by
# Priya; nobody else, not even her manager.
PRIYAS_AUDIT = Seen(north, (P.MANAGE_CASE_AUDITS,), own_for=_held_by_priya)
AUDIT_SUMMARY = "Synthetic audit summary: thin on outcomes"


def _priyas_audit(w: World) -> list[int]:
    audit = assign_audit(
        by=w.pat,
        case=w.case_held_by_priya,
        practitioner=w.priya_practitioner,
        month=timezone.localdate().replace(day=1),
        auditor=w.pat,
    )
    return [audit.pk]


def _priyas_audit_action(w: World) -> list[int]:
    audit = Audit.objects.get(pk=_priyas_audit(w)[0])
    complete_audit(
        by=w.pat, audit=audit, answers=answers(), grade=2, summary=AUDIT_SUMMARY, actions=["Do"]
    )
    return [audit.actions.get().pk]


def _moderator(w: World) -> list[int]:
    return [appoint_moderator(by=w.pat, user=w.mona).pk]


def _audit_row(name: str, args: Callable[[World], list[int]], **more: Any) -> Row:
    return Row(name, args, record=PRIYAS_AUDIT, secret=lambda w: AUDIT_SUMMARY, **more)


# Safeguarding records of Older People North: its team, the safeguarding lead and the PSW.
SAFEGUARDING_NORTH = Seen(north, (P.VIEW_SAFEGUARDING,))
SAFEGUARDING_SECRET = "Synthetic concern: bruising noticed on a visit"


def _north_concern(w: World) -> list[int]:
    return [ConcernFactory.create(team=w.team_north, person=w.person_of_priya).pk]


def _north_enquiry(w: World) -> list[int]:
    concern = ConcernFactory.create(
        team=w.team_north,
        person=w.person_of_priya,
        criterion_care_and_support_needs=True,
        criterion_abuse_or_neglect=True,
        criterion_unable_to_protect=True,
        decision="section_42",
        decided_at=timezone.now(),
        decided_by=w.mona,
    )
    return [EnquiryFactory.create(concern=concern, lead=w.priya_practitioner).pk]


def _north_enquiry_concluded(w: World) -> list[int]:
    """Concluded by Priya, waiting for a manager's sign-off."""
    [pk] = _north_enquiry(w)
    EnquiryFactory._meta.model.objects.filter(pk=pk).update(
        status="awaiting_sign_off",
        msp_asked="not_asked",
        outcomes_not_asked_reason="Synthetic: unwell",
        concluded_on=timezone.localdate(),
        action_and_result="no_risk_no_action",
        concluded_by=w.priya,
        sign_off_level="team_manager",
    )
    return [pk]


def _north_enquiry_concluded_senior(w: World) -> list[int]:
    """The same, where the scheme keeps the closure for a senior manager."""
    [pk] = _north_enquiry_concluded(w)
    EnquiryFactory._meta.model.objects.filter(pk=pk).update(sign_off_level="senior_manager")
    return [pk]


def _safeguarding_row(name: str, args: Callable[[World], list[int]], **more: Any) -> Row:
    return Row(name, args, record=SAFEGUARDING_NORTH, secret=_priyas_person, **more)


# Learning (issue 15): an incident in Older People North, its review, Priya's recommendation.
INCIDENT_NORTH = Seen(north, (P.VIEW_INCIDENTS,))
LEARNING_REVIEW = Seen(north, (P.MANAGE_LEARNING,))
PRIYAS_RECOMMENDATION = Seen(north, (P.MANAGE_LEARNING,), own_for=_held_by_priya)
FEEDBACK_NORTH = Seen(north, (P.RECORD_FEEDBACK,))
DRAFT_REPORT = Seen(north, (P.EDIT_ANNUAL_REPORT,))
INCIDENT_TEXT = "Synthetic: a visit was missed"


def _north_incident(w: World) -> list[int]:
    return [learning_factories.incident(w.mona, w.team_north).pk]


def _north_review(w: World) -> list[int]:
    incident = learning_factories.incident(w.mona, w.team_north)
    return [learning_factories.review(w.pat, incident).pk]


def _priyas_recommendation(w: World) -> list[int]:
    review = learning_factories.review(w.pat, learning_factories.incident(w.mona, w.team_north))
    return [learning_factories.recommendation(w.pat, review, w.priya).pk]


def _north_feedback(w: World) -> list[int]:
    return [learning_factories.feedback(w.mona, w.case_held_by_priya).pk]


def _a_framework(w: World) -> list[int]:
    publish_framework(
        by=w.pat,
        details=FrameworkDetails(
            vision="v", values="v", practice_model="p", desired_outcomes="o", evidence="e"
        ),
    )
    return []


def _draft_report(w: World) -> list[int]:
    end = timezone.localdate()
    return [draft_report(by=w.pat, title="Synthetic", start=end - timedelta(days=30), end=end).pk]


def _published_report(w: World) -> list[int]:
    draft = AnnualReport.objects.get(pk=_draft_report(w)[0])
    return [publish_annual_report(by=w.pat, report=draft).pk]


MATRIX: list[Row] = [
    Row("home", ok=REDIRECT, otherwise=(START_PAGES, 200)),
    Row("team_list"),
    Row(
        "team_detail",
        lambda w: [w.team_north.pk],
        record=WAITING_NORTH,
        # Without the caseloads, a practitioner is sent on to the waiting list.
        otherwise=((P.VIEW_TEAM_CASELOADS,), REDIRECT),
        secret=lambda w: w.colin_practitioner.family_name,
    ),
    Row("team_review_interval", lambda w: [w.team_north.pk], record=WAITING_NORTH),
    Row(
        "team_review_interval",
        lambda w: [w.team_north.pk],
        "post",
        ok=200,  # an empty form is shown again with its error
        record=WAITING_NORTH,
    ),
    Row(
        "team_cases",
        lambda w: [w.team_north.pk],
        record=WAITING_NORTH,
        secret=_priyas_person,
    ),
    Row(
        "team_waiting_list",
        lambda w: [w.team_north.pk],
        record=WAITING_NORTH,
        secret=lambda w: w.case_waiting_north.person.family_name,
    ),
    Row(
        "team_waiting_list",
        lambda w: [w.team_south.pk],
        record=WAITING_SOUTH,
        secret=lambda w: w.case_waiting_south.person.family_name,
    ),
    Row(
        "practitioner_detail",
        lambda w: [w.priya_practitioner.pk],
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row(
        "practitioner_detail",
        lambda w: [w.colin_practitioner.pk],
        record=COLINS,
        secret=lambda w: w.case_held_by_colin.person.family_name,
    ),
    Row("person_list"),
    Row(
        "person_detail",
        lambda w: [w.person_of_priya.pk],
        record=PRIYAS,
        unseen=BREAK_GLASS,
        secret=_priyas_person,
    ),
    Row(
        "person_detail",
        lambda w: [w.case_held_by_colin.person.pk],
        record=COLINS,
        unseen=BREAK_GLASS,
        secret=lambda w: w.case_held_by_colin.person.family_name,
    ),
    Row(
        "person_detail",
        lambda w: [w.case_closed_north.person.pk],
        # Priya once held this case; the relationship ended when it closed.
        record=CLOSED_NORTH,
        unseen=BREAK_GLASS,
        secret=lambda w: w.case_closed_north.person.family_name,
    ),
    # The form asks for a reason whoever the id is (someone's or no one's).
    Row(
        "person_break_glass",
        lambda w: [w.case_waiting_south.person.pk],
        secret=lambda w: w.case_waiting_south.person.family_name,
    ),
    Row("case_detail", lambda w: [w.case_held_by_priya.pk], record=PRIYAS, secret=_priyas_person),
    Row(
        "case_detail",
        lambda w: [w.case_waiting_south.pk],
        record=WAITING_SOUTH,
        secret=lambda w: w.case_waiting_south.person.family_name,
    ),
    Row("case_close", lambda w: [w.case_held_by_priya.pk], record=PRIYAS, secret=_priyas_person),
    Row(
        "case_close",
        lambda w: [w.case_held_by_colin.pk],
        record=COLINS,
        secret=lambda w: w.case_held_by_colin.person.family_name,
    ),
    Row(
        "case_screen",
        lambda w: [w.case_waiting_south.pk],
        "post",
        ok=REDIRECT,
        record=WAITING_SOUTH,
        secret=lambda w: w.case_waiting_south.person.family_name,
    ),
    Row(
        "case_priority",
        lambda w: [w.case_held_by_priya.pk],
        "post",
        ok=REDIRECT,
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row(
        "case_contact_today",
        lambda w: [w.case_held_by_priya.pk],
        "post",
        ok=REDIRECT,
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row(
        "case_contact_new",
        lambda w: [w.case_held_by_priya.pk],
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row(
        "case_hand_back",
        lambda w: [w.case_held_by_priya.pk],
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row("case_review", lambda w: [w.case_held_by_priya.pk], record=PRIYAS, secret=_priyas_person),
    Row("referral_new"),
    Row(
        "person_referral_new",
        lambda w: [w.person_of_priya.pk],
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row("case_score", lambda w: [w.case_held_by_priya.pk], record=PRIYAS, secret=_priyas_person),
    Row(
        "case_score",
        lambda w: [w.case_held_by_colin.pk],
        record=COLINS,
        secret=lambda w: w.case_held_by_colin.person.family_name,
    ),
    Row(
        "case_score_preview",
        lambda w: [w.case_held_by_priya.pk],
        "post",
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row(
        "case_rescore",
        lambda w: [w.case_held_by_priya.pk],
        "post",
        ok=REDIRECT,
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row(
        "assessment_override",
        lambda w: [w.assessment_of_priyas_case.pk],
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row("complexity_model"),
    Row("complexity_model_version", lambda w: [1]),
    Row("complexity_model_edit"),
    Row("complexity_model_edit_form"),
    Row("complexity_outdated"),
    Row("complexity_rescore_all", method="post", ok=REDIRECT),
    Row(
        "allocation_meeting",
        lambda w: [w.team_north.pk],
        record=WAITING_NORTH,
        secret=lambda w: w.case_waiting_north.person.family_name,
    ),
    Row(
        "allocation_propose",
        lambda w: [w.team_north.pk],
        "post",
        ok=REDIRECT,
        record=WAITING_NORTH,
    ),
    Row("allocation_proposal", _north_proposal, record=NORTH_PROPOSALS),
    Row(
        "allocation_proposal",
        _north_proposal,
        "post",
        # A decision that accepts none of the proposal; only the team's manager may decide.
        ok=REDIRECT,
        record=NORTH_PROPOSALS,
        also=(P.MANAGE_TEAM_ALLOCATION,),
    ),
    Row(
        "allocation_across_teams",
        _north_proposal,
        record=NORTH_PROPOSALS,
        also=(P.MANAGE_TEAM_ALLOCATION,),
    ),
    Row(
        "allocation_escalate",
        _north_proposal,
        "post",
        # Back to the proposal, told what happened (here: nothing to raise).
        ok=REDIRECT,
        record=NORTH_PROPOSALS,
        also=(P.MANAGE_TEAM_ALLOCATION,),
    ),
    Row("allocation_what_if", lambda w: [w.priya_practitioner.pk], record=PRIYAS),
    # Each viewer's own teams' overrides (the principal social worker's: every team's).
    Row("allocation_overrides"),
    Row("handover_cancel", _planned_handover, record=NORTH_PROPOSALS, secret=_priyas_person),
    Row(
        "handover_now",
        _planned_handover,
        "post",
        ok=REDIRECT,
        record=NORTH_PROPOSALS,
        secret=_priyas_person,
    ),
    Row("asye_list"),
    Row("asye_programme_new", _priya_as_asye, record=PRIYAS),
    Row("asye_programme_new", _priya_as_asye, "post", ok=200, record=PRIYAS),
    Row(
        "asye_programme",
        _priyas_asye_programme,
        record=PRIYAS_ASYE,
        secret=lambda w: w.colin.last_name,
    ),
    # The ASYE sees their programme but records none of its reviews; nor does the PSW.
    Row(
        "asye_review_new",
        _priyas_asye_programme,
        record=PRIYAS_ASYE,
        also=(P.MANAGE_ASYE_PROGRAMMES,),
        secret=lambda w: w.colin.last_name,
    ),
    Row(
        "asye_review_new",
        _priyas_asye_programme,
        "post",
        ok=200,  # an empty form is shown again with its errors
        record=PRIYAS_ASYE,
        also=(P.MANAGE_ASYE_PROGRAMMES,),
    ),
    # Only the ASYE comments as the ASYE; everyone else, even who sees the programme, finds nothing.
    Row("asye_review_comments", _priyas_asye_review, only=lambda w: w.priya),
    Row(
        "asye_review_comments",
        _priyas_asye_review,
        "post",
        ok=200,  # an empty form is shown again with its errors
        only=lambda w: w.priya,
        secret=lambda w: w.colin.last_name,
    ),
    Row(
        "case_history",
        lambda w: [w.case_held_by_priya.pk],
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row(
        "case_history",
        lambda w: [w.case_waiting_south.pk],
        record=WAITING_SOUTH,
        secret=lambda w: w.case_waiting_south.person.family_name,
    ),
    Row(
        "person_history",
        lambda w: [w.case_held_by_colin.person.pk],
        record=COLINS,
        also=(P.VIEW_PERSON_DETAIL,),
        secret=lambda w: w.case_held_by_colin.person.family_name,
    ),
    Row(
        "practitioner_history",
        lambda w: [w.colin_practitioner.pk],
        record=COLINS,
        secret=lambda w: w.colin_practitioner.family_name,
    ),
    Row("decision_new", lambda w: [w.case_held_by_priya.pk], record=PRIYAS, secret=_priyas_person),
    Row(
        "decision_new",
        lambda w: [w.case_held_by_priya.pk],
        "post",
        ok=200,  # an empty form is shown again with its errors
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row(
        "decision_new",
        lambda w: [w.case_waiting_south.pk],
        record=WAITING_SOUTH,
        secret=lambda w: w.case_waiting_south.person.family_name,
    ),
    Row("decision_detail", _priyas_decision, record=PRIYAS, secret=_priyas_person),
    Row("decision_correct", _priyas_decision, record=PRIYAS, secret=_priyas_person),
    Row(
        "decision_request_sign_off",
        _priyas_decision,
        "post",
        ok=REDIRECT,  # back to the decision, told it already awaits sign-off
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row("sign_off_list"),
    Row("sign_off_answer", _priyas_sign_off, record=PRIYAS, secret=_priyas_person),
    Row(
        "sign_off_answer",
        _priyas_sign_off,
        "post",
        ok=200,  # an empty answer is shown again with its error
        record=PRIYAS,
        secret=_priyas_person,
    ),
    Row("escalation_new", lambda w: [w.case_held_by_priya.pk], record=PRIYAS),
    Row("escalation_list"),
    Row("escalation_detail", _priyas_escalation, record=PRIYAS, secret=_priyas_person),
    Row("escalation_advise", _priyas_escalation, "post", record=PRIYAS, secret=_priyas_person),
    Row("escalation_refer", _priyas_escalation, "post", record=PRIYAS, secret=_priyas_person),
    Row("escalation_decide", _priyas_escalation, "post", record=PRIYAS, secret=_priyas_person),
    Row("workload_home"),
    Row(
        "team_workload",
        lambda w: [w.team_north.pk],
        record=WORKLOAD_NORTH,
        secret=lambda w: w.colin_practitioner.family_name,
    ),
    Row("team_workload_levels", lambda w: [w.team_north.pk], record=WORKLOAD_NORTH),
    Row(
        "team_workload_levels",
        lambda w: [w.team_north.pk],
        "post",
        ok=200,  # an empty form is shown again with its errors
        record=WORKLOAD_NORTH,
    ),
    Row("workload_extra_hours"),
    Row("workload_extra_hours", method="post"),  # an empty form: its errors
    Row(
        "practitioner_extra_hours",
        lambda w: [w.priya_practitioner.pk],
        record=PRIYAS_WORKLOAD,
    ),
    Row("workload_concerns"),
    Row("workload_concern_new"),
    Row("workload_concern_new", method="post"),  # an empty form: its error
    Row("workload_concern", _priyas_concern, record=PRIYAS_WORKLOAD, secret=lambda w: CONCERN_TEXT),
    Row(
        "workload_concern",
        _priyas_concern,
        "post",
        record=PRIYAS_WORKLOAD,
        also=(P.ANSWER_WORKLOAD_CONCERNS,),  # she reads her concern; only they answer it
        secret=lambda w: CONCERN_TEXT,
    ),
    Row("workload_escalations"),
    Row("delegation_scheme"),
    Row("delegation_scheme_edit"),
    Row("delegation_scheme_edit", method="post"),
    # Names the team's practitioners overdue (all of them here: no sessions recorded).
    Row(
        "supervision_overdue",
        lambda w: [w.team_north.pk],
        record=WAITING_NORTH,
        secret=lambda w: w.colin_practitioner.family_name,
    ),
    Row("supervision_compliance"),
    Row("demand"),
    Row("demand_contingency_plan", lambda w: [w.team_north.pk], record=DEMAND_NORTH),
    Row(
        "demand_contingency_plan",
        lambda w: [w.team_north.pk],
        "post",
        ok=200,  # an empty form is shown again with its error
        record=DEMAND_NORTH,
    ),
    Row("demand_run_forecasts", method="post", ok=REDIRECT),
    Row("supervision_compliance_csv"),
    Row("healthcheck_report"),
    Row("healthcheck_publish", method="post", ok=REDIRECT),
    Row("healthcheck_published", lambda w: [publish_report(by=w.pat).pk]),
    Row("healthcheck_rounds"),
    # An empty post: the form's errors.
    Row("healthcheck_rounds", method="post", ok=400),
    Row("healthcheck_survey"),
    Row("resource"),
    Row("resource_establishment"),
    Row("resource_establishment_new"),
    # An empty post: the form's errors.
    Row("resource_establishment_new", method="post"),
    Row("learning_incidents"),
    Row("learning_incident_new"),
    Row("learning_incident_new", method="post", ok=400),  # an empty form: its errors
    Row(
        "learning_incident", _north_incident, record=INCIDENT_NORTH, secret=lambda w: INCIDENT_TEXT
    ),
    # Only the PSW commissions the review (an empty form: its errors).
    Row(
        "learning_incident",
        _north_incident,
        "post",
        ok=400,
        record=INCIDENT_NORTH,
        also=(P.MANAGE_LEARNING,),
        secret=lambda w: INCIDENT_TEXT,
    ),
    # Only the PSW changes the seriousness (an empty form: its errors, on the incident's page).
    Row(
        "learning_incident_grade",
        _north_incident,
        "post",
        ok=400,
        record=INCIDENT_NORTH,
        secret=lambda w: INCIDENT_TEXT,
    ),
    Row("learning_review", _north_review, record=LEARNING_REVIEW),
    Row("learning_review_update", _north_review, "post", ok=REDIRECT, record=LEARNING_REVIEW),
    Row("learning_recommendation_add", _north_review, "post", ok=400, record=LEARNING_REVIEW),
    Row(
        "learning_recommendation_done",
        _priyas_recommendation,
        "post",
        ok=REDIRECT,  # an empty note: back to the list with the message
        record=PRIYAS_RECOMMENDATION,
    ),
    Row("learning_recommendations"),
    Row("learning_briefs"),
    Row("learning_briefs", method="post", ok=400, also=(P.MANAGE_LEARNING,)),
    Row(
        "learning_brief_read",
        lambda w: [publish_brief(by=w.pat, title="Synthetic", summary="Synthetic").pk],
        "post",
        ok=REDIRECT,
    ),
    Row("learning_feedback"),
    Row("learning_feedback_new"),
    Row("learning_feedback_new", method="post", ok=400),
    Row("learning_feedback_link_new"),
    Row("learning_feedback_link_new", method="post", ok=400),
    Row("learning_feedback_pick", _north_feedback, "post", ok=REDIRECT, record=FEEDBACK_NORTH),
    Row("learning_feedback_mine"),
    Row("learning_figures"),
    Row("learning_framework"),
    Row("learning_framework_acknowledge", _a_framework, "post", ok=REDIRECT),
    Row("learning_framework_edit"),
    Row("learning_framework_edit", method="post", ok=400),
    Row("learning_direct_practice"),
    Row("learning_direct_practice", method="post", ok=400),
    Row("annual_reports"),
    Row("annual_reports", method="post", ok=400, also=(P.EDIT_ANNUAL_REPORT,)),
    Row("annual_report", _draft_report, record=DRAFT_REPORT),
    Row("annual_report", _published_report),
    Row("annual_report_section", lambda w: [*_draft_report(w), 1], record=DRAFT_REPORT),
    # An empty section is allowed: saved.
    Row(
        "annual_report_section",
        lambda w: [*_draft_report(w), 1],
        "post",
        ok=REDIRECT,
        record=DRAFT_REPORT,
    ),
    Row("annual_report_publish", _draft_report, "post", ok=REDIRECT, record=DRAFT_REPORT),
    Row("annual_report_rebuild", _draft_report, "post", ok=REDIRECT, record=DRAFT_REPORT),
    Row("annual_report_delete", _draft_report, "post", ok=REDIRECT, record=DRAFT_REPORT),
    Row("annual_report_pdf", _published_report),
    Row("annual_report_docx", _published_report),
    Row("annual_report_odt", _published_report),
    Row("audit_change_log"),
    Row("audit_change_log", method="post"),
    Row("audit_change_log_export", method="post"),
    Row("audit_access_log"),
    Row("audit_access_log_export", method="post"),
    _supervision_row("supervision_practitioner", lambda w: [w.priya_practitioner.pk]),
    _supervision_row("supervision_record", lambda w: [w.priya_practitioner.pk]),
    _supervision_row("supervision_agreement_new", lambda w: [w.priya_practitioner.pk]),
    _supervision_row("supervision_session", _priyas_session),
    # Anyone else who may see the record is told that only its supervisor changes it.
    _supervision_row("supervision_session_edit", _priyas_session),
    _supervision_row("supervision_session_sign", _priyas_session, method="post", ok=REDIRECT),
    # Empty posts: the form's error, on the record's page.
    _supervision_row("supervision_session_comment", _priyas_session, method="post"),
    _supervision_row("supervision_session_addendum", _priyas_session, method="post"),
    _supervision_row("supervision_agreement", _priyas_agreement),
    _supervision_row("supervision_agreement_sign", _priyas_agreement, method="post", ok=REDIRECT),
    Row("supervision_actions"),
    Row("supervision_policy"),
    Row("supervision_policy_edit"),
    # Only the action's owner marks it done.
    Row("supervision_action_done", _priyas_action, "post", ok=REDIRECT, only=lambda w: w.priya),
    Row("audits"),
    Row("audits_tool"),
    Row("audits_tool_version", lambda w: [ToolVersion.current().number]),
    Row("audits_tool_edit"),
    Row("audits_tool_edit", method="post"),  # an empty form: its errors
    Row("audits_tool_edit_form"),
    Row("audits_tool_edit_form", method="post"),  # an empty form: its errors
    Row("audits_sample"),
    Row("audits_sample", method="post"),  # no case chosen: the page, with its error
    Row("audits_results"),
    _audit_row("audits_audit", _priyas_audit),
    # Only the auditor carries it out; Priya, who sees the audit, is refused.
    _audit_row("audits_audit_complete", _priyas_audit, also=(P.MANAGE_CASE_AUDITS,)),
    # Only the practitioner responds: the PSW, who sees it, is refused (an empty post: errors).
    _audit_row("audits_audit_respond", _priyas_audit, method="post", also=(P.VIEW_OWN_CASELOAD,)),
    # Only a moderator (the PSW, or one they name): Priya, who sees it, is refused.
    _audit_row("audits_audit_moderate", _priyas_audit, also=(P.MANAGE_CASE_AUDITS,)),
    # Only the practitioner marks an audit action done.
    Row("audits_action_done", _priyas_audit_action, "post", ok=REDIRECT, only=lambda w: w.priya),
    Row("audits_moderation"),
    Row("audits_moderator_appoint", method="post"),  # nobody chosen: the page, with its error
    Row("audits_moderator_remove", _moderator, "post", ok=REDIRECT),
    Row("audits_moderation_share", method="post"),  # no share given: the page, with its error
    # Only whoever started a job sees it.
    Row(
        "job_detail",
        lambda w: [start_proposal(by=w.mona, team=w.team_north).pk],
        only=lambda w: w.mona,
        secret=lambda w: "Allocation proposal for",
    ),
    Row("notification_list"),
    Row(
        "notification_read",
        _notification_for_priya,
        "post",
        ok=REDIRECT,
        only=lambda w: w.priya,
        secret=_priyas_person,
    ),
    Row("notification_read_all", method="post", ok=REDIRECT),
    # The second sign-in step: a session past it (or a role without it) is sent on.
    Row("two_factor_verify", ok=REDIRECT),
    Row("two_factor_setup", ok=REDIRECT),
    # Council sign-in is off unless configured (tests/web/test_oidc.py switches it on).
    Row("oidc_authentication_init", ok=NOT_FOUND),
    Row("oidc_authentication_callback", ok=NOT_FOUND),
    # Workforce planning: a saved plan on every page, so that the planning page starts from it.
    Row("planning_home", _saved_plan_only),
    Row("planning_scenario", method="post", ok=400),  # an empty form: its error
    Row("planning_upload", method="post", ok=400),  # no file: its error
    Row("planning_compare"),
    Row("planning_plan", _saved_plan),
    Row("planning_plan_save", _saved_plan, "post", ok=400),  # no name: its error
    Row("planning_plan_delete", _saved_plan, "post", ok=REDIRECT),
    Row("planning_plan_yaml", _saved_plan),
    # The Django admin asks for staff, and only the roles that administer may be staff.
    Row("admin:index", otherwise=((P.ADMINISTER,), REDIRECT)),
    # People are not in the admin at all: no role reaches them there.
    Row("/admin/register/person/", ok=NOT_FOUND, otherwise=((P.ADMINISTER,), REDIRECT)),
    Row("safeguarding_concerns"),
    Row("safeguarding_enquiries"),
    Row("safeguarding_concern_new"),
    Row("safeguarding_concern_new", method="post"),  # an empty form: its errors
    Row(
        "safeguarding_concern",
        _north_concern,
        record=SAFEGUARDING_NORTH,
        secret=lambda w: SAFEGUARDING_SECRET,
    ),
    # An empty post: the decision form's errors, for whoever may decide.
    Row(
        "safeguarding_concern",
        _north_concern,
        "post",
        record=SAFEGUARDING_NORTH,
        also=(P.MANAGE_SAFEGUARDING,),
        secret=lambda w: SAFEGUARDING_SECRET,
    ),
    _safeguarding_row("safeguarding_enquiry", _north_enquiry),
    _safeguarding_row("safeguarding_enquiry_lead", _north_enquiry, also=(P.MANAGE_SAFEGUARDING,)),
    *(
        _safeguarding_row(
            f"safeguarding_enquiry_{step}", _north_enquiry, also=(P.RECORD_SAFEGUARDING_ENQUIRY,)
        )
        for step in ("outcomes", "strategy", "plan", "conclusion")
    ),
    _safeguarding_row(
        "safeguarding_enquiry_outcomes",
        _north_enquiry,
        method="post",  # an empty form: its errors
        also=(P.RECORD_SAFEGUARDING_ENQUIRY,),
    ),
    # Signed off by a manager of the team, never by Priya who concluded it.
    _safeguarding_row(
        "safeguarding_sign_off", _north_enquiry_concluded, also=(P.SIGN_OFF_DECISIONS,)
    ),
    # Whoever holds a senior sign-off reaches the enquiries awaiting it, and nothing else.
    Row(
        "safeguarding_sign_off",
        _north_enquiry_concluded_senior,
        record=Seen(north, (P.VIEW_SAFEGUARDING, P.SIGN_OFF_SENIOR_DECISIONS)),
        also=(P.SIGN_OFF_SENIOR_DECISIONS,),
        secret=_priyas_person,
    ),
    # Only the enquiry's lead (Priya) revises what it found.
    _safeguarding_row(
        "safeguarding_enquiry_risk",
        _north_enquiry,
        also=(P.RECORD_SAFEGUARDING_ENQUIRY,),
        acting=lambda w: w.priya,
    ),
    Row("safeguarding_overdue"),
    Row("safeguarding_targets"),
    Row("safeguarding_targets", method="post", also=(P.EDIT_SAFEGUARDING_TARGETS,)),
    Row("sacreport_return"),
    # No year or format asked for: the form's errors.
    Row("sacreport_download", ok=400),
    Row("sacreport_quality"),
]


def _url(row: Row, w: World) -> str:
    return row.name if row.name.startswith("/") else reverse(row.name, args=row.args(w))


def expected_status(row: Row, w: World, user: User, view: Callable[..., Any]) -> int:
    if row.only is not None:
        return row.ok if row.only(w) == user else NOT_FOUND
    required = required_permission(view)
    if required is not None and not has_permission(user, required):
        return FORBIDDEN
    if row.record is not None and not row.record.visible_to(w, user):
        if row.unseen is not None and any(has_permission(user, p) for p in row.unseen[0]):
            return row.unseen[1]
        return NOT_FOUND
    team = row.record.team(w) if row.record is not None else None
    needed = (*([required] if required is not None else []), *row.also)
    if not all(has_permission(user, p, team=team) for p in needed):
        return FORBIDDEN
    if row.otherwise is not None:
        permissions, code = row.otherwise
        if not any(has_permission(user, p, team=team) for p in permissions):
            return code
    if row.acting is not None and row.acting(w) != user:
        return FORBIDDEN
    return row.ok


def _routes(patterns: Iterable[URLPattern | URLResolver]) -> dict[str, Callable[..., Any]]:
    """Every named URL and its view, through the apps' included URL lists."""
    routes: dict[str, Callable[..., Any]] = {}
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name:
            routes[pattern.name] = pattern.callback
        # The admin guards itself (staff only); its index stands for it in the matrix.
        elif isinstance(pattern, URLResolver) and pattern.namespace != "admin":
            routes |= _routes(pattern.url_patterns)
    return routes


ROUTES = _routes(get_resolver().url_patterns)


def test_matrix_covers_every_named_url() -> None:
    covered = {row.name for row in MATRIX}
    assert set(ROUTES) - PUBLIC - covered == set()


@pytest.mark.parametrize("name", sorted(set(ROUTES) - PUBLIC))
def test_every_view_requires_a_permission_or_is_a_record_page(name: str) -> None:
    assert (required_permission(ROUTES[name]) is None) == (name in RECORD_PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", MATRIX, ids=[f"{row.name}-{i}" for i, row in enumerate(MATRIX)])
def test_permission(
    world: World, role: str, row: Row, shared_client_for: Callable[[User], Client]
) -> None:
    user = world.by_role()[role]
    url = _url(row, world)
    expected = expected_status(row, world, user, resolve(url).func)
    response = getattr(shared_client_for(user), row.method)(url)
    assert response.status_code == expected, f"{role} {row.method.upper()} {url}"
    hidden = row.secret(world)
    if response.status_code in (FORBIDDEN, NOT_FOUND) and hidden:
        assert hidden not in response.content.decode()


@pytest.mark.parametrize("name", ["home", "team_list", "person_list", "referral_new"])
def test_anonymous_users_are_sent_to_sign_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == REDIRECT
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_user_cannot_reach_a_record(client: Client, world: World) -> None:
    response = client.get(reverse("person_detail", args=[world.person_of_priya.pk]), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert world.person_of_priya.family_name not in response.content.decode()
