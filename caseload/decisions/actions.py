"""Every change to decisions, sign-offs, the delegation scheme and escalations.

Each is atomic, takes the acting user, checks that they may make the change, and writes its
ChangeEvent (and its notifications) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission, roles_with
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.complexity.models import Assessment
from caseload.decisions import levels
from caseload.decisions.models import (
    MAX_WEEKLY_AMOUNT,
    Decision,
    DecisionKind,
    DelegationScheme,
    LegalBasis,
    PracticeEscalation,
    SignOffLevel,
    SignOffRequest,
)
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.register.access import cases_visible_to, practitioner_for
from caseload.register.actions import require_open
from caseload.register.models import Case
from caseload.ui.forms import ErrorLink
from caseload.web.errors import ActionRefused

TIER_3 = 3


@dataclass(frozen=True)
class DecisionDetails:
    kind: str
    summary: str
    options_considered: str
    rationale: str
    legal_basis: str
    legal_basis_detail: str
    risks: str
    positive_risk_taking: bool
    persons_view: str
    against_wishes: bool
    weekly_amount: Decimal | None


@dataclass(frozen=True)
class SchemeLevels:
    closing_tier3: str
    against_wishes: str
    safeguarding: str
    funding_above_threshold: str
    funding_threshold: Decimal
    by_asye: str


def current_tier(case: Case) -> int | None:
    tier: int | None = (
        Assessment.objects.filter(case=case, is_current=True)
        .values_list("effective_tier", flat=True)
        .first()
    )
    return tier


def _lock_case(by: User, case: Case, *, open_only: bool = True) -> Case:
    """The case, locked, if the user may see it and record decisions in its team."""
    if not has_permission(by, Permission.RECORD_DECISIONS):
        raise ActionRefused("Your role does not record decisions on cases")
    locked = cases_visible_to(by).select_for_update(of=("self",)).filter(pk=case.pk).first()
    if locked is None or not has_permission(by, Permission.RECORD_DECISIONS, team=locked.team_id):
        raise ActionRefused("You cannot record decisions on this case")
    if open_only:
        require_open(locked)
    return locked


def _check_details(details: DecisionDetails) -> None:
    if details.kind not in DecisionKind.values:
        raise ActionRefused("Choose the kind of decision", field="kind")
    if details.legal_basis not in LegalBasis.values:
        raise ActionRefused("Choose the law or policy the decision rests on", field="legal_basis")
    if details.legal_basis == LegalBasis.LOCAL_POLICY and not details.legal_basis_detail.strip():
        raise ActionRefused("Name the local policy", field="legal_basis_detail")
    if details.kind == DecisionKind.FUNDING:
        amount = details.weekly_amount
        if amount is None:
            raise ActionRefused("Enter the weekly amount of the funding", field="weekly_amount")
        if not Decimal(0) <= amount <= MAX_WEEKLY_AMOUNT:
            raise ActionRefused(
                f"Enter a weekly amount from £0 to £{MAX_WEEKLY_AMOUNT:,.2f}",
                field="weekly_amount",
            )
    elif details.weekly_amount is not None:
        raise ActionRefused(
            "Only a funding decision has a weekly amount: leave it blank", field="weekly_amount"
        )


@transaction.atomic
def record_decision(
    *, by: User, case: Case, details: DecisionDetails, corrects: Decision | None = None
) -> Decision:
    """Add a decision to the case's log; if the scheme in force asks for sign-off, ask for it.
    A correction is a new entry naming the one it corrects, on the same case (a closed case
    takes corrections, since its record must be right, but no new decisions)."""
    locked = _lock_case(by, case, open_only=corrects is None)
    if corrects is not None and corrects.case_id != locked.pk:
        raise ActionRefused("A correction is recorded on the same case as the decision")
    _check_details(details)
    scheme = DelegationScheme.current()
    tier = current_tier(locked)
    needs = levels.requirement(
        scheme,
        kind=details.kind,
        tier=tier,
        against_wishes=details.against_wishes,
        weekly_amount=details.weekly_amount,
        decider=practitioner_for(by),
    )
    decision = Decision.objects.create(
        case=locked,
        kind=details.kind,
        summary=details.summary,
        options_considered=details.options_considered,
        rationale=details.rationale,
        legal_basis=details.legal_basis,
        legal_basis_detail=details.legal_basis_detail,
        risks=details.risks,
        positive_risk_taking=details.positive_risk_taking,
        persons_view=details.persons_view,
        against_wishes=details.against_wishes,
        weekly_amount=details.weekly_amount if details.kind == DecisionKind.FUNDING else None,
        tier_at_decision=tier,
        corrects=corrects,
        decided_by=by,
        decided_at=timezone.now(),
        scheme=scheme,
        sign_off_level=needs.level,
        sign_off_reason=needs.reason[:300],
    )
    record_change(
        by=by,
        action=ChangeAction.DECISION_RECORDED,
        person_id=locked.person_id,
        case_id=locked.pk,
        team_id=locked.team_id,
        changes={"kind": (None, decision.kind), "sign_off_level": (None, decision.sign_off_level)},
        detail={
            "decision_id": decision.pk,
            "scheme_version": scheme.number,
            **({"corrects": corrects.pk} if corrects is not None else {}),
        },
    )
    if decision.needs_sign_off:
        _open_request(by=by, decision=decision, case=locked, note="")
    return decision


def _tell(
    users: Iterable[User], *, kind: NotificationKind, title: str, body: str, link: str
) -> None:
    for user in users:
        notify(recipient=user, kind=kind, title=title, body=body, link=link)


def _open_request(*, by: User, decision: Decision, case: Case, note: str) -> SignOffRequest:
    try:
        # A savepoint: a second request for the same decision racing this one loses here.
        with transaction.atomic():
            request = SignOffRequest.objects.create(
                decision=decision,
                level=decision.sign_off_level,
                note=note,
                requested_by=by,
                requested_at=timezone.now(),
            )
    except IntegrityError:
        raise ActionRefused("This decision is already awaiting sign-off") from None
    record_change(
        by=by,
        action=ChangeAction.SIGN_OFF_REQUESTED,
        person_id=case.person_id,
        case_id=case.pk,
        team_id=case.team_id,
        detail={
            "decision_id": decision.pk,
            "sign_off_id": request.pk,
            "level": decision.sign_off_level,
        },
    )
    approvers = [
        user
        for user in levels.approvers(decision.sign_off_level, team_id=case.team_id)
        if user != by
    ]
    if not approvers:
        # A team's only manager asking: a senior manager, who may give a team manager's
        # sign-off too, is asked instead.
        approvers = [u for u in levels.senior_approvers() if u != by]
    _tell(
        approvers,
        kind=NotificationKind.SIGN_OFF_REQUESTED,
        title=f"A decision on case {case.pk} awaits your sign-off",
        body=f"{by.get_full_name()} asks you to sign off: {decision.sign_off_reason}.",
        link=reverse("sign_off_answer", args=[request.pk]),
    )
    return request


@transaction.atomic
def request_sign_off(*, by: User, decision: Decision, note: str = "") -> SignOffRequest:
    """Ask again after a return (the comments answered, say in a correction or the note)."""
    locked_case = _lock_case(by, decision.case)
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if not locked.needs_sign_off:
        raise ActionRefused("This decision needs no sign-off")
    states = set(locked.sign_offs.values_list("state", flat=True))
    if SignOffRequest.State.APPROVED in states:
        raise ActionRefused("This decision has already been signed off")
    if SignOffRequest.State.OPEN in states:
        raise ActionRefused("This decision is already awaiting sign-off")
    return _open_request(by=by, decision=locked, case=locked_case, note=note)


def _lock_open_request(by: User, request: SignOffRequest) -> SignOffRequest:
    locked = (
        SignOffRequest.objects.select_for_update(of=("self",))
        .select_related("decision__case")
        .filter(pk=request.pk, decision__case__in=cases_visible_to(by))
        .first()
    )
    if locked is None:
        raise ActionRefused("You cannot answer this request")
    if locked.requested_by_id == by.pk:
        raise ActionRefused("You cannot sign off your own request: someone else must")
    if not levels.may_sign_off(by, locked.level, team_id=locked.decision.case.team_id):
        needed = SignOffLevel(locked.level).label.lower()
        raise ActionRefused(
            f"This decision needs sign-off by {needed} with authority for the case's team"
        )
    if locked.state != SignOffRequest.State.OPEN:
        raise ActionRefused("This request has already been answered")
    return locked


def _answer(
    *, by: User, request: SignOffRequest, state: str, comments: str, action: ChangeAction
) -> SignOffRequest:
    locked = _lock_open_request(by, request)
    locked.state = state
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.comments = comments
    locked.save(update_fields=["state", "decided_by", "decided_at", "comments"])
    case = locked.decision.case
    record_change(
        by=by,
        action=action,
        person_id=case.person_id,
        case_id=case.pk,
        team_id=case.team_id,
        changes={"state": (SignOffRequest.State.OPEN, state)},
        detail={"decision_id": locked.decision_id, "sign_off_id": locked.pk},
    )
    verb = "signed off" if state == SignOffRequest.State.APPROVED else "returned with comments"
    _tell(
        [locked.requested_by],
        kind=NotificationKind.SIGN_OFF_REQUESTED,
        title=f"Your decision on case {case.pk} was {verb}",
        body=f"{by.get_full_name()} {verb} it." + (f" Comments: {comments}" if comments else ""),
        link=reverse("decision_detail", args=[locked.decision_id]),
    )
    return locked


@transaction.atomic
def approve_sign_off(*, by: User, request: SignOffRequest, comments: str = "") -> SignOffRequest:
    return _answer(
        by=by,
        request=request,
        state=SignOffRequest.State.APPROVED,
        comments=comments,
        action=ChangeAction.SIGN_OFF_APPROVED,
    )


@transaction.atomic
def return_sign_off(*, by: User, request: SignOffRequest, comments: str) -> SignOffRequest:
    if not comments.strip():
        raise ActionRefused(
            "Say what needs to change before it can be signed off", field="comments"
        )
    return _answer(
        by=by,
        request=request,
        state=SignOffRequest.State.RETURNED,
        comments=comments,
        action=ChangeAction.SIGN_OFF_RETURNED,
    )


@transaction.atomic
def publish_delegation_scheme(
    *, by: User, scheme_levels: SchemeLevels, change_note: str
) -> DelegationScheme:
    """A new version of the scheme; decisions already recorded keep the version they were
    recorded under."""
    if not has_permission(by, Permission.EDIT_DELEGATION_SCHEME):
        raise ActionRefused("Your role cannot change the delegation scheme")
    values = {
        name: getattr(scheme_levels, name) for name in (*DelegationScheme.LEVEL_FIELDS, "by_asye")
    }
    for name, level in values.items():
        if level not in SignOffLevel.values:
            raise ActionRefused("Choose who signs these decisions off", field=name)
    threshold = scheme_levels.funding_threshold
    if not Decimal("0.01") <= threshold <= MAX_WEEKLY_AMOUNT:
        raise ActionRefused(
            f"Enter a weekly amount from £0.01 to £{MAX_WEEKLY_AMOUNT:,.2f}",
            field="funding_threshold",
        )
    current = DelegationScheme.current()
    # The newest row, locked, numbers the next: two publishers cannot take the same number.
    latest = DelegationScheme.objects.select_for_update().get(pk=current.pk)
    unchanged = all(getattr(latest, name) == level for name, level in values.items())
    if unchanged and latest.funding_threshold == threshold:
        raise ActionRefused("Nothing has changed from the version in force")
    scheme = DelegationScheme.objects.create(
        number=latest.number + 1,
        funding_threshold=threshold,
        change_note=change_note,
        created_by=by,
        **values,
    )
    record_change(
        by=by,
        action=ChangeAction.DELEGATION_SCHEME_PUBLISHED,
        changes={
            "scheme_version": (latest.number, scheme.number),
            **{name: (getattr(latest, name), level) for name, level in values.items()},
            "funding_threshold": (str(latest.funding_threshold), str(threshold)),
        },
    )
    return scheme


def _psws() -> list[User]:
    return list(
        User.objects.filter(
            access_role__in=roles_with(Permission.ADVISE_ON_ESCALATIONS), is_active=True
        )
    )


def _directors() -> list[User]:
    return list(
        User.objects.filter(
            access_role__in=roles_with(Permission.DECIDE_ESCALATIONS), is_active=True
        )
    )


@transaction.atomic
def escalate_case(*, by: User, case: Case, nature: str, question: str) -> PracticeEscalation:
    """Raise a case with the principal social worker as complex or controversial."""
    locked = _lock_case(by, case)
    if nature not in PracticeEscalation.Nature.values:
        raise ActionRefused("Choose whether the case is complex or controversial", field="nature")
    if not question.strip():
        raise ActionRefused("Ask the principal social worker your question", field="question")
    escalation = PracticeEscalation.objects.create(
        case=locked, nature=nature, question=question, raised_by=by, raised_at=timezone.now()
    )
    _escalation_change(by, escalation, ChangeAction.PRACTICE_ESCALATION_RAISED, nature=nature)
    _tell(
        _psws(),
        kind=NotificationKind.ESCALATION,
        title=f"Case {locked.pk} escalated to you as {escalation.get_nature_display().lower()}",
        body=f"{by.get_full_name()} asks: {question}",
        link=reverse("escalation_detail", args=[escalation.pk]),
    )
    return escalation


def _escalation_change(
    by: User, escalation: PracticeEscalation, action: ChangeAction, *, nature: str = ""
) -> None:
    case = escalation.case
    record_change(
        by=by,
        action=action,
        person_id=case.person_id,
        case_id=case.pk,
        team_id=case.team_id,
        changes={"nature": (None, nature)} if nature else {"state": (None, escalation.state)},
        detail={"escalation_id": escalation.pk},
    )


def _lock_escalation(
    by: User, escalation: PracticeEscalation, permission: Permission, state: str
) -> PracticeEscalation:
    if not has_permission(by, permission):
        raise ActionRefused("Your role does not answer escalations at this stage")
    locked = (
        PracticeEscalation.objects.select_for_update(of=("self",))
        .select_related("case", "raised_by", "advised_by")
        .filter(pk=escalation.pk, case__in=cases_visible_to(by))
        .first()
    )
    if locked is None:
        raise ActionRefused("You cannot answer this escalation")
    if locked.state != state:
        raise ActionRefused("This escalation has moved on: it has already been answered")
    return locked


def _require_text(text: str, message: str, field: str) -> None:
    if not text.strip():
        raise ActionRefused(message, field=field)


@transaction.atomic
def advise_on_escalation(
    *, by: User, escalation: PracticeEscalation, advice: str
) -> PracticeEscalation:
    _require_text(advice, "Write your advice", "advice")
    locked = _lock_escalation(
        by, escalation, Permission.ADVISE_ON_ESCALATIONS, PracticeEscalation.State.WITH_PSW
    )
    locked.state = PracticeEscalation.State.ADVISED
    locked.advice = advice
    locked.advised_by = by
    locked.advised_at = timezone.now()
    locked.save(update_fields=["state", "advice", "advised_by", "advised_at"])
    _escalation_change(by, locked, ChangeAction.PRACTICE_ESCALATION_ADVISED)
    _tell(
        [locked.raised_by],
        kind=NotificationKind.ESCALATION,
        title=f"The principal social worker has advised on case {locked.case_id}",
        body=advice,
        link=reverse("escalation_detail", args=[locked.pk]),
    )
    return locked


@transaction.atomic
def take_escalation_to_director(
    *, by: User, escalation: PracticeEscalation, note: str
) -> PracticeEscalation:
    """The PSW's note (their view, what the director is asked) is kept as their advice."""
    _require_text(note, "Say what you are asking the director, and your view", "note")
    locked = _lock_escalation(
        by, escalation, Permission.ADVISE_ON_ESCALATIONS, PracticeEscalation.State.WITH_PSW
    )
    locked.state = PracticeEscalation.State.WITH_DIRECTOR
    locked.advice = note
    locked.advised_by = by
    locked.advised_at = timezone.now()
    locked.save(update_fields=["state", "advice", "advised_by", "advised_at"])
    _escalation_change(by, locked, ChangeAction.PRACTICE_ESCALATION_REFERRED)
    link = reverse("escalation_detail", args=[locked.pk])
    _tell(
        _directors(),
        kind=NotificationKind.ESCALATION,
        title=f"The principal social worker asks for your decision on case {locked.case_id}",
        body=note,
        link=link,
    )
    _tell(
        [locked.raised_by],
        kind=NotificationKind.ESCALATION,
        title=f"Your escalation of case {locked.case_id} has gone to the director",
        body=note,
        link=link,
    )
    return locked


