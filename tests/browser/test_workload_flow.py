"""In a real browser: a manager sees an over-capacity practitioner flagged, a workload concern
is raised and answered, and one left unanswered shows as escalated for the principal social
worker once the daily run has been."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from caseload.jobs import tasks
from caseload.jobs.actions import record_job
from caseload.workload.actions import raise_concern
from caseload.workload.models import WorkloadConcern
from tests.browser.conftest import sign_in
from tests.conftest import LONDON, World

pytestmark = pytest.mark.browser


def test_a_concern_is_answered_and_an_unanswered_one_reaches_the_psw(
    page: Any, world: World
) -> None:
    priya = world.priya_practitioner
    priya.capacity_points = Decimal(4)  # she holds 5 points: 125%, over the red level
    priya.save(update_fields=["capacity_points"])
    # A concern from three weeks ago, never answered.
    with time_machine.travel(
        datetime.combine(timezone.localdate() - timedelta(days=21), time(10), tzinfo=LONDON)
    ):
        raise_concern(by=world.priya, concern="Synthetic: the duty rota leaves no time to visit.")

    sign_in(page, "priya")
    page.get_by_role("link", name="Workload").first.click()
    page.get_by_role("link", name="Say your workload is unsafe").click()
    page.get_by_label("What makes your workload unsafe").fill(
        "Synthetic: three tier 3 cases arrived this week."
    )
    page.get_by_role("button", name="Send to my manager").click()
    expect(page.locator(".govuk-notification-banner, .govuk-tag").first).to_be_visible()
    expect(page.get_by_text("Awaiting an answer")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "mona")
    page.get_by_role("link", name="Workload").first.click()
    page.get_by_role("link", name="Older People North").click()
    row = page.get_by_role("row", name=priya.full_name)
    expect(row).to_contain_text("125%")
    expect(row).to_contain_text("Over the red level")
    page.goto("/workload/concerns/")
    page.get_by_role("link").filter(has_text=timezone.localdate().strftime("%-d %b %Y")).click()
    expect(page.get_by_text("three tier 3 cases")).to_be_visible()
    page.get_by_label("Your answer").fill("Two of them move to Colin on Monday.")
    page.get_by_role("button", name="Answer on the record").click()
    expect(page.get_by_text("Two of them move to Colin on Monday.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The daily workload run, as `caseload daily` runs each daily job.
    job = record_job(
        by=None,
        kind="workload_daily",
        title="Workload",
        parameters={"on": timezone.localdate().isoformat()},
    )
    tasks.execute(job.pk)
    assert WorkloadConcern.objects.filter(escalated_at__isnull=False).count() == 1

    sign_in(page, "pat")
    page.get_by_role("link", name="Workload").first.click()
    page.get_by_role("link", name="Escalated workload concerns").click()
    listed = page.get_by_role("region", name="Workload concerns")
    expect(listed).to_contain_text(priya.full_name)
    expect(listed).to_contain_text("Escalated to the principal social worker")
    listed.get_by_role("link").first.click()
    expect(page.get_by_text("the duty rota leaves no time to visit")).to_be_visible()
