"""Which completed audits are moderated, and how often moderators agreed with the auditors.

The choice is the engine's (`audit_sample.moderation_picks`): a share of each month's
completed audits, every team covered, reproducible from the audits themselves, so it is worked
out when needed rather than stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from caseload.accounts.models import User
from caseload.audits.models import Audit, AuditStatus, ModerationShare
from caseload_engine import audit_sample, audit_tool


def chosen_for_moderation(*, since: date | None = None, until: date | None = None) -> set[int]:
    """The ids of the audits chosen for moderation, of the months from `since` to `until`
    (each optional): one query for the audits and one for the share."""
    completed = Audit.objects.filter(status=AuditStatus.COMPLETED)
    if since is not None:
        completed = completed.filter(month__gte=since.replace(day=1))
    if until is not None:
        completed = completed.filter(month__lte=until)
    rows = list(completed.values_list("pk", "team_id", "month", "moderated_at"))
    return audit_sample.moderation_picks(
        (audit_sample.Completed(pk, team, month) for pk, team, month, _ in rows),
        percent=ModerationShare.current_percent(),
        moderated={pk for pk, _, _, moderated_at in rows if moderated_at is not None},
    )


@dataclass(frozen=True)
class ModeratorAgreement:
    name: str
    agreement: audit_tool.Agreement


def agreement_by_moderator(start: date, end: date) -> list[ModeratorAgreement]:
    """Each moderator's agreement with the auditors over the months from `start` to `end`, by
    name: two queries."""
    pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for moderator, grade, moderated in Audit.objects.filter(
        moderated_at__isnull=False, month__gte=start.replace(day=1), month__lte=end
    ).values_list("moderated_by_id", "grade", "moderated_grade"):
        # Never None once moderated (the audit's constraints): narrowed for the type checker.
        if moderator is not None and grade is not None and moderated is not None:
            pairs[moderator].append((grade, moderated))
    names = {
        u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=pairs.keys())
    }
    return sorted(
        (ModeratorAgreement(names[pk], audit_tool.agreement(found)) for pk, found in pairs.items()),
        key=lambda row: row.name,
    )
