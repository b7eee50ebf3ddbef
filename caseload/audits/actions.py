"""Changes to case file audits: the tool published, an audit assigned, completed, responded to,
moderated, and its actions done.

As elsewhere: atomic, keyword-only, the acting user, the row rechecked under a lock, and a
ChangeEvent in the same transaction. Free text (summaries, responses) is never written to the
change log, only that it was given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.audits.access import may_audit, moderation_refusal, workers_of
from caseload.audits.models import (
    Audit,
    AuditAction,
    AuditStatus,
    ModerationShare,
    Moderator,
    ToolVersion,
)
from caseload.audits.moderation import chosen_for_moderation
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.register.models import Case, Practitioner
from caseload.web.errors import ActionRefused
from caseload_engine import audit_tool

MAX_ACTIONS = 10
MAX_TEXT = 5000


def _grade_words(grade: int | None) -> str | None:
    return audit_tool.GRADE_LABELS[grade].lower() if grade is not None else None


@transaction.atomic
def publish_tool(*, by: User, definition: str, change_note: str) -> ToolVersion:
    """Publish an edited tool as the next version. Audits keep the version they were given."""
    if not has_permission(by, Permission.EDIT_AUDIT_TOOL):
        raise ActionRefused("Your role cannot publish versions of the audit tool")
    try:
        tool = audit_tool.loads(definition)
    except audit_tool.ToolError as error:
        raise ActionRefused(str(error), field="definition") from None
    if not change_note.strip():
        raise ActionRefused("Say what changed in this version", field="change_note")
    # Lock the newest version's row so that two publishers cannot take the same number.
    list(ToolVersion.objects.select_for_update().order_by("-number")[:1])
    current = ToolVersion.current()
    if audit_tool.to_dict(tool) == audit_tool.to_dict(current.tool):
        raise ActionRefused(
            f"This is the same tool as version {current.number}, the current one: "
            "change something before publishing",
            field="definition",
        )
    version = ToolVersion.objects.create(
        number=current.number + 1,
        name=tool.name,
        definition=definition,
        change_note=change_note.strip(),
        created_by=by,
    )
    record_change(
        by=by,
        action=ChangeAction.AUDIT_TOOL_PUBLISHED,
        changes={"tool_version": (current.number, version.number)},
    )
    return version


def _refuse_worker(auditor: User, case: Case, month: date) -> None:
    if auditor.pk in workers_of(case, month):
        raise ActionRefused(
            "An auditor never audits a case they worked, now or in the month audited: "
            "choose someone else",
            field="auditor",
        )


@transaction.atomic
def assign_audit(
    *,
    by: User,
    case: Case,
    practitioner: Practitioner,
    month: date,
    auditor: User,
    theme: str = "",
) -> Audit:
    """An audit of the case for the month, by the auditor, against the current tool; the
    auditor is told."""
    if not has_permission(by, Permission.MANAGE_CASE_AUDITS):
        raise ActionRefused("Your role cannot assign case file audits")
    if month.day != 1:
        raise ActionRefused("An audit is for a calendar month", field="month")
    case = Case.objects.select_for_update().get(pk=case.pk)
    # Read afresh: their job decides, as it stands now.
    auditor = User.objects.select_related("practitioner").get(pk=auditor.pk)
    if not may_audit(auditor):
        raise ActionRefused("The auditor must be a manager or senior practitioner", field="auditor")
    if auditor.pk == practitioner.user_id:
        raise ActionRefused(
            "An auditor never audits a case they worked: choose someone else", field="auditor"
        )
    _refuse_worker(auditor, case, month)
    if Audit.objects.filter(case=case, month=month).exists():
        raise ActionRefused(f"Case {case.pk} already has an audit for {month:%B %Y}")
    try:
        with transaction.atomic():
            audit = Audit.objects.create(
                case=case,
                team_id=case.team_id,
                practitioner=practitioner,
                practitioner_user_id=practitioner.user_id,
                month=month,
                theme=theme.strip(),
                tool_version=ToolVersion.current(),
                auditor=auditor,
                assigned_by=by,
                assigned_at=timezone.now(),
            )
    except IntegrityError:
        raise ActionRefused(f"Case {case.pk} already has an audit for {month:%B %Y}") from None
    record_change(
        by=by,
        action=ChangeAction.CASE_AUDIT_ASSIGNED,
        case_id=case.pk,
        person_id=case.person_id,
        team_id=case.team_id,
        practitioner_id=practitioner.pk,
        changes={"auditor": (None, auditor.pk), "month": (None, month.isoformat())},
        detail={"audit_id": audit.pk},
    )
    notify(
        recipient=auditor,
        kind=NotificationKind.CASE_AUDIT,
        title=f"A case file audit is assigned to you, for {dateformat.format(month, 'F Y')}",
        body=f"Case {case.pk}, {case.team.name}.",
        link=reverse("audits_audit", args=[audit.pk]),
    )
    return audit


def _lock(audit: Audit) -> Audit:
    return (
        Audit.objects.select_for_update(of=("self",))
        .select_related("case", "practitioner__user", "tool_version")
        .get(pk=audit.pk)
    )


def _text(value: str, field: str, label: str) -> str:
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise ActionRefused(f"{label} is over {MAX_TEXT:,} characters", field=field)
    return text


@transaction.atomic
def complete_audit(
    *,
    by: User,
    audit: Audit,
    answers: Mapping[str, object],
    grade: int,
    summary: str,
    actions: Sequence[str] = (),
) -> Audit:
    """The auditor's answers, overall grade and summary, and the actions for the practitioner
    (which go to their next supervision). The practitioner is told."""
    audit = _lock(audit)
    if audit.auditor_id != by.pk:
        raise ActionRefused("Only the audit's auditor completes it")
    if audit.status != AuditStatus.ASSIGNED:
        raise ActionRefused("This audit is already completed")
    # Rechecked: the auditor may have been allocated the case since it was assigned.
    _refuse_worker(by, audit.case, audit.month)
    try:
        kept = audit_tool.check_answers(audit.tool_version.tool, answers)
    except audit_tool.ToolError as error:
        key, _, message = str(error).partition(": ")
        raise ActionRefused(message, field=key) from None
    if isinstance(grade, bool) or grade not in audit_tool.GRADES:
        raise ActionRefused("Choose the overall grade", field="grade")
    summary_text = _text(summary, "summary", "The summary")
    if not summary_text:
        raise ActionRefused("Summarise the audit for the practitioner", field="summary")
    wanted = [_text(a, "actions", "An action") for a in actions if a.strip()]
    if len(wanted) > MAX_ACTIONS:
        raise ActionRefused(f"At most {MAX_ACTIONS} actions", field="actions")
    audit.answers = kept
    audit.grade = grade
    audit.summary = summary_text
    audit.status = AuditStatus.COMPLETED
    audit.completed_at = timezone.now()
    audit.save(update_fields=["answers", "grade", "summary", "status", "completed_at"])
    AuditAction.objects.bulk_create([AuditAction(audit=audit, description=a) for a in wanted])
    record_change(
        by=by,
        action=ChangeAction.CASE_AUDIT_COMPLETED,
        case_id=audit.case_id,
        team_id=audit.team_id,
        practitioner_id=audit.practitioner_id,
        changes={"grade": (None, _grade_words(grade))},
        detail={"audit_id": audit.pk, "actions": len(wanted)},
    )
    if audit.practitioner.user is not None:
        notify(
            recipient=audit.practitioner.user,
            kind=NotificationKind.CASE_AUDIT,
            title="A case file audit of one of your cases is completed",
            body=f"Case {audit.case_id}: graded {audit.grade_label.lower()}. Read it and respond.",
            link=reverse("audits_audit", args=[audit.pk]),
        )
    if audit.pk in chosen_for_moderation(since=audit.month, until=audit.month):
        _tell_moderators(audit)
    return audit


def _tell_moderators(audit: Audit) -> None:
    """An audit just chosen for moderation: the named moderators who may moderate it (not its
    auditor, not the case's worker) are told."""
    for moderator in Moderator.objects.select_related("user").exclude(user_id=audit.auditor_id):
        if audit.practitioner.user_id == moderator.user_id:
            continue
        notify(
            recipient=moderator.user,
            kind=NotificationKind.CASE_AUDIT,
            title="A case file audit is chosen for moderation",
            body=f"Case {audit.case_id}, audited for {dateformat.format(audit.month, 'F Y')}.",
            link=reverse("audits_audit_moderate", args=[audit.pk]),
            once=f"audit-moderation:{audit.pk}",
        )


@transaction.atomic
def respond(*, by: User, audit: Audit, response: str) -> Audit:
    """The practitioner's own words on a completed audit of their case."""
    audit = _lock(audit)
    if audit.practitioner.user_id != by.pk:
        raise ActionRefused("Only the practitioner whose case it is responds", field="response")
    if audit.status != AuditStatus.COMPLETED:
        raise ActionRefused("The audit is not completed yet", field="response")
    text = _text(response, "response", "The response")
    if not text:
        raise ActionRefused("Enter your response", field="response")
    first = audit.responded_at is None
    audit.response = text
    audit.responded_at = timezone.now()
    audit.save(update_fields=["response", "responded_at"])
    record_change(
        by=by,
        action=ChangeAction.CASE_AUDIT_RESPONDED,
        case_id=audit.case_id,
        team_id=audit.team_id,
        practitioner_id=audit.practitioner_id,
        detail={"audit_id": audit.pk, "first": first},
    )
    return audit


@transaction.atomic
def moderate(*, by: User, audit: Audit, grade: int, note: str) -> Audit:
    """The moderator's own grade for a completed audit, once: by the PSW, or a moderator they
    named for an audit chosen for moderation; never by its auditor or a worker of the case."""
    audit = _lock(audit)
    refusal = moderation_refusal(by, audit)
    if refusal is not None:
        raise ActionRefused(refusal)
    if isinstance(grade, bool) or grade not in audit_tool.GRADES:
        raise ActionRefused("Choose your grade", field="grade")
    audit.moderated_grade = grade
    audit.moderation_note = _text(note, "note", "The note")
    audit.moderated_by = by
    audit.moderated_at = timezone.now()
    audit.save(update_fields=["moderated_grade", "moderation_note", "moderated_by", "moderated_at"])
    record_change(
        by=by,
        action=ChangeAction.CASE_AUDIT_MODERATED,
        case_id=audit.case_id,
        team_id=audit.team_id,
        practitioner_id=audit.practitioner_id,
        changes={"grade": (_grade_words(audit.grade), _grade_words(grade))},
        detail={"audit_id": audit.pk},
    )
    return audit


def _refuse_unless_managing(by: User) -> None:
    if not has_permission(by, Permission.MANAGE_CASE_AUDITS):
        raise ActionRefused("Only the principal social worker names moderators of audits")


@transaction.atomic
def appoint_moderator(*, by: User, user: User) -> Moderator:
    """Name a manager or senior practitioner to moderate audits on the PSW's behalf."""
    _refuse_unless_managing(by)
    user = User.objects.select_related("practitioner").get(pk=user.pk)
    if not may_audit(user):
        raise ActionRefused("A moderator must be a manager or senior practitioner", field="user")
    moderator, created = Moderator.objects.get_or_create(
        user=user, defaults={"appointed_by": by, "appointed_at": timezone.now()}
    )
    if not created:
        raise ActionRefused(f"{user.get_full_name()} is already a moderator", field="user")
    record_change(
        by=by, action=ChangeAction.AUDIT_MODERATOR_APPOINTED, changes={"moderator": (None, user.pk)}
    )
    notify(
        recipient=user,
        kind=NotificationKind.CASE_AUDIT,
        title="You are a moderator of case file audits",
        body="Each month a share of completed audits is chosen for moderation; those you may "
        "moderate are on the moderation page.",
        link=reverse("audits_moderation"),
    )
    return moderator


@transaction.atomic
def remove_moderator(*, by: User, moderator: Moderator) -> None:
    """No longer a moderator: the audits they moderated keep their grades."""
    _refuse_unless_managing(by)
    user_id = moderator.user_id
    if not Moderator.objects.filter(pk=moderator.pk).delete()[0]:
        raise ActionRefused("They are no longer a moderator")
    record_change(
        by=by, action=ChangeAction.AUDIT_MODERATOR_REMOVED, changes={"moderator": (user_id, None)}
    )


@transaction.atomic
def set_moderation_share(*, by: User, percent: int) -> ModerationShare:
    """The share of each month's completed audits to moderate, from now on."""
    _refuse_unless_managing(by)
    if isinstance(percent, bool) or not 1 <= percent <= 100:
        raise ActionRefused("The share must be a whole number, 1 to 100", field="percent")
    before = ModerationShare.current_percent()
    if percent == before:
        raise ActionRefused(f"The share is already {percent}%", field="percent")
    share = ModerationShare.objects.create(percent=percent, set_by=by, set_at=timezone.now())
    record_change(
        by=by,
        action=ChangeAction.AUDIT_MODERATION_SHARE_SET,
        changes={"percent": (before, percent)},
    )
    return share


@transaction.atomic
def complete_action(*, by: User, action: AuditAction) -> AuditAction:
    """Mark an audit action done: by the practitioner whose case was audited."""
    locked = (
        AuditAction.objects.select_for_update(of=("self",))
        .select_related("audit__practitioner")
        .get(pk=action.pk)
    )
    if locked.audit.practitioner.user_id != by.pk:
        raise ActionRefused("Only the practitioner marks an audit action done")
    if locked.done_at is not None:
        raise ActionRefused("This action is already done")
    locked.done_at = timezone.now()
    locked.done_by = by
    locked.save(update_fields=["done_at", "done_by"])
    record_change(
        by=by,
        action=ChangeAction.CASE_AUDIT_ACTION_DONE,
        case_id=locked.audit.case_id,
        team_id=locked.audit.team_id,
        practitioner_id=locked.audit.practitioner_id,
        detail={"audit_id": locked.audit_id, "action_id": locked.pk},
    )
    return locked
