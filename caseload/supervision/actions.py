"""Changes to supervision: record, edit, sign, comment, add to a locked record, agreements,
actions done, the policy published.

As with the other apps' actions: atomic, keyword-only, the acting user, the row rechecked
under a lock, and a ChangeEvent in the same transaction. Free text (the notes) is never
written to the change log, only that it changed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.complexity.load import held_points, load_of
from caseload.complexity.models import Assessment, ModelVersion
from caseload.register.models import Allocation, Case, Practitioner
from caseload.supervision.access import is_supervisee, may_supervise
from caseload.supervision.models import (
    MINUTES_MAX,
    MINUTES_MIN,
    Action,
    Addendum,
    Agreement,
    CaseDiscussion,
    PolicyVersion,
    Session,
    SessionKind,
)
from caseload.supervision.policies import PolicyBook, default_book, parse_content
from caseload.web.errors import ActionRefused
from caseload_engine import supervision as rules

# The session's notes: changes to them are logged by name, never by value.
NOTE_FIELDS = ("agenda", "workload_review", "wellbeing", "reflection", "cpd")
Party = Literal["supervisor", "supervisee"]


@dataclass(frozen=True)
class ActionDetails:
    description: str
    owner: User
    due_on: date
    # The open action on the record this one is (when changing a record), so that it keeps its
    # id: its due-day notice is sent once per id and day.
    pk: int | None = None


@dataclass(frozen=True)
class DiscussionDetails:
    case: Case
    discussion: str
    decision: str = ""
    actions: Sequence[ActionDetails] = ()


@dataclass(frozen=True)
class SessionDetails:
    held_on: date
    minutes: int
    kind: str
    agenda: str = ""
    workload_review: str = ""
    wellbeing: str = ""
    reflection: str = ""
    cpd: str = ""
    discussions: Sequence[DiscussionDetails] = ()
    # Actions not about one case.
    actions: Sequence[ActionDetails] = ()


def supervisee_cases(practitioner: Practitioner) -> Exists:
    """Per case row: whether the practitioner holds it now (the cases supervision may discuss)."""
    return Exists(
        Allocation.objects.filter(
            case=OuterRef("pk"), practitioner=practitioner, ended_at__isnull=True
        )
    )


def utilisation_percent(practitioner: Practitioner) -> int | None:
    """The practitioner's utilisation now, as the team page shows it (for the record's
    snapshot)."""
    held = (
        Practitioner.objects.filter(pk=practitioner.pk)
        .annotate(held=held_points())
        .values_list("held", flat=True)
        .get()
    )
    return load_of(practitioner, held=held, model=ModelVersion.current().model).percent


def _check_details(details: SessionDetails, *, today: date) -> None:
    if details.held_on > today:
        raise ActionRefused("The date of the session cannot be in the future", field="held_on")
    if not MINUTES_MIN <= details.minutes <= MINUTES_MAX:
        raise ActionRefused(
            f"The length must be between {MINUTES_MIN} and {MINUTES_MAX} minutes", field="minutes"
        )
    if details.kind not in SessionKind.values:
        raise ActionRefused("Choose the kind of session", field="kind")
    seen: set[int] = set()
    for discussion in details.discussions:
        if discussion.case.pk in seen:
            raise ActionRefused(f"Case {discussion.case.pk} is discussed twice: merge the notes")
        seen.add(discussion.case.pk)
        if not discussion.discussion.strip():
            raise ActionRefused(f"Say what was discussed about case {discussion.case.pk}")


def _check_owners(
    actions: Sequence[ActionDetails], *, supervisee: Practitioner, supervisor: User
) -> None:
    allowed = {supervisor.pk, supervisee.user_id}
    for action in actions:
        if action.owner.pk not in allowed:
            raise ActionRefused("An action is owned by the supervisee or the supervisor")
        if not action.description.strip():
            raise ActionRefused("Say what each action is")


def _all_actions(details: SessionDetails) -> list[ActionDetails]:
    return [*details.actions, *(a for d in details.discussions for a in d.actions)]


def _lock_supervisee(by: User, practitioner: Practitioner) -> Practitioner:
    locked = Practitioner.objects.select_for_update().get(pk=practitioner.pk)
    if not may_supervise(by, locked):
        raise ActionRefused("You cannot record supervision for this practitioner")
    return locked


def _check_cases(
    details: SessionDetails, *, supervisee: Practitioner, already: Collection[int] = ()
) -> None:
    """Each case discussed is held by the supervisee now (or already on the record)."""
    wanted = {d.case.pk for d in details.discussions}
    held = set(
        Case.objects.filter(pk__in=wanted)
        .filter(supervisee_cases(supervisee))
        .values_list("pk", flat=True)
    )
    missing = sorted(wanted - held - set(already))
    if missing:
        raise ActionRefused(
            f"Case {missing[0]} is not one of {supervisee.full_name}'s cases", field="discussions"
        )


def _snapshot(case_ids: Sequence[int]) -> dict[int, Assessment]:
    return {a.case_id: a for a in Assessment.objects.filter(case_id__in=case_ids, is_current=True)}


def _create_actions(
    session: Session, discussion: CaseDiscussion | None, actions: Sequence[ActionDetails]
) -> None:
    Action.objects.bulk_create(
        [
            Action(
                session=session,
                discussion=discussion,
                description=action.description.strip(),
                owner=action.owner,
                due_on=action.due_on,
            )
            for action in actions
        ]
    )


def _kept_actions(session: Session, details: SessionDetails) -> dict[int, Action]:
    """The record's open actions that the changed record keeps, by id, locked. An id that is
    not an open action of this record (done meanwhile, or another record's) is refused."""
    open_actions = {
        a.pk: a
        for a in Action.objects.select_for_update().filter(session=session, done_at__isnull=True)
    }
    kept: dict[int, Action] = {}
    for action in _all_actions(details):
        if action.pk is None:
            continue
        if action.pk not in open_actions or action.pk in kept:
            raise ActionRefused(
                "An action on this page has been done or changed meanwhile: "
                "open the record again and make your changes there"
            )
        kept[action.pk] = open_actions[action.pk]
    return kept


def _save_actions(
    session: Session,
    discussion: CaseDiscussion | None,
    actions: Sequence[ActionDetails],
    kept: Mapping[int, Action],
) -> list[int]:
    """Change the kept actions in place and create the new ones. The ids of the kept actions
    whose case, text, owner or due date changed."""
    changed: list[int] = []
    for details in actions:
        if details.pk is None:
            continue
        action = kept[details.pk]
        before = (action.discussion_id, action.description, action.owner_id, action.due_on)
        action.discussion = discussion
        action.description = details.description.strip()
        action.owner = details.owner
        action.due_on = details.due_on
        if before != (action.discussion_id, action.description, action.owner_id, action.due_on):
            changed.append(action.pk)
        action.save(update_fields=["discussion", "description", "owner", "due_on"])
    _create_actions(session, discussion, [a for a in actions if a.pk is None])
    return changed


def _create_discussion(
    session: Session, details: DiscussionDetails, scored: Assessment | None
) -> CaseDiscussion:
    discussion = CaseDiscussion.objects.create(
        session=session,
        case=details.case,
        discussion=details.discussion.strip(),
        decision=details.decision.strip(),
        tier_at_time=scored.effective_tier if scored is not None else None,
        points_at_time=scored.points if scored is not None else None,
        risk_at_time=scored.scores.get("risk") if scored is not None else None,
    )
    return discussion


def _session_detail(session: Session) -> dict[str, object]:
    return {"session_id": session.pk, "held_on": session.held_on.isoformat()}


@transaction.atomic
def record_session(*, by: User, supervisee: Practitioner, details: SessionDetails) -> Session:
    """Record a supervision session with its case discussions and actions, all or nothing.
    The recorder is the supervisor."""
    supervisee = _lock_supervisee(by, supervisee)
    now = timezone.now()
    _check_details(details, today=timezone.localdate())
    _check_owners(_all_actions(details), supervisee=supervisee, supervisor=by)
    _check_cases(details, supervisee=supervisee)
    session = Session.objects.create(
        supervisee=supervisee,
        supervisor=by,
        held_on=details.held_on,
        minutes=details.minutes,
        kind=details.kind,
        agenda=details.agenda.strip(),
        workload_review=details.workload_review.strip(),
        utilisation_percent_at_time=utilisation_percent(supervisee),
        wellbeing=details.wellbeing.strip(),
        reflection=details.reflection.strip(),
        cpd=details.cpd.strip(),
        created_at=now,
        created_by=by,
    )
    scored = _snapshot([d.case.pk for d in details.discussions])
    for discussion in details.discussions:
        created = _create_discussion(session, discussion, scored.get(discussion.case.pk))
        _create_actions(session, created, discussion.actions)
    _create_actions(session, None, details.actions)
    record_change(
        by=by,
        action=ChangeAction.SUPERVISION_RECORDED,
        practitioner_id=supervisee.pk,
        team_id=supervisee.team_id,
        changes={
            "held_on": (None, details.held_on.isoformat()),
            "minutes": (None, details.minutes),
            "kind": (None, details.kind),
        },
        detail={
            **_session_detail(session),
            "case_ids": sorted(d.case.pk for d in details.discussions),
            "actions": len(_all_actions(details)),
        },
    )
    return session


def _lock_session(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("supervisee")
        .get(pk=session.pk)
    )


def _refuse_if_locked(session: Session) -> None:
    if session.is_locked:
        raise ActionRefused(
            "Both have signed this record, so it cannot be changed: add an addendum instead"
        )


@transaction.atomic
def edit_session(*, by: User, session: Session, details: SessionDetails) -> Session:
    """Change a record not yet signed by both. Discussions are matched by case (a case kept
    keeps what it showed when first recorded); open actions are matched by id, changed in place
    (so a notice already sent for one is not sent again), and those left out are removed; done
    ones are kept. Any signature is cleared: it was given to the record as it stood."""
    session = _lock_session(session)
    _refuse_if_locked(session)
    if session.supervisor_id != by.pk or not may_supervise(by, session.supervisee):
        raise ActionRefused("Only the supervisor can change this record")
    _check_details(details, today=timezone.localdate())
    _check_owners(_all_actions(details), supervisee=session.supervisee, supervisor=by)
    existing = {d.case_id: d for d in session.discussions.all()}
    _check_cases(details, supervisee=session.supervisee, already=set(existing))
    wanted = {d.case.pk: d for d in details.discussions}
    dropped = [d for case_id, d in existing.items() if case_id not in wanted]
    if Action.objects.filter(discussion__in=dropped, done_at__isnull=False).exists():
        raise ActionRefused(
            "A case with an action already done cannot be taken off the record", field="discussions"
        )
    kept_actions = _kept_actions(session, details)
    held_before = session.held_on
    before = {name: getattr(session, name) for name in ("minutes", "kind", *NOTE_FIELDS)}
    after: dict[str, object] = {
        "held_on": details.held_on,
        "minutes": details.minutes,
        "kind": details.kind,
        **{name: getattr(details, name).strip() for name in NOTE_FIELDS},
    }
    for name, value in after.items():
        setattr(session, name, value)
    signed = [
        name
        for name in ("supervisor_signed_at", "supervisee_signed_at")
        if getattr(session, name) is not None
    ]
    for name in signed:
        setattr(session, name, None)
    session.save(update_fields=[*after, *signed])
    removed = Action.objects.filter(session=session, done_at__isnull=True).exclude(
        pk__in=kept_actions
    )
    removed_ids = sorted(removed.values_list("pk", flat=True))
    removed.delete()
    changed_ids: list[int] = []
    scored = _snapshot([case_id for case_id in wanted if case_id not in existing])
    for case_id, details_of in wanted.items():
        kept = existing.get(case_id)
        if kept is None:
            kept = _create_discussion(session, details_of, scored.get(case_id))
        else:
            kept.discussion = details_of.discussion.strip()
            kept.decision = details_of.decision.strip()
            kept.save(update_fields=["discussion", "decision"])
        changed_ids += _save_actions(session, kept, details_of.actions, kept_actions)
    changed_ids += _save_actions(session, None, details.actions, kept_actions)
    # Last: a kept action may have been moved off a case now dropped.
    CaseDiscussion.objects.filter(pk__in=[d.pk for d in dropped]).delete()
    record_change(
        by=by,
        action=ChangeAction.SUPERVISION_CHANGED,
        practitioner_id=session.supervisee_id,
        team_id=session.supervisee.team_id,
        changes={
            "held_on": (held_before.isoformat(), details.held_on.isoformat()),
            "minutes": (before["minutes"], details.minutes),
            "kind": (before["kind"], details.kind),
            **{f"{name}_cleared": (True, None) for name in signed},
        },
        detail={
            **_session_detail(session),
            "text_changed": [name for name in NOTE_FIELDS if before[name] != after[name]],
            "case_ids": sorted(wanted),
            "cases_added": sorted(set(wanted) - set(existing)),
            "cases_removed": sorted(d.case_id for d in dropped),
            "actions_added": sum(1 for a in _all_actions(details) if a.pk is None),
            "actions_changed": sorted(changed_ids),
            "actions_removed": removed_ids,
        },
    )
    return session


def _sign(record: Session | Agreement, *, by: User, as_supervisee: bool, noun: str) -> Party:
    """Stamp the signer's signature on a locked row: the supervisor's or the supervisee's,
    whichever `by` is, once."""
    party: Party
    if record.supervisor_id == by.pk:
        party, stamp = "supervisor", "supervisor_signed_at"
    elif as_supervisee:
        party, stamp = "supervisee", "supervisee_signed_at"
    else:
        raise ActionRefused(f"Only the supervisor and the supervisee sign this {noun}")
    if getattr(record, stamp) is not None:
        raise ActionRefused(f"You have already signed this {noun}")
    setattr(record, stamp, timezone.now())
    record.save(update_fields=[stamp])
    return party


@transaction.atomic
def sign_session(*, by: User, session: Session) -> Session:
    """Sign as the supervisor or as the supervisee, whichever the user is. Once both have,
    the record is locked."""
    session = _lock_session(session)
    _refuse_if_locked(session)
    party = _sign(session, by=by, as_supervisee=is_supervisee(by, session), noun="record")
    record_change(
        by=by,
        action=ChangeAction.SUPERVISION_SIGNED,
        practitioner_id=session.supervisee_id,
        team_id=session.supervisee.team_id,
        changes={"locked": (False, session.is_locked)},
        detail={**_session_detail(session), "as": party},
    )
    return session


@transaction.atomic
def comment_on_session(*, by: User, session: Session, comment: str) -> Session:
    """The supervisee's own words on the record, until it is locked (then, an addendum)."""
    session = _lock_session(session)
    if not is_supervisee(by, session):
        raise ActionRefused("Only the supervisee comments on their supervision", field="comment")
    _refuse_if_locked(session)
    text = comment.strip()
    if not text:
        raise ActionRefused("Enter your comment", field="comment")
    changed = text != session.supervisee_comment
    session.supervisee_comment = text
    session.save(update_fields=["supervisee_comment"])
    if changed:
        record_change(
            by=by,
            action=ChangeAction.SUPERVISION_COMMENTED,
            practitioner_id=session.supervisee_id,
            team_id=session.supervisee.team_id,
            detail=_session_detail(session),
        )
    return session


@transaction.atomic
def add_addendum(*, by: User, session: Session, text: str) -> Addendum:
    """Add to a locked record: by its supervisor or its supervisee."""
    session = _lock_session(session)
    if session.supervisor_id != by.pk and not is_supervisee(by, session):
        raise ActionRefused("Only the supervisor and the supervisee add to this record")
    if not session.is_locked:
        raise ActionRefused(
            "This record is not signed by both yet: change it or comment on it instead"
        )
    body = text.strip()
    if not body:
        raise ActionRefused("Enter the addendum", field="text")
    addendum = Addendum.objects.create(
        session=session, author=by, text=body, created_at=timezone.now()
    )
    record_change(
        by=by,
        action=ChangeAction.SUPERVISION_ADDENDUM_ADDED,
        practitioner_id=session.supervisee_id,
        team_id=session.supervisee.team_id,
        detail={**_session_detail(session), "addendum_id": addendum.pk},
    )
    return addendum


@transaction.atomic
def complete_action(*, by: User, action: Action) -> Action:
    """Mark an action done: by its owner."""
    locked = (
        Action.objects.select_for_update(of=("self",))
        .select_related("session__supervisee")
        .get(pk=action.pk)
    )
    if by.pk != locked.owner_id:
        raise ActionRefused("Only the action's owner marks it done")
    if locked.done_at is not None:
        raise ActionRefused("This action is already done")
    locked.done_at = timezone.now()
    locked.done_by = by
    locked.save(update_fields=["done_at", "done_by"])
    record_change(
        by=by,
        action=ChangeAction.SUPERVISION_ACTION_DONE,
        practitioner_id=locked.session.supervisee_id,
        team_id=locked.session.supervisee.team_id,
        case_id=locked.discussion.case_id if locked.discussion is not None else None,
        detail={**_session_detail(locked.session), "action_id": locked.pk},
    )
    return locked


@dataclass(frozen=True)
class AgreementDetails:
    frequency: str
    place: str
    if_missed: str
    starts_on: date


@transaction.atomic
def make_agreement(*, by: User, practitioner: Practitioner, details: AgreementDetails) -> Agreement:
    """A new agreement between the practitioner and the user as their supervisor; it
    supersedes the current one."""
    practitioner = _lock_supervisee(by, practitioner)
    for name in ("frequency", "place", "if_missed"):
        if not getattr(details, name).strip():
            raise ActionRefused("Fill in every part of the agreement", field=name)
    now = timezone.now()
    previous = Agreement.objects.filter(practitioner=practitioner, superseded_at__isnull=True)
    previous_id = previous.values_list("pk", flat=True).first()
    previous.update(superseded_at=now)
    agreement = Agreement.objects.create(
        practitioner=practitioner,
        supervisor=by,
        frequency=details.frequency.strip(),
        place=details.place.strip(),
        if_missed=details.if_missed.strip(),
        starts_on=details.starts_on,
        created_at=now,
        created_by=by,
    )
    record_change(
        by=by,
        action=ChangeAction.SUPERVISION_AGREEMENT_MADE,
        practitioner_id=practitioner.pk,
        team_id=practitioner.team_id,
        changes={
            "agreement": (previous_id, agreement.pk),
            "starts_on": (None, details.starts_on.isoformat()),
        },
    )
    return agreement


@transaction.atomic
def sign_agreement(*, by: User, agreement: Agreement) -> Agreement:
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("practitioner")
        .get(pk=agreement.pk)
    )
    if locked.superseded_at is not None:
        raise ActionRefused("A newer agreement has replaced this one: it cannot be signed")
    party = _sign(
        locked, by=by, as_supervisee=locked.practitioner.user_id == by.pk, noun="agreement"
    )
    record_change(
        by=by,
        action=ChangeAction.SUPERVISION_AGREEMENT_SIGNED,
        practitioner_id=locked.practitioner_id,
        team_id=locked.practitioner.team_id,
        detail={"agreement_id": locked.pk, "as": party},
    )
    return locked


