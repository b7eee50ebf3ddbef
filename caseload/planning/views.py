"""Workforce planning's pages, for the director and the principal social worker: the planning
page (today's establishment against the latest saved plan, the assumptions to edit, the saved
plans), a plan's page (shared by its link), and plans side by side. The simulation runs as a
background job; these views only read and queue."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from caseload.accounts.permissions import Permission, has_permission
from caseload.planning import actions, assumptions, figures
from caseload.planning.access import get_plan_for_user, plans_visible_to
from caseload.planning.forms import CompareForm, NameForm, ScenarioForm, UploadForm
from caseload.planning.models import WorkforcePlan
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, attempt, paginate
from caseload_engine.planning import from_dict
from caseload_engine.planning.calibrate import CalibrationError
from caseload_engine.planning.scenario import ScenarioError, dumps
from caseload_engine.planning.variants import VARIANTS, variant

SCENARIO_FILE = "workforce-plan.yaml"
ID_DIGITS = 18  # a 64-bit key has at most 19 digits


def _saved(request: AuthedRequest) -> QuerySet[WorkforcePlan]:
    return plans_visible_to(request.user).filter(saved_at__isnull=False)


def _page(
    request: AuthedRequest,
    *,
    form: ScenarioForm,
    upload: UploadForm | None = None,
    fits: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    saved = _saved(request)
    latest = saved.first()
    result = latest.result if latest else None
    return render(
        request,
        "planning/home.html",
        {
            "form": form,
            "upload": upload or UploadForm(),
            "latest": latest,
            "result": result,
            "establishment": figures.establishment_against(result, on=timezone.localdate()),
            "page": paginate(request, saved.only("pk", "name", "saved_at", "result")),
            "variants": VARIANTS,
            "fits": figures.fits_shown(fits or []),
            # Posted back, the hidden field is text ("False" too): its cleaned value says.
            "calibrated": form.cleaned_data.get("calibrated", False)
            if form.is_bound
            else bool(form.initial.get("calibrated")),
            "may_run": has_permission(request.user, Permission.RUN_WORKFORCE_PLANS),
        },
        status=status,
    )


@require_permission(Permission.VIEW_WORKFORCE_PLANS)
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    """The assumptions start from a plan's (`?from=`), else the latest saved plan's, else (or
    with `?calibrate=1`) the register's calibration."""
    start: WorkforcePlan | None = None
    if "from" in request.GET:
        pk = request.GET["from"]
        # Not an id (or one no database holds): no such plan.
        if not (pk.isascii() and pk.isdigit() and len(pk) <= ID_DIGITS):
            raise Http404("No such plan")
        start = get_plan_for_user(request.user, int(pk))
    elif "calibrate" not in request.GET:
        start = _saved(request).first()
    if start is not None:
        scenario, fits = start.scenario, start.fits
        calibrated = False
    else:
        try:
            scenario, fits = assumptions.calibrated(until=timezone.localdate())
            calibrated = True
        except CalibrationError as refusal:
            scenario, fits, calibrated = assumptions.example(), [], False
            messages.warning(
                request,
                f"The register's history cannot be calibrated yet ({refusal}). The assumptions "
                "below are the worked example's; change them to your council's.",
            )
    try:
        text = dumps(from_dict(scenario))
    except ScenarioError:
        text = ""  # the engine's rules have changed since: the user starts again
    form = ScenarioForm(initial={"scenario": text, "calibrated": calibrated})
    return _page(request, form=form, fits=fits)


@require_permission(Permission.RUN_WORKFORCE_PLANS)
@require_POST
def scenario(request: AuthedRequest) -> HttpResponse:
    """The assumptions form's buttons: run the plan, make a ready-made variant of the
    assumptions, or download them as YAML. Errors come back on the planning page."""
    form = ScenarioForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    chosen = form.cleaned_data["scenario"]
    action = request.POST.get("action", "run")
    if action == "download":
        return _yaml(dumps(chosen))
    if action.startswith("variant:"):
        try:
            made = variant(action.removeprefix("variant:"))
            changed = made.make(chosen)
        except ScenarioError as error:
            form.add_error("scenario", str(error))
            return _page(request, form=form, status=400)
        messages.success(request, f"{made.label}: the assumptions below are changed. Run the plan.")
        return _page(request, form=ScenarioForm(initial={"scenario": dumps(changed)}))
    fits = None
    if form.cleaned_data["calibrated"]:
        # The history may have changed since the page was drawn; the plan then keeps no fit.
        with suppress(CalibrationError):
            fits = assumptions.calibrated(until=timezone.localdate())[1]
    started = attempt(
        form,
        lambda: actions.start_plan(
            by=request.user,
            scenario=chosen,
            fits=fits,
            title="Workforce plan",
            origin_url=reverse("planning_home"),
        ),
    )
    if started is None:
        return _page(request, form=form, status=400)
    return redirect("job_detail", pk=started[1].pk)


