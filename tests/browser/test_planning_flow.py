"""In a real browser: the director opens workforce planning, edits an assumption, runs the
plan, watches the job's progress until a worker finishes it, saves the plan, and compares it
with the plan saved before."""

from __future__ import annotations

import io
import re
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pytest_django.fixtures import Settings

from caseload.jobs.models import Job
from caseload.planning.models import WorkforcePlan
from tests.browser.conftest import sign_in
from tests.conftest import World
from tests.planning_factories import saved_plan, stub_calibration

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
def test_the_director_runs_saves_and_compares_a_plan(
    page: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_calibration(monkeypatch)
    saved_plan(by=world.pat, name="Today's staffing")
    sign_in(page, "dee")
    page.get_by_role("link", name="Workforce planning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce planning")

    # Two more social workers: the second role's FTE, in the assumptions' YAML.
    assumptions = page.get_by_label("Assumptions (YAML)")
    text = assumptions.input_value()
    assert text.count("fte: 4.0") == 1
    assumptions.fill(text.replace("fte: 4.0", "fte: 6.0"))
    page.get_by_role("button", name="Run the plan").click()

    # The job's page waits for a worker, then follows it to the plan.
    expect(page.locator("#job-status")).to_contain_text("Waiting to start")
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "0")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    assert Job.objects.get().status == Job.Status.SUCCEEDED
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce plan (not saved)")
    expect(page.get_by_role("region", name="Waiting by tier")).to_contain_text("Tier 2")

    page.get_by_label("Name").fill("Two more social workers")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two more social workers")

    page.get_by_role("link", name="Workforce planning").first.click()
    page.get_by_label("Compare Today's staffing").check()
    page.get_by_label("Compare Two more social workers").check()
    page.get_by_role("button", name="Compare the plans chosen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare workforce plans")
    # The newest first: the other's figures are differences from the new plan's.
    table = page.get_by_role("region", name="Plans side by side")
    social_workers = table.get_by_role("row", name=re.compile(r"^Social worker FTE [0-9]"))
    expect(social_workers).to_have_text(re.compile(r"6\.0\s+4\.0 \(-2\.0\)"))
    assert WorkforcePlan.objects.filter(saved_at__isnull=False).count() == 2
