"""Complexity's background job: re-scoring, under the current model version, every open case
still scored under an earlier one (a council can hold thousands: a worker does it, not the
request). Each case is its own transaction, so one refusal costs only that case."""

from __future__ import annotations

from collections import Counter

from django.urls import reverse

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.complexity import actions
from caseload.complexity.access import outdated_assessments
from caseload.complexity.models import ModelVersion
from caseload.jobs.actions import start_job
from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.register.models import Case
from caseload.web.errors import ActionRefused

KIND = "complexity_rescore"


def start_bulk_rescore(*, by: User) -> Job:
    """Queue the re-score; refused at once for a role that does not publish the model."""
    if not has_permission(by, Permission.EDIT_COMPLEXITY_MODEL):
        raise ActionRefused("Only those who publish the model can re-score cases in bulk")
    version = ModelVersion.current()
    return start_job(
        by=by,
        kind=KIND,
        title=f"Re-score cases under version {version.number} of the complexity model",
        parameters={"version": version.number},
        origin_url=reverse("complexity_outdated"),
    )


@job_kind(KIND, label="Re-score cases under the current complexity model")
def run_bulk_rescore(job: Job, progress: ReportProgress) -> Outcome:
    by = job.started_by
    if by is None:
        raise ValueError(f"Job {job.pk} has nobody to re-score for")
    version = ModelVersion.current()
    if version.number != job.parameters["version"]:
        # What the user saw listed is no longer what would be done.
        raise ActionRefused(
            f"Version {version.number} was published after this was asked for: "
            "look at the list again and start it from there"
        )
    case_ids = list(outdated_assessments(by, version).values_list("case_id", flat=True))
    rescored = 0
    refused: Counter[str] = Counter()
    for done, case in enumerate(Case.objects.filter(pk__in=case_ids).order_by("pk"), 1):
        try:
            actions.rescore_under_current_model(by=by, case=case)
        except ActionRefused as refusal:
            refused[refusal.message] += 1
        else:
            rescored += 1
        if done % 25 == 0:
            progress(done * 100 // len(case_ids), f"{done} of {len(case_ids)} cases")
    not_done = "".join(
        f" {count} not: {reason.rstrip('.')}." for reason, count in sorted(refused.items())
    )
    return Outcome(
        summary=f"Re-scored {rescored} case{'' if rescored == 1 else 's'} under version "
        f"{version.number}.{not_done}",
        url=reverse("complexity_outdated"),
        label="See the cases still on an earlier version",
    )
