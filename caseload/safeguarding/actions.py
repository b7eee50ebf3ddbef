"""Changes to safeguarding records: a concern received and decided, an enquiry's lead, its
desired outcomes, strategy records, plan and conclusion, closure sign-off, and the targets.

As with the other apps' actions: atomic, keyword-only, the acting user, the row rechecked
under a lock, and a ChangeEvent in the same transaction. Free text (what was reported, the
person's words, the plan) is never written to the change log, only that it was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, Scope, has_permission, scope_of
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.complexity.models import ModelVersion
from caseload.decisions import levels
from caseload.decisions.models import DelegationScheme, SignOffLevel
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.register.actions import PersonDetails, add_or_find_person, identity_refusals_logged
from caseload.register.models import Person, Practitioner, Team
from caseload.safeguarding import timeliness
from caseload.safeguarding.models import (
    TARGET_DAYS_RANGE,
    TARGET_FIELDS,
    Concern,
    ConcernRiskType,
    Enquiry,
    EnquiryKind,
    EnquiryStatus,
    StrategyRecord,
    Targets,
)
from caseload.web.errors import ActionRefused
from caseload_engine import safeguarding_reference as ref
from caseload_engine.safeguarding_reference import codes


@dataclass(frozen=True)
class ConcernDetails:
    received_at: datetime
    source: str
    source_detail: str
    route: str
    summary: str
    types_of_risk: Sequence[str]
    location_of_risk: str
    source_of_risk: str


def _require(user: User, permission: Permission, team_id: int) -> None:
    if not has_permission(user, permission, team=team_id):
        raise ActionRefused("You may not do this for this team")


def _check_risk(types_of_risk: Sequence[str], location_of_risk: str, source_of_risk: str) -> None:
    if not types_of_risk:
        raise ActionRefused("Choose at least one type of risk", field="types_of_risk")
    if set(types_of_risk) - set(codes(ref.TYPE_OF_RISK_CHOICES)):
        raise ActionRefused("Choose the types of risk from the list", field="types_of_risk")
    if location_of_risk not in codes(ref.LOCATION_OF_RISK_CHOICES):
        raise ActionRefused("Choose the location of risk", field="location_of_risk")
    if source_of_risk not in codes(ref.SOURCE_OF_RISK_CHOICES):
        raise ActionRefused("Choose the source of risk", field="source_of_risk")


def _check_concern(details: ConcernDetails) -> None:
    if details.received_at > timezone.now():
        raise ActionRefused("The time received cannot be in the future", field="received_at")
    _check_risk(details.types_of_risk, details.location_of_risk, details.source_of_risk)
    if not details.summary.strip():
        raise ActionRefused("Say what was reported", field="summary")


def record_concern(
    *,
    by: User,
    team: Team,
    details: ConcernDetails,
    person: Person | None = None,
    new_person: PersonDetails | None = None,
) -> Concern:
    """A concern received by the team, about someone on the register or someone given as new:
    found or added by the register's own checks (NHS number, same person), whose refusals are
    access-logged as a referral's are. Its decision is due within the targets' working days."""
    with identity_refusals_logged(by):
        return _record_concern(
            by=by, team=team, details=details, person=person, new_person=new_person
        )


@transaction.atomic
def _record_concern(
    *,
    by: User,
    team: Team,
    details: ConcernDetails,
    person: Person | None,
    new_person: PersonDetails | None,
) -> Concern:
    _require(by, Permission.RECORD_SAFEGUARDING_CONCERN, team.pk)
    _check_concern(details)
    if person is not None and new_person is not None:
        raise ActionRefused("Choose the person, or give a new person's details, not both")
    if person is None:
        if new_person is None:
            raise ActionRefused("Choose the person, or give a new person's details")
        person = add_or_find_person(by=by, person=new_person)
    if timezone.localdate(details.received_at) < person.date_of_birth:
        raise ActionRefused(
            "The date received cannot be before the person's date of birth", field="received_on"
        )
    targets = Targets.current()
    concern = Concern.objects.create(
        person=person,
        team=team,
        received_at=details.received_at,
        source=details.source,
        source_detail=details.source_detail,
        route=details.route,
        summary=details.summary,
        location_of_risk=details.location_of_risk,
        source_of_risk=details.source_of_risk,
        recorded_by=by,
        decision_due_on=timeliness.decision_due(timezone.localdate(details.received_at), targets),
    )
    ConcernRiskType.objects.bulk_create(
        ConcernRiskType(concern=concern, code=code) for code in sorted(set(details.types_of_risk))
    )
    record_change(
        by=by,
        action=ChangeAction.SAFEGUARDING_CONCERN_RECORDED,
        person_id=person.pk,
        team_id=team.pk,
        changes={"route": (None, concern.route)},
        detail={"concern_id": concern.pk, "targets_version": targets.number},
    )
    return concern


def lead_refusal(practitioner: Practitioner, *, team_id: int, kind: str) -> str | None:
    """Why the practitioner may not lead the enquiry, or None. Leading a Section 42 enquiry is
    a reserved function: the complexity model's registered roles, the same rule allocation
    applies to a case with a reserved function."""
    if practitioner.team_id != team_id:
        return f"{practitioner.full_name} is not in the enquiry's team"
    if practitioner.left_on is not None and practitioner.left_on <= timezone.localdate():
        return f"{practitioner.full_name} has left"
    if kind == EnquiryKind.SECTION_42:
        registered = ModelVersion.current().model.registered_roles
        if practitioner.role not in registered or not practitioner.swe_registration_number:
            return (
                "Leading a Section 42 enquiry is a reserved function, for a registered social "
                f"worker; {practitioner.full_name} is a {practitioner.get_role_display().lower()}"
            )
    return None


def _set_lead(enquiry: Enquiry, lead: Practitioner) -> None:
    refusal = lead_refusal(lead, team_id=enquiry.team_id, kind=enquiry.kind)
    if refusal is not None:
        raise ActionRefused(refusal, field="lead")
    enquiry.lead = lead
    enquiry.lead_role = lead.role


def _tell_lead(enquiry: Enquiry, lead: Practitioner) -> None:
    if lead.user is not None:
        notify(
            recipient=lead.user,
            kind=NotificationKind.SAFEGUARDING,
            title="You lead a safeguarding enquiry",
            body=f"You lead {enquiry.get_kind_display().lower()} {enquiry.pk}.",
            link=reverse("safeguarding_enquiry", args=[enquiry.pk]),
        )


@transaction.atomic
def decide_concern(
    *,
    by: User,
    concern: Concern,
    criteria: Mapping[str, bool],
    decision: str,
    reason: str = "",
    signposting: str = "",
    criteria_notes: str = "",
    lead: Practitioner | None = None,
) -> Concern:
    """Record the three statutory criteria one by one and the decision: a Section 42 enquiry
    exactly when all three are met; otherwise another enquiry or no further action, with the
    reason. An enquiry starts today, with its due dates from the targets in force."""
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    _require(by, Permission.MANAGE_SAFEGUARDING, locked.team_id)
    if locked.is_decided:
        raise ActionRefused("This concern has already been decided")
    for key, label in ref.CRITERIA:
        if key not in criteria:
            raise ActionRefused(f"Answer: {label}", field=f"criterion_{key}")
    met = all(criteria[key] for key, _ in ref.CRITERIA)
    if decision not in codes(ref.CONCERN_DECISION_CHOICES):
        raise ActionRefused("Choose the decision", field="decision")
    if decision == ref.SECTION_42 and not met:
        raise ActionRefused(
            "A Section 42 enquiry needs all three statutory criteria met", field="decision"
        )
    if decision != ref.SECTION_42 and met:
        raise ActionRefused(
            "All three statutory criteria are met: the council must make a Section 42 enquiry",
            field="decision",
        )
    if decision != ref.SECTION_42 and not reason.strip():
        raise ActionRefused("Give the reason for the decision", field="reason")
    now = timezone.now()
    for key, _ in ref.CRITERIA:
        setattr(locked, f"criterion_{key}", bool(criteria[key]))
    locked.criteria_notes = criteria_notes
    locked.decision = decision
    locked.decided_at = max(now, locked.received_at)
    locked.decided_by = by
    locked.decision_reason = reason
    locked.signposting = signposting
    locked.save(
        update_fields=[
            *(f"criterion_{key}" for key, _ in ref.CRITERIA),
            "criteria_notes",
            "decision",
            "decided_at",
            "decided_by",
            "decision_reason",
            "signposting",
        ]
    )
    enquiry = None
    if decision != ref.NO_FURTHER_ACTION:
        today = timezone.localdate()
        due = timeliness.enquiry_due(today, Targets.current())
        enquiry = Enquiry(
            concern=locked,
            person_id=locked.person_id,
            team_id=locked.team_id,
            kind=EnquiryKind.SECTION_42 if decision == ref.SECTION_42 else EnquiryKind.OTHER,
            started_on=today,
            strategy_due_on=due.strategy,
            outcomes_due_on=due.outcomes,
            plan_due_on=due.plan,
            conclusion_due_on=due.conclusion,
        )
        if lead is not None:
            _set_lead(enquiry, lead)
        enquiry.save()
    record_change(
        by=by,
        action=ChangeAction.SAFEGUARDING_CONCERN_DECIDED,
        person_id=locked.person_id,
        team_id=locked.team_id,
        changes={"decision": ("", decision)},
        detail={
            "concern_id": locked.pk,
            **({"enquiry_id": enquiry.pk} if enquiry is not None else {}),
        },
    )
    if enquiry is not None and lead is not None:
        _tell_lead(enquiry, lead)
    return locked


def _lock_open(by: User, enquiry: Enquiry, permission: Permission) -> Enquiry:
    locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    _require(by, permission, locked.team_id)
    if locked.status != EnquiryStatus.OPEN:
        raise ActionRefused("This enquiry is concluded: its record is closed to changes")
    return locked


def _recorded(by: User, enquiry: Enquiry, part: str, **changes: tuple[object, object]) -> None:
    record_change(
        by=by,
        action=ChangeAction.SAFEGUARDING_ENQUIRY_RECORDED,
        person_id=enquiry.person_id,
        team_id=enquiry.team_id,
        changes=dict(changes),
        detail={"enquiry_id": enquiry.pk, "part": part},
    )


@transaction.atomic
def choose_lead(*, by: User, enquiry: Enquiry, lead: Practitioner) -> Enquiry:
    locked = _lock_open(by, enquiry, Permission.MANAGE_SAFEGUARDING)
    was = locked.lead_id
    _set_lead(locked, lead)
    locked.save(update_fields=["lead", "lead_role"])
    record_change(
        by=by,
        action=ChangeAction.SAFEGUARDING_LEAD_CHOSEN,
        person_id=locked.person_id,
        team_id=locked.team_id,
        practitioner_id=lead.pk,
        from_practitioner_id=was,
        detail={"enquiry_id": locked.pk},
    )
    _tell_lead(locked, lead)
    return locked


@transaction.atomic
def record_outcomes(
    *,
    by: User,
    enquiry: Enquiry,
    msp_asked: str,
    desired_outcomes: str,
    not_asked_reason: str,
    lacked_capacity: bool | None,
    support: str,
) -> Enquiry:
    """Making Safeguarding Personal: the person's desired outcomes in their own words, or why
    there are none; their capacity for the enquiry's decisions, and who supported them."""
    locked = _lock_open(by, enquiry, Permission.RECORD_SAFEGUARDING_ENQUIRY)
    if msp_asked not in codes(ref.MSP_ASKED_CHOICES):
        raise ActionRefused("Say whether the person was asked", field="msp_asked")
    if msp_asked == ref.MSP_ASKED_EXPRESSED and not desired_outcomes.strip():
        raise ActionRefused(
            "Write the desired outcomes in the person's own words", field="desired_outcomes"
        )
    if msp_asked != ref.MSP_ASKED_EXPRESSED and not not_asked_reason.strip():
        raise ActionRefused("Say why no outcomes were recorded", field="not_asked_reason")
    if support and support not in codes(ref.SUPPORT_CHOICES):
        raise ActionRefused("Choose who supported the person", field="support")
    was = locked.msp_asked
    locked.msp_asked = msp_asked
    expressed = msp_asked == ref.MSP_ASKED_EXPRESSED
    locked.desired_outcomes = desired_outcomes if expressed else ""
    locked.outcomes_not_asked_reason = "" if expressed else not_asked_reason
    locked.lacked_capacity = lacked_capacity
    locked.support = support
    locked.outcomes_recorded_at = timezone.now()
    locked.save(
        update_fields=[
            "msp_asked",
            "desired_outcomes",
            "outcomes_not_asked_reason",
            "lacked_capacity",
            "support",
            "outcomes_recorded_at",
        ]
    )
    _recorded(by, locked, "desired_outcomes", msp_asked=(was, msp_asked))
    return locked


