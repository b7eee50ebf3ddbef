"""The one way to write a change event: called by every action, in the action's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caseload.accounts.models import User
from caseload.audit.models import ChangeAction, ChangeEvent

# {field: (old, new)}: old is None for something new. Values are ids, codes, numbers, dates:
# never names or free text, so that the log holds nothing personal.
Changes = Mapping[str, tuple[Any, Any]]
# The new value of a field that changed but whose value the log must not keep (a password).
NOT_RECORDED = "(not recorded)"


def record_change(
    *,
    by: User,
    action: ChangeAction,
    person_id: int | None = None,
    case_id: int | None = None,
    practitioner_id: int | None = None,
    from_practitioner_id: int | None = None,
    team_id: int | None = None,
    changes: Changes | None = None,
    detail: Mapping[str, Any] | None = None,
) -> ChangeEvent:
    """Record who changed what. A field whose value did not change is left out."""
    return ChangeEvent.objects.create(
        user_id=by.pk,
        action=action,
        person_id=person_id,
        case_id=case_id,
        practitioner_id=practitioner_id,
        from_practitioner_id=from_practitioner_id,
        team_id=team_id,
        changes={field: [old, new] for field, (old, new) in (changes or {}).items() if old != new},
        detail=dict(detail or {}),
    )
