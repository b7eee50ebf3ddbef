"""The one way views record access to personal data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from caseload.accounts.models import User
from caseload.audit.models import AccessLogEntry

if TYPE_CHECKING:
    # Only for the hints: the register sits above the audit and imports it.
    from caseload.register.models import Case, Person


def record_person_viewed(user: User, person: Person) -> None:
    AccessLogEntry.objects.create(
        user=user, action=AccessLogEntry.Action.VIEW_PERSON, person=person
    )


def record_case_viewed(user: User, case: Case) -> None:
    AccessLogEntry.objects.create(
        user=user, action=AccessLogEntry.Action.VIEW_CASE, case=case, person_id=case.person_id
    )


def record_people_searched(user: User) -> None:
    # The search terms are not stored: they may be names or NHS numbers.
    AccessLogEntry.objects.create(user=user, action=AccessLogEntry.Action.SEARCH_PEOPLE)
