"""Who may see an assessment: whoever may see its case (register.access decides)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caseload.accounts.models import User
from caseload.complexity.models import Assessment
from caseload.register.access import cases_visible_to


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