@transaction.atomic
def record_director_decision(
    *, by: User, escalation: PracticeEscalation, decision: str
) -> PracticeEscalation:
    _require_text(decision, "Write the director's decision", "decision")
    locked = _lock_escalation(
        by, escalation, Permission.DECIDE_ESCALATIONS, PracticeEscalation.State.WITH_DIRECTOR
    )
    locked.state = PracticeEscalation.State.DECIDED
    locked.director_decision = decision
    locked.director = by
    locked.director_decided_at = timezone.now()
    locked.save(update_fields=["state", "director_decision", "director", "director_decided_at"])
    _escalation_change(by, locked, ChangeAction.PRACTICE_ESCALATION_DECIDED)
    told = {locked.raised_by, *([locked.advised_by] if locked.advised_by else [])}
    _tell(
        told,
        kind=NotificationKind.ESCALATION,
        title=f"The director has decided on the escalation of case {locked.case_id}",
        body=decision,
        link=reverse("escalation_detail", args=[locked.pk]),
    )
    return locked


def check_tier3_closing(by: User, case: Case) -> None:
    """Closing a Tier 3 case needs a signed-off decision to close it, when the scheme asks for
    one (a close check the register calls inside close_case)."""
    if not DelegationScheme.current().closing_tier3 or current_tier(case) != TIER_3:
        return
    approved = SignOffRequest.objects.filter(
        decision__case=case,
        decision__kind=DecisionKind.CLOSING_CASE,
        state=SignOffRequest.State.APPROVED,
    ).exists()
    if not approved:
        raise ActionRefused(
            "Closing a Tier 3 case needs a decision to close it, signed off",
            field="closed_on",
            link=ErrorLink("Record the decision to close", reverse("decision_new", args=[case.pk])),
        )
