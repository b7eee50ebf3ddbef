"""Changes to workforce plans: a plan run (its draft recorded and its job queued), its result
recorded, and a plan saved (named), renamed or deleted. Atomic, keyword-only, the acting user;
saving, renaming and deleting leave a ChangeEvent in the same transaction. A run is not itself
a change to record: it makes a draft nobody else is shown until it is saved."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.jobs.actions import start_job
from caseload.jobs.models import Job
from caseload.planning.models import NAME_MAX, WorkforcePlan
from caseload.web.errors import ActionRefused
from caseload_engine.planning.scenario import Scenario, to_dict
from caseload_engine.text import name_problem

KIND = "workforce_plan"


def _check_may_run(by: User) -> None:
    if not has_permission(by, Permission.RUN_WORKFORCE_PLANS):
        raise ActionRefused("Your role cannot run or change workforce plans")


@transaction.atomic
def start_plan(
    *,
    by: User | None,
    scenario: Scenario,
    title: str,
    fits: list[dict[str, Any]] | None = None,
    origin_url: str = "",
    curve: bool = True,
) -> tuple[WorkforcePlan, Job]:
    """A draft plan of the scenario, and the job that simulates it (with the waiting-time
    curve unless `curve` is false). Nobody (`by=None`) is the command line queueing plans for
    councils: its jobs have no page."""
    if by is not None:
        _check_may_run(by)
    plan = WorkforcePlan.objects.create(scenario=to_dict(scenario), fits=fits or [], created_by=by)
    job = start_job(
        by=by,
        kind=KIND,
        title=title,
        parameters={"plan_id": plan.pk, "curve": curve},
        origin_url=origin_url or reverse("planning_home"),
    )
    return plan, job


def record_result(*, plan_id: int, result: dict[str, Any]) -> None:
    """The job's answer, on its draft (a plan deleted meanwhile is refused). One conditional
    update, no read first: SQLite refuses a transaction that reads, then writes after another
    worker has written."""
    if not WorkforcePlan.objects.filter(pk=plan_id).update(result=result):
        raise ActionRefused("The plan was deleted before it finished")


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ActionRefused("Enter a name for the plan", field="name")
    if len(name) > NAME_MAX:
        raise ActionRefused(f"The name must be {NAME_MAX} characters or fewer", field="name")
    problem = name_problem(name)
    if problem is not None:
        raise ActionRefused(f"The name {problem}", field="name")
    return name


@transaction.atomic
def save_plan(*, by: User, plan: WorkforcePlan, name: str) -> WorkforcePlan:
    """Name a plan that has run (saving it), or give a saved plan a new name."""
    _check_may_run(by)
    name = _checked_name(name)
    locked = WorkforcePlan.objects.select_for_update().filter(pk=plan.pk).first()
    if locked is None:
        raise ActionRefused("The plan has been deleted")
    if locked.result is None:
        raise ActionRefused("The plan has not finished running: save it once it has")
    old = locked.name
    if old == name:
        return locked
    locked.name = name
    fields = ["name"]
    if not old:
        locked.saved_at = timezone.now()
        fields.append("saved_at")
    try:
        with transaction.atomic():
            locked.save(update_fields=fields)
    except IntegrityError:
        raise ActionRefused(
            "There is a saved plan with this name already: choose another", field="name"
        ) from None
    if old:
        record_change(
            by=by,
            action=ChangeAction.WORKFORCE_PLAN_RENAMED,
            changes={"name": (old, name)},
            detail={"workforce_plan": locked.pk},
        )
    else:
        record_change(
            by=by,
            action=ChangeAction.WORKFORCE_PLAN_SAVED,
            changes={"workforce_plan": (None, locked.pk), "name": (None, name)},
        )
    return locked


@transaction.atomic
def delete_plan(*, by: User, plan: WorkforcePlan) -> None:
    _check_may_run(by)
    locked = WorkforcePlan.objects.select_for_update().filter(pk=plan.pk).first()
    if locked is None:
        return  # deleted already: the same outcome
    record_change(
        by=by,
        action=ChangeAction.WORKFORCE_PLAN_DELETED,
        changes={"name": (locked.name, None)},
        detail={"workforce_plan": locked.pk},
    )
    locked.delete()
