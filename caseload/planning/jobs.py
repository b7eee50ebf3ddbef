"""The `workforce_plan` job: a plan's simulation, run by whichever worker takes it (a plan
takes seconds to a minute, too long for a request), with its progress on the job page.

Progress: the plan's replications are the first 80%, the waiting-time curve the rest. The
councils' plans (`caseload plan-councils`) leave the curve out: seven more simulations a plan,
for a page nobody opens for each of 153 councils."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from caseload.jobs.models import Job
from caseload.jobs.registry import Outcome, ReportProgress, job_kind
from caseload.planning import actions
from caseload.planning.models import WorkforcePlan
from caseload.web.errors import ActionRefused
from caseload_engine.planning import ScenarioError, as_json, from_dict, make_plan
from caseload_engine.planning.curve import staffing_curve
from caseload_engine.planning.scenario import Scenario
from caseload_engine.planning.steady import fte_needed
from caseload_engine.planning.variants import demand_in

PLAN_SHARE = 80  # of the progress bar, when the curve follows
PROGRESS_STEP = 5  # percent between writes of the job's progress


def _stepped(report: Callable[[int], None]) -> Callable[[int], None]:
    """Pass on every PROGRESS_STEP percent, not every one: each is a write to the database."""
    last = [-PROGRESS_STEP]

    def told(percent: int) -> None:
        if percent >= last[0] + PROGRESS_STEP:
            last[0] = percent
            report(percent)

    return told


def plan_result(
    scenario: Scenario, progress: ReportProgress | None = None, *, curve: bool = True
) -> dict[str, Any]:
    """The engine's JSON, with the FTE needed by role on today's demand and on the demand in
    12 months (steady state), and (unless `curve` is false: the councils' plans) the
    waiting-time curve as the last role's FTE varies."""

    def told(start: int, share: int, message: str) -> Callable[[int], None] | None:
        if progress is None:
            return None
        return _stepped(lambda percent: progress(start + percent * share // 100, message))

    share = PLAN_SHARE if curve else 100
    plan = make_plan(scenario, progress=told(0, share, "Simulating the plan"))
    result = as_json(plan)
    result["fte_now"] = [round(fte, 2) for fte in fte_needed(demand_in(scenario, 0))]
    result["fte_in_12_months"] = [round(fte, 2) for fte in fte_needed(demand_in(scenario, 12))]
    if not curve:
        return result
    points = staffing_curve(
        scenario, progress=told(share, 100 - share, "Simulating waits against staffing")
    )
    result["curve"] = {
        "role": scenario.roles[-1].role,
        "points": [
            {
                "fte": point.fte,
                "within_target": [round(value, 4) for value in point.within_target],
                "wait_days": [round(days, 2) for days in point.wait_days],
            }
            for point in points
        ],
    }
    return result


@job_kind(actions.KIND, label="Workforce plan", redirect_when_done=True)
def run_workforce_plan(job: Job, progress: ReportProgress) -> Outcome:
    stored = WorkforcePlan.objects.filter(pk=job.parameters["plan_id"]).first()
    if stored is None:
        raise ActionRefused("The plan was deleted before it ran")
    try:
        scenario = from_dict(stored.scenario)
    except ScenarioError as error:
        # Checked when it was queued: only a change to the engine's rules since can do this.
        raise ActionRefused(f"The scenario is no longer valid: {error}") from None
    result = plan_result(scenario, progress, curve=job.parameters.get("curve", True))
    actions.record_result(plan_id=stored.pk, result=result)
    met = "meets" if result["meets_service_level"] else "does not meet"
    return Outcome(
        summary=f"The plan costs £{result['cost']:,.0f} a year and {met} the service level.",
        url=reverse("planning_plan", args=[stored.pk]),
        label="See the plan",
    )
