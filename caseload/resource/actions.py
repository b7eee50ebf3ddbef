"""Changes to the establishment, each in one transaction with its change-log entry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.register.models import Team
from caseload.resource.models import (
    ESTABLISHMENT_ROLES,
    MAX_FUNDED_FTE,
    MIN_FUNDED_FTE,
    Establishment,
)
from caseload.web.errors import ActionRefused


@transaction.atomic
def set_establishment(
    *, by: User, team: Team, role: str, funded_fte: Decimal, effective_from: date
) -> Establishment:
    """The team is funded for `funded_fte` posts in the role from `effective_from` until a
    later row takes over. Setting the same day again corrects that day's figure (the change
    log keeps the old one); setting it to what it already is changes nothing."""
    if not has_permission(by, Permission.MANAGE_ESTABLISHMENT):
        raise ActionRefused("You cannot set the establishment")
    if role not in ESTABLISHMENT_ROLES:
        raise ActionRefused("Choose a role from the list", field="role")
    if not funded_fte.is_finite() or not MIN_FUNDED_FTE <= funded_fte <= MAX_FUNDED_FTE:
        raise ActionRefused(
            f"Enter a funded FTE from {MIN_FUNDED_FTE} to {MAX_FUNDED_FTE}", field="funded_fte"
        )
    if funded_fte != funded_fte.quantize(Decimal("0.01")):
        raise ActionRefused("Enter the funded FTE to 2 decimal places at most", field="funded_fte")
    locked = Team.objects.select_for_update().get(pk=team.pk)
    existing = Establishment.objects.filter(
        team=locked, role=role, effective_from=effective_from
    ).first()
    previous = None if existing is None else existing.funded_fte
    if existing is not None and previous == funded_fte:
        return existing
    now = timezone.now()
    if existing is None:
        row = Establishment.objects.create(
            team=locked,
            role=role,
            funded_fte=funded_fte,
            effective_from=effective_from,
            recorded_by=by,
            recorded_at=now,
        )
    else:
        row = existing
        row.funded_fte, row.recorded_by, row.recorded_at = funded_fte, by, now
        row.save(update_fields=["funded_fte", "recorded_by", "recorded_at"])
    record_change(
        by=by,
        action=ChangeAction.ESTABLISHMENT_SET,
        team_id=locked.pk,
        changes={"funded_fte": (_text(previous), _text(funded_fte))},
        detail={"role": role, "effective_from": effective_from.isoformat(), "row_id": row.pk},
    )
    return row


def _text(fte: Decimal | None) -> str | None:
    # Two places always, so that 6.5 and 6.50 read as the same figure in the log.
    return None if fte is None else f"{fte:.2f}"
