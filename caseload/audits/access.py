"""Who may see case file audits: the one door to them.

An audit is seen by its auditor, by the practitioner whose case it is, and by whoever manages
the audits (the principal social worker). Nobody else: a refused audit is "not found", as one
that does not exist. An auditor reads the case they audit through the audit (the access log
says so), not through the register's access, which may not show it to them.

Who may audit: a manager or senior practitioner (by their job: team manager, advanced
practitioner, principal social worker) or whoever manages the audits; never anyone who worked
the case, now or in the month audited.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audits.models import Audit, AuditAction, AuditStatus, Moderator
from caseload.audits.moderation import chosen_for_moderation
from caseload.register.access import practitioner_for
from caseload.register.models import Allocation, Case
from caseload_engine.dates import add_months
from caseload_engine.reference import Role

# Job roles senior enough to audit another's case file.
AUDITOR_ROLES = frozenset({Role.ADVANCED, Role.TEAM_MANAGER, Role.PRINCIPAL_SOCIAL_WORKER})


def audits_visible_to(user: User) -> QuerySet[Audit]:
    if has_permission(user, Permission.MANAGE_CASE_AUDITS):
        return Audit.objects.all()
    if not has_permission(user, Permission.VIEW_OWN_CASE_AUDITS):
        return Audit.objects.none()
    mine = Q(auditor=user) | Q(practitioner__user=user)
    if is_delegate(user):
        # A moderator also sees the audits chosen for moderation that they may moderate, and
        # those they moderated.
        mine |= Q(moderated_by=user) | Q(
            pk__in=chosen_for_moderation(), moderated_at__isnull=True
        ) & ~Q(auditor=user)
    return Audit.objects.filter(mine)


def get_audit_for_user(user: User, pk: int) -> Audit:
    try:
        return (
            audits_visible_to(user)
            .select_related(
                "case__person", "team", "practitioner", "auditor", "tool_version", "moderated_by"
            )
            .get(pk=pk)
        )
    except Audit.DoesNotExist:
        raise Http404("No such audit") from None


def is_delegate(user: User) -> bool:
    """Named by the PSW to moderate audits (those who manage the audits moderate anyway)."""
    return user.is_active and Moderator.objects.filter(user=user).exists()


def is_moderator(user: User) -> bool:
    return has_permission(user, Permission.MANAGE_CASE_AUDITS) or (
        has_permission(user, Permission.VIEW_OWN_CASE_AUDITS) and is_delegate(user)
    )


def moderation_refusal(user: User, audit: Audit) -> str | None:
    """Why the user may not moderate the audit, or None if they may: whoever manages the
    audits moderates any completed audit, a delegate those chosen for moderation; never their
    own audit, nor a case they worked (now or in the month audited)."""
    if not is_moderator(user):
        return "Only the principal social worker or a moderator they name moderates audits"
    if audit.status != AuditStatus.COMPLETED:
        return "Only a completed audit is moderated"
    if audit.moderated_at is not None:
        return "This audit is already moderated"
    if audit.auditor_id == user.pk:
        return "An auditor does not moderate their own audit"
    if (
        audit.practitioner_user_id == user.pk
        or user.pk in (workers_by_case([audit.case_id], audit.month)[audit.case_id])
    ):
        return "A moderator never moderates the audit of a case they worked"
    if not has_permission(user, Permission.MANAGE_CASE_AUDITS) and audit.pk not in (
        chosen_for_moderation(since=audit.month, until=audit.month)
    ):
        return "This audit is not one of those chosen for moderation"
    return None


def may_audit(user: User) -> bool:
    """Whether the user may carry out audits at all (whose case aside)."""
    if not user.is_active:
        return False
    if has_permission(user, Permission.MANAGE_CASE_AUDITS):
        return True
    me = practitioner_for(user)
    return (
        me is not None
        and me.left_on is None
        and me.role in AUDITOR_ROLES
        and has_permission(user, Permission.VIEW_OWN_CASE_AUDITS)
    )


def workers_by_case(case_ids: Collection[int], month: date) -> dict[int, set[int]]:
    """For each case, the users who worked it now or at any time in the month audited: one
    query for any number of cases."""
    start = timezone.make_aware(datetime.combine(month, time.min))
    end = timezone.make_aware(datetime.combine(add_months(month, 1), time.min))
    workers: dict[int, set[int]] = {case_id: set() for case_id in case_ids}
    for case_id, user_id in (
        Allocation.objects.filter(case_id__in=case_ids)
        .filter(Q(ended_at__isnull=True) | Q(started_at__lt=end, ended_at__gte=start))
        .exclude(practitioner__user__isnull=True)
        .values_list("case_id", "practitioner__user_id")
    ):
        workers[case_id].add(user_id)
    return workers


def workers_of(case: Case, month: date) -> set[int]:
    return workers_by_case([case.pk], month)[case.pk]


def possible_auditors() -> list[User]:
    """Everyone who may audit (whose case aside), by name: two queries."""
    candidates = User.objects.filter(is_active=True).filter(
        Q(practitioner__isnull=True)
        | Q(practitioner__role__in=AUDITOR_ROLES, practitioner__left_on__isnull=True)
    )
    return [
        u
        for u in candidates.select_related("practitioner").order_by("last_name", "first_name", "pk")
        if may_audit(u)
    ]


def open_actions_for(practitioner_id: int) -> QuerySet[AuditAction]:
    """The practitioner's open audit actions: their next supervision's agenda."""
    return AuditAction.objects.filter(
        audit__practitioner_id=practitioner_id, done_at__isnull=True
    ).select_related("audit")


def get_action_for_user(user: User, pk: int) -> AuditAction:
    """An action the user may mark done: one from an audit of their own case."""
    try:
        return AuditAction.objects.select_related("audit").get(
            pk=pk, audit__practitioner__user=user, audit__in=audits_visible_to(user)
        )
    except AuditAction.DoesNotExist:
        raise Http404("No such action") from None
