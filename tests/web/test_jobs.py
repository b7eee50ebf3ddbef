"""Background jobs: queued, run (here at once, or by the database worker), their progress,
outcome or failure, and their page, which only whoever started the job may see."""

from __future__ import annotations

import io
import logging
import signal
import subprocess
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from caseload import cli
from caseload.accounts.models import User
from caseload.jobs import tasks
from caseload.jobs.actions import record_job, start_job
from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for

HTMX = {"HX-Request": "true"}


@job_kind("test_job", label="A job for the tests")
def _test_job(job: Job, progress: ReportProgress) -> Outcome:
    """Does what its parameters say; says what progress the database held halfway through."""
    progress(40, "Counting the first half")
    halfway = Job.objects.get(pk=job.pk)
    if job.parameters.get("then") == "refuse":
        raise ActionRefused("Nobody is left to count: ask again tomorrow")
    if job.parameters.get("then") == "break":
        raise RuntimeError("an internal detail the user must not see")
    return Outcome(
        summary=f"Counted; halfway it was {halfway.status} at {halfway.progress}%: "
        f"{halfway.progress_message}.",
        url=job.parameters.get("url", "/notifications/"),
        label="See the count",
    )


def _run(
    by: User | None,
    capture: DjangoCaptureOnCommitCallbacks,
    then: str = "succeed",
    **parameters: str,
) -> Job:
    with capture(execute=True):
        job = start_job(
            by=by,
            kind="test_job",
            title="Counting for the tests",
            parameters={"then": then, **parameters},
            origin_url="/",
        )
    job.refresh_from_db()
    return job


def test_a_job_is_queued_once_committed_and_runs(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        job = start_job(by=world.mona, kind="test_job", title="Counting", parameters={})
    assert len(callbacks) == 1  # queued only when the job's record is committed
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress, job.result_url, job.result_label) == (
        100,
        "/notifications/",
        "See the count",
    )
    assert job.task_id
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.started_at <= job.finished_at


