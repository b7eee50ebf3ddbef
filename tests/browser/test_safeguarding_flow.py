"""In a real browser: a safeguarding concern is received, decided to a Section 42 enquiry with
the three criteria one by one, the person's desired outcomes recorded, a strategy discussion
added in place (HTMX), the enquiry concluded
with a risk outcome, and its closure signed off by the team manager."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseload.safeguarding.models import Enquiry, EnquiryStatus
from caseload_engine import sac
from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser


def _fill_day(page: Any, group: str) -> None:
    today = timezone.localdate()
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(today.day))
    fields.get_by_label("Month").fill(str(today.month))
    fields.get_by_label("Year").fill(str(today.year))


def test_concern_to_section_42_enquiry_concluded_and_signed_off(
    page: Any, world: World, browser: Any, live_server: Any
) -> None:
    person = world.person_of_priya
    # Priya receives the concern.
    priya_context = browser.new_context(base_url=live_server.url)
    try:
        priya = priya_context.new_page()
        sign_in(priya, "priya")
        priya.get_by_role("link", name="Safeguarding").click()
        priya.get_by_role("link", name="Concerns", exact=True).click()
        priya.get_by_role("link", name="Record a concern").click()
        priya.get_by_label("Council person id").fill(person.council_person_id)
        _fill_day(priya, "Date received")
        priya.get_by_label("Time received").fill("09:30")
        priya.get_by_label("From whom").select_option("health")
        priya.get_by_label("How it was received").select_option("phone")
        priya.get_by_label("What was reported").fill("Synthetic: bruises seen by the nurse")
        priya.get_by_role("group", name="Types of risk").get_by_label("Physical abuse").check()
        priya.get_by_label("Location of risk").select_option("own_home")
        priya.get_by_role("group", name="Source of risk").get_by_label(
            "Other - known to individual"
        ).check()
        priya.get_by_role("button", name="Record the concern").click()
        expect(priya.get_by_text("Concern recorded.")).to_be_visible()
    finally:
        priya_context.close()

    # Mona decides it: each criterion, then a Section 42 enquiry led by Priya.
    sign_in(page, "mona")
    page.get_by_role("link", name="Safeguarding").click()
    page.get_by_role("link", name="Concerns", exact=True).click()
    page.get_by_role("link", name=timezone.localdate().strftime("%-d %b %Y")).first.click()
    for question in ("Has needs for care and support", "Is experiencing", "As a result"):
        page.get_by_role("group", name=question).get_by_label("Yes").check()
    page.get_by_role("group", name="Decision").get_by_label("Section 42 enquiry").check()
    page.get_by_label("Who leads the enquiry").select_option(
        label=world.priya_practitioner.full_name
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Section 42 enquiry")
    enquiry = Enquiry.objects.get()
    assert enquiry.lead == world.priya_practitioner

    # Priya records the person's desired outcomes and concludes the enquiry.
    priya_context = browser.new_context(base_url=live_server.url)
    try:
        priya = priya_context.new_page()
        sign_in(priya, "priya")
        priya.goto(f"/safeguarding/enquiries/{enquiry.pk}/")
        priya.get_by_role("link", name="Record desired outcomes").click()
        priya.get_by_role("group", name="Were the person's desired outcomes asked?").get_by_label(
            "Yes, they were asked and outcomes were expressed"
        ).check()
        priya.get_by_label("Desired outcomes, in the person's own words").fill(
            "Synthetic: I want to feel safe at home"
        )
        priya.get_by_role("button", name="Save").click()
        expect(priya.get_by_text("I want to feel safe at home")).to_be_visible()
        # A strategy discussion, recorded in place: the page is not loaded again.
        priya.evaluate("window.notReloaded = true")
        priya.get_by_role("group", name="Discussion or meeting").get_by_label(
            "Strategy discussion"
        ).check()
        _fill_day(priya, "Date held")
        priya.get_by_label("Who took part").fill("Synthetic: district nurse, police")
        priya.get_by_label("What was agreed").fill("Synthetic: a joint visit")
        priya.get_by_role("button", name="Record the discussion or meeting").click()
        expect(priya.get_by_role("cell", name="Synthetic: a joint visit")).to_be_visible()
        expect(priya.get_by_role("status").filter(has_text="recorded")).to_have_text(
            "Strategy discussion recorded"
        )
        assert priya.evaluate("window.notReloaded") is True
        priya.get_by_role("link", name="Conclude the enquiry").click()
        _fill_day(priya, "Date concluded")
        priya.get_by_role("group", name="Action taken and result").get_by_label(
            "Risk identified and action taken", exact=True
        ).check()
        priya.get_by_role("group", name="Risk outcome").get_by_label("Risk reduced").check()
        priya.get_by_role("group", name="Were the desired outcomes achieved?").get_by_label(
            "Fully achieved"
        ).check()
        priya.get_by_label("Conclusion", exact=True).fill("Synthetic: carers changed")
        priya.get_by_role("button", name="Save").click()
        expect(priya.get_by_text("Concluded, awaiting sign-off")).to_be_visible()
    finally:
        priya_context.close()

    # Mona signs off the closure.
    page.goto(f"/safeguarding/enquiries/{enquiry.pk}/")
    page.get_by_role("link", name="Sign off the closure").click()
    page.get_by_role("group", name="Your decision").get_by_label("Sign off the closure").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Closure signed off.")).to_be_visible()
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.risk_outcome, enquiry.msp_achieved) == (
        EnquiryStatus.CLOSED,
        "reduced",
        "fully",
    )

    # The safeguarding lead finds it in the year's SAC return: one Section 42 enquiry started,
    # as the council returns it (the published tables would show a single one as *).
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "sally")
    page.get_by_role("link", name="Safeguarding return").click()
    page.get_by_label("Financial year").select_option(str(sac.year_of(timezone.localdate())))
    page.get_by_label("Every count: the council's return to DHSC").check()
    page.get_by_role("button", name="Show the year").click()
    started = page.get_by_role("table", name="Enquiries started")
    expect(started.get_by_role("row", name="Section 42 enquiry")).to_contain_text("1")
    concluded = page.get_by_role("table", name=re.compile("Risk outcome"))
    expect(concluded.get_by_role("row", name="Risk reduced")).to_contain_text("1")