@transaction.atomic
def record_strategy(
    *, by: User, enquiry: Enquiry, kind: str, held_on: date, attendees: str, summary: str
) -> StrategyRecord:
    locked = _lock_open(by, enquiry, Permission.RECORD_SAFEGUARDING_ENQUIRY)
    if kind not in codes(ref.STRATEGY_KIND_CHOICES):
        raise ActionRefused("Choose a discussion or a meeting", field="kind")
    if held_on > timezone.localdate():
        raise ActionRefused("The date cannot be in the future", field="held_on")
    if held_on < timezone.localdate(locked.concern.received_at):
        raise ActionRefused("The date is before the concern was received", field="held_on")
    record = StrategyRecord.objects.create(
        enquiry=locked,
        kind=kind,
        held_on=held_on,
        attendees=attendees,
        summary=summary,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    _recorded(by, locked, "strategy", kind=(None, kind))
    return record


def is_lead(user: User, enquiry: Enquiry) -> bool:
    return enquiry.lead is not None and enquiry.lead.user_id == user.pk


@transaction.atomic
def revise_risk(
    *,
    by: User,
    enquiry: Enquiry,
    types_of_risk: Sequence[str],
    location_of_risk: str,
    source_of_risk: str,
) -> Concern:
    """The enquiry's lead revises the concern's types, location and source of risk to what the
    enquiry found, before it concludes (the SAC counts concluded enquiries by what was found).
    The change log keeps each old value beside its new one, on the concern."""
    locked = _lock_open(by, enquiry, Permission.RECORD_SAFEGUARDING_ENQUIRY)
    if not is_lead(by, locked):
        raise ActionRefused("Only the enquiry's lead may revise what it found")
    _check_risk(types_of_risk, location_of_risk, source_of_risk)
    concern = Concern.objects.select_for_update().get(pk=locked.concern_id)
    was_types = sorted(concern.risk_types.values_list("code", flat=True))
    now_types = sorted(set(types_of_risk))
    if (was_types, concern.location_of_risk, concern.source_of_risk) == (
        now_types,
        location_of_risk,
        source_of_risk,
    ):
        return concern
    changes: dict[str, tuple[object, object]] = {
        "location_of_risk": (concern.location_of_risk, location_of_risk),
        "source_of_risk": (concern.source_of_risk, source_of_risk),
    }
    if was_types != now_types:
        changes["types_of_risk"] = (was_types, now_types)
        concern.risk_types.exclude(code__in=now_types).delete()
        ConcernRiskType.objects.bulk_create(
            ConcernRiskType(concern=concern, code=code)
            for code in now_types
            if code not in was_types
        )
    concern.location_of_risk = location_of_risk
    concern.source_of_risk = source_of_risk
    concern.save(update_fields=["location_of_risk", "source_of_risk"])
    record_change(
        by=by,
        action=ChangeAction.SAFEGUARDING_RISK_REVISED,
        person_id=concern.person_id,
        team_id=concern.team_id,
        changes=changes,
        detail={"concern_id": concern.pk, "enquiry_id": locked.pk},
    )
    return concern


@transaction.atomic
def record_plan(*, by: User, enquiry: Enquiry, plan: str, agreed_on: date) -> Enquiry:
    locked = _lock_open(by, enquiry, Permission.RECORD_SAFEGUARDING_ENQUIRY)
    if not plan.strip():
        raise ActionRefused("Write the safeguarding plan", field="plan")
    if agreed_on > timezone.localdate():
        raise ActionRefused("The date cannot be in the future", field="agreed_on")
    if agreed_on < locked.started_on:
        raise ActionRefused("The plan cannot be agreed before the enquiry began", field="agreed_on")
    locked.plan = plan
    locked.plan_agreed_on = agreed_on
    locked.save(update_fields=["plan", "plan_agreed_on"])
    _recorded(by, locked, "plan")
    return locked


def _sign_off_level() -> str:
    """The scheme's level for a safeguarding decision; closing an enquiry always needs a
    manager's sign-off, so a scheme that asks for none still asks a team manager."""
    level = DelegationScheme.current().safeguarding
    return level or SignOffLevel.TEAM_MANAGER


@transaction.atomic
def conclude(
    *,
    by: User,
    enquiry: Enquiry,
    concluded_on: date,
    action_and_result: str,
    risk_outcome: str,
    msp_achieved: str,
    conclusion: str,
) -> Enquiry:
    """The conclusion, in the SAC's terms, then closure waits for a manager's sign-off."""
    locked = _lock_open(by, enquiry, Permission.RECORD_SAFEGUARDING_ENQUIRY)
    if not locked.msp_asked:
        raise ActionRefused(
            "Record whether the person's desired outcomes were asked before concluding"
        )
    if action_and_result not in codes(ref.ACTION_AND_RESULT_CHOICES):
        raise ActionRefused("Choose the action taken and result", field="action_and_result")
    if action_and_result in ref.RESULTS_WITH_RISK and not risk_outcome:
        raise ActionRefused(
            "Say whether the risk remains, was reduced or removed", field="risk_outcome"
        )
    if action_and_result in ref.RESULTS_WITHOUT_RISK and risk_outcome:
        raise ActionRefused(
            "No risk was identified: there is no risk outcome", field="risk_outcome"
        )
    if risk_outcome and risk_outcome not in codes(ref.RISK_OUTCOME_CHOICES):
        raise ActionRefused("Choose the risk outcome", field="risk_outcome")
    expressed = locked.msp_asked == ref.MSP_ASKED_EXPRESSED
    if expressed and msp_achieved not in codes(ref.MSP_ACHIEVED_CHOICES):
        raise ActionRefused(
            "Say whether the person's desired outcomes were achieved", field="msp_achieved"
        )
    if concluded_on > timezone.localdate():
        raise ActionRefused("The date cannot be in the future", field="concluded_on")
    if concluded_on < locked.started_on:
        raise ActionRefused("The enquiry cannot conclude before it began", field="concluded_on")
    locked.concluded_on = concluded_on
    locked.action_and_result = action_and_result
    locked.risk_outcome = risk_outcome
    locked.msp_achieved = msp_achieved if expressed else ""
    locked.conclusion = conclusion
    locked.concluded_by = by
    locked.status = EnquiryStatus.AWAITING_SIGN_OFF
    locked.sign_off_level = _sign_off_level()
    locked.sign_off_due_on = timeliness.sign_off_due(timezone.localdate(), Targets.current())
    locked.returned_comments = ""
    locked.save(
        update_fields=[
            "concluded_on",
            "action_and_result",
            "risk_outcome",
            "msp_achieved",
            "conclusion",
            "concluded_by",
            "status",
            "sign_off_level",
            "sign_off_due_on",
            "returned_comments",
        ]
    )
    record_change(
        by=by,
        action=ChangeAction.SAFEGUARDING_ENQUIRY_CONCLUDED,
        person_id=locked.person_id,
        team_id=locked.team_id,
        changes={
            "action_and_result": (None, action_and_result),
            "risk_outcome": (None, risk_outcome),
        },
        detail={"enquiry_id": locked.pk},
    )
    for user in levels.approvers(locked.sign_off_level, team_id=locked.team_id):
        if user.pk != by.pk:
            notify(
                recipient=user,
                kind=NotificationKind.SIGN_OFF_REQUESTED,
                title="A safeguarding enquiry's closure waits for your sign-off",
                body=f"Enquiry {locked.pk} is concluded and waits for sign-off.",
                link=reverse("safeguarding_sign_off", args=[locked.pk]),
            )
    return locked


def may_sign_off(user: User, enquiry: Enquiry) -> bool:
    """Under the delegation scheme, never one's own conclusion."""
    return (
        enquiry.status == EnquiryStatus.AWAITING_SIGN_OFF
        and enquiry.concluded_by_id != user.pk
        and levels.may_sign_off(user, enquiry.sign_off_level, team_id=enquiry.team_id)
    )


@transaction.atomic
def sign_off(*, by: User, enquiry: Enquiry, approve: bool, comments: str = "") -> Enquiry:
    """Approve the closure (the enquiry closes), or return it with comments (it reopens)."""
    locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if locked.status != EnquiryStatus.AWAITING_SIGN_OFF:
        raise ActionRefused("This enquiry is not waiting for sign-off")
    if not may_sign_off(by, locked):
        raise ActionRefused(
            "You may not sign off this closure: it needs "
            f"{SignOffLevel(locked.sign_off_level).label.lower()}, and never whoever concluded it"
        )
    if approve:
        locked.status = EnquiryStatus.CLOSED
        locked.signed_off_at = timezone.now()
        locked.signed_off_by = by
        locked.save(update_fields=["status", "signed_off_at", "signed_off_by"])
        action = ChangeAction.SAFEGUARDING_CLOSURE_SIGNED_OFF
    else:
        if not comments.strip():
            raise ActionRefused("Say what needs to change", field="comments")
        locked.status = EnquiryStatus.OPEN
        locked.concluded_on = None
        locked.action_and_result = ""
        locked.risk_outcome = ""
        locked.msp_achieved = ""
        locked.sign_off_due_on = None
        locked.returned_comments = comments
        locked.save(
            update_fields=[
                "status",
                "concluded_on",
                "action_and_result",
                "risk_outcome",
                "msp_achieved",
                "sign_off_due_on",
                "returned_comments",
            ]
        )
        action = ChangeAction.SAFEGUARDING_CLOSURE_RETURNED
    record_change(
        by=by,
        action=action,
        person_id=locked.person_id,
        team_id=locked.team_id,
        detail={"enquiry_id": locked.pk},
    )
    return locked


@transaction.atomic
def publish_targets(*, by: User, days: Mapping[str, int], note: str) -> Targets:
    if not has_permission(by, Permission.EDIT_SAFEGUARDING_TARGETS):
        raise ActionRefused("You may not change the safeguarding targets")
    low, high = TARGET_DAYS_RANGE
    for name in TARGET_FIELDS:
        value = days.get(name)
        if value is None or not low <= value <= high:
            raise ActionRefused(f"Give a number of working days from {low} to {high}", field=name)
    current = Targets.current()
    latest = Targets.objects.select_for_update().order_by("-number").first()
    number = (latest or current).number + 1
    targets = Targets.objects.create(
        number=number, change_note=note, created_by=by, **{n: days[n] for n in TARGET_FIELDS}
    )
    record_change(
        by=by,
        action=ChangeAction.SAFEGUARDING_TARGETS_PUBLISHED,
        changes={n: (getattr(current, n), days[n]) for n in TARGET_FIELDS},
        detail={"targets_version": number},
    )
    return targets


def team_managers(team_ids: Iterable[int]) -> dict[int, list[User]]:
    """The managers of each team (who hold MANAGE_SAFEGUARDING in their own team only)."""
    found: dict[int, list[User]] = {}
    for user in User.objects.filter(
        is_active=True, practitioner__team_id__in=set(team_ids)
    ).select_related("practitioner"):
        if scope_of(user, Permission.MANAGE_SAFEGUARDING) is Scope.OWN_TEAM:
            found.setdefault(user.practitioner.team_id or 0, []).append(user)
    return found
