"""Reflow at 320 CSS pixels (WCAG 1.4.10): no page scrolls sideways, the navigation collapses
to a menu, and search and filter updates are announced through a live region."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caseload.allocation.actions import propose_for_meeting
from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}

# (who, the page) for the main pages of each role.
PAGES: list[tuple[str, Callable[[World], str]]] = [
    ("mona", lambda w: reverse("home")),
    ("mona", lambda w: reverse("person_list")),
    ("mona", lambda w: reverse("person_detail", args=[w.person_of_priya.pk])),
    ("mona", lambda w: reverse("team_detail", args=[w.team_north.pk])),
    ("mona", lambda w: reverse("team_waiting_list", args=[w.team_north.pk])),
    ("mona", lambda w: reverse("team_workload_levels", args=[w.team_north.pk])),
    ("mona", lambda w: reverse("team_workload", args=[w.team_north.pk])),
    ("priya", lambda w: reverse("team_workload", args=[w.team_north.pk])),
    ("priya", lambda w: reverse("workload_extra_hours")),
    ("mona", lambda w: reverse("practitioner_detail", args=[w.priya_practitioner.pk])),
    ("mona", lambda w: reverse("case_detail", args=[w.case_held_by_priya.pk])),
    ("mona", lambda w: reverse("allocation_meeting", args=[w.team_north.pk])),
    (
        "mona",
        lambda w: reverse(
            "allocation_proposal",
            args=[propose_for_meeting(by=w.mona, team=w.team_north).pk],
        ),
    ),
    ("mona", lambda w: reverse("allocation_what_if", args=[w.priya_practitioner.pk])),
    ("mona", lambda w: reverse("case_score", args=[w.case_waiting_north.pk])),
    ("mona", lambda w: reverse("referral_new")),
    ("pat", lambda w: reverse("complexity_model")),
    ("pat", lambda w: reverse("complexity_model_edit")),
    ("pat", lambda w: reverse("team_list")),
]


def _page_width(page: Any) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def _overflowing_tags(page: Any) -> list[str]:
    """Tags whose text runs out of their box."""
    tags: list[str] = page.evaluate(
        "[...document.querySelectorAll('.govuk-tag')]"
        ".filter(t => t.scrollWidth > t.clientWidth || t.scrollHeight > t.clientHeight)"
        ".map(t => t.textContent.trim())"
    )
    return tags


def test_main_pages_fit_320_pixels_without_scrolling_sideways(
    browser: Any, live_server: Any, world: World
) -> None:
    too_wide = {}
    tags_overflowing = {}
    for who in ("mona", "pat", "priya"):
        context = browser.new_context(base_url=live_server.url, viewport=NARROW)
        try:
            page = context.new_page()
            sign_in(page, who)
            for persona, url in PAGES:
                if persona != who:
                    continue
                response = page.goto(url(world))
                assert response is not None
                assert response.ok, url(world)
                width = _page_width(page)
                if width > NARROW["width"]:
                    too_wide[page.url] = width
                if tags := _overflowing_tags(page):
                    tags_overflowing[page.url] = tags
        finally:
            context.close()
    assert too_wide == {}, f"pages wider than 320 px: {too_wide}"
    assert tags_overflowing == {}, f"tags overflowing their box: {tags_overflowing}"


def test_wide_tables_scroll_in_a_labelled_focusable_region(page: Any, world: World) -> None:
    page.set_viewport_size(NARROW)
    sign_in(page, "mona")
    page.goto(reverse("team_detail", args=[world.team_north.pk]))
    region = page.get_by_role("region", name="Practitioners and caseloads")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # the table scrolls, not the page
    assert _page_width(page) <= NARROW["width"]


def test_navigation_collapses_to_a_menu_that_toggles(page: Any, world: World) -> None:
    page.set_viewport_size(NARROW)
    sign_in(page, "mona")
    toggle = page.get_by_role("button", name="Menu")
    navigation = page.locator("#navigation")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(navigation.get_by_role("link", name="People")).to_be_visible()
    toggle.click()
    expect(navigation).to_be_hidden()
    # On a wide screen there is no menu button: the links are shown.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(toggle).to_be_hidden()
    expect(navigation.get_by_role("link", name="People")).to_be_visible()


def test_search_results_are_announced_in_a_live_region(page: Any, world: World) -> None:
    sign_in(page, "mona")
    page.goto(reverse("person_list"))
    status = page.locator("#results-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("")
    page.get_by_label("Search by name, NHS number or council person id").fill("Heldbypriya")
    page.get_by_role("button", name="Search").click()
    # HTMX replaced the results and, out of band, only the text of the same live region.
    expect(status).to_have_text("1 person found")
    expect(page.locator("#results")).to_contain_text("Heldbypriya, Harriet")
    assert page.locator("[aria-live]").count() == 1
    page.get_by_label("Search by name, NHS number or council person id").fill("Nobodyhere")
    page.get_by_role("button", name="Search").click()
    expect(status).to_have_text("0 people found")


def test_waiting_list_filter_is_announced_in_a_live_region(page: Any, world: World) -> None:
    sign_in(page, "mona")
    page.goto(reverse("team_waiting_list", args=[world.team_north.pk]))
    status = page.locator("#waiting-list-status")
    expect(status).to_have_text("1 case waiting")
    page.get_by_label("Show").select_option("awaiting_screening")
    expect(status).to_have_text("0 cases waiting")
    expect(page.locator("#waiting-list")).to_contain_text("Nobody is waiting with this status")


def test_status_tags_fit_their_box_on_a_wide_screen_too(page: Any, world: World) -> None:
    # Tags are larger on wide screens: a long status in a cell that does not wrap overflowed.
    world.priya_practitioner.capacity_points = 4  # over the safe level: a long tag
    world.priya_practitioner.save(update_fields=["capacity_points"])
    sign_in(page, "mona")
    for url in (
        reverse("team_waiting_list", args=[world.team_north.pk]),
        reverse("case_detail", args=[world.case_waiting_north.pk]),
        reverse("team_detail", args=[world.team_north.pk]),
        reverse("allocation_meeting", args=[world.team_north.pk]),
    ):
        page.goto(url)
        assert page.locator(".govuk-tag").count() > 0, url
        assert _overflowing_tags(page) == [], url


def test_a_refused_search_shows_its_error_once(page: Any, world: World) -> None:
    sign_in(page, "mona")
    page.goto(reverse("person_list"))
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name")
    expect(page.get_by_role("heading", name="People", level=1)).to_have_count(1)
    page.get_by_label("Search by name, NHS number or council person id").fill("Heldbypriya")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-status")).to_have_text("1 person found")
