"""In a real browser: the team manager runs the allocation meeting and accepts the proposal."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

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
