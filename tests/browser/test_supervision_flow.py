"""In a real browser: a manager records a supervision with a case decision and an action, both
sign, and the action is on the practitioner's list until she marks it done; the session takes
the practitioner off the team's overdue list."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseload.register.models import Practitioner
from caseload.supervision.models import Action, Session
from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser


def _overdue_names(page: Any, team_id: int) -> list[str]:
    """The practitioners' names in the first column of the team's overdue list."""
    page.goto(f"/supervision/teams/{team_id}/overdue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue supervision")
    return [name.strip() for name in page.locator("tbody tr td:first-child").all_inner_texts()]


def test_manager_records_supervision_and_the_action_reaches_the_practitioner(
    page: Any, world: World, browser: Any, live_server: Any
) -> None:
    priya = world.priya_practitioner
    priya_name = f"{priya.given_name} {priya.family_name}"
    case = world.case_held_by_priya
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    # In post 40 days with no session: monthly supervision fell due about ten days ago. A
    # 90-minute session yesterday counts, so the next one is due a month after it.
    Practitioner.objects.filter(pk=priya.pk).update(start_date=today - timedelta(days=40))
    sign_in(page, "mona")
    assert priya_name in _overdue_names(page, world.team_north.pk)

    page.goto(f"/practitioners/{priya.pk}/")
    page.get_by_role("link", name="Supervision: agreement and records").click()
    page.get_by_role("link", name="Record a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record supervision")

    when = page.get_by_role("group", name="Date of the session")
    when.get_by_label("Day").fill(str(yesterday.day))
    when.get_by_label("Month").fill(str(yesterday.month))
    when.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Length in minutes").fill("90")
    page.get_by_label("One-to-one").check()
    discussion = page.get_by_role("group", name=re.compile(r"^Case discussion 1"))
    discussion.get_by_label("Case", exact=True).select_option(str(case.pk))
    discussion.get_by_label("Discussion", exact=True).fill("Carer under strain")
    discussion.get_by_label("Decision").fill("Offer a carer's assessment")
    discussion.get_by_label("Action from this discussion").fill("Book the carer's assessment")
    due = discussion.get_by_role("group", name="Due by")
    due.get_by_label("Day").fill("1")
    due.get_by_label("Month").fill("2")
    due.get_by_label("Year").fill(str(yesterday.year + 1))
    page.get_by_label("Wellbeing").fill("Synthetic: coping")
    page.get_by_role("button", name="Record supervision").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("recorded")
    expect(page.locator(".govuk-summary-card")).to_contain_text("Offer a carer's assessment")
    page.get_by_role("button", name="Sign as the supervisor").click()
    session = Session.objects.get()
    assert session.supervisor_signed_at is not None
    assert priya_name not in _overdue_names(page, world.team_north.pk)

    # Priya, in her own browser session: the action is on her list.
    other = browser.new_context(base_url=live_server.url)
    priya_page = other.new_page()
    try:
        sign_in(priya_page, "priya")
        priya_page.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Supervision"
        ).click()
        expect(priya_page.get_by_role("table")).to_contain_text("Book the carer's assessment")
        priya_page.get_by_role("link", name=re.compile("supervision,")).click()
        priya_page.get_by_role("button", name="Sign as the supervisee").click()
        expect(priya_page.locator(".govuk-inset-text").first).to_contain_text("locked")
        priya_page.goto("/supervision/actions/")
        priya_page.get_by_role("button", name=re.compile("^Done")).click()
        # The row is swapped in place (HTMX), and says so to a screen reader.
        expect(priya_page.get_by_role("status")).to_contain_text("Done")
        priya_page.reload()
        expect(priya_page.get_by_text("No open supervision actions.")).to_be_visible()
    finally:
        other.close()
    session.refresh_from_db()
    assert session.is_locked
    assert Action.objects.get().done_by == world.priya
