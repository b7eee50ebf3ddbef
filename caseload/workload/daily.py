"""The daily workload run: each case holder's utilisation snapshot, then the escalations
(concerns unanswered for 5 working days, two weeks over the red level). Running it twice for
a day changes nothing more."""

from __future__ import annotations

from datetime import date

from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.workload import actions


@job_kind("workload_daily", label="Workload snapshots and escalations", daily=True)
def run_workload_daily(job: Job, progress: ReportProgress) -> Outcome:
    on = date.fromisoformat(job.parameters["on"])
    snapshots = actions.take_snapshots(on=on)
    progress(50, "Snapshots taken; escalating")
    unanswered = actions.escalate_unanswered(on=on)
    over_red = actions.escalate_over_red(on=on)
    return Outcome(
        summary=(
            f"Took {snapshots} utilisation snapshots; escalated {unanswered} unanswered "
            f"concerns and {over_red} practitioners over the red level for two weeks."
        )
    )
