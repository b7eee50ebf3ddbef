"""In a real browser: the team manager runs the allocation meeting and accepts the proposal,
and plans for a practitioner who will be away."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from caseload.allocation.models import Handover
from caseload.register.models import Allocation, CaseStatus
from tests.browser.conftest import sign_in
from tests.conftest import World
from tests.factories import AssessmentFactory, CaseFactory, PersonFactory

pytestmark = pytest.mark.browser


def test_manager_proposes_and_accepts_allocations(page: Any, world: World) -> None:
    case = CaseFactory.create(
        team=world.team_north,
        person=PersonFactory.create(given_name="Ada", family_name="Awaiting"),
        priority=1,
    )
    AssessmentFactory.create(case=case, assessed_by=world.mona)
    sign_in(page, "mona")
    page.get_by_role("link", name="Allocation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocation meeting")
    expect(page.get_by_role("table")).to_contain_text("Ada Awaiting")
    page.get_by_role("button", name="Propose allocations").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Proposed allocations")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Ada Awaiting"))
    expect(row).to_contain_text("Tier 2")
    expect(page.get_by_role("table", name="Each practitioner's points")).to_contain_text("→")
    page.get_by_role("button", name="Save decisions").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Allocations saved")
    case.refresh_from_db()
    assert case.status == CaseStatus.ALLOCATED
    assert Allocation.objects.get(case=case).practitioner in {
        world.priya_practitioner,
        world.colin_practitioner,
    }


def test_manager_plans_for_a_practitioner_away_next_week(page: Any, world: World) -> None:
    away_from = timezone.localdate() + timedelta(days=7)
    sign_in(page, "mona")
    page.goto(reverse("practitioner_detail", args=[world.priya_practitioner.pk]))
    page.get_by_role("link", name="What if they are away?").click()

    page.get_by_role("button", name="Show the redistribution").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose why they will be away")
    page.get_by_label("Day").first.fill(str(away_from.day))
    page.get_by_label("Month").first.fill(str(away_from.month))
    page.get_by_label("Year").first.fill(str(away_from.year))
    page.get_by_label("Annual leave").check()
    page.get_by_role("button", name="Show the redistribution").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("is away from")
    expect(page.locator(".govuk-inset-text")).to_contain_text("Saving also records")
    page.get_by_role("button", name="Save decisions").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "absence is recorded"
    )
    page.get_by_role("link", name=f"{world.priya_practitioner.full_name}'s page").click()
    expect(page.get_by_role("table", name="Cases planned to pass")).to_contain_text(
        world.colin_practitioner.full_name
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("Annual leave")
    handover = Handover.objects.get()
    assert (handover.case, handover.due_on) == (world.case_held_by_priya, away_from)


def test_manager_is_warned_before_taking_someone_past_capacity(page: Any, world: World) -> None:
    # Priya has room for one point more than she holds: any new case takes her past capacity.
    held = world.assessment_of_priyas_case.points
    world.priya_practitioner.capacity_points = held + 1
    world.priya_practitioner.save(update_fields=["capacity_points"])
    case = CaseFactory.create(
        team=world.team_north,
        person=PersonFactory.create(given_name="Olive", family_name="Overload"),
    )
    AssessmentFactory.create(case=case, assessed_by=world.mona)
    sign_in(page, "mona")
    page.goto(reverse("allocation_meeting", args=[world.team_north.pk]))
    page.get_by_role("button", name="Propose allocations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposed allocations")

    choice = page.get_by_label("Practitioner for Olive Overload")
    expect(choice.locator("option", has_text=world.priya_practitioner.full_name)).to_contain_text(
        "over capacity"
    )
    choice.select_option(str(world.priya_practitioner.pk))
    page.get_by_label("Reason, if you change the proposal for Olive Overload").fill(
        "Knows the family"
    )
    page.get_by_role("button", name="Save decisions").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(f"Giving {world.priya_practitioner.full_name} the cases of")
    assert not Allocation.objects.filter(case=case).exists()

    # The summary's links move focus once GOV.UK Frontend has started, which focuses it.
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    confirm = page.get_by_label("Yes, take them past their capacity")
    expect(confirm).to_be_focused()
    # The GOV.UK checkbox is drawn over by its label, as people click it.
    page.get_by_text("Yes, take them past their capacity").click()
    expect(confirm).to_be_checked()
    page.get_by_role("button", name="Save decisions").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Allocations saved")
    assert Allocation.objects.get(case=case).practitioner == world.priya_practitioner
