"""In a real browser: the principal social worker opens a survey round, a practitioner answers
it once, and the Health Check is published; printed, the report has no navigation and its
tables' rows are whole."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseload.healthcheck.models import Answer, PublishedReport
from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser


def _fill_day(page: Any, group: str, day: Any) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def test_survey_answered_once_and_health_check_published(
    page: Any, world: World, browser: Any, live_server: Any
) -> None:
    today = timezone.localdate()
    sign_in(page, "pat")
    page.get_by_role("link", name="Health Check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Employer Standards Health Check")
    page.get_by_role("link", name="Survey rounds").click()
    page.get_by_label("Period").fill("2026")
    _fill_day(page, "Opens on", today)
    _fill_day(page, "Closes on", today + timedelta(days=14))
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_text("The survey round for 2026 is open.")).to_be_visible()

    # Closed at the end: an open page keeps asking the live server for its notices after the
    # test, when the test's database is gone.
    priya_context = browser.new_context(base_url=live_server.url)
    try:
        priya = priya_context.new_page()
        sign_in(priya, "priya")
        priya.get_by_role("link", name="Workload survey").click()
        priya.get_by_label("How many hours do you work in a usual week?").fill("41.5")
        priya.get_by_label("How many cases do you hold now?").fill("19")
        priya.get_by_label("How many new cases do you expect").fill("3")
        priya.get_by_role("group", name="Work is allocated fairly in my team").get_by_label(
            "Agree", exact=True
        ).check()
        priya.get_by_role("group", name="I can discuss my workload with my managers").get_by_label(
            "Disagree", exact=True
        ).check()
        priya.get_by_role("button", name="Send my answers").click()
        expect(priya.get_by_text("your answers are recorded, without your name")).to_be_visible()
        expect(priya.get_by_text("You have answered this round")).to_be_visible()
        assert Answer.objects.count() == 1
    finally:
        priya_context.close()

    page.goto("/health-check/")
    # One answer is fewer than five: the survey's results are not shown.
    expect(page.get_by_text("Fewer than 5 answers so far")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.get_by_role("button", name="Publish this Health Check")).to_be_hidden()
    expect(page.get_by_role("heading", name="Caseloads and the safe working level")).to_be_visible()
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Publish this Health Check").click()
    published = PublishedReport.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Employer Standards Health Check")
    assert page.url.endswith(f"/health-check/published/{published.pk}/")
    expect(page.get_by_text("the figures are as they were then")).to_be_visible()
