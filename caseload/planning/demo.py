"""The demo council's saved workforce plan, calibrated from its register, so that the planning
page opens on a plan rather than empty. Fewer replications than a real plan (the demo loads in
seconds); run it again from the page for the full count."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from caseload.accounts.models import User
from caseload.planning import assumptions
from caseload.planning.jobs import plan_result
from caseload.planning.models import WorkforcePlan
from caseload_engine.planning import from_dict
from caseload_engine.planning.scenario import to_dict

DEMO_REPLICATIONS = 20
DEMO_NAME = "Calibrated from the register"


def load_demo_plan(*, as_of: date, by: User) -> WorkforcePlan:
    data, fits = assumptions.calibrated(until=as_of)
    scenario = from_dict({**data, "replications": DEMO_REPLICATIONS})
    return WorkforcePlan.objects.create(
        name=DEMO_NAME,
        scenario=to_dict(scenario),
        fits=fits,
        result=plan_result(scenario),
        created_by=by,
        saved_at=timezone.now(),
    )
