"""In a real browser: a team manager sets up sign-in codes and signs in with one, and the main
pages run under the Content Security Policy without a single violation."""

from __future__ import annotations

import re
from base64 import b32decode
from typing import Any

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from caseload.security.two_factor import RECOVERY_CODE_COUNT
from tests.browser.conftest import enter_code, sign_in, submit_sign_in
from tests.conftest import World
from tests.factories import AssessmentFactory, CaseFactory, authenticator_code

pytestmark = pytest.mark.browser


def test_manager_sets_up_codes_then_signs_in_with_one(page: Any, world: World) -> None:
    submit_sign_in(page, "mona", "correct-horse-battery")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your sign-in codes")
    expect(page.locator(".caseload-qr svg")).to_be_visible()
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)

    # The phone: the key as typed from the page, and the code it then shows.
    key = "".join(page.locator("#secret").inner_text().split())
    code = f"{TOTP(b32decode(key + '=' * (-len(key) % 8))).token():06d}"
    enter_code(page, "000000" if code != "000000" else "111111")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    enter_code(page, code)

    expect(page.get_by_role("heading", level=2, name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(RECOVERY_CODE_COUNT)
    page.get_by_role("button", name="I have kept my recovery codes").click()
    assert page.url.endswith(f"/teams/{world.team_north.pk}/")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to caseload")

    # Next time: the password, then a code from the app.
    submit_sign_in(page, "mona", "correct-horse-battery")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    enter_code(page, authenticator_code(TOTPDevice.objects.get(user=world.mona)))
    expect(page.get_by_role("heading", level=1)).to_have_text("Older People North")


@pytest.fixture
def console_errors(page: Any) -> list[str]:
    """Every console error and uncaught exception on the page: Chromium reports each CSP
    violation (a blocked inline script, style or handler) as a console error."""
    errors: list[str] = []

    def on_console(message: Any) -> None:
        # The Django admin's pages link no icon, so the browser asks for /favicon.ico: not ours.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def visit(page: Any, url: str, *, govuk: bool = True) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    cache_control = [h for h in response.headers_array() if h["name"].lower() == "cache-control"]
    assert len(cache_control) == 1, cache_control
    assert cache_control[0]["value"].split(", ").count("no-store") == 1
    if not govuk:
        return
    # GOV.UK Frontend started from the static module (it marks each component it starts).
    expect(page.locator("body.js-enabled.govuk-frontend-supported")).to_have_count(1)
    expect(page.locator("[data-govuk-skip-link-init]")).to_have_count(1)


def test_main_pages_run_without_a_csp_violation(
    page: Any, world: World, console_errors: list[str]
) -> None:
    case = CaseFactory.create(team=world.team_north, priority=1)
    AssessmentFactory.create(case=case, assessed_by=world.mona)

    page.goto(reverse("login"))
    sign_in(page, "mona")
    for url in (
        reverse("team_detail", args=[world.team_north.pk]),
        reverse("team_waiting_list", args=[world.team_north.pk]),
        reverse("person_detail", args=[world.person_of_priya.pk]),
        reverse("case_detail", args=[world.case_held_by_priya.pk]),
        reverse("case_score", args=[world.case_held_by_priya.pk]),
        reverse("complexity_model"),
        reverse("allocation_meeting", args=[world.team_north.pk]),
    ):
        visit(page, url)

    # The proposal's capacity bars, drawn without style attributes.
    page.get_by_role("button", name="Propose allocations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposed allocations")
    bar = page.locator("svg.caseload-bar").first
    held = bar.locator(".caseload-bar__before").bounding_box()["width"]
    assert 0 < held < bar.bounding_box()["width"] / 2  # Priya holds 6% of her capacity

    # HTMX still works: the search swaps in its results.
    visit(page, reverse("person_list"))
    page.get_by_label("Search by name, NHS number or council person id").fill("Heldbypriya")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results").get_by_role("heading", name="1 result")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "ada")
    # Django's own admin pages, with their own scripts.
    visit(page, reverse("admin:index"), govuk=False)
    visit(page, reverse("admin:accounts_user_changelist"), govuk=False)
    visit(page, reverse("admin:accounts_user_change", args=[world.priya.pk]), govuk=False)

    assert console_errors == []


def test_a_blocked_inline_script_would_be_reported(
    page: Any, world: World, console_errors: list[str]
) -> None:
    """The check above can fail: an inline script added to a page is refused and reported."""
    page.goto(reverse("login"))
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    assert page.evaluate("() => window.ran === undefined")
    expect_violation = re.compile("Content Security Policy")
    assert any(expect_violation.search(text) for text in console_errors), console_errors
