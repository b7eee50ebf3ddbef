"""Allocation's background jobs: the meeting's proposal and the what-if (solved by a worker,
not in the request), and the daily handovers and their notices."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import dateformat

from caseload.accounts.models import User
from caseload.allocation import actions
from caseload.allocation.models import AllocationProposal
from caseload.allocation.notices import send_handover_notices
from caseload.jobs.actions import start_job
from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.register.models import Practitioner, Team
from caseload.web.errors import ActionRefused


def start_proposal(*, by: User, team: Team) -> Job:
    """Queue the proposal for the team's allocation meeting; refused at once if not theirs."""
    actions.check_meeting(by=by, team=team)
    return start_job(
        by=by,
        kind="allocation_proposal",
        title=f"Allocation proposal for {team.name}",
        parameters={"team_id": team.pk},
        origin_url=reverse("allocation_meeting", args=[team.pk]),
    )


def start_what_if(
    *,
    by: User,
    practitioner: Practitioner,
    away_from: date,
    reason: str,
    away_until: date | None = None,
) -> Job:
    """Queue a what-if; one that cannot be asked is refused at once, with the field."""
    actions.check_what_if(
        by=by, practitioner=practitioner, reason=reason, away_from=away_from, away_until=away_until
    )
    return start_job(
        by=by,
        kind="allocation_what_if",
        title=f"What if {practitioner.full_name} is away from "
        + dateformat.format(away_from, "j F Y"),
        parameters={
            "practitioner_id": practitioner.pk,
            "away_from": away_from.isoformat(),
            "reason": reason,
            "away_until": away_until.isoformat() if away_until else None,
        },
        origin_url=reverse("allocation_what_if", args=[practitioner.pk]),
    )


def _starter(job: Job) -> User:
    if job.started_by is None:
        raise ValueError(f"Job {job.pk} has nobody to make the proposal for")
    return job.started_by


def _shown(proposal: AllocationProposal) -> Outcome:
    allocated, waiting = proposal.result["allocated"], proposal.result["not_allocated"]
    return Outcome(
        summary=f"{allocated} proposed for allocation, {waiting} not allocated.",
        url=reverse("allocation_proposal", args=[proposal.pk]),
        label="See the proposal",
    )


@job_kind("allocation_proposal", label="Allocation proposal", redirect_when_done=True)
def run_proposal(job: Job, progress: ReportProgress) -> Outcome:
    team = Team.objects.get(pk=job.parameters["team_id"])
    return _shown(actions.propose_for_meeting(by=_starter(job), team=team, progress=progress))


@job_kind("allocation_what_if", label="What if a practitioner is away", redirect_when_done=True)
def run_what_if(job: Job, progress: ReportProgress) -> Outcome:
    asked = job.parameters
    practitioner = Practitioner.objects.select_related("team").get(pk=asked["practitioner_id"])
    proposal = actions.propose_what_if(
        by=_starter(job),
        practitioner=practitioner,
        away_from=date.fromisoformat(asked["away_from"]),
        reason=asked["reason"],
        away_until=date.fromisoformat(asked["away_until"]) if asked["away_until"] else None,
        progress=progress,
    )
    return _shown(proposal)


# Daily, notices first: with a notice period of 0 days, a handover's own day.
@job_kind("handover_notices", label="Notices of handovers coming up", daily=True)
def run_handover_notices(job: Job, progress: ReportProgress) -> Outcome:
    sent = send_handover_notices(on=date.fromisoformat(job.parameters["on"]))
    return Outcome(summary=f"Sent {sent} notice{'' if sent == 1 else 's'} of handovers.")


@job_kind("handovers", label="Handovers due", daily=True)
def run_handovers(job: Job, progress: ReportProgress) -> Outcome:
    run = actions.carry_out_due_handovers(on=date.fromisoformat(job.parameters["on"]))
    summary = (
        f"Handed over {run.carried_out} case{'' if run.carried_out == 1 else 's'}; "
        f"{run.lapsed} handover{'' if run.lapsed == 1 else 's'} lapsed (the case was closed "
        "or moved meanwhile)."
    )
    if run.failed:
        # The others are done and saved; failing the job makes the run's failures seen (the job
        # page, and `caseload daily`'s exit status for cron).
        ids = ", ".join(str(pk) for pk in run.failed)
        raise ActionRefused(
            f"{summary} {len(run.failed)} handover{'' if len(run.failed) == 1 else 's'} failed "
            f"and stay{'s' if len(run.failed) == 1 else ''} planned for the next run (handover "
            f"{ids}: the error is in the log)."
        )
    return Outcome(summary=summary)
