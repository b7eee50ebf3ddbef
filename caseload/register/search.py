"""Finding people by name, NHS number or council person id."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.db.models.functions import Upper

from caseload.register.models import Person
from caseload_engine.text import ascii_digits

_COUNCIL_ID = re.compile(r"^P[0-9]{1,7}$", re.IGNORECASE)


def by_identifier(people: QuerySet[Person], query: str) -> QuerySet[Person] | None:
    """Exact match on an NHS number or council person id; None if the query is neither."""
    text = query.strip()
    # Digits of any script read as ASCII, as the NHS number was when it was stored.
    digits = ascii_digits(re.sub(r"[\s-]", "", text))
    if digits is not None:
        return people.filter(nhs_number=digits) if len(digits) == 10 else people.none()
    if _COUNCIL_ID.match(text):
        return people.filter(council_person_id=f"P{int(text[1:]):07d}")
    return None


def search_people(people: QuerySet[Person], query: str) -> QuerySet[Person]:
    """Exact match for identifiers; for names, every word must start a first or last name."""
    identified = by_identifier(people, query)
    if identified is not None:
        return identified
    text = query.strip()
    condition = Q()
    for word in text.split():
        condition &= Q(given_name__istartswith=word) | Q(family_name__istartswith=word)
    # Ordered by the upper-cased names, which the name-order index cannot give: PostgreSQL then
    # finds the matches through the search indexes (register migration 0004) and sorts those,
    # instead of reading the register in name order until a page of matches turns up (0.5 s
    # for "Smith" in the large demo).
    return people.filter(condition).order_by(Upper("family_name"), Upper("given_name"), "pk")