@transaction.atomic
def publish_policy(
    *,
    by: User,
    content: Mapping[str, object],
    note: str,
    renames: Mapping[str, str] | None = None,
) -> PolicyVersion:
    """Publish the policy as the next version: checked by the engine's rules, and refused if
    it says what the policy in force already says.

    `renames` gives published policies a new key ({old key: new key}): in `content` the policy
    and the roles that use it still name the old key, and follow it to the new one here. The
    earlier versions keep the old key, as every version keeps what it said. A new key must be
    valid (the engine's checks) and not another policy's, in force or in this version."""
    if not has_permission(by, Permission.EDIT_SUPERVISION_POLICY):
        raise ActionRefused("Your role cannot publish the supervision policy")
    # Lock the newest version's row so that two publishers cannot take the same number.
    latest = PolicyVersion.objects.select_for_update().order_by("-number").first()
    in_force = parse_content(latest.content) if latest is not None else default_book()
    renames = {old: new for old, new in (renames or {}).items() if old != new}
    content = _renamed(content, renames, in_force=in_force)
    try:
        book = parse_content(content)
    except rules.PolicyError as error:
        raise ActionRefused("; ".join(error.problems)) from None
    if not note.strip():
        raise ActionRefused("Say what changed in this version", field="note")
    if book.as_content() == in_force.as_content():
        raise ActionRefused(
            "This is the policy in force already: change something before publishing"
        )
    previous = latest.number if latest is not None else None
    number = latest.number + 1 if latest is not None else 1
    version = PolicyVersion.objects.create(
        number=number,
        content=book.as_content(),
        note=note.strip(),
        published_at=timezone.now(),
        published_by=by,
    )
    record_change(
        by=by,
        action=ChangeAction.SUPERVISION_POLICY_PUBLISHED,
        changes={"policy_version": (previous, number)},
    )
    for old, new in sorted(renames.items()):
        record_change(
            by=by,
            action=ChangeAction.SUPERVISION_POLICY_RENAMED,
            changes={"key": (old, new), "policy_version": (previous, number)},
        )
    return version


