"""Queries about contacts and reviews for the pages and for the apps above the register. Each
adds a fixed number of subqueries, whatever the number of cases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

from django.db.models import DateField, Model, OuterRef, Q, QuerySet, Subquery

from caseload.register.models import OPEN_STATUSES, Case, CaseStatus, Contact, Team

M = TypeVar("M", bound=Model)


def last_contact_on(case_ref: str = "pk") -> Subquery:
    """The day of the latest contact on the case `case_ref` names in the outer query ("pk" for
    cases, "case_id" for allocations): one correlated subquery on the (case, -occurred_on)
    index."""
    latest = Contact.objects.filter(case_id=OuterRef(case_ref)).order_by("-occurred_on")
    return Subquery(latest.values("occurred_on")[:1], output_field=DateField())


def with_last_contact(queryset: QuerySet[M], case_ref: str = "pk") -> QuerySet[M]:
    """Each row annotated with `last_contact_on` (None when there has been no contact)."""
    return queryset.annotate(last_contact_on=last_contact_on(case_ref))


def review_overdue(on: date, *, via: str = "") -> Q:
    """Open cases whose next review was due before `on`; `via` is the path to the case."""
    return Q(**{f"{via}status__in": OPEN_STATUSES, f"{via}next_review_on__lt": on})


def reviews_due(team: Team, on: date, within_days: int) -> QuerySet[Case]:
    """The team's held cases whose next review falls within `within_days` of `on` (or has
    passed): what the daily run will turn into work to allocate."""
    return team.cases.filter(
        status=CaseStatus.HELD, next_review_on__lte=on + timedelta(days=within_days)
    ).order_by("next_review_on", "pk")
