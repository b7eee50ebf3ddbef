"""Complexity pages: score a case (with a live total), override, re-score, and the model."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from caseload.accounts.permissions import Permission, has_permission
from caseload.audit import log
from caseload.complexity import actions
from caseload.complexity.access import get_assessment_for_user
from caseload.complexity.forms import ModelDefinitionForm, OverrideForm, ScoreForm
from caseload.complexity.models import ModelVersion
from caseload.register import access
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, attempt, posted
from caseload_engine import complexity
from caseload_engine.reference import Role

ROLE_ORDER = [role.value for role in Role]


@require_permission(Permission.SCORE_CASE)
@require_http_methods(["GET", "POST"])
def case_score(request: AuthedRequest, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, pk)
    log.record_case_form(request.user, case_id=case.pk, person_id=case.person_id)
    version = ModelVersion.current()
    current = case.assessments.filter(is_current=True).first()
    initial: dict[str, object] = {}
    if current is not None and current.model_version_id == version.pk:
        initial = {**current.scores, "reserved_functions": current.reserved_functions}
        initial.update({f"{key}_rationale": text for key, text in current.rationales.items()})
    form = ScoreForm(posted(request), model=version.model, initial=initial)
    if form.is_valid():
        assessment = attempt(
            form,
            lambda: actions.assess_case(
                by=request.user,
                case=case,
                scores=form.scores(),
                rationales=form.rationales(),
                reserved_functions=form.reserved_functions(),
            ),
        )
        if assessment is not None:
            messages.success(request, f"Scored: Tier {assessment.tier}, total {assessment.total}.")
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "complexity/case_score.html",
        {"case": case, "form": form, "version": version, "preview": _preview(form)},
    )


@require_permission(Permission.SCORE_CASE)
@require_POST
def case_score_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """The running total and tier as factors are chosen (HTMX)."""
    case = access.get_case_for_user(request.user, pk)
    log.record_case_form(request.user, case_id=case.pk, person_id=case.person_id)
    form = ScoreForm(request.POST, model=ModelVersion.current().model)
    return render(request, "complexity/_preview.html", {"case": case, "preview": _preview(form)})


def _preview(form: ScoreForm) -> dict[str, object]:
    model = form.model
    scores = form.partial_scores()
    if len(scores) < len(model.factors):
        return {
            "complete": False,
            "scored": len(scores),
            "factors": len(model.factors),
            "total": sum(scores.values()),
        }
    scored = complexity.score(model, scores)
    return {
        "complete": True,
        "total": scored.total,
        "tier": scored.tier,
        "points": scored.points,
        "reason": scored.explanation[0],
        "roles": complexity.roles_for(model, tier=scored.tier),
    }


@require_permission(Permission.SCORE_CASE)
@require_POST
def case_rescore(request: AuthedRequest, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, pk)
    log.record_case_form(request.user, case_id=case.pk, person_id=case.person_id)
    try:
        assessment = actions.rescore_case(by=request.user, case=case)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            f"Re-scored under version {assessment.model_version.number}: Tier {assessment.tier}.",
        )
    return redirect("case_detail", pk=case.pk)


@require_permission(Permission.OVERRIDE_TIER)
@require_http_methods(["GET", "POST"])
def assessment_override(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    log.record_case_form(
        request.user, case_id=assessment.case_id, person_id=assessment.case.person_id
    )
    form = OverrideForm(
        posted(request), model=assessment.model_version.model, scored_tier=assessment.tier
    )
    if request.method == "POST" and form.is_valid():
        overridden = attempt(
            form,
            lambda: actions.override_tier(
                by=request.user,
                assessment=assessment,
                tier=form.cleaned_data["tier"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if overridden is not None:
            messages.success(request, f"Tier set to {overridden.override_tier} by judgement.")
            return redirect("case_detail", pk=assessment.case_id)
    return render(request, "complexity/override.html", {"assessment": assessment, "form": form})


@require_permission(Permission.VIEW_COMPLEXITY_MODEL)
def model_detail(request: AuthedRequest, number: int | None = None) -> HttpResponse:
    current = ModelVersion.current()
    version = current if number is None else get_object_or_404(ModelVersion, number=number)
    model = version.model
    return render(
        request,
        "complexity/model_detail.html",
        {
            "version": version,
            "is_current": version.pk == current.pk,
            "model": model,
            "tiers": [
                {"band": band, "roles": complexity.roles_for(model, tier=band.tier)}
                for band in model.tiers
            ],
            "registered_roles": [role for role in ROLE_ORDER if role in model.registered_roles],
            "versions": ModelVersion.objects.select_related("created_by"),
            "can_edit": has_permission(request.user, Permission.EDIT_COMPLEXITY_MODEL),
        },
    )


@require_permission(Permission.EDIT_COMPLEXITY_MODEL)
@require_http_methods(["GET", "POST"])
def model_edit(request: AuthedRequest) -> HttpResponse:
    current = ModelVersion.current()
    form = ModelDefinitionForm(posted(request), initial={"definition": current.definition})
    if form.is_valid():
        version = attempt(
            form,
            lambda: actions.publish_model_version(
                by=request.user,
                definition=form.cleaned_data["definition"],
                change_note=form.cleaned_data["change_note"],
            ),
        )
        if version is not None:
            messages.success(
                request,
                f"Published version {version.number}. Cases keep the version they were "
                "scored under until someone re-scores them.",
            )
            return redirect("complexity_model")
    return render(request, "complexity/model_edit.html", {"form": form, "current": current})
