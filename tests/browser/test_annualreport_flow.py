"""In a real browser: the principal social worker builds the annual report's draft from the
live data, edits a section's words, publishes it, and downloads it as a PDF."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseload.annualreport.models import AnnualReport
from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser


def _fill_day(page: Any, group: str, day: Any) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def test_the_psw_builds_edits_publishes_and_downloads_the_report(
    page: Any, world: World, tmp_path: Path
) -> None:
    today = timezone.localdate()
    sign_in(page, "pat")
    page.get_by_role("link", name="Annual report").click()
    page.get_by_label("Title").fill("Synthetic annual report for Ŵyn and Zoë")
    _fill_day(page, "Start of the period", today - timedelta(days=364))
    _fill_day(page, "End of the period", today)
    page.get_by_role("button", name="Build the draft").click()
    expect(page.get_by_text("The draft is built from today's data.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Synthetic annual report for Ŵyn and Zoë"
    )

    page.get_by_role("link", name="Edit the words of “Next year's priorities”").click()
    page.get_by_label("The section's words").fill(
        "Synthetic: strengths-based practice in every team.\n\nSynthetic: shorter waits."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Next year's priorities” is saved.")).to_be_visible()
    expect(page.get_by_text("Synthetic: shorter waits.")).to_be_visible()

    page.get_by_role("button", name="Publish this draft").click()
    expect(page.get_by_text("Version 1 is published.")).to_be_visible()
    published = AnnualReport.objects.get(version=1)
    assert page.url.endswith(f"/annual-report/{published.pk}/")
    expect(page.get_by_role("button", name="Publish this draft")).to_have_count(0)

    link = page.get_by_role("link", name="PDF")
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename.endswith("-v1.pdf")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
