"""In a real browser: the manager asks for a proposal, watches the job's page while a worker
solves it, and lands on the proposal; and reads a notification."""

from __future__ import annotations

import io
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pytest_django.fixtures import Settings

from caseload.jobs.models import Job
from caseload.notifications.actions import notify
from caseload.notifications.models import Notification, NotificationKind
from tests.browser.conftest import sign_in
from tests.conftest import World
from tests.factories import AssessmentFactory, CaseFactory, PersonFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def database_queue(settings: Settings) -> Iterator[None]:
    """Jobs wait in the database for a worker, as in production (signal handlers restored)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


@pytest.mark.usefixtures("database_queue")
def test_the_proposal_job_shows_progress_then_the_proposal(page: Any, world: World) -> None:
    case = CaseFactory.create(
        team=world.team_north,
        person=PersonFactory.create(given_name="Jo", family_name="Jobwaiting"),
    )
    AssessmentFactory.create(case=case, assessed_by=world.mona)
    sign_in(page, "mona")
    page.get_by_role("link", name="Allocation").click()
    page.get_by_role("button", name="Propose allocations").click()

    # Queued: nobody has picked it up yet, and the page keeps asking.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Allocation proposal for Older People North"
    )
    expect(page.locator("#job-status")).to_contain_text("Waiting to start")
    progress = page.get_by_role("progressbar")
    expect(progress).to_have_attribute("value", "0")
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED
    with page.expect_request(lambda request: request.url.endswith(f"/jobs/{job.pk}/")):
        pass  # the page polls

    # A worker takes it; the page follows it to the proposal.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposed allocations")
    expect(page.get_by_role("row").filter(has_text="Jo Jobwaiting")).to_contain_text("Tier 2")
    assert page.url.endswith(Job.objects.get().result_url)


def test_a_notification_is_counted_and_marked_read(page: Any, world: World) -> None:
    notify(
        recipient=world.priya,
        kind=NotificationKind.NEW_ALLOCATION,
        title="1 case allocated to you",
        body="Allocated to you by Mona Monapersona:\nHarriet Heldbypriya",
        link=f"/practitioners/{world.priya_practitioner.pk}/",
    )
    sign_in(page, "priya")
    header = page.locator(".govuk-header")
    expect(header.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    header.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("1 case allocated to you")
    expect(page.locator(".caseload-notification")).to_contain_text("Harriet Heldbypriya")
    page.get_by_role("button", name="Mark as read").click()
    expect(header.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    assert Notification.objects.get().is_read
