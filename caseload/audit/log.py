"""The one way views record access to personal data: one function per kind of access.

Each takes ids, not register records (audit sits below the register), and names every person
the page or search showed. An entry costs two INSERTs however many people it names (one when it
names nobody), so list pages keep a constant query count.
"""

from __future__ import annotations

from collections.abc import Iterable

from caseload.accounts.models import User
from caseload.audit.models import (
    AccessAction,
    AccessLogEntry,
    AccessLogSubject,
    BreakGlassReason,
)


def _record(
    user: User,
    action: AccessAction,
    *,
    person_ids: Iterable[int] = (),
    case_id: int | None = None,
    practitioner_id: int | None = None,
    team_id: int | None = None,
    reason: str = "",
    reason_detail: str = "",
) -> AccessLogEntry:
    entry = AccessLogEntry.objects.create(
        user_id=user.pk,
        action=action,
        case_id=case_id,
        practitioner_id=practitioner_id,
        team_id=team_id,
        reason=reason,
        reason_detail=reason_detail,
    )
    people = sorted(set(person_ids))
    if people:
        AccessLogSubject.objects.bulk_create(
            [AccessLogSubject(entry=entry, person_id=person_id) for person_id in people]
        )
    return entry


def record_person_viewed(user: User, *, person_id: int) -> None:
    _record(user, AccessAction.VIEW_PERSON, person_ids=[person_id])


def record_case_viewed(user: User, *, case_id: int, person_id: int) -> None:
    _record(user, AccessAction.VIEW_CASE, person_ids=[person_id], case_id=case_id)


def record_people_searched(user: User, *, person_ids: Iterable[int]) -> None:
    """The people a search returned (on the page shown). The search terms are not stored:
    they may be names or NHS numbers."""
    _record(user, AccessAction.SEARCH_PEOPLE, person_ids=person_ids)


def record_people_listed(user: User, *, person_ids: Iterable[int]) -> None:
    _record(user, AccessAction.LIST_PEOPLE, person_ids=person_ids)


def record_team_viewed(user: User, *, team_id: int) -> None:
    """The team page: names practitioners and counts cases, but shows no one supported."""
    _record(user, AccessAction.VIEW_TEAM, team_id=team_id)


def record_waiting_list_viewed(user: User, *, team_id: int, person_ids: Iterable[int]) -> None:
    _record(user, AccessAction.VIEW_WAITING_LIST, person_ids=person_ids, team_id=team_id)


def record_team_cases_viewed(user: User, *, team_id: int, person_ids: Iterable[int]) -> None:
    _record(user, AccessAction.VIEW_TEAM_CASES, person_ids=person_ids, team_id=team_id)


def record_caseload_viewed(user: User, *, practitioner_id: int, person_ids: Iterable[int]) -> None:
    _record(
        user, AccessAction.VIEW_CASELOAD, person_ids=person_ids, practitioner_id=practitioner_id
    )


def record_allocation_meeting_viewed(
    user: User, *, team_id: int, person_ids: Iterable[int]
) -> None:
    _record(user, AccessAction.VIEW_ALLOCATION_MEETING, person_ids=person_ids, team_id=team_id)


def record_proposal_viewed(
    user: User, *, team_id: int, practitioner_id: int | None, person_ids: Iterable[int]
) -> None:
    """An allocation proposal; `practitioner_id` is the one away, for a what-if."""
    _record(
        user,
        AccessAction.VIEW_PROPOSAL,
        person_ids=person_ids,
        team_id=team_id,
        practitioner_id=practitioner_id,
    )


def record_what_if_viewed(user: User, *, practitioner_id: int, team_id: int) -> None:
    _record(user, AccessAction.VIEW_WHAT_IF, practitioner_id=practitioner_id, team_id=team_id)


def record_history_viewed(
    user: User,
    *,
    person_ids: Iterable[int],
    case_id: int | None = None,
    practitioner_id: int | None = None,
) -> None:
    """A record's history of changes, naming the people its events on the page concern."""
    _record(
        user,
        AccessAction.VIEW_HISTORY,
        person_ids=person_ids,
        case_id=case_id,
        practitioner_id=practitioner_id,
    )


def record_case_form(user: User, *, case_id: int, person_id: int) -> None:
    """A form about a case, shown or submitted: screen, close, priority, scoring, override,
    handover."""
    _record(user, AccessAction.CASE_FORM, person_ids=[person_id], case_id=case_id)


def record_person_form(user: User, *, person_id: int) -> None:
    """A form about someone already on the register: a new request for support."""
    _record(user, AccessAction.PERSON_FORM, person_ids=[person_id])


