"""Who may see an assessment: whoever may see its case (register.access decides)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.complexity.models import Assessment, ModelVersion
from caseload.register.access import cases_visible_to
from caseload.register.models import OPEN_STATUSES


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(case__in=cases_visible_to(user))


def get_assessment_for_user(user: User, pk: int) -> Assessment:
    try:
        return (
            assessments_visible_to(user)
            .select_related("case__person", "case__team", "model_version")
            .get(pk=pk)
        )
    except Assessment.DoesNotExist:
        raise Http404("No such assessment") from None


def outdated_assessments(user: User, current: ModelVersion) -> QuerySet[Assessment]:
    """The current assessments of open cases the user may see that were scored under an
    earlier version of the model than `current`: those to re-score."""
    return (
        assessments_visible_to(user)
        .filter(is_current=True, case__status__in=OPEN_STATUSES)
        .exclude(model_version=current)
    )
