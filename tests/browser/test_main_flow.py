"""The main flow, in a real browser: sign in, find a person, record a referral with a bad NHS
number (see the error), fix it, see it in the waiting list. And a team manager's team page."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseload.audit.models import AccessLogEntry
from caseload.register.models import Case, Person
from caseload_engine.identifiers import format_nhs_number, synthetic_nhs_number
from tests.browser.conftest import sign_in, submit_sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser

BAD_NHS_NUMBER = "999 000 0019"  # 999 000 0018 is valid: the check digit is wrong


def unused_synthetic_nhs_number() -> str:
    for serial in itertools.count(777_777):
        number = synthetic_nhs_number(serial)
        if number is not None and not Person.objects.filter(nhs_number=number).exists():
            return number
    raise AssertionError("unreachable")


def fill_new_person_referral(page: Any, *, nhs_number: str) -> None:
    received = timezone.localdate() - timedelta(days=1)
    page.get_by_label("First name").fill("Norah")
    page.get_by_label("Last name").fill("Newreferral")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("14")
    born.get_by_label("Month").fill("2")
    born.get_by_label("Year").fill("1941")
    page.get_by_label("NHS number").fill(nhs_number)
    page.get_by_label("Postcode").fill("zz1 1aa")
    page.get_by_label("Primary support reason").select_option("physical_personal_care")
    page.get_by_label("Team", exact=True).select_option(label="Older People North")
    on = page.get_by_role("group", name="Date received")
    on.get_by_label("Day").fill(str(received.day))
    on.get_by_label("Month").fill(str(received.month))
    on.get_by_label("Year").fill(str(received.year))
    page.get_by_label("Time received").fill("09:30")
    page.get_by_label("Route of access").select_option("discharge_from_hospital")
    page.get_by_label("Who made the request").select_option("family_carer")


def test_practitioner_finds_a_person_and_records_a_referral(page: Any, world: World) -> None:
    priya, harriet = world.priya, world.person_of_priya

    # Sign in: a wrong password first, then the right one.
    submit_sign_in(page, "priya", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page).to_have_title(re.compile("error"))
    sign_in(page, "priya")
    expect(page.get_by_role("navigation", name="Menu")).to_contain_text("My caseload")

    # Find Harriet by surname; the search runs through HTMX without leaving the page.
    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    page.get_by_label("Search by name, NHS number or council person id").fill("Heldbypriya")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#results")
    expect(results.get_by_role("heading", name="1 result")).to_be_visible()
    expect(results.locator("tbody tr")).to_have_count(1)
    results.get_by_role("link", name="Heldbypriya, Harriet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harriet Heldbypriya")
    assert page.url.endswith(f"/people/{harriet.pk}/")
    assert AccessLogEntry.objects.filter(
        user_id=priya.pk, subjects__person_id=harriet.pk, action=AccessLogEntry.Action.VIEW_PERSON
    ).exists()

    # A referral for someone new, with an NHS number whose check digit is wrong.
    people_before = Person.objects.count()
    cases_before = Case.objects.count()
    page.get_by_role("link", name="New referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a request for support")
    fill_new_person_referral(page, nhs_number=BAD_NHS_NUMBER)
    page.get_by_role("button", name="Record request").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_count(1)
    problem = summary.get_by_role("link", name=re.compile("NHS number"))
    expect(problem).to_have_attribute("href", "#id_nhs_number")
    expect(page.locator("#id_nhs_number-error")).to_contain_text(
        "Enter a valid NHS number: the check digit does not match"
    )
    expect(page.get_by_label("NHS number")).to_have_class(re.compile("govuk-input--error"))
    expect(page.get_by_label("NHS number")).to_have_value(BAD_NHS_NUMBER)
    assert Person.objects.count() == people_before
    assert Case.objects.count() == cases_before

    # Fix the number: what else was typed is still there, so only the number changes.
    expect(page.get_by_label("Last name")).to_have_value("Newreferral")
    good = unused_synthetic_nhs_number()
    # GOV.UK Frontend moves focus to the error summary once its script has run; under load a
    # fill made before that was cut short ("99"), so wait for it.
    expect(summary).to_be_focused()
    number_field = page.get_by_label("NHS number")
    number_field.fill(format_nhs_number(good))
    expect(number_field).to_have_value(format_nhs_number(good))
    page.get_by_role("button", name="Record request").click()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(
        "Referral recorded. It is on the Older People North waiting list."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Case for Norah Newreferral")
    norah = Person.objects.get(nhs_number=good)
    assert (norah.family_name, norah.postcode) == ("Newreferral", "ZZ1 1AA")
    assert Person.objects.count() == people_before + 1

    # She is on the team's waiting list, alongside the one already waiting.
    page.get_by_role("link", name="Waiting list").click()
    assert page.url.endswith(f"/teams/{world.team_north.pk}/waiting/")
    waiting = page.locator("#waiting-list")
    row = waiting.get_by_role("row").filter(has=page.get_by_role("link", name="Norah Newreferral"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Awaiting screening")
    expect(row).to_contain_text("Discharge from hospital")
    expect(waiting.get_by_role("link", name="Wendy Waitingnorth")).to_be_visible()


def test_team_manager_sees_caseloads_of_the_team(page: Any, world: World) -> None:
    sign_in(page, "mona")
    assert page.url.endswith(f"/teams/{world.team_north.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Older People North")
    table = page.get_by_role("table", name=re.compile("Practitioners in Older People North"))
    for practitioner in (world.priya_practitioner, world.colin_practitioner):
        row = table.get_by_role("row").filter(
            has=page.get_by_role("link", name=practitioner.full_name)
        )
        expect(row).to_have_count(1)
        # Each holds one open case; Priya's closed case no longer counts. The fifth column
        # (after name, role, FTE and specialisms) is "Cases held".
        expect(row.locator("td").nth(4)).to_have_text("1")
    expect(table).not_to_contain_text(world.max_practitioner.full_name)
