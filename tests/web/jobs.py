"""Following a job that a page started (the tests run jobs as they are queued)."""

from __future__ import annotations

from django.http import HttpResponseBase
from django.urls import resolve

from caseload.jobs.models import Job


def started_job(response: HttpResponseBase) -> Job:
    """The job a view started and redirected to."""
    match = resolve(response["Location"])
    assert match.url_name == "job_detail", response["Location"]
    return Job.objects.get(pk=match.kwargs["pk"])


def job_result(response: HttpResponseBase) -> str:
    """Where the job that a view started and redirected to says its result is."""
    job = started_job(response)
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    return job.result_url
