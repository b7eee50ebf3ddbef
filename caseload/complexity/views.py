"""Complexity pages: score a case (with a live total), override, re-score, and the model."""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.contrib import messages
from django.forms import BaseFormSet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from caseload.accounts.permissions import Permission, has_permission
from caseload.audit import log
from caseload.complexity import actions
from caseload.complexity import jobs as complexity_jobs
from caseload.complexity.access import get_assessment_for_user, outdated_assessments
from caseload.complexity.forms import (
    FactorForm,
    FactorFormSet,
    ModelDefinitionForm,
    ModelDetailsForm,
    OverrideForm,
    ScoreForm,
    TierForm,
    TierFormSet,
)
from caseload.complexity.models import ModelVersion
from caseload.register import access
from caseload.ui.forms import ErrorSummary
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, attempt, paginate, posted
from caseload_engine import complexity
from caseload_engine.reference import Role

ROLE_ORDER = [role.value for role in Role]
PUBLISHED = (
    "Published version {number}. Cases keep the version they were scored under until someone "
    "re-scores them."
)


@require_permission(Permission.SCORE_CASE)
@require_http_methods(["GET", "POST"])
def case_score(request: AuthedRequest, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, pk)
    log.record_case_form(request.user, case_id=case.pk, person_id=case.person_id)
    version = ModelVersion.current()
    current = case.assessments.filter(is_current=True).first()
    initial: dict[str, object] = {}
    if current is not None:
        # Re-scoring starts from the reasons already given, under whichever version: for the
        # factors the current model still has. The scores themselves are carried over only
        # within a version, whose descriptors they were chosen against.
        model_keys = {factor.key for factor in version.model.factors}
        initial = {
            f"{key}_rationale": text
            for key, text in current.rationales.items()
            if key in model_keys
        }
        if current.model_version_id == version.pk:
            initial.update(current.scores)
            initial["reserved_functions"] = current.reserved_functions
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
            messages.success(request, PUBLISHED.format(number=version.number))
            return redirect("complexity_model")
    return render(request, "complexity/model_edit.html", {"form": form, "current": current})


@require_permission(Permission.EDIT_COMPLEXITY_MODEL)
@require_http_methods(["GET", "POST"])
def model_edit_form(request: AuthedRequest) -> HttpResponse:
    """The model's factors and tiers as forms, beside the YAML editor: the same model, checked
    by the same engine validator and published by the same action. Rows are added by a
    submit button (server-side, no script) and removed by ticking their box."""
    current = ModelVersion.current()
    model = current.model
    data = posted(request)
    adding = data.get("add") if data is not None else None
    if data is not None and adding in ("factor", "tier"):
        data = data.copy()
        prefix = "factors" if adding == "factor" else "tiers"
        total = f"{prefix}-TOTAL_FORMS"
        data[total] = str(_whole_number(data.get(total)) + 1)
    details = ModelDetailsForm(data, initial={"name": model.name}, prefix="model")
    factors = FactorFormSet(
        data, prefix="factors", initial=[FactorForm.initial_for(f) for f in model.factors]
    )
    tiers = TierFormSet(
        data, prefix="tiers", initial=[TierForm.initial_for(band) for band in model.tiers]
    )
    if data is not None and adding is None:
        version = _publish_from_forms(request, model, details, factors, tiers)
        if version is not None:
            messages.success(request, PUBLISHED.format(number=version.number))
            return redirect("complexity_model")
    return render(
        request,
        "complexity/model_edit_form.html",
        {
            "current": current,
            "model": model,
            "details": details,
            "factors": factors,
            "tiers": tiers,
            "summary": ErrorSummary(details, factors, tiers) if adding is None else None,
        },
    )


def _whole_number(text: str | None) -> int:
    return int(text) if text is not None and text.isascii() and text.isdigit() else 0


def _publish_from_forms(
    request: AuthedRequest,
    model: complexity.ComplexityModel,
    details: ModelDetailsForm,
    factors: BaseFormSet,  # type: ignore[type-arg]
    tiers: BaseFormSet,  # type: ignore[type-arg]
) -> ModelVersion | None:
    if not (details.is_valid() and factors.is_valid() and tiers.is_valid()):
        return None
    kept_factors, kept_tiers = _kept(factors), _kept(tiers)
    # What the forms do not edit (reserved functions, capacity) stays as the current model has it.
    data = complexity.to_dict(model) | {
        "name": details.cleaned_data["name"],
        "factors": [cast("FactorForm", form).as_data() for form in kept_factors],
        "tiers": [cast("TierForm", form).as_data() for form in kept_tiers],
    }
    try:
        edited = complexity.from_dict(data)
    except complexity.ModelError as error:
        _place_model_error(str(error), details, {"factors": kept_factors, "tiers": kept_tiers})
        return None
    return attempt(
        details,
        lambda: actions.publish_model_version(
            by=request.user,
            definition=complexity.dumps(edited),
            change_note=details.cleaned_data["change_note"],
        ),
    )


def _kept(formset: BaseFormSet) -> list[forms.Form]:  # type: ignore[type-arg]
    """The rows to publish: neither ticked for removal nor added and left empty."""
    return [
        form for form in formset.forms if form.cleaned_data and form not in formset.deleted_forms
    ]


_ROW = re.compile(r"^(factors|tiers)\[(\d+)\]")


def _place_model_error(
    message: str, details: ModelDetailsForm, rows: dict[str, list[forms.Form]]
) -> None:
    """The engine's message names where (`tiers[2].minimum: ...`): shown on that row, counted
    among the rows left after removals, which is how the engine numbered them."""
    found = _ROW.match(message)
    if found is not None:
        kept = rows[found[1]]
        position = int(found[2])
        if 1 <= position <= len(kept):
            kept[position - 1].add_error(None, message)
            return
    details.add_error("name" if message.startswith("name:") else None, message)


@require_permission(Permission.EDIT_COMPLEXITY_MODEL)
def model_outdated(request: AuthedRequest) -> HttpResponse:
    """Open cases still scored under an earlier version of the model, to re-score in bulk."""
    current = ModelVersion.current()
    outdated = outdated_assessments(request.user, current)
    page = paginate(
        request,
        outdated.select_related("case__person", "case__team", "model_version").order_by(
            "model_version__number", "case__team__name", "case_id"
        ),
    )
    current_keys = {factor.key for factor in current.model.factors}
    return render(
        request,
        "complexity/model_outdated.html",
        {
            "current": current,
            "page": page,
            "rows": [
                {"assessment": assessment, "same_factors": set(assessment.scores) == current_keys}
                for assessment in page
            ],
            "count": page.paginator.count,
        },
    )


@require_permission(Permission.EDIT_COMPLEXITY_MODEL)
@require_POST
def model_rescore_all(request: AuthedRequest) -> HttpResponse:
    try:
        job = complexity_jobs.start_bulk_rescore(by=request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("complexity_outdated")
    return redirect("job_detail", pk=job.pk)
