"""In a real browser: the director finds a team short of social workers on the Resource page,
sets its establishment through the form, and sees the vacancy; the team's manager sees it too,
and only their own team."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser


def test_director_sets_an_establishment_and_the_manager_sees_the_vacancy(
    page: Any, world: World, browser: Any, live_server: Any
) -> None:
    today = timezone.localdate()
    sign_in(page, "dee")
    page.get_by_role("link", name="Resource").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource")
    page.get_by_role("link", name="Older People North").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource: Older People North")
    page.get_by_role("link", name="Set the funded FTE for Social worker in this team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set an establishment")
    page.get_by_label("Funded FTE").fill("3.5")
    when = page.get_by_role("group", name="Effective from")
    when.get_by_label("Day").fill(str(today.day))
    when.get_by_label("Month").fill(str(today.month))
    when.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Save").click()
    # Priya and Colin hold 2 of the 3.5 funded posts.
    row = page.get_by_role("row", name="Social worker 3.50 2.00 2 1.50 (43%)")
    expect(row).to_be_visible()
    if os.environ.get("CASELOAD_SCREENSHOTS"):
        page.screenshot(path=os.environ["CASELOAD_SCREENSHOTS"], full_page=True)

    manager = browser.new_context(base_url=live_server.url)
    other = manager.new_page()
    sign_in(other, "mona")
    other.get_by_role("link", name="Resource").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Resource: Older People North")
    expect(other.get_by_role("row", name="Social worker 3.50 2.00 2 1.50 (43%)")).to_be_visible()
    expect(other.get_by_text("Mental Health South")).to_have_count(0)
    manager.close()
