"""Changes to complexity: scoring, overriding, re-scoring, publishing a model version.

As with the register's actions: atomic, keyword-only, the acting user, access rechecked under
a lock, and a ChangeEvent in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.complexity.models import Assessment, ModelVersion
from caseload.register.actions import lock_open_case
from caseload.register.models import Case
from caseload.web.errors import ActionRefused
from caseload_engine import complexity


def _lock_case(by: User, case: Case) -> Case:
    return lock_open_case(by, case, Permission.SCORE_CASE)


def _record(
    *,
    by: User,
    case: Case,
    version: ModelVersion,
    scores: Mapping[str, int],
    rationales: Mapping[str, str],
    reserved_functions: Iterable[str],
    action: ChangeAction,
) -> Assessment:
    model = version.model
    try:
        scored = complexity.score(model, scores)
    except complexity.ScoreError as error:
        raise ActionRefused(str(error), field=error.factor) from None
    reserved = sorted(set(reserved_functions))
    known = {function.key for function in model.reserved_functions}
    for key in reserved:
        if key not in known:
            raise ActionRefused(f"'{key}' is not a reserved function", field="reserved_functions")
    previous = (
        Assessment.objects.filter(case=case, is_current=True)
        .values("effective_tier", "total", "model_version__number")
        .first()
    ) or {"effective_tier": None, "total": None, "model_version__number": None}
    Assessment.objects.filter(case=case, is_current=True).update(is_current=False)
    assessment = Assessment.objects.create(
        case=case,
        model_version=version,
        scores=dict(scored.scores),
        rationales={key: text.strip() for key, text in rationales.items() if text.strip()},
        reserved_functions=reserved,
        total=scored.total,
        tier=scored.tier,
        points=scored.points,
        assessed_by=by,
        assessed_at=timezone.now(),
        is_current=True,
    )
    record_change(
        by=by,
        action=action,
        person_id=case.person_id,
        case_id=case.pk,
        team_id=case.team_id,
        changes={
            "tier": (previous["effective_tier"], scored.tier),
            "total": (previous["total"], scored.total),
            "model_version": (previous["model_version__number"], version.number),
        },
        detail={"assessment_id": assessment.pk},
    )
    return assessment


@transaction.atomic
def assess_case(
    *,
    by: User,
    case: Case,
    scores: Mapping[str, int],
    rationales: Mapping[str, str],
    reserved_functions: Iterable[str] = (),
) -> Assessment:
    """Score a case under the current model; the new assessment becomes the case's current one."""
    locked = _lock_case(by, case)
    return _record(
        by=by,
        case=locked,
        version=ModelVersion.current(),
        scores=scores,
        rationales=rationales,
        reserved_functions=reserved_functions,
        action=ChangeAction.COMPLEXITY_ASSESSED,
    )


@transaction.atomic
def rescore_case(*, by: User, case: Case) -> Assessment:
    """Score the case's current scores again under the current model version: never done
    silently, and only where the new version has the same factors."""
    return _rescore(by=by, case=_lock_case(by, case))


@transaction.atomic
def rescore_under_current_model(*, by: User, case: Case) -> Assessment:
    """The model's publisher brings a case scored under an earlier version onto the current
    one (the bulk re-score, `caseload.complexity.jobs`): the same scores and rationales, one
    change event. Their role scores no case itself, so this is its own door."""
    if not has_permission(by, Permission.EDIT_COMPLEXITY_MODEL):
        raise ActionRefused("Only those who publish the model can re-score cases in bulk")
    return _rescore(by=by, case=lock_open_case(by, case, Permission.EDIT_COMPLEXITY_MODEL))


def _rescore(*, by: User, case: Case) -> Assessment:
    previous = Assessment.objects.filter(case=case, is_current=True).first()
    if previous is None:
        raise ActionRefused("This case has not been scored yet")
    version = ModelVersion.current()
    if previous.model_version_id == version.pk:
        raise ActionRefused("This case is already scored under the current model")
    new_keys = {factor.key for factor in version.model.factors}
    if set(previous.scores) != new_keys:
        raise ActionRefused("The current model has different factors: score the case again instead")
    return _record(
        by=by,
        case=case,
        version=version,
        scores=previous.scores,
        rationales=previous.rationales,
        reserved_functions=previous.reserved_functions,
        action=ChangeAction.COMPLEXITY_RESCORED,
    )


@transaction.atomic
def override_tier(*, by: User, assessment: Assessment, tier: int, reason: str) -> Assessment:
    """A team manager's professional judgement: a different tier, with the reason recorded.
    The scored tier stays on the assessment beside it."""
    if not has_permission(by, Permission.OVERRIDE_TIER, team=assessment.case.team_id):
        raise ActionRefused("Only the case's team manager can override its tier")
    case = lock_open_case(by, assessment.case, Permission.OVERRIDE_TIER)
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("model_version")
        .filter(pk=assessment.pk, case=case)
        .first()
    )
    if locked is None or not locked.is_current:
        raise ActionRefused("Only the case's current assessment can be overridden")
    if not reason.strip():
        raise ActionRefused("Give the reason for overriding the tier", field="reason")
    try:
        band = locked.model_version.model.band(tier)
    except KeyError:
        raise ActionRefused(f"Tier {tier} is not in this model", field="tier") from None
    if tier == locked.tier:
        raise ActionRefused(
            f"Tier {tier} is the scored tier: choose a different one to override", field="tier"
        )
    previous_tier = locked.effective_tier
    locked.override_tier = tier
    locked.override_reason = reason.strip()
    locked.overridden_by = by
    locked.overridden_at = timezone.now()
    locked.points = band.points
    locked.save(
        update_fields=[
            "override_tier",
            "override_reason",
            "overridden_by",
            "overridden_at",
            "points",
        ]
    )
    locked.refresh_from_db(fields=["effective_tier"])
    # The reason is free text: it stays on the assessment, not in the log.
    record_change(
        by=by,
        action=ChangeAction.COMPLEXITY_TIER_OVERRIDDEN,
        person_id=case.person_id,
        case_id=case.pk,
        team_id=case.team_id,
        changes={"tier": (previous_tier, tier)},
        detail={"assessment_id": locked.pk, "scored_tier": locked.tier},
    )
    return locked


@transaction.atomic
def publish_model_version(*, by: User, definition: str, change_note: str) -> ModelVersion:
    """Publish an edited model as the next version. Existing assessments keep theirs."""
    if not has_permission(by, Permission.EDIT_COMPLEXITY_MODEL):
        raise ActionRefused("Your role cannot publish versions of the complexity model")
    try:
        model = complexity.loads(definition)
    except complexity.ModelError as error:
        raise ActionRefused(str(error), field="definition") from None
    if not change_note.strip():
        raise ActionRefused("Say what changed in this version", field="change_note")
    # Lock the newest version's row so that two publishers cannot take the same number.
    list(ModelVersion.objects.select_for_update().order_by("-number")[:1])
    current = ModelVersion.current()
    if complexity.normalised(model) == complexity.normalised(current.model):
        raise ActionRefused(
            f"This is the same model as version {current.number}, the current one: "
            "change something before publishing",
            field="definition",
        )
    latest = current.number
    version = ModelVersion.objects.create(
        number=latest + 1,
        name=model.name,
        definition=definition,
        change_note=change_note.strip(),
        created_by=by,
    )
    record_change(
        by=by,
        action=ChangeAction.COMPLEXITY_MODEL_PUBLISHED,
        changes={"model_version": (latest, version.number)},
        detail={"name": model.name},
    )
    return version
