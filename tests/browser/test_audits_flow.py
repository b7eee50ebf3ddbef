"""In a real browser: the PSW draws the month's sample and assigns Priya's case to Mona, Mona
completes the audit against the case record, Priya responds, the PSW moderates, and the
audit's action is on the agenda of Priya's next supervision."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseload.audits.models import Audit, AuditStatus, ToolVersion
from caseload_engine import audit_tool
from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser
ACTION = "Record the person's own words about the outcomes they want"


@contextmanager
def signed_in(browser: Any, live_server: Any, username: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, username)
        yield page
    finally:
        context.close()


def test_sample_audit_response_moderation_and_the_supervision_agenda(
    page: Any, world: World, browser: Any, live_server: Any
) -> None:
    case = world.case_held_by_priya
    month = timezone.localdate().replace(day=1)
    sign_in(page, "pat")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Case file audits").click()
    page.get_by_role("link", name="Draw a month's sample and assign auditors").click()
    page.get_by_label("Month").fill(f"{month:%Y-%m}")
    # Every case of the team, so that Priya's is in the sample whichever month this runs in
    # (two a team are drawn by default, and December 2026's draw left hers out).
    page.get_by_label("Cases per team").fill("10")
    page.get_by_role("button", name="Draw the sample").click()
    page.get_by_label(f"Auditor for case {case.pk}").select_option(label="Mona Monapersona")
    page.get_by_role("button", name=f"Assign case {case.pk}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("assigned")
    audit = Audit.objects.get(case=case, month=month)

    with signed_in(browser, live_server, "mona") as mona:
        mona.goto(f"/audits/{audit.pk}/")
        mona.get_by_role("link", name="Carry out the audit").click()
        expect(mona.get_by_role("heading", level=1)).to_contain_text("Case file audit")
        expect(mona.get_by_role("table", name="Who held the case")).to_contain_text(
            "Priya Priyapersona"
        )
        for question in ToolVersion.current().tool.questions:
            if question.kind is audit_tool.Kind.GRADED:
                mona.locator(f'input[name="{question.key}"][value="3"]').check()
            elif question.kind is audit_tool.Kind.YES_NO:
                mona.locator(f'input[name="{question.key}"][value="yes"]').check()
        mona.locator('input[name="grade"][value="2"]').check()
        mona.get_by_label("Summary for the practitioner").fill("Synthetic: outcomes thin")
        mona.get_by_label("Actions for the practitioner").fill(ACTION)
        mona.get_by_role("button", name="Complete the audit").click()
        expect(mona.locator(".govuk-notification-banner--success")).to_contain_text("completed")

    with signed_in(browser, live_server, "priya") as priya:
        priya.goto(f"/audits/{audit.pk}/")
        expect(priya.get_by_text("Requires improvement").first).to_be_visible()
        priya.get_by_label("Your response").fill("Synthetic: agreed, will do")
        priya.get_by_role("button", name="Respond").click()
        expect(priya.locator(".govuk-notification-banner--success")).to_contain_text("response")

    page.goto(f"/audits/{audit.pk}/")
    page.get_by_role("link", name="Moderate this audit").click()
    page.get_by_label("Good", exact=True).check()
    page.get_by_role("button", name="Record moderation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Moderation")

    with signed_in(browser, live_server, "mona") as mona:
        mona.goto(f"/supervision/practitioners/{world.priya_practitioner.pk}/record/")
        expect(mona.get_by_role("heading", level=1)).to_have_text("Record supervision")
        expect(mona.locator(".govuk-inset-text")).to_contain_text(ACTION)

    audit.refresh_from_db()
    assert audit.status == AuditStatus.COMPLETED
    assert (audit.grade, audit.moderated_grade) == (2, 3)
    assert audit.response == "Synthetic: agreed, will do"
