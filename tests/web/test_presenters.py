"""Every kind of change reads as a sentence, with names looked up in bulk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.audit.presenters import PHRASES, describe_changes, directory_for
from caseload_engine import reference
from tests.conftest import World

MONA = "Mona Monapersona"
PRIYA = "Priya Priyapersona"
COLIN = "Colin Colinpersona"
HANDOVER = f"the handover of case {{case}} from {PRIYA} to {COLIN}"

# (action, the event's ids and values from the world, the sentence with {case} for its id)
Spec = tuple[ChangeAction, Callable[[World], dict[str, Any]], str]


def _case(w: World, **more: Any) -> dict[str, Any]:
    return {"case_id": w.case_held_by_priya.pk, "person_id": w.person_of_priya.pk, **more}


def _handover(w: World, **more: Any) -> dict[str, Any]:
    return _case(
        w,
        practitioner_id=w.colin_practitioner.pk,
        from_practitioner_id=w.priya_practitioner.pk,
        **more,
    )


def _supervision(w: World, **more: Any) -> dict[str, Any]:
    detail = {"session_id": 1, "held_on": "2026-11-24", **more.pop("detail", {})}
    return {"practitioner_id": w.priya_practitioner.pk, "detail": detail, **more}


SENTENCES: list[Spec] = [
    (
        ChangeAction.PERSON_ADDED,
        lambda w: {"person_id": w.person_of_priya.pk},
        f"{MONA} added Harriet Heldbypriya to the register",
    ),
    (
        ChangeAction.REFERRAL_RECORDED,
        lambda w: _case(w, team_id=w.team_north.pk, changes={"status": (None, "awaiting")}),
        f"{MONA} recorded a request for support for Harriet Heldbypriya with Older People "
        "North, as case {case}",
    ),
    (
        ChangeAction.CASE_SCREENED,
        lambda w: _case(w, changes={"status": ("awaiting_screening", "awaiting_allocation")}),
        f"{MONA} screened case {{case}}: it is now awaiting allocation",
    ),
    (
        ChangeAction.CASE_CLOSED,
        lambda w: _case(
            w,
            from_practitioner_id=w.priya_practitioner.pk,
            changes={"outcome": ("", "nfa_deceased")},
            detail={"death_recorded": True},
        ),
        f"{MONA} closed case {{case}} with the outcome "
        f"“{reference.label(reference.EVENT_OUTCOME_CHOICES, 'nfa_deceased')}”; {PRIYA} "
        "stopped holding it; the date of death was recorded",
    ),
    (
        ChangeAction.CASE_PRIORITY_SET,
        lambda w: _case(w, changes={"priority": (2, 1)}),
        f"{MONA} changed the priority of case {{case}} from 2 to 1",
    ),
    (
        ChangeAction.TEAM_WORKLOAD_LEVELS_SET,
        lambda w: {
            "team_id": w.team_north.pk,
            "changes": {"safe_utilisation_percent": (100, 90)},
        },
        f"{MONA} changed the safe level of Older People North from 100% to 90% of capacity",
    ),
    (
        ChangeAction.TEAM_REVIEW_INTERVAL_SET,
        lambda w: {"team_id": w.team_north.pk, "changes": {"review_interval_months": (12, 6)}},
        f"{MONA} changed the review interval of Older People North from 12 to 6 months",
    ),
    (
        ChangeAction.CONTACT_RECORDED,
        lambda w: _case(w, detail={"kind": "visit", "occurred_on": "2026-11-24"}),
        f"{MONA} recorded a visit on 24 Nov 2026 for case {{case}}",
    ),
    (
        ChangeAction.CASE_HANDED_BACK,
        lambda w: _case(
            w,
            team_id=w.team_north.pk,
            from_practitioner_id=w.priya_practitioner.pk,
            changes={"status": ("allocated", "held"), "next_review_on": (None, "2027-11-24")},
        ),
        f"{MONA} handed case {{case}} back to Older People North from {PRIYA}: next review by "
        "24 Nov 2027",
    ),
    (
        ChangeAction.CASE_REVIEW_RECORDED,
        lambda w: _case(
            w,
            changes={
                "last_reviewed_on": (None, "2026-11-24"),
                "next_review_on": ("2026-12-01", "2027-11-24"),
            },
        ),
        f"{MONA} recorded a review of case {{case}} on 24 Nov 2026: next review by 24 Nov 2027",
    ),
    (
        ChangeAction.CASE_REVIEW_DUE,
        lambda w: _case(
            w,
            changes={"status": ("held", "awaiting_allocation")},
            detail={"daily_run": True, "next_review_on": "2026-12-20"},
        ),
        f"The daily run (for {MONA}) put case {{case}} on the waiting list for allocation: its "
        "review is due by 20 Dec 2026",
    ),
    (
        ChangeAction.COMPLEXITY_ASSESSED,
        lambda w: _case(w, changes={"tier": (None, 3), "total": (None, 15)}),
        f"{MONA} scored case {{case}} at tier 3 (first score)",
    ),
    (
        ChangeAction.COMPLEXITY_RESCORED,
        lambda w: _case(w, changes={"tier": (2, 3), "model_version": (1, 2)}),
        f"{MONA} re-scored case {{case}} under model version 2 at tier 3 (was tier 2)",
    ),
    (
        ChangeAction.COMPLEXITY_TIER_OVERRIDDEN,
        lambda w: _case(w, changes={"tier": (2, 4)}),
        f"{MONA} overrode the tier of case {{case}} from 2 to 4",
    ),
    (
        ChangeAction.COMPLEXITY_MODEL_PUBLISHED,
        lambda w: {"changes": {"model_version": (1, 2)}},
        f"{MONA} published version 2 of the complexity model",
    ),
    (
        ChangeAction.ALLOCATION_PROPOSED,
        lambda w: {"team_id": w.team_north.pk},
        f"{MONA} asked for an allocation proposal for Older People North",
    ),
    (
        ChangeAction.ALLOCATION_ESCALATED,
        lambda w: {"team_id": w.team_north.pk, "detail": {"case_ids": [1, 2]}},
        f"{MONA} raised 2 cases nobody in Older People North could take with the principal "
        "social worker",
    ),
    (
        ChangeAction.ALLOCATION_DECIDED,
        lambda w: {
            "team_id": w.team_north.pk,
            "detail": {
                "proposal_id": 7,
                "decision_id": 3,
                "accepted": 1,
                "declined": 1,
                "past_capacity_confirmed": [w.priya_practitioner.pk],
            },
        },
        f"{MONA} decided allocation proposal 7 for Older People North: accepted 1 of 2, "
        f"taking {PRIYA} past capacity knowingly",
    ),
    (
        ChangeAction.CASE_ALLOCATED,
        lambda w: _handover(
            w, changes={"holder": (w.priya_practitioner.pk, w.colin_practitioner.pk)}
        ),
        f"{MONA} allocated case {{case}} to {COLIN} (was {PRIYA})",
    ),
    (
        ChangeAction.ABSENCE_RECORDED,
        lambda w: {
            "practitioner_id": w.priya_practitioner.pk,
            "changes": {"starts_on": (None, "2026-12-01"), "reason": (None, "sickness")},
        },
        f"{MONA} recorded {PRIYA} as away "
        f"({reference.label(reference.ABSENCE_REASON_CHOICES, 'sickness').lower()}) from "
        "1 Dec 2026, end not known",
    ),
    (
        ChangeAction.HANDOVER_PLANNED,
        lambda w: _handover(w, detail={"due_on": "2026-12-01"}),
        f"{MONA} planned {HANDOVER} on 1 Dec 2026",
    ),
    (
        ChangeAction.HANDOVER_CARRIED_OUT,
        lambda w: _handover(w, detail={"daily_run": True}),
        f"The daily run (for {MONA}) carried out {HANDOVER}",
    ),
    (
        ChangeAction.HANDOVER_CANCELLED,
        lambda w: _handover(w),
        f"{MONA} cancelled {HANDOVER}",
    ),
    (
        ChangeAction.HANDOVER_LAPSED,
        lambda w: _handover(w),
        f"{MONA} let {HANDOVER} lapse: the case had been closed or had moved",
    ),
    (
        ChangeAction.ASYE_PROGRAMME_STARTED,
        lambda w: {
            "practitioner_id": w.priya_practitioner.pk,
            "changes": {"starts_on": (None, "2026-08-31"), "assessor": (None, w.colin.pk)},
        },
        f"{MONA} started the ASYE programme of {PRIYA} on 31 Aug 2026, assessed by {COLIN}",
    ),
    (
        ChangeAction.ASYE_REVIEW_RECORDED,
        lambda w: {
            "practitioner_id": w.priya_practitioner.pk,
            "changes": {
                "months": (None, 3),
                "held_on": (None, "2026-12-02"),
                "outcome": (None, "some_concerns"),
            },
        },
        f"{MONA} recorded the ASYE 3-month review of {PRIYA}, held on 2 Dec 2026: some concerns",
    ),
    (
        ChangeAction.ASYE_REVIEW_RECORDED,
        lambda w: {
            "practitioner_id": w.priya_practitioner.pk,
            "changes": {
                "months": (None, 12),
                "held_on": (None, "2027-09-01"),
                "outcome": (None, "pass"),
                "status": ("active", "completed"),
            },
        },
        f"{MONA} recorded the ASYE final assessment of {PRIYA}, held on 1 Sep 2027: pass",
    ),
    (
        ChangeAction.SUPERVISION_RECORDED,
        lambda w: _supervision(w, changes={"minutes": (None, 90)}),
        f"{MONA} recorded {PRIYA}'s supervision of 24 Nov 2026",
    ),
    (
        ChangeAction.SUPERVISION_CHANGED,
        lambda w: _supervision(
            w,
            changes={"minutes": (60, 90)},
            detail={
                "text_changed": ["wellbeing"],
                "cases_added": [7],
                "actions_added": 2,
                "actions_changed": [3],
                "actions_removed": [4, 5],
            },
        ),
        f"{MONA} changed the record of {PRIYA}'s supervision of 24 Nov 2026: minutes from 60 "
        "to 90; wellbeing changed; 1 case added; 2 actions added; 1 action changed; "
        "2 actions removed",
    ),
    (
        ChangeAction.SUPERVISION_SIGNED,
        lambda w: _supervision(w, detail={"as": "supervisee"}),
        f"{MONA} signed the record of {PRIYA}'s supervision of 24 Nov 2026 as supervisee",
    ),
    (
        ChangeAction.SUPERVISION_COMMENTED,
        lambda w: _supervision(w),
        f"{MONA} commented on the record of {PRIYA}'s supervision of 24 Nov 2026",
    ),
    (
        ChangeAction.SUPERVISION_ADDENDUM_ADDED,
        lambda w: _supervision(w),
        f"{MONA} added an addendum to the record of {PRIYA}'s supervision of 24 Nov 2026",
    ),
    (
        ChangeAction.SUPERVISION_AGREEMENT_MADE,
        lambda w: {
            "practitioner_id": w.priya_practitioner.pk,
            "changes": {"starts_on": (None, "2026-12-01")},
        },
        f"{MONA} made a supervision agreement for {PRIYA} from 1 Dec 2026",
    ),
    (
        ChangeAction.SUPERVISION_AGREEMENT_SIGNED,
        lambda w: {"practitioner_id": w.priya_practitioner.pk, "detail": {"as": "supervisor"}},
        f"{MONA} signed {PRIYA}'s supervision agreement as supervisor",
    ),
    (
        ChangeAction.SUPERVISION_ACTION_DONE,
        lambda w: _supervision(w),
        f"{MONA} marked done an action from the record of {PRIYA}'s supervision of 24 Nov 2026",
    ),
    (
        ChangeAction.CONTINGENCY_PLAN_RECORDED,
        lambda w: {"team_id": w.team_north.pk, "changes": {"plan_version": (1, 2)}},
        f"{MONA} recorded version 2 of the contingency plan of Older People North",
    ),
    (
        ChangeAction.SUPERVISION_POLICY_PUBLISHED,
        lambda w: {"changes": {"policy_version": (1, 2)}},
        f"{MONA} published version 2 of the supervision policy",
    ),
    (
        ChangeAction.ASYE_REVIEW_RECORDED,
        lambda w: {
            "practitioner_id": w.priya_practitioner.pk,
            "changes": {
                "months": (None, 15),
                "held_on": (None, "2027-12-01"),
                "outcome": (None, "fail"),
                "status": ("active", "completed"),
            },
        },
        f"{MONA} recorded the ASYE extension review of {PRIYA}, held on 1 Dec 2027: fail",
    ),
    (
        ChangeAction.ASYE_COMMENTS_RECORDED,
        lambda w: {
            "practitioner_id": w.priya_practitioner.pk,
            "detail": {"programme_id": 1, "review_id": 2, "months": 6, "changed": True},
        },
        f"{MONA} changed their comments on the ASYE 6-month review of {PRIYA}",
    ),
    (
        ChangeAction.SURVEY_ROUND_OPENED,
        lambda w: {
            "changes": {
                "survey_round": (None, 3),
                "opens_on": (None, "2026-11-02"),
                "closes_on": (None, "2026-11-30"),
            }
        },
        f"{MONA} opened round 3 of the workload survey, from 2 Nov 2026 to 30 Nov 2026",
    ),
    (
        ChangeAction.SURVEY_ANSWERED,
        lambda w: {"changes": {"survey_round": (None, 3)}},
        f"{MONA} answered round 3 of the workload survey",
    ),
    (
        ChangeAction.HEALTH_CHECK_PUBLISHED,
        lambda w: {"changes": {"health_check": (None, 1), "as_of": (None, "2026-12-01")}},
        f"{MONA} published the Health Check as on 1 Dec 2026",
    ),
    (
        ChangeAction.SAFEGUARDING_CONCERN_RECORDED,
        lambda w: {"team_id": w.team_north.pk, "detail": {"concern_id": 7}},
        f"{MONA} recorded safeguarding concern 7 for Older People North",
    ),
    (
        ChangeAction.SAFEGUARDING_CONCERN_DECIDED,
        lambda w: {"changes": {"decision": ("", "section_42")}, "detail": {"concern_id": 7}},
        f"{MONA} decided safeguarding concern 7: section 42 enquiry",
    ),
    (
        ChangeAction.SAFEGUARDING_LEAD_CHOSEN,
        lambda w: {"practitioner_id": w.priya_practitioner.pk, "detail": {"enquiry_id": 3}},
        f"{MONA} chose {PRIYA} to lead enquiry 3",
    ),
    (
        ChangeAction.SAFEGUARDING_ENQUIRY_RECORDED,
        lambda w: {"detail": {"enquiry_id": 3, "part": "desired_outcomes"}},
        f"{MONA} recorded the desired outcomes of enquiry 3",
    ),
    (
        ChangeAction.SAFEGUARDING_ENQUIRY_CONCLUDED,
        lambda w: {
            "changes": {"action_and_result": (None, "risk_identified_action")},
            "detail": {"enquiry_id": 3},
        },
        f"{MONA} concluded enquiry 3: risk identified and action taken",
    ),
    (
        ChangeAction.SAFEGUARDING_CLOSURE_SIGNED_OFF,
        lambda w: {"detail": {"enquiry_id": 3}},
        f"{MONA} signed off the closure of enquiry 3",
    ),
    (
        ChangeAction.SAFEGUARDING_CLOSURE_RETURNED,
        lambda w: {"detail": {"enquiry_id": 3}},
        f"{MONA} returned the closure of enquiry 3 with comments",
    ),
    (
        ChangeAction.SAFEGUARDING_TARGETS_PUBLISHED,
        lambda w: {"detail": {"targets_version": 2}},
        f"{MONA} published version 2 of the safeguarding targets",
    ),
    (
        ChangeAction.SAFEGUARDING_RISK_REVISED,
        lambda w: {"detail": {"concern_id": 7, "enquiry_id": 3}},
        f"{MONA} revised the risk recorded on safeguarding concern 7 to what enquiry 3 found",
    ),
    (
        ChangeAction.ESTABLISHMENT_SET,
        lambda w: {
            "team_id": w.team_north.pk,
            "changes": {"funded_fte": ("6.00", "6.50")},
            "detail": {"role": "social_worker", "effective_from": "2026-04-01"},
        },
        f"{MONA} set the establishment of Older People North to 6.50 FTE for the role "
        "“Social worker” from 1 Apr 2026 (was 6.00 FTE)",
    ),
    (
        ChangeAction.ADMIN_ADDED,
        lambda w: {
            "team_id": w.team_north.pk,
            "changes": {"name": (None, "Older People North")},
            "detail": {"model": "register.team", "object": "Older People North"},
        },
        f"{MONA} added team “Older People North” in administration: name from nothing to "
        "Older People North",
    ),
    (
        ChangeAction.ADMIN_CHANGED,
        lambda w: {
            "changes": {"fte": ("1.00", "0.60"), "password": (None, "(not recorded)")},
            "detail": {"model": "register.practitioner", "object": PRIYA},
        },
        f"{MONA} changed practitioner “{PRIYA}” in administration: fte from 1.00 to 0.60; "
        "password (not recorded)",
    ),
    (
        ChangeAction.ADMIN_DELETED,
        lambda w: {"detail": {"model": "register.locality", "object": "Uplands"}},
        f"{MONA} deleted locality “Uplands” in administration",
    ),
    (
        ChangeAction.PRACTITIONER_ROLE_CHANGED,
        lambda w: {
            "practitioner_id": w.priya_practitioner.pk,
            "changes": {"role": ("asye", "social_worker")},
            "detail": {"effective_from": "2026-07-01"},
        },
        f"{MONA} changed the role of {PRIYA} from ASYE social worker to Social worker from "
        "1 Jul 2026",
    ),
    (
        ChangeAction.SUPERVISION_POLICY_RENAMED,
        lambda w: {"changes": {"key": ("monthly", "standard"), "policy_version": (1, 2)}},
        f"{MONA} renamed the supervision policy key monthly to standard in version 2 of the "
        "supervision policy",
    ),
    (
        ChangeAction.DECISION_RECORDED,
        lambda w: _case(w, changes={"kind": (None, "safeguarding")}, detail={"decision_id": 7}),
        f"{MONA} recorded decision 7 on case {{case}} (safeguarding)",
    ),
    (
        ChangeAction.SIGN_OFF_REQUESTED,
        lambda w: _case(w, detail={"decision_id": 7, "level": "senior_manager"}),
        f"{MONA} asked a senior manager to sign off decision 7 on case {{case}}",
    ),
    (
        ChangeAction.SIGN_OFF_APPROVED,
        lambda w: _case(w, detail={"decision_id": 7}),
        f"{MONA} signed off decision 7 on case {{case}}",
    ),
    (
        ChangeAction.SIGN_OFF_RETURNED,
        lambda w: _case(w, detail={"decision_id": 7}),
        f"{MONA} returned decision 7 on case {{case}} with comments",
    ),
    (
        ChangeAction.DELEGATION_SCHEME_PUBLISHED,
        lambda w: {"changes": {"scheme_version": (1, 2)}},
        f"{MONA} published version 2 of the delegation scheme",
    ),
    (
        ChangeAction.PRACTICE_ESCALATION_RAISED,
        lambda w: _case(w, changes={"nature": (None, "controversial")}),
        f"{MONA} escalated case {{case}} to the principal social worker as controversial",
    ),
    (
        ChangeAction.PRACTICE_ESCALATION_ADVISED,
        lambda w: _case(w),
        f"{MONA} recorded advice on the escalation of case {{case}}",
    ),
    (
        ChangeAction.PRACTICE_ESCALATION_REFERRED,
        lambda w: _case(w),
        f"{MONA} took the escalation of case {{case}} to the director",
    ),
    (
        ChangeAction.PRACTICE_ESCALATION_DECIDED,
        lambda w: _case(w),
        f"{MONA} recorded the director's decision on the escalation of case {{case}}",
    ),
    (
        ChangeAction.SAFE_WORKING_LEVEL_AGREED,
        lambda w: {
            "team_id": w.team_north.pk,
            "changes": {
                "amber_percent": (None, 85),
                "red_percent": (None, 100),
                "agreed_on": (None, "2026-11-24"),
            },
        },
        f"{MONA} recorded the safe working level of Older People North agreed on 24 Nov 2026: "
        "amber from 85%, red above 100% of capacity",
    ),
    (
        ChangeAction.EXTRA_HOURS_RECORDED,
        lambda w: {
            "practitioner_id": w.priya_practitioner.pk,
            "changes": {"hours": (None, "1.50"), "worked_on": (None, "2026-11-24")},
        },
        f"{MONA} recorded 1.50 extra hours worked by {PRIYA} on 24 Nov 2026",
    ),
    (
        ChangeAction.WORKLOAD_CONCERN_RAISED,
        lambda w: {"practitioner_id": w.priya_practitioner.pk, "detail": {"concern_id": 7}},
        f"{MONA} raised workload concern 7 for {PRIYA}",
    ),
    (
        ChangeAction.WORKLOAD_CONCERN_ANSWERED,
        lambda w: {"practitioner_id": w.priya_practitioner.pk, "detail": {"concern_id": 7}},
        f"{MONA} answered workload concern 7 of {PRIYA}",
    ),
    (
        ChangeAction.WORKLOAD_CONCERN_ESCALATED,
        lambda w: {
            "practitioner_id": w.priya_practitioner.pk,
            "detail": {"concern_id": 7, "daily_run": True, "over_red": False},
        },
        f"The daily run (for {MONA}) escalated workload concern 7 of {PRIYA} to the principal "
        "social worker: not answered in 5 working days",
    ),
    (
        ChangeAction.WORKFORCE_PLAN_SAVED,
        lambda w: {"changes": {"workforce_plan": (None, 3), "name": (None, "Demand +10%")}},
        f"{MONA} saved workforce plan 3 as “Demand +10%”",
    ),
    (
        ChangeAction.WORKFORCE_PLAN_RENAMED,
        lambda w: {"changes": {"name": ("Draft", "Final")}, "detail": {"workforce_plan": 3}},
        f"{MONA} renamed workforce plan 3 from “Draft” to “Final”",
    ),
    (
        ChangeAction.WORKFORCE_PLAN_DELETED,
        lambda w: {"changes": {"name": ("Final", None)}, "detail": {"workforce_plan": 3}},
        f"{MONA} deleted workforce plan 3 (“Final”)",
    ),
    (
        ChangeAction.INCIDENT_RECORDED,
        lambda w: {
            "team_id": w.team_north.pk,
            "changes": {"incident": (None, 4), "kind": (None, "near_miss"), "grade": (None, 2)},
        },
        f"{MONA} recorded near miss 4 in Older People North, graded 2",
    ),
    (
        ChangeAction.LEARNING_REVIEW_COMMISSIONED,
        lambda w: {"changes": {"review": (None, 2), "incident": (None, 4)}},
        f"{MONA} commissioned learning review 2 of incident 4",
    ),
    (
        ChangeAction.LEARNING_REVIEW_UPDATED,
        lambda w: {"changes": {"completed": (False, True)}, "detail": {"review": 2}},
        f"{MONA} updated learning review 2 and marked it complete",
    ),
    (
        ChangeAction.RECOMMENDATION_ADDED,
        lambda w: {
            "changes": {"recommendation": (None, 7), "due_on": (None, "2027-01-31")},
            "detail": {"review": 2},
        },
        f"{MONA} added recommendation 7 to learning review 2, due 31 Jan 2027",
    ),
    (
        ChangeAction.RECOMMENDATION_DONE,
        lambda w: {"detail": {"recommendation": 7}},
        f"{MONA} marked recommendation 7 done",
    ),
    (
        ChangeAction.LEARNING_BRIEF_PUBLISHED,
        lambda w: {"changes": {"brief": (None, 3)}},
        f"{MONA} published learning brief 3",
    ),
    (
        ChangeAction.LEARNING_BRIEF_READ,
        lambda w: {"detail": {"brief": 3}},
        f"{MONA} confirmed reading learning brief 3",
    ),
    (
        ChangeAction.FEEDBACK_RECORDED,
        lambda w: _case(w, changes={"feedback": (None, 5), "kind": (None, "compliment")}),
        f"{MONA} recorded compliment 5 about case {{case}}",
    ),
    (
        ChangeAction.FEEDBACK_LINK_MADE,
        lambda w: _case(w, changes={"link": (None, 6)}),
        f"{MONA} made feedback link 6 for case {{case}}",
    ),
    (
        ChangeAction.FEEDBACK_RECEIVED,
        lambda w: _case(w, changes={"feedback": (None, 5)}, detail={"link": 6}),
        f"{MONA} received feedback 5 through their feedback link 6",
    ),
    (
        ChangeAction.FEEDBACK_QUOTE_PICKED,
        lambda w: {"changes": {"picked_for_report": (False, True)}, "detail": {"feedback": 5}},
        f"{MONA} picked feedback 5 as a quotation for the annual report",
    ),
    (
        ChangeAction.PRACTICE_FRAMEWORK_PUBLISHED,
        lambda w: {"changes": {"version": (None, 2)}},
        f"{MONA} published version 2 of the practice framework",
    ),
    (
        ChangeAction.PRACTICE_FRAMEWORK_ACKNOWLEDGED,
        lambda w: {"detail": {"version": 2}},
        f"{MONA} acknowledged version 2 of the practice framework",
    ),
    (
        ChangeAction.DIRECT_PRACTICE_RECORDED,
        lambda w: {
            "changes": {
                "kind": (None, "co_working"),
                "on": (None, "2026-11-30"),
                "hours": (None, "2.5"),
            }
        },
        f"{MONA} recorded 2.5 hours of co working on 30 Nov 2026",
    ),
    (
        ChangeAction.ANNUAL_REPORT_DRAFTED,
        lambda w: {
            "changes": {
                "report": (None, 1),
                "start": (None, "2025-04-01"),
                "end": (None, "2026-03-31"),
            }
        },
        f"{MONA} drafted annual report 1 for 1 Apr 2025 to 31 Mar 2026",
    ),
    (
        ChangeAction.ANNUAL_REPORT_EDITED,
        lambda w: {"detail": {"report": 1, "section": 3}},
        f"{MONA} edited section 3 of annual report 1",
    ),
    (
        ChangeAction.ANNUAL_REPORT_PUBLISHED,
        lambda w: {"changes": {"version": (None, 1)}, "detail": {"report": 2}},
        f"{MONA} published version 1 of annual report 2",
    ),
    (
        ChangeAction.INCIDENT_REGRADED,
        lambda w: {
            "team_id": w.team_north.pk,
            "changes": {"grade": (2, 3)},
            "detail": {"incident": 4},
        },
        f"{MONA} changed the seriousness of incident 4 in Older People North from 2 to 3",
    ),
    (
        ChangeAction.ANNUAL_REPORT_REBUILT,
        lambda w: {"changes": {"sections_changed": (None, 2)}, "detail": {"report": 1}},
        f"{MONA} rebuilt the draft annual report 1 from the data, 2 sections changed",
    ),
    (
        ChangeAction.ANNUAL_REPORT_DELETED,
        lambda w: {"changes": {"report": (1, None)}},
        f"{MONA} deleted the draft annual report 1",
    ),
    (
        ChangeAction.AUDIT_TOOL_PUBLISHED,
        lambda w: {"changes": {"tool_version": (1, 2)}},
        f"{MONA} published version 2 of the case file audit tool",
    ),
    (
        ChangeAction.CASE_AUDIT_ASSIGNED,
        lambda w: _case(
            w,
            practitioner_id=w.priya_practitioner.pk,
            changes={"auditor": (None, w.mona.pk), "month": (None, "2026-11-01")},
        ),
        f"{MONA} assigned the audit of case {{case}} ({PRIYA}'s) to {MONA}",
    ),
    (
        ChangeAction.CASE_AUDIT_COMPLETED,
        lambda w: _case(w, changes={"grade": (None, "requires improvement")}),
        f"{MONA} completed the audit of case {{case}}, graded requires improvement",
    ),
    (
        ChangeAction.CASE_AUDIT_RESPONDED,
        lambda w: _case(w, detail={"audit_id": 3}),
        f"{MONA} responded to the audit of case {{case}}",
    ),
    (
        ChangeAction.CASE_AUDIT_MODERATED,
        lambda w: _case(w, changes={"grade": ("good", "outstanding")}),
        f"{MONA} moderated the audit of case {{case}}: good re-graded outstanding",
    ),
    (
        ChangeAction.CASE_AUDIT_ACTION_DONE,
        lambda w: _case(w, detail={"audit_id": 3, "action_id": 4}),
        f"{MONA} marked done an action from the audit of case {{case}}",
    ),
    (
        ChangeAction.AUDIT_MODERATOR_APPOINTED,
        lambda w: {"changes": {"moderator": (None, w.colin.pk)}},
        f"{MONA} named {COLIN} a moderator of case file audits",
    ),
    (
        ChangeAction.AUDIT_MODERATOR_REMOVED,
        lambda w: {"changes": {"moderator": (w.colin.pk, None)}},
        f"{MONA} removed {COLIN} from the moderators of case file audits",
    ),
    (
        ChangeAction.AUDIT_MODERATION_SHARE_SET,
        lambda w: {"changes": {"percent": (10, 25)}},
        f"{MONA} set the share of case file audits to moderate from 10% to 25%",
    ),
]


def test_every_action_has_a_phrase_and_a_sentence_here() -> None:
    assert set(PHRASES) == set(ChangeAction)
    assert {action for action, *_ in SENTENCES} == set(ChangeAction)


@pytest.mark.parametrize(
    ("action", "event", "sentence"), SENTENCES, ids=[a.value for a, *_ in SENTENCES]
)
def test_each_action_reads_as_a_sentence(
    world: World, action: ChangeAction, event: Callable[[World], dict[str, Any]], sentence: str
) -> None:
    recorded = record_change(by=world.mona, action=action, **event(world))
    [line] = describe_changes([recorded], directory_for(world.pat))
    assert line.text == sentence.format(case=world.case_held_by_priya.pk)
    assert line.text.startswith(line.who)


def test_a_what_if_proposal_names_who_is_away(world: World) -> None:
    event = record_change(
        by=world.mona,
        action=ChangeAction.ALLOCATION_PROPOSED,
        team_id=world.team_north.pk,
        practitioner_id=world.priya_practitioner.pk,
    )
    [line] = describe_changes([event], directory_for(world.mona))
    assert line.text == f"{MONA} asked where {PRIYA}'s cases would go while they are away"


def test_someone_the_viewer_may_not_see_is_named_by_id(world: World) -> None:
    south = world.case_waiting_south.person
    event = record_change(by=world.max, action=ChangeAction.PERSON_ADDED, person_id=south.pk)
    [seen_by_priya] = describe_changes([event], directory_for(world.priya))
    assert seen_by_priya.text == f"Max Maxpersona added person {south.pk} to the register"
    [seen_by_pat] = describe_changes([event], directory_for(world.pat))
    assert south.family_name in seen_by_pat.text


def _queries(events: list[ChangeEvent], world: World) -> int:
    with CaptureQueriesContext(connection) as captured:
        describe_changes(events, directory_for(world.mona))
    return len(captured)


def test_names_are_looked_up_in_bulk(world: World) -> None:
    def events(n: int) -> list[ChangeEvent]:
        return [
            record_change(by=who, action=action, **spec(world))
            for _ in range(n)
            for who in (world.mona, world.priya, world.colin)
            for action, spec, _ in SENTENCES
        ]

    few, many = _queries(events(1), world), _queries(events(4), world)
    assert few == many
    # Users, people (and which of them the viewer may see), practitioners, teams.
    assert many <= 5
