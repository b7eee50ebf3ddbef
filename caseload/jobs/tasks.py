"""The one task that runs every job, on whichever worker takes it from the queue."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_tasks import task

from caseload.jobs import registry
from caseload.jobs.models import Job
from caseload.web.errors import ActionRefused

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong and it has been logged as job {id}. Try again; if it happens again, "
    "tell your system administrator the job number."
)


def execute(job_id: int) -> None:
    """Run a queued job to its end, recording progress, outcome or failure on the job. Never
    raises for the job's own failures: the user reads them on the job page."""
    if not _claim(job_id):
        # Run already, by this or another worker (a queue may deliver a task twice).
        logger.warning("Job %s was not waiting to start; not run again", job_id)
        return
    job = Job.objects.select_related("started_by").get(pk=job_id)
    kind = registry.find(job.kind)
    if kind is None:
        logger.error("Job %s is of unknown kind %r", job_id, job.kind)
        _fail(job_id, "This kind of job is not known to this version of caseload.")
        return
    try:
        outcome = kind.run(job, lambda percent, message: report(job_id, percent, message))
    except ActionRefused as refusal:
        # The message may name people: it goes to the job's starter, never to the logs.
        logger.info("Job %s (%s) refused", job_id, job.kind)
        _fail(job_id, refusal.message)
    except Exception:
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        _fail(job_id, UNEXPECTED.format(id=job_id))
    else:
        _succeed(job_id, outcome)


@task()
def run_job(job_id: int) -> None:
    execute(job_id)


def report(job_id: int, percent: int, message: str) -> None:
    """Progress, written at once (outside any transaction) so that the job page sees it."""
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
        progress=max(0, min(100, percent)), progress_message=message[:200]
    )


def _claim(job_id: int) -> bool:
    # One conditional update: of two workers given the same job, only one starts it.
    return (
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started_at=timezone.now(), progress=0
        )
        == 1
    )


def _succeed(job_id: int, outcome: registry.Outcome) -> None:
    # Only a path within the site: the job page links or redirects to it.
    within_site = outcome.url.startswith("/") and url_has_allowed_host_and_scheme(
        outcome.url, allowed_hosts=None
    )
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED,
        progress=100,
        progress_message="",
        summary=outcome.summary[:500],
        result_url=outcome.url if within_site else "",
        result_label=outcome.label[:100],
        finished_at=timezone.now(),
    )


def _fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED,
        error_message=message[:1000],
        finished_at=timezone.now(),
    )


STALLED: dict[str, str] = {
    Job.Status.QUEUED: (
        "No worker took this job up: the service's job workers may be stopped. Try again later, "
        "and tell your system administrator if it happens again."
    ),
    Job.Status.RUNNING: (
        "The worker running this job stopped before it finished. Nothing was saved: try again."
    ),
}


def fail_if_stalled(job: Job) -> bool:
    """Fail a job that has waited or run longer than CASELOAD_JOB_STALL_MINUTES (its worker
    stopped, or none is running). Conditional, so a worker finishing it meanwhile wins."""
    if job.status not in STALLED:
        return False
    since = timezone.now() - timedelta(minutes=settings.CASELOAD_JOB_STALL_MINUTES)
    began = "created_at" if job.status == Job.Status.QUEUED else "started_at"
    failed = Job.objects.filter(pk=job.pk, status=job.status, **{f"{began}__lt": since}).update(
        status=Job.Status.FAILED, error_message=STALLED[job.status], finished_at=timezone.now()
    )
    if failed:
        logger.warning("Job %s (%s) stalled while %s; failed", job.pk, job.kind, job.status)
        job.refresh_from_db()
    return failed == 1


def fail_unqueued(job_id: int) -> None:
    """The queue would not take the job: say so on it, rather than leave it waiting forever."""
    _fail(job_id, "The job could not be queued. Try again in a minute.")
