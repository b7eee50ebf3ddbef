"""Who may read the audit logs: the principal social worker (oversight of practice) and the
administrator (the service's configuration and its use). Everyone else gets "not found"."""

from __future__ import annotations

from django.http import Http404

from caseload.accounts.models import AUDIT_LOG_READERS, User


# MERGE: becomes has_permission(user, Permission.VIEW_AUDIT_LOG) for the search pages and
# has_permission(user, Permission.EXPORT_AUDIT_LOG) for the exports, once caseload/web lands.
def may_read_audit_log(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.access_role in AUDIT_LOG_READERS


def require_audit_log_reader(user: User) -> None:
    if not may_read_audit_log(user):
        raise Http404("No such page")
