"""Who may see a job: only the user who started it. Anyone else gets "not found"."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.jobs.models import Job


def jobs_visible_to(user: User) -> QuerySet[Job]:
    if not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    return Job.objects.filter(started_by=user)


def get_job_for_user(user: User, pk: int) -> Job:
    try:
        return jobs_visible_to(user).get(pk=pk)
    except Job.DoesNotExist:
        raise Http404("No such job") from None
