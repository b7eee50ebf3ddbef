"""Starting background jobs. The job is recorded first and queued only once that record is
committed, so a worker on another machine always finds it."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction

from caseload.accounts.models import User
from caseload.jobs import registry
from caseload.jobs.models import Job
from caseload.jobs.tasks import fail_unqueued, run_job

logger = logging.getLogger(__name__)


@transaction.atomic
def record_job(
    *,
    by: User | None,
    kind: str,
    title: str,
    parameters: dict[str, Any],
    origin_url: str = "",
) -> Job:
    """A job waiting to start: queue it with `start_job`, or run it here with `tasks.execute`."""
    if registry.find(kind) is None:
        raise ValueError(f"No kind of job is registered as {kind!r}")
    return Job.objects.create(
        kind=kind,
        title=title[:200],
        started_by=by,
        parameters=parameters,
        origin_url=origin_url[:200],
    )


@transaction.atomic
def start_job(
    *,
    by: User | None,
    kind: str,
    title: str,
    parameters: dict[str, Any],
    origin_url: str = "",
) -> Job:
    """Record the job and queue it for a worker; the caller sends the user to its page."""
    job = record_job(by=by, kind=kind, title=title, parameters=parameters, origin_url=origin_url)
    transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: int) -> None:
    try:
        queued = run_job.enqueue(job_id)
    except Exception:
        logger.exception("Job %s could not be queued", job_id)
        fail_unqueued(job_id)
        return
    Job.objects.filter(pk=job_id).update(task_id=str(queued.id))
