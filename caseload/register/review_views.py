"""The contact log, handing a case back to its team, reviews, and the team's case list. Thin:
fetch through `access`, change through `reviews`, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from caseload.accounts.permissions import Permission, has_permission
from caseload.audit import log
from caseload.register import access, reviews
from caseload.register.contacts import review_overdue, with_last_contact
from caseload.register.forms import ContactForm, HandBackForm, QuickContactForm, ReviewForm
from caseload.register.models import OPEN_STATUSES, Case, CaseStatus, ContactKind
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, attempt, paginate, posted
from caseload_engine.dates import add_months


def contact_log(request: AuthedRequest, case: Case) -> dict[str, Any]:
    """The case page's contact log, newest first, a page at a time, and what the user may do."""
    contacts = case.contacts.select_related("practitioner", "recorded_by").order_by(
        "-occurred_on", "-pk"
    )
    today = timezone.localdate()
    return {
        "contacts": paginate(request, contacts),
        "may_work": reviews.may_work_on(request.user, case),
        "contact_kinds": ContactKind.choices,
        "review_overdue": case.is_open
        and case.next_review_on is not None
        and case.next_review_on < today,
    }


def _case_for_work(request: AuthedRequest, pk: int) -> Case:
    case = access.get_case_for_user(request.user, pk)
    if not has_permission(request.user, Permission.UPDATE_CASE, team=case.team_id):
        raise PermissionDenied
    log.record_case_form(request.user, case_id=case.pk, person_id=case.person_id)
    return case


@require_permission(Permission.UPDATE_CASE)
@require_POST
def case_contact_today(request: AuthedRequest, pk: int) -> HttpResponse:
    """One of the "Visit today" buttons: one POST; the log again for HTMX, else the page."""
    case = _case_for_work(request, pk)
    form = QuickContactForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "Choose visit, call, meeting or letter."
    else:
        try:
            reviews.record_contact(
                by=request.user,
                case=case,
                occurred_on=timezone.localdate(),
                kind=form.cleaned_data["kind"],
            )
        except ActionRefused as refusal:
            error = refusal.message
    if request.htmx:
        context = {"case": case, "contact_error": error, **contact_log(request, case)}
        return render(request, "register/_contact_log.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Contact recorded.")
    return redirect("case_detail", pk=case.pk)


@require_permission(Permission.UPDATE_CASE)
@require_http_methods(["GET", "POST"])
def case_contact_new(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _case_for_work(request, pk)
    form = ContactForm(
        posted(request), initial={"occurred_on": timezone.localdate(), "kind": ContactKind.VISIT}
    )
    if form.is_valid():
        contact = attempt(
            form,
            lambda: reviews.record_contact(
                by=request.user,
                case=case,
                occurred_on=form.cleaned_data["occurred_on"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            ),
        )
        if contact is not None:
            messages.success(request, "Contact recorded.")
            return redirect("case_detail", pk=case.pk)
    return render(request, "register/case_contact_new.html", {"case": case, "form": form})


@require_permission(Permission.UPDATE_CASE)
@require_http_methods(["GET", "POST"])
def case_hand_back(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _case_for_work(request, pk)
    usual = add_months(timezone.localdate(), case.team.review_interval_months)
    form = HandBackForm(posted(request), initial={"next_review_on": usual})
    if form.is_valid():
        handed_back = attempt(
            form,
            lambda: reviews.hand_back_to_team(
                by=request.user, case=case, next_review_on=form.cleaned_data["next_review_on"]
            ),
        )
        if handed_back is not None:
            messages.success(request, f"Case handed back to {case.team.name}.")
            return redirect("case_detail", pk=case.pk)
    return render(
        request, "register/case_hand_back.html", {"case": case, "form": form, "usual": usual}
    )


@require_permission(Permission.UPDATE_CASE)
@require_http_methods(["GET", "POST"])
def case_review(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _case_for_work(request, pk)
    form = ReviewForm(posted(request), initial={"reviewed_on": timezone.localdate()})
    if form.is_valid():
        reviewed = attempt(
            form,
            lambda: reviews.record_review(
                by=request.user, case=case, reviewed_on=form.cleaned_data["reviewed_on"]
            ),
        )
        if reviewed is not None:
            messages.success(request, "Review recorded.")
            return redirect("case_detail", pk=case.pk)
    return render(request, "register/case_review.html", {"case": case, "form": form})


# The team's case list: which cases to show.
CASE_FILTERS = {
    "": "All open cases",
    "held": "Held by the team until review",
    "overdue": "Review overdue",
}


@require_permission(Permission.VIEW_TEAM_CASELOADS)
def team_cases(request: AuthedRequest, pk: int) -> HttpResponse:
    team = access.get_team_for_user(request.user, pk)
    if not has_permission(request.user, Permission.VIEW_TEAM_CASELOADS, team=team):
        raise PermissionDenied
    show = request.GET.get("show", "")
    if show not in CASE_FILTERS:
        show = ""
    today = timezone.localdate()
    cases = access.cases_visible_to(request.user).filter(team=team, status__in=OPEN_STATUSES)
    if show == "held":
        cases = cases.filter(status=CaseStatus.HELD)
    elif show == "overdue":
        cases = cases.filter(review_overdue(today))
    page = paginate(
        request,
        with_last_contact(cases.select_related("person")).order_by(
            "next_review_on", "opened_at", "pk"
        ),
    )
    log.record_team_cases_viewed(
        request.user, team_id=team.pk, person_ids=[case.person_id for case in page]
    )
    return render(
        request,
        "register/team_cases.html",
        {
            "team": team,
            "page": page,
            "show": show,
            "filters": CASE_FILTERS.items(),
            "today": today,
            "query": urlencode({"show": show}) if show else "",
        },
    )
