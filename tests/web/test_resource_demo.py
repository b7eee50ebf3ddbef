"""The demo council's establishment: every team funded, some short of staff, a few agency
workers, and the resource page over it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from caseload.accounts.models import User
from caseload.demo_loader import load_demo_council
from caseload.register.models import Employment, Practitioner, Team
from caseload.resource import figures
from caseload.resource.models import Establishment
from tests.conftest import client_for

AS_OF = date(2026, 11, 20)


@pytest.mark.django_db
def test_the_demo_council_has_an_establishment_with_vacancies_and_agency_cover() -> None:
    load_demo_council(size="small", seed=7, as_of=AS_OF, password="pw-demo-12345")
    assert set(Establishment.objects.values_list("effective_from", flat=True)) == {
        date(2025, 4, 1),
        date(2026, 4, 1),
    }
    teams = figures.establishment_by_team(on=AS_OF)
    assert len(teams) == Team.objects.count()
    assert all(team.total.funded_fte for team in teams)
    assert any(team.vacancy_fte > 0 for team in teams)
    assert any(team.vacancy_fte == 0 for team in teams)
    assert Practitioner.objects.filter(employment=Employment.AGENCY).exists()
    assert figures.council_totals(teams).total.agency_fte > 0
    page = client_for(User.objects.get(username="director")).get(reverse("resource"))
    assert page.status_code == 200
