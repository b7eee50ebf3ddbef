"""Each record's history of changes, from the change log, newest first: shown to whoever may
see the record (the register's access checks decide), in the audit presenter's sentences."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from caseload.accounts.permissions import Permission, has_permission
from caseload.audit import log
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.audit.presenters import describe_changes, directory_for
from caseload.register import access
from caseload.web.decorators import require_permission
from caseload.web.requests import AuthedRequest, paginate


def _history(
    request: AuthedRequest,
    events: QuerySet[ChangeEvent],
    *,
    title: str,
    back: str,
    case_id: int | None = None,
    practitioner_id: int | None = None,
) -> HttpResponse:
    page = paginate(request, events)
    shown = list(page)
    log.record_history_viewed(
        request.user,
        person_ids=[event.person_id for event in shown if event.person_id is not None],
        case_id=case_id,
        practitioner_id=practitioner_id,
    )
    return render(
        request,
        "register/history.html",
        {
            "title": title,
            "back": back,
            "page": page,
            "lines": describe_changes(shown, directory_for(request.user)),
        },
    )


@require_permission(Permission.VIEW_CHANGE_HISTORY)
def case_history(request: AuthedRequest, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, pk)
    return _history(
        request,
        ChangeEvent.objects.filter(case_id=case.pk),
        title=f"Case {case.pk} for {case.person.full_name}",
        back=reverse("case_detail", args=[case.pk]),
        case_id=case.pk,
    )


@require_permission(Permission.VIEW_CHANGE_HISTORY)
def person_history(request: AuthedRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    if not has_permission(request.user, Permission.VIEW_PERSON_DETAIL):
        # A director: they know the person is there (the person's page counts their cases).
        raise PermissionDenied
    visible_cases = access.cases_visible_to(request.user).filter(person=person).values("pk")
    return _history(
        request,
        # The changes to the person and to the cases the user may see, and every request
        # recorded for them (the person's other teams see that one was, by whom).
        ChangeEvent.objects.filter(person_id=person.pk).filter(
            Q(case_id__isnull=True)
            | Q(case_id__in=visible_cases)
            | Q(action=ChangeAction.REFERRAL_RECORDED)
        ),
        title=person.full_name,
        back=reverse("person_detail", args=[person.pk]),
    )


@require_permission(Permission.VIEW_CHANGE_HISTORY)
def practitioner_history(request: AuthedRequest, pk: int) -> HttpResponse:
    practitioner = access.get_practitioner_for_user(request.user, pk)
    return _history(
        request,
        # Both indexed: the practitioner a change concerns, and one a case moved away from.
        ChangeEvent.objects.filter(Q(practitioner_id=pk) | Q(from_practitioner_id=pk)),
        title=practitioner.full_name,
        back=reverse("practitioner_detail", args=[practitioner.pk]),
        practitioner_id=practitioner.pk,
    )