def test_progress_is_written_as_the_job_runs(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    job = _run(world.mona, django_capture_on_commit_callbacks)
    assert job.summary == "Counted; halfway it was running at 40%: Counting the first half."
    assert job.progress_message == ""  # cleared once done


def test_a_refused_job_says_why(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    job = _run(world.mona, django_capture_on_commit_callbacks, then="refuse")
    assert job.status == Job.Status.FAILED
    assert job.error_message == "Nobody is left to count: ask again tomorrow"
    page = client_for(world.mona).get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "It did not work" in page
    assert "Nobody is left to count: ask again tomorrow" in page
    assert 'href="/"' in page  # back to where it was started, to try again
    assert "See the count" not in page


def test_an_unexpected_failure_goes_to_the_logs_and_the_user_gets_the_job_number(
    world: World,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="caseload.jobs"):
        job = _run(world.mona, django_capture_on_commit_callbacks, then="break")
    assert job.status == Job.Status.FAILED
    assert job.error_message == tasks.UNEXPECTED.format(id=job.pk)
    [record] = [r for r in caplog.records if r.name == "caseload.jobs.tasks"]
    assert record.exc_info is not None
    assert "an internal detail" in str(record.exc_info[1])
    page = client_for(world.mona).get(reverse("job_detail", args=[job.pk])).content.decode()
    assert f"logged as job {job.pk}" in page
    assert "internal detail" not in page
    assert "Traceback" not in page
    assert "RuntimeError" not in page


def test_a_job_delivered_twice_runs_once(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    job = _run(world.mona, django_capture_on_commit_callbacks)
    tasks.execute(job.pk)
    again = Job.objects.get(pk=job.pk)
    assert (again.status, again.finished_at, again.summary) == (
        Job.Status.SUCCEEDED,
        job.finished_at,
        job.summary,
    )


def test_a_result_outside_the_site_is_not_linked(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    job = _run(world.mona, django_capture_on_commit_callbacks, url="//example.com/x")
    assert job.status == Job.Status.SUCCEEDED
    assert job.result_url == ""


def test_unknown_kinds_are_refused_and_fail_if_met_in_the_queue(world: World) -> None:
    with pytest.raises(ValueError, match="No kind of job"):
        record_job(by=world.mona, kind="no_such_kind", title="?", parameters={})
    # A job queued by another version of caseload, say.
    job = Job.objects.create(kind="no_such_kind", title="?", started_by=world.mona)
    tasks.execute(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error_message) == (
        Job.Status.FAILED,
        "This kind of job is not known to this version of caseload.",
    )


def test_a_queue_that_will_not_take_the_job_fails_it(
    world: World,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object) -> None:
        raise ConnectionError("queue down")

    monkeypatch.setattr(ImmediateBackend, "enqueue", refuse)
    job = _run(world.mona, django_capture_on_commit_callbacks)
    assert (job.status, job.error_message) == (
        Job.Status.FAILED,
        "The job could not be queued. Try again in a minute.",
    )


def test_the_page_polls_while_the_job_runs_and_then_goes_to_the_result(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = client_for(world.mona)
    with django_capture_on_commit_callbacks(execute=False):
        job = start_job(by=world.mona, kind="test_job", title="Counting", parameters={})
    url = reverse("job_detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert '<h1 class="govuk-heading-l">Counting</h1>' in page
    assert 'hx-trigger="every 1s"' in page
    assert '<progress id="job-progress"' in page
    partial = client.get(url, headers=HTMX).content.decode()
    assert 'id="job-status"' in partial
    assert 'hx-trigger="every 1s"' in partial
    assert "<html" not in partial

    tasks.execute(job.pk)
    done = client.get(url, headers=HTMX).content.decode()
    assert "hx-trigger" not in done  # nothing left polling
    assert 'href="/notifications/">See the count</a>' in done
    assert "Counted; halfway" in done


def test_a_failed_job_stops_the_polling(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    job = _run(world.mona, django_capture_on_commit_callbacks, then="refuse")
    partial = client_for(world.mona).get(reverse("job_detail", args=[job.pk]), headers=HTMX)
    assert "hx-trigger" not in partial.content.decode()
    assert "Nobody is left to count" in partial.content.decode()


@pytest.mark.parametrize(
    ("status", "began", "told"),
    [
        (Job.Status.QUEUED, "created_at", "No worker took this job up"),
        (Job.Status.RUNNING, "started_at", "stopped before it finished"),
    ],
)
def test_a_job_whose_worker_stopped_fails_when_its_page_is_polled(
    world: World, settings: Settings, status: str, began: str, told: str
) -> None:
    settings.CASELOAD_JOB_STALL_MINUTES = 30
    job = record_job(by=world.mona, kind="test_job", title="Counting", parameters={})
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=status, started_at=now)
    page = reverse("job_detail", args=[job.pk])

    # Within the limit the page keeps polling.
    Job.objects.filter(pk=job.pk).update(**{began: now - timedelta(minutes=29)})
    assert "hx-trigger" in client_for(world.mona).get(page, headers=HTMX).content.decode()
    job.refresh_from_db()
    assert job.status == status

    Job.objects.filter(pk=job.pk).update(**{began: now - timedelta(minutes=31)})
    partial = client_for(world.mona).get(page, headers=HTMX).content.decode()
    assert "hx-trigger" not in partial
    assert told in partial
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.finished_at is not None


def test_a_finished_job_is_never_failed_as_stalled(world: World) -> None:
    job = record_job(by=world.mona, kind="test_job", title="Counting", parameters={})
    long_ago = timezone.now() - timedelta(days=2)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED, created_at=long_ago, started_at=long_ago, finished_at=long_ago
    )
    job.refresh_from_db()
    assert tasks.fail_if_stalled(job) is False
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


@pytest.mark.parametrize(
    "starter",
    [
        "practitioner",
        "team_manager",
        "other_team_manager",
        "principal_social_worker",
        "director",
        "administrator",
    ],
)
def test_only_the_user_who_started_a_job_sees_it(world: World, starter: str) -> None:
    people = world.by_role()
    job = record_job(by=people[starter], kind="test_job", title="Secret sums", parameters={})
    url = reverse("job_detail", args=[job.pk])
    for role, user in people.items():
        response = client_for(user).get(url, headers=HTMX if role == "director" else {})
        if role == starter:
            assert response.status_code == 200
        else:
            assert response.status_code == 404, role
            assert "Secret sums" not in response.content.decode()


def test_a_daily_job_has_no_page(world: World) -> None:
    job = record_job(by=None, kind="test_job", title="Nobody's", parameters={})
    for user in world.by_role().values():
        assert client_for(user).get(reverse("job_detail", args=[job.pk])).status_code == 404


def test_signed_out_users_are_sent_to_sign_in(world: World, client: Client) -> None:
    job = record_job(by=world.mona, kind="test_job", title="Counting", parameters={})
    response = client.get(reverse("job_detail", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def database_queue(settings: Settings) -> Iterator[None]:
    """Tasks queued in the database, for a worker, as in production; the worker's signal
    handlers are put back afterwards."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    handlers = {
        sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def _work_through_the_queue() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())


# Committed for real: the worker, like a worker on another machine, sees only what is committed
# (and it closes connections left inside a transaction).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_queue")
def test_the_database_worker_runs_queued_jobs(world: World) -> None:
    job = start_job(by=world.mona, kind="test_job", title="Counting", parameters={})
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # waits for a worker
    queued = DBTaskResult.objects.get()
    assert str(queued.id) == job.task_id
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {}}

    _work_through_the_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.summary.startswith("Counted")
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


class _FakeChild:
    started: list[list[str]] = []
    terminated: list[list[str]] = []

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.started.append(command[-3:])

    def wait(self, timeout: float | None = None) -> int:
        return 0

    def terminate(self) -> None:
        self.terminated.append(self.command[-3:])


@pytest.mark.usefixtures("database_queue")
def test_serve_runs_the_server_and_a_worker_and_stops_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(subprocess, "Popen", _FakeChild)
    monkeypatch.setattr(_FakeChild, "started", [])
    monkeypatch.setattr(_FakeChild, "terminated", [])
    assert cli.main(["serve", "127.0.0.1:8123"]) == 0
    expected = [
        ["manage", "runserver", "127.0.0.1:8123"],
        ["db_worker", "--interval", "1"],
    ]
    assert _FakeChild.started == expected
    assert _FakeChild.terminated == expected
