"""In a real browser: the principal social worker reads the year's SAC tables, downloads them,
sees the quality charts drawn, and opens an enquiry from the sample to read."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseload_engine import sac
from tests.browser.conftest import sign_in
from tests.conftest import World
from tests.factories import PersonFactory
from tests.safeguarding_factories import ConcludedEnquiryFactory

pytestmark = pytest.mark.browser


def test_the_return_its_download_and_the_quality_view(
    page: Any, world: World, tmp_path: Path
) -> None:
    # Concluded last month: the quality view's month unless another is chosen.
    concluded_on = timezone.localdate().replace(day=1) - timedelta(days=1)
    enquiries = [
        ConcludedEnquiryFactory.create(
            concern__team=world.team_north,
            concern__person=person,
            started_on=concluded_on - timedelta(days=30),
            concluded_on=concluded_on,
        )
        for person in PersonFactory.create_batch(6)
    ]
    year = str(sac.year_of(concluded_on))
    sign_in(page, "pat")
    page.get_by_role("link", name="Safeguarding return").click()
    page.get_by_label("Financial year").select_option(year)
    page.get_by_role("button", name="Show the year").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(year)
    started = page.get_by_role("table", name="Enquiries started")
    expect(started.get_by_role("row", name="Section 42 enquiry")).to_contain_text("6")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"JSON of the {year} tables").click()
    saved = tmp_path / "sac.json"
    download.value.save_as(saved)
    assert json.loads(saved.read_text("utf-8"))["year"] == year

    page.get_by_role("link", name="Safeguarding quality").click()
    for figure in page.locator("figure[data-caseload-chart]").all():
        expect(figure).to_have_class("caseload-chart caseload-chart--drawn")
    sample = page.get_by_role("table", name="Enquiries in the sample")
    expect(sample.get_by_role("row")).to_have_count(6)  # the header and 5 of the 6
    sample.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/safeguarding/enquiries/\d+/$"))
    assert int(page.url.rstrip("/").rsplit("/", 1)[1]) in {e.pk for e in enquiries}
