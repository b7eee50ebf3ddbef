"""The demo council's establishment: funded posts for every team and role with staff, from the
start of the financial year, with last year's figures before them; some teams short of staff,
and a few of their vacant posts covered by agency workers.

Worked out from the practitioners already loaded, so it fits whatever council the generator
made: each role is funded for its employed FTE, plus a vacancy in every third team.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.utils import timezone

from caseload.accounts.models import User
from caseload.register.models import Employment, Practitioner
from caseload.resource.figures import in_post_on
from caseload.resource.models import ESTABLISHMENT_ROLES, Establishment
from caseload_engine.reference import Role

# Every VACANT_EVERY-th team has posts no one holds; in every other one of those, a social
# worker from an agency covers one of them.
VACANT_EVERY = 3
AGENCY_EVERY = 2 * VACANT_EVERY
VACANCIES = (Decimal("1.0"), Decimal("1.5"), Decimal("2.0"), Decimal("0.5"))
# The roles short of staff: where councils report their vacancies.
SHORT_ROLES = (Role.SOCIAL_WORKER, Role.EXPERIENCED)


def financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def load_demo_establishment(*, as_of: date, recorded_by: User, seed: int) -> int:
    """Writes the establishment rows and marks a few social workers as agency staff; returns
    the rows written."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    staff: dict[int, dict[str, list[Practitioner]]] = defaultdict(lambda: defaultdict(list))
    for practitioner in Practitioner.objects.filter(
        in_post_on(as_of), role__in=ESTABLISHMENT_ROLES
    ).order_by("team__name", "role", "pk"):
        if practitioner.team_id is not None:  # always, by in_post_on: for the type checker
            staff[practitioner.team_id][practitioner.role].append(practitioner)
    this_year = financial_year_start(as_of)
    last_year = date(this_year.year - 1, 4, 1)
    recorded_at = timezone.now()
    rows: list[Establishment] = []
    agency: list[int] = []
    for index, (team_id, roles) in enumerate(staff.items()):
        for role, people in roles.items():
            funded = sum((p.fte for p in people), Decimal(0))
            if index % VACANT_EVERY == 0 and role in SHORT_ROLES:
                funded += rng.choice(VACANCIES)
            if index % AGENCY_EVERY == 0 and role == Role.SOCIAL_WORKER and len(people) > 1:
                agency.append(people[-1].pk)
            rows += [
                Establishment(
                    team_id=team_id,
                    role=role,
                    funded_fte=fte,
                    effective_from=day,
                    recorded_by=recorded_by,
                    recorded_at=recorded_at,
                )
                for day, fte in (
                    # Last year's budget: a post fewer where there was more than one.
                    (last_year, funded - 1 if funded > 1 else funded),
                    (this_year, funded),
                )
            ]
    Practitioner.objects.filter(pk__in=agency).update(employment=Employment.AGENCY)
    Establishment.objects.bulk_create(rows)
    return len(rows)
