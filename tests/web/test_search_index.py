"""The people search by name: what it finds and, on PostgreSQL, that its indexes serve it."""

from __future__ import annotations

import pytest
from django.db import connection

from caseload.register.models import Person
from caseload.register.search import search_people
from tests.factories import PersonFactory


def test_names_match_by_prefix_of_either_name_in_any_case(db: None) -> None:
    smith = PersonFactory.create(given_name="Ann", family_name="smith")
    smithers = PersonFactory.create(given_name="Bob", family_name="Smithers")
    PersonFactory.create(given_name="Cara", family_name="Blacksmith")
    given = PersonFactory.create(given_name="Smita", family_name="Patel")

    found = list(search_people(Person.objects.all(), "SMI"))

    # Ordered by name whatever its case: "smith" before "Smithers".
    assert found == [given, smith, smithers]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
def test_the_name_search_uses_the_prefix_indexes(db: None) -> None:
    PersonFactory.create_batch(5)
    sql, params = search_people(Person.objects.all(), "smi you")[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows would be read whole: make the planner show what it could use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_family_name_upper_prefix_idx" in plan
    assert "person_given_name_upper_prefix_idx" in plan
