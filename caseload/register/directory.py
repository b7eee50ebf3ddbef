"""The register's names for the ids in the audit logs, as one viewer may see them."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from caseload.accounts.models import User
from caseload.register import access
from caseload.register.models import Person, Practitioner, Team
from caseload.register.search import by_identifier
from caseload_engine.text import ascii_digits

NHS_NUMBER_LENGTH = 10


@dataclass(frozen=True)
class RegisterDirectory:
    """People the viewer may see by name, others by id; practitioners and teams by name (staff
    and teams are named on every page that shows their cases)."""

    viewer: User

    def people(self, ids: Collection[int]) -> dict[int, str]:
        rows = Person.objects.filter(pk__in=ids).values_list("pk", "given_name", "family_name")
        visible = set(
            access.people_visible_to(self.viewer).filter(pk__in=ids).values_list("pk", flat=True)
        )
        return {
            pk: f"{given} {family}" if pk in visible else f"person {pk}"
            for pk, given, family in rows
        }

    def practitioners(self, ids: Collection[int]) -> dict[int, str]:
        return {
            p.pk: p.full_name
            for p in Practitioner.objects.filter(pk__in=ids).only("given_name", "family_name")
        }

    def teams(self, ids: Collection[int]) -> dict[int, str]:
        return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))

    def person_id_for(self, identifier: str) -> int | None:
        """An NHS number or council person id, as the people search reads them; or a register
        id, taken as it is so that a deleted person's rows can still be found."""
        digits = ascii_digits(re.sub(r"[\s-]", "", identifier))
        if digits is not None and len(digits) < NHS_NUMBER_LENGTH:
            return int(digits)
        found = by_identifier(Person.objects.all(), identifier)
        return None if found is None else found.values_list("pk", flat=True).first()