def _renamed(
    content: Mapping[str, object], renames: dict[str, str], *, in_force: PolicyBook
) -> Mapping[str, object]:
    """`content` with each renamed policy, and the roles that use it, under its new key;
    refuses a rename the policy in force cannot make."""
    if not renames:
        return content
    raw_policies, roles = content.get("policies"), content.get("roles")
    if not isinstance(raw_policies, list) or not isinstance(roles, Mapping):
        return content  # parse_content says what is wrong with it
    keys = [raw.get("key") for raw in raw_policies if isinstance(raw, Mapping)]
    for old, new in renames.items():
        if old not in in_force.policies or old not in keys:
            raise ActionRefused(f"There is no policy {old!r} to rename")
        name = in_force.policies[old].label
        if not isinstance(new, str) or not rules.KEY_PATTERN.fullmatch(new):
            raise ActionRefused(
                f"Policy “{name}”: the new key must be 1 to 40 lower-case letters, digits,"
                " hyphens or underscores"
            )
        others = (set(keys) | set(in_force.policies)) - {old}
        if new in others or list(renames.values()).count(new) > 1:
            raise ActionRefused(f"Policy “{name}”: the key {new!r} is taken; choose another")
    return {
        **content,
        "policies": [
            {**raw, "key": renames.get(raw["key"], raw["key"])}
            if isinstance(raw, Mapping) and isinstance(raw.get("key"), str)
            else raw
            for raw in raw_policies
        ],
        "roles": {
            role: renames.get(key, key) if isinstance(key, str) else key
            for role, key in roles.items()
        },
    }