@require_permission(Permission.RUN_WORKFORCE_PLANS)
@require_POST
def upload(request: AuthedRequest) -> HttpResponse:
    """A scenario file read into the assumptions form, to check and run."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=ScenarioForm(), upload=form, status=400)
    messages.success(request, "The scenario is read: its assumptions are below. Run the plan.")
    return _page(request, form=ScenarioForm(initial={"scenario": form.cleaned_data["file"]}))


def _yaml(text: str, filename: str = SCENARIO_FILE) -> HttpResponse:
    return HttpResponse(
        text,
        content_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@require_permission(Permission.VIEW_WORKFORCE_PLANS)
@require_GET
def plan(request: AuthedRequest, pk: int) -> HttpResponse:
    """A plan, by its link: its results, establishment, curve and cost."""
    found = get_plan_for_user(request.user, pk)
    return _plan_page(request, found, NameForm(initial={"name": found.name}))


def _plan_page(
    request: AuthedRequest, found: WorkforcePlan, form: NameForm, *, status: int = 200
) -> HttpResponse:
    result = found.result
    return render(
        request,
        "planning/plan.html",
        {
            "plan": found,
            "result": result,
            "establishment": figures.establishment_against(result, on=timezone.localdate()),
            "tiers": figures.tier_rows(result) if result else [],
            "curve": figures.curve(result) if result and "curve" in result else None,
            "fits": figures.fits_shown(found.fits),
            "form": form,
            "may_run": has_permission(request.user, Permission.RUN_WORKFORCE_PLANS),
        },
        status=status,
    )


@require_permission(Permission.RUN_WORKFORCE_PLANS)
@require_POST
def save(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save a plan under a name, or rename a saved one."""
    found = get_plan_for_user(request.user, pk)
    was_saved = found.is_saved
    form = NameForm(request.POST)
    if form.is_valid():
        named = attempt(
            form,
            lambda: actions.save_plan(by=request.user, plan=found, name=form.cleaned_data["name"]),
        )
        if named is not None:
            verb = "renamed" if was_saved else "saved"
            messages.success(request, f"The plan is {verb} as \u201c{named.name}\u201d.")
            return redirect("planning_plan", pk=named.pk)
    return _plan_page(request, found, form, status=400)


@require_permission(Permission.RUN_WORKFORCE_PLANS)
@require_POST
def delete(request: AuthedRequest, pk: int) -> HttpResponse:
    found = get_plan_for_user(request.user, pk)
    try:
        actions.delete_plan(by=request.user, plan=found)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("planning_plan", pk=pk)
    messages.success(request, f"The plan \u201c{found}\u201d is deleted.")
    return redirect("planning_home")


@require_permission(Permission.VIEW_WORKFORCE_PLANS)
@require_GET
def download(request: AuthedRequest, pk: int) -> HttpResponse:
    """A plan's scenario as YAML, to edit and upload again."""
    found = get_plan_for_user(request.user, pk)
    try:
        text = dumps(from_dict(found.scenario))
    except ScenarioError as error:
        messages.error(request, f"The plan's scenario no longer reads: {error}")
        return redirect("planning_plan", pk=pk)
    return _yaml(text, f"workforce-plan-{found.pk}.yaml")


@require_permission(Permission.VIEW_WORKFORCE_PLANS)
@require_GET
def compare(request: AuthedRequest) -> HttpResponse:
    """From 2 to 4 saved plans side by side, with each figure's difference from the first's."""
    form = CompareForm(request.GET or None, saved=_saved(request))
    chosen = form.cleaned_data["plans"] if form.is_valid() else []
    return render(
        request,
        "planning/compare.html",
        {"form": form, "plans": chosen, "rows": figures.compare(chosen) if chosen else []},
        status=400 if form.errors else 200,
    )