def record_identity_check_failed(user: User, *, person_id: int) -> None:
    """An NHS number entered for a new referral belongs to someone else on the register: the
    user learnt that the number is known, so the person it matched is named."""
    _record(user, AccessAction.IDENTITY_CHECK_FAILED, person_ids=[person_id])


def record_known_person_matched(user: User, *, person_id: int) -> None:
    """A referral for a new person, without an NHS number, matched someone on the register by
    name, date of birth and postcode: the user learnt that they are known."""
    _record(user, AccessAction.KNOWN_PERSON_MATCHED, person_ids=[person_id])


def record_glass_broken(
    user: User, *, person_id: int, reason: BreakGlassReason, detail: str
) -> None:
    """A record opened without a case the user may see, with the reason they gave. Written
    before the record is shown, whether or not the id is someone's."""
    _record(
        user,
        AccessAction.BREAK_GLASS,
        person_ids=[person_id],
        reason=reason,
        reason_detail=detail.strip(),
    )


def record_asye_programme_viewed(user: User, *, practitioner_id: int, team_id: int | None) -> None:
    """An ASYE's programme: their assessor, reviews and the evidence recorded at them."""
    _record(
        user, AccessAction.VIEW_ASYE_PROGRAMME, practitioner_id=practitioner_id, team_id=team_id
    )


def record_asye_programmes_listed(user: User, *, team_id: int | None) -> None:
    """The list of ASYEs and their overdue reviews (in one team, or every team the user may
    see). It shows practitioners, not people supported."""
    _record(user, AccessAction.LIST_ASYE_PROGRAMMES, team_id=team_id)


def record_asye_review_form(user: User, *, practitioner_id: int, team_id: int | None) -> None:
    """The form for an ASYE's progression review, shown or submitted."""
    _record(user, AccessAction.ASYE_REVIEW_FORM, practitioner_id=practitioner_id, team_id=team_id)


def record_audit_log_searched(user: User, *, person_ids: Iterable[int]) -> None:
    """A search of the audit logs, naming the person searched for, if any."""
    _record(user, AccessAction.SEARCH_AUDIT_LOG, person_ids=person_ids)


def record_audit_log_exported(user: User, *, person_ids: Iterable[int]) -> None:
    _record(user, AccessAction.EXPORT_AUDIT_LOG, person_ids=person_ids)


def record_supervision_viewed(
    user: User, *, practitioner_id: int, team_id: int | None, person_ids: Iterable[int]
) -> None:
    """A supervision record: its supervisee, and the people of the cases it discussed."""
    _record(
        user,
        AccessAction.VIEW_SUPERVISION,
        person_ids=person_ids,
        practitioner_id=practitioner_id,
        team_id=team_id,
    )


def record_supervision_listed(
    user: User, *, practitioner_id: int | None, person_ids: Iterable[int]
) -> None:
    """A practitioner's supervision page, or a list of supervision actions (`practitioner_id`
    None: the user's own task list), naming the people of the cases the rows concern."""
    _record(
        user,
        AccessAction.VIEW_SUPERVISION_LIST,
        person_ids=person_ids,
        practitioner_id=practitioner_id,
    )


def record_supervision_form(
    user: User, *, practitioner_id: int, team_id: int | None, person_ids: Iterable[int] = ()
) -> None:
    _record(
        user,
        AccessAction.SUPERVISION_FORM,
        person_ids=person_ids,
        practitioner_id=practitioner_id,
        team_id=team_id,
    )


def record_supervision_overdue_viewed(user: User, *, team_id: int) -> None:
    """A team's overdue supervision: names practitioners and their supervision dates."""
    _record(user, AccessAction.VIEW_SUPERVISION_OVERDUE, team_id=team_id)


def record_case_audit_viewed(
    user: User, *, audit_id: int, case_id: int, person_id: int, practitioner_id: int
) -> None:
    """A case file audit: its case's person, and the practitioner audited."""
    _record(
        user,
        AccessAction.VIEW_CASE_AUDIT,
        person_ids=[person_id],
        case_id=case_id,
        practitioner_id=practitioner_id,
        reason_detail=f"Case file audit {audit_id}",
    )


def record_case_audits_listed(user: User, *, person_ids: Iterable[int]) -> None:
    _record(user, AccessAction.LIST_CASE_AUDITS, person_ids=person_ids)


def record_case_read_for_audit(
    user: User, *, audit_id: int, case_id: int, person_id: int, team_id: int
) -> None:
    """The auditor reads a case they may not otherwise see: the reason is the audit."""
    _record(
        user,
        AccessAction.AUDIT_CASE_READ,
        person_ids=[person_id],
        case_id=case_id,
        team_id=team_id,
        reason_detail=f"Case file audit {audit_id}",
    )
