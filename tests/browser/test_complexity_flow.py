"""In a real browser: score a case, watch the tier update as factors are chosen, see the
tier and its explanation on the case."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from caseload.complexity.models import Assessment, ModelVersion
from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser

CHOICES = {
    "Risk": "3 — High",
    "Breadth of need": "2 — Several",
    "Depth of need": "3 — Intensive",
    "Legal and statutory complexity": "2 — Involved",
    "Stability of the situation": "3 — Crisis",
    "Relationships and engagement": "2 — Mixed",
}


def test_practitioner_scores_a_case_and_sees_tier_and_explanation(page: Any, world: World) -> None:
    case = world.case_waiting_north
    sign_in(page, "priya")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Score complexity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Score complexity")

    previews: list[str] = []
    page.on("request", lambda r: previews.append(r.url) if "/complexity/preview" in r.url else None)
    preview = page.locator("#tier-preview")
    expect(preview).to_contain_text("0 of 6 factors scored")
    factors = list(CHOICES.items())
    for index, (factor, choice) in enumerate(factors):
        group = page.get_by_role("group", name=factor)
        group.get_by_label(choice).check()
        if index == 0:
            # HTMX posts each change and swaps in the running total.
            expect(preview).to_contain_text("1 of 6 factors scored")
        page.get_by_label(f"Why {factor.lower()} scores this").fill(f"Reason for {factor}")
    expect(preview).to_contain_text("Tier 3")
    expect(preview).to_contain_text("Total 15")
    # Only a score moves the total: at most one preview per score (of the changes made while a
    # preview is in flight, HTMX sends only the last, with every score), none for a reason.
    scored = len(previews)
    assert 1 <= scored <= len(CHOICES)
    page.get_by_label("Why risk scores this").fill("A reason for risk, edited")
    page.get_by_label("Why breadth of need scores this").focus()
    # A preview would be sent at once on the blur; give it time to show up if it were.
    page.wait_for_timeout(500)
    assert len(previews) == scored

    page.get_by_role("button", name="Save score").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Tier 3")
    panel = page.locator(".govuk-summary-card")
    expect(panel).to_contain_text("Tier 3: total 15 ≥ 14")
    expect(panel).to_contain_text("Risk 3")
    expect(panel).to_contain_text("Why: A reason for risk, edited")
    assert Assessment.objects.get(case=case, is_current=True).tier == 3


def test_missing_scores_are_listed_and_linked(page: Any, world: World) -> None:
    sign_in(page, "priya")
    page.goto(f"/cases/{world.case_waiting_north.pk}/complexity/")
    page.get_by_role("button", name="Save score").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select a score for Risk")
    # The summary's links move focus once GOV.UK Frontend has started, which focuses it.
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Select a score for Risk").click()
    expect(page.locator("#id_risk_0")).to_be_focused()
    assert not Assessment.objects.filter(case=world.case_waiting_north).exists()


def test_principal_social_worker_edits_factors_and_tiers_in_forms(page: Any, world: World) -> None:
    sign_in(page, "pat")
    page.goto("/complexity/")
    page.get_by_role("link", name="Edit factors and tiers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the factors and tiers")

    # A row added server-side, with no script: the page comes back with an empty seventh factor.
    page.get_by_role("button", name="Add a factor").click()
    expect(page.get_by_role("group", name="Factor 7")).to_be_visible()

    # A gap between tiers is refused by the engine's validator, on the row it names.
    tier_2 = page.get_by_role("group", name="Tier row 2")
    tier_2.get_by_label("Lowest total").fill("11")
    page.get_by_label("What changed in this version").fill("Risk renamed; tier 3 heavier")
    page.get_by_role("button", name="Publish new version").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("tiers[2].minimum: Totals 10-10 fall in no tier")
    expect(page.get_by_role("group", name="Tier row 2")).to_contain_text("Totals 10-10")

    page.get_by_role("group", name="Tier row 2").get_by_label("Lowest total").fill("10")
    page.get_by_role("group", name="Tier row 3").get_by_label("Points").fill("9")
    page.get_by_role("group", name="Factor 1: Risk").get_by_label("Name", exact=True).fill(
        "Risk of harm"
    )
    page.get_by_role("button", name="Publish new version").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Published version 2"
    )
    expect(page.get_by_role("heading", name="1. Risk of harm")).to_be_visible()
    version = ModelVersion.current()
    assert (version.number, version.model.factors[0].name, version.model.band(3).points) == (
        2,
        "Risk of harm",
        9,
    )
