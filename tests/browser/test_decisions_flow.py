"""In a real browser: a decision that needs sign-off is refused to its requester and approved
by someone else."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from caseload.accounts.models import AccessRole
from caseload.decisions.models import Decision, SignOffRequest
from tests.browser.conftest import sign_in
from tests.conftest import World
from tests.factories import PractitionerFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_sign_off_is_refused_to_its_requester_and_approved_by_someone_else(
    page: Any, world: World
) -> None:
    # A second manager of the same team, who may sign off what Mona asks.
    nadia = UserFactory.create(
        username="nadia",
        first_name="Nadia",
        last_name="Nadiapersona",
        access_role=AccessRole.TEAM_MANAGER,
    )
    PractitionerFactory.create(user=nadia, team=world.team_north, role="team_manager")
    case = world.case_held_by_priya

    sign_in(page, "mona")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Record a decision").click()
    expect(page.locator("#levels-of-practice")).to_contain_text(
        "A safeguarding decision needs sign-off by a team manager."
    )
    page.get_by_role("group", name="Kind of decision").get_by_label("Safeguarding").check()
    page.get_by_label("What was decided").fill("A section 42 enquiry begins")
    page.get_by_label("Options considered").fill("Enquiry; no further action")
    page.get_by_label("Rationale").fill("Reasonable cause to suspect abuse")
    page.get_by_label("The law or policy it rests on").select_option("care_act_s42")
    page.get_by_label("The person's own view").fill("Wants her son kept away")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#decision-status")).to_have_text("Awaiting sign-off")

    # Mona asked: she may not answer, even by going to the answer page herself.
    request = SignOffRequest.objects.get()
    page.goto(f"/decisions/sign-off/{request.pk}/")
    expect(page.locator(".govuk-warning-text")).to_contain_text("someone else must give it")
    page.get_by_label("Sign off the decision").check()
    page.get_by_role("button", name="Send your answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "You cannot sign off your own request"
    )
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "nadia")
    page.get_by_role("link", name="Sign-off").click()
    listed = page.get_by_role("region", name="Decisions awaiting sign-off")
    expect(listed).to_contain_text("Heldbypriya")
    listed.get_by_role("link").first.click()
    page.get_by_label("Sign off the decision").check()
    page.get_by_role("button", name="Send your answer").click()
    expect(page.locator("#decision-status")).to_have_text("Signed off")
    request.refresh_from_db()
    assert (request.state, request.decided_by) == (SignOffRequest.State.APPROVED, nadia)
    assert Decision.objects.get().status == "Signed off"
