"""A job's page: its progress while it runs (polled by HTMX), then what it produced or why it
failed."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from caseload.jobs import registry
from caseload.jobs.access import get_job_for_user
from caseload.jobs.models import Job
from caseload.jobs.tasks import fail_if_stalled
from caseload.web.requests import AuthedRequest


@require_GET
def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    fail_if_stalled(job)
    kind = registry.find(job.kind)
    if job.status == Job.Status.SUCCEEDED and job.result_url and kind and kind.redirect_when_done:
        # Straight on to what it produced: from the polling partial, or on coming back.
        if request.htmx:
            return HttpResponseClientRedirect(job.result_url)
        return redirect(job.result_url)
    template = "jobs/_status.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, {"job": job})
