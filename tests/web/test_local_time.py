"""Days are the council's days (Europe/London), not UTC's: at half past midnight in summer time
it is already tomorrow here, while UTC is still on today."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from caseload.allocation.inputs import meeting_inputs
from caseload.ui.templatetags.caseload_ui import days_since
from tests.conftest import World, client_for
from tests.factories import AssessmentFactory, CaseFactory

# 23:30 UTC on 1 July 2026 is 00:30 on 2 July in London (BST, UTC+1).
JUST_AFTER_MIDNIGHT_IN_LONDON = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)


@pytest.fixture
def after_midnight_in_summer() -> Iterator[None]:
    with time_machine.travel(JUST_AFTER_MIDNIGHT_IN_LONDON, tick=False):
        yield


@pytest.mark.usefixtures("after_midnight_in_summer")
def test_today_is_the_local_day() -> None:
    assert timezone.now().date() == date(2026, 7, 1)
    assert timezone.localdate() == date(2026, 7, 2)


@pytest.mark.usefixtures("after_midnight_in_summer")
def test_days_waiting_are_calendar_days_here() -> None:
    # 01:30 in London on 1 July: 23 hours ago, but yesterday.
    assert days_since(datetime(2026, 7, 1, 0, 30, tzinfo=UTC)) == 1
    # 23:45 in London on 30 June: 2 days, though 48 hours have not passed.
    assert days_since(datetime(2026, 6, 30, 22, 45, tzinfo=UTC)) == 2
    # 00:10 in London today, 23:10 UTC yesterday.
    assert days_since(datetime(2026, 7, 1, 23, 10, tzinfo=UTC)) == 0


@pytest.mark.usefixtures("after_midnight_in_summer")
def test_the_close_form_offers_todays_local_date(world: World) -> None:
    page = client_for(world.priya).get(reverse("case_close", args=[world.case_held_by_priya.pk]))

    assert page.status_code == 200
    assert page.context["form"]["closed_on"].value() == date(2026, 7, 2)


def test_a_case_waits_from_its_local_day(world: World) -> None:
    # 00:15 in London on 1 July, still 30 June in UTC.
    case = CaseFactory.create(
        team=world.team_north,
        status="awaiting_allocation",
        opened_at=datetime(2026, 6, 30, 23, 15, tzinfo=UTC),
    )
    AssessmentFactory.create(case=case, assessed_by=world.mona)

    inputs = meeting_inputs(world.team_north, on=date(2026, 7, 2))

    [waiting] = [c for c in inputs.cases if c.case_id == str(case.pk)]
    assert waiting.waiting_since == date(2026, 7, 1)
