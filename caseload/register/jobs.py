"""The register's daily job: held cases whose review is near become work to allocate."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.register.reviews import mark_reviews_due


@job_kind("reviews_falling_due", label="Reviews falling due", daily=True)
def run_reviews_falling_due(job: Job, progress: ReportProgress) -> Outcome:
    run = mark_reviews_due(
        on=date.fromisoformat(job.parameters["on"]), lead_days=settings.CASELOAD_REVIEW_LEAD_DAYS
    )
    cases = f"{run.due} held case{'' if run.due == 1 else 's'}"
    summary = f"{cases} now awaiting allocation for review."
    if run.unattributed:
        ids = ", ".join(str(pk) for pk in run.unattributed)
        summary += f" Left held, with no one to log the change for: case {ids}."
    return Outcome(summary=summary)
