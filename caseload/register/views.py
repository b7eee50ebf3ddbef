"""Register pages. Thin: fetch through `access`, change through `actions`, render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reselect, reswap, retarget

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, Scope, has_permission, scope_of, team_id_of
from caseload.audit import log
from caseload.audit.presenters import ViewOfPerson, views_of_person
from caseload.register import access, actions, glass, reviews
from caseload.register.contacts import review_overdue, with_last_contact
from caseload.register.forms import (
    CasePriorityForm,
    CloseCaseForm,
    NewPersonReferralForm,
    PersonSearchForm,
    RequestForm,
    TeamReviewIntervalForm,
)
from caseload.register.models import (
    OPEN_STATUSES,
    WAITING_STATUSES,
    Allocation,
    Case,
    CaseStatus,
    Person,
    Practitioner,
    absent_on,
)
from caseload.register.review_views import contact_log
from caseload.register.search import search_people
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.panels import columns_for, prepare_rows, with_columns
from caseload.web.requests import AuthedRequest, attempt, paginate, posted

CASELOAD_SLOT = "practitioner_caseload"
TEAM_CASELOADS_SLOT = "team_caseloads"


def count_of(queryset: QuerySet[Any], group_by: str) -> Coalesce:
    """A correlated count per row of the outer query: one subquery, no join fan-out."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def current_caseload_counts() -> Coalesce:
    return count_of(
        Allocation.objects.filter(practitioner=OuterRef("pk"), ended_at__isnull=True),
        "practitioner",
    )


@require_permission(Permission.VIEW_TEAM)
def team_list(request: AuthedRequest) -> HttpResponse:
    teams = (
        access.teams_visible_to(request.user)
        .select_related("locality")
        .annotate(
            practitioner_count=count_of(
                Practitioner.objects.filter(team=OuterRef("pk"), left_on__isnull=True), "team"
            ),
            allocated_count=count_of(
                Case.objects.filter(team=OuterRef("pk"), status=CaseStatus.ALLOCATED), "team"
            ),
            waiting_count=count_of(
                Case.objects.filter(team=OuterRef("pk"), status__in=WAITING_STATUSES), "team"
            ),
            held_count=count_of(
                Case.objects.filter(team=OuterRef("pk"), status=CaseStatus.HELD), "team"
            ),
        )
        .order_by("locality__name", "name")
    )
    return render(request, "register/team_list.html", {"page": paginate(request, teams)})


@require_permission(Permission.VIEW_TEAM)
def team_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    team = access.get_team_for_user(request.user, pk)
    if not has_permission(request.user, Permission.VIEW_TEAM_CASELOADS, team=team):
        # A practitioner may see their team's waiting list but not colleagues' caseloads.
        return redirect("team_waiting_list", pk=team.pk)
    log.record_team_viewed(request.user, team_id=team.pk)
    practitioners = prepare_rows(
        TEAM_CASELOADS_SLOT,
        list(
            with_columns(
                TEAM_CASELOADS_SLOT,
                team.practitioners.filter(left_on__isnull=True)
                .annotate(caseload=current_caseload_counts())
                .prefetch_related("specialisms")
                .order_by("role", "family_name"),
            )
        ),
    )
    today = timezone.localdate()
    absent_ids = set(team.practitioners.filter(absent_on(today)).values_list("pk", flat=True))
    status_counts = dict(
        team.cases.filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return render(
        request,
        "register/team_detail.html",
        {
            "team": team,
            "practitioners": practitioners,
            "columns": columns_for(TEAM_CASELOADS_SLOT),
            "can_set_levels": has_permission(
                request.user, Permission.SET_TEAM_WORKLOAD_LEVELS, team=team
            ),
            "absent_ids": absent_ids,
            "awaiting_screening": status_counts.get(CaseStatus.AWAITING_SCREENING, 0),
            "awaiting_allocation": status_counts.get(CaseStatus.AWAITING_ALLOCATION, 0),
            "held": status_counts.get(CaseStatus.HELD, 0),
            "reviews_overdue": team.cases.filter(review_overdue(today)).count(),
        },
    )


@require_permission(Permission.SET_TEAM_WORKLOAD_LEVELS)
@require_http_methods(["GET", "POST"])
def team_review_interval(request: AuthedRequest, pk: int) -> HttpResponse:
    """How long the team's held cases wait for review (its safe working levels are the workload
    app's)."""
    team = access.get_team_for_user(request.user, pk)
    if not has_permission(request.user, Permission.SET_TEAM_WORKLOAD_LEVELS, team=team):
        raise PermissionDenied
    form = TeamReviewIntervalForm(
        posted(request), initial={"review_interval_months": team.review_interval_months}
    )
    if form.is_valid():
        changed = attempt(
            form,
            lambda: reviews.set_review_interval(
                by=request.user,
                team=team,
                review_interval_months=form.cleaned_data["review_interval_months"],
            ),
        )
        if changed is not None:
            messages.success(request, "Review interval saved.")
            return redirect("team_detail", pk=team.pk)
    return render(request, "register/team_review_interval.html", {"team": team, "form": form})


@require_permission(Permission.VIEW_TEAM)
def team_waiting_list(request: AuthedRequest, pk: int) -> HttpResponse:
    team = access.get_team_for_user(request.user, pk)
    status = request.GET.get("status", "")
    statuses = [status] if status in WAITING_STATUSES else list(WAITING_STATUSES)
    cases = (
        access.cases_visible_to(request.user)
        .filter(team=team, status__in=statuses)
        .select_related("person", "request")
        .order_by("opened_at", "pk")
    )
    page = paginate(request, cases)
    log.record_waiting_list_viewed(
        request.user, team_id=team.pk, person_ids=[case.person_id for case in page]
    )
    context = {
        "team": team,
        "page": page,
        "status": status,
        "status_choices": [(s.value, s.label) for s in WAITING_STATUSES],
        "query": urlencode({"status": status}) if status in WAITING_STATUSES else "",
    }
    template = (
        "register/_waiting_list_table.html" if request.htmx else "register/team_waiting_list.html"
    )
    return render(request, template, context)


def practitioner_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    practitioner = access.get_practitioner_for_user(request.user, pk)
    caseload = with_columns(
        CASELOAD_SLOT,
        with_last_contact(
            practitioner.allocations.filter(ended_at__isnull=True)
            .select_related("case__person", "case__team")
            .order_by("started_at", "pk"),
            "case_id",
        ),
    )
    today = timezone.localdate()
    page = paginate(request, caseload)
    for allocation in page:
        last = allocation.last_contact_on
        allocation.days_since_contact = (today - last).days if last is not None else None
    log.record_caseload_viewed(
        request.user,
        practitioner_id=practitioner.pk,
        person_ids=[allocation.case.person_id for allocation in page],
    )
    return render(
        request,
        "register/practitioner_detail.html",
        {
            "practitioner": practitioner,
            "page": page,
            "specialisms": list(practitioner.specialisms.all()),
            "absences": list(
                practitioner.absences.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            ),
            "renewal_due_soon": practitioner.swe_renewal_date is not None
            and (practitioner.swe_renewal_date - today).days <= 30,
            "is_me": access.practitioner_for(request.user) == practitioner,
            "columns": columns_for(CASELOAD_SLOT),
        },
    )


@require_permission(Permission.SEARCH_PEOPLE)
@require_http_methods(["GET", "POST"])
def person_list(request: AuthedRequest) -> HttpResponse:
    """Browse, or search by POST so that names and NHS numbers stay out of URLs and logs."""
    visible = access.people_visible_to(request.user)
    form = PersonSearchForm(posted(request))
    searched = request.method == "POST"
    if searched and form.is_valid():
        people = search_people(visible, form.cleaned_data["q"])
        page = paginate(request, people, form.cleaned_data.get("page") or 1)
        log.record_people_searched(request.user, person_ids=[person.pk for person in page])
    elif searched:
        page = None
    else:
        page = paginate(request, visible.order_by("family_name", "given_name", "pk"))
        log.record_people_listed(request.user, person_ids=[person.pk for person in page])
    context = {
        "form": form,
        "page": page,
        "searched": searched,
        # Says whose records the list holds.
        "reach": scope_of(request.user, Permission.VIEW_TEAM_CASELOADS),
    }
    if request.htmx and page is not None:
        return render(request, "register/_person_results.html", context)
    response = render(request, "register/person_list.html", context)
    if request.htmx:
        # A search refused (no words): the page's main content again, with its error summary,
        # in place of the old one (not the whole page inside the results).
        retarget(response, "#main-content")
        reselect(response, "#main-content")
        reswap(response, "outerHTML")
    return response


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    text: str
    case: Case


def person_history(cases: list[Case]) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    for case in cases:
        route = case.request.get_route_of_access_display()
        entries.append(
            HistoryEntry(
                case.request.received_at, f"Request received by {case.team.name} ({route})", case
            )
        )
        for allocation in case.allocations.all():
            entries.append(
                HistoryEntry(allocation.started_at, f"Allocated to {allocation.practitioner}", case)
            )
            if allocation.ended_at is not None:
                entries.append(
                    HistoryEntry(
                        allocation.ended_at,
                        f"{allocation.practitioner} stopped holding the case",
                        case,
                    )
                )
        if case.closed_at is not None:
            entries.append(
                HistoryEntry(case.closed_at, f"Closed: {case.get_outcome_display()}", case)
            )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


@dataclass(frozen=True)
class OtherTeamRequest:
    at: datetime
    team: str
    recorded_by: str
    reason: str


def other_teams_requests(person: Person, *, shown: list[Case]) -> list[OtherTeamRequest]:
    """Requests that joined a team the viewer may not see to the person's record while they
    were known to other teams: who recorded each, for which team, and why (no case detail)."""
    return [
        OtherTeamRequest(
            at=request.received_at,
            team=case.team.name,
            recorded_by=request.recorded_by.get_full_name() if request.recorded_by else "",
            reason=request.known_person_reason,
        )
        for case in person.cases.exclude(pk__in=[case.pk for case in shown])
        .exclude(request__known_person_reason="")
        .select_related("team", "request__recorded_by")
        .order_by("-opened_at")
        for request in [case.request]
    ]


def recent_views(user: User, person: Person) -> list[ViewOfPerson]:
    """Who viewed the record: in every team for oversight; a manager sees their own team's
    views, and anyone's breaking of the glass, not other teams' work."""
    scope = scope_of(user, Permission.VIEW_ACCESS_HISTORY)
    if scope is None:
        return []
    if scope is Scope.EVERYWHERE:
        return views_of_person(person.pk, limit=10)
    team_id = team_id_of(user)
    colleagues = (
        Practitioner.objects.filter(team_id=team_id) if team_id else Practitioner.objects.none()
    )
    return views_of_person(person.pk, limit=10, viewers=colleagues.values("user_id"))


def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        person = access.get_person_for_user(
            request.user, pk, glass_broken=glass.glass_broken(request)
        )
    except Http404:
        # The same answer whether or not the id is someone's: the form confirms nothing.
        if has_permission(request.user, Permission.BREAK_GLASS):
            return redirect("person_break_glass", pk=pk)
        raise
    log.record_person_viewed(request.user, person_id=person.pk)
    context: dict[str, Any] = {
        "person": person,
        "can_refer": has_permission(request.user, Permission.RECORD_REFERRAL)
        and person.date_of_death is None,
    }
    if not access.may_see_person_detail(request.user, person):
        # A director, or a record opened by breaking the glass: counts, naming no one.
        labels = dict(CaseStatus.choices)
        context["case_counts"] = [
            (row["team__name"], labels[row["status"]], row["n"])
            for row in person.cases.order_by("team__name", "status")
            .values("team__name", "status")
            .annotate(n=Count("pk"))
        ]
        return render(request, "register/person_detail.html", context)
    cases = list(
        access.cases_visible_to(request.user)
        .filter(person=person)
        .select_related("team", "request")
        .prefetch_related("allocations__practitioner")
        .order_by("-opened_at")
    )
    context |= {
        "detail": True,
        "cases": cases,
        "history": person_history(cases),
        "other_teams_requests": other_teams_requests(person, shown=cases),
        "recent_views": recent_views(request.user, person),
    }
    return render(request, "register/person_detail.html", context)


@require_permission(Permission.BREAK_GLASS)
@require_http_methods(["GET", "POST"])
def person_break_glass(request: AuthedRequest, pk: int) -> HttpResponse:
    """Ask why, record it, then open the record for this session, for a while."""
    if pk > glass.LARGEST_ID:
        # No record has it, and the log's id column could not hold it.
        raise Http404("No such person")
    if pk in glass.glass_broken(request):
        return redirect("person_detail", pk=pk)
    form = glass.BreakGlassForm(posted(request))
    if form.is_valid():
        # Recorded before anything is shown, and whether or not the id is someone's.
        log.record_glass_broken(
            request.user,
            person_id=pk,
            reason=form.cleaned_data["reason"],
            detail=form.cleaned_data["detail"],
        )
        if not Person.objects.filter(pk=pk).exists():
            raise Http404("No such person")
        glass.break_glass(request, pk)
        return redirect("person_detail", pk=pk)
    return render(request, "register/break_glass.html", {"form": form, "pk": pk})


def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, pk)
    log.record_case_viewed(request.user, case_id=case.pk, person_id=case.person_id)
    allocations = case.allocations.select_related("practitioner", "allocated_by").order_by(
        "-started_at"
    )
    return render(
        request,
        "register/case_detail.html",
        {
            "case": case,
            "allocations": allocations,
            "can_change": has_permission(request.user, Permission.UPDATE_CASE, team=case.team_id)
            and case.is_open,
            **contact_log(request, case),
        },
    )


def _require_can_change(request: AuthedRequest, case: Case) -> None:
    if not has_permission(request.user, Permission.UPDATE_CASE, team=case.team_id):
        raise PermissionDenied


@require_permission(Permission.UPDATE_CASE)
@require_http_methods(["GET", "POST"])
def case_close(request: AuthedRequest, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, pk)
    _require_can_change(request, case)
    log.record_case_form(request.user, case_id=case.pk, person_id=case.person_id)
    if not case.is_open:
        messages.info(request, "This case is already closed.")
        return redirect("case_detail", pk=case.pk)
    form = CloseCaseForm(posted(request), initial={"closed_on": timezone.localdate()})
    if form.is_valid():
        closed = attempt(
            form,
            lambda: actions.close_case(
                by=request.user,
                case=case,
                outcome=form.cleaned_data["outcome"],
                closed_at=form.closed_at(),
            ),
        )
        if closed is not None:
            messages.success(request, "Case closed.")
            return redirect("case_detail", pk=case.pk)
    return render(request, "register/case_close.html", {"case": case, "form": form})


@require_permission(Permission.UPDATE_CASE)
@require_POST
def case_priority(request: AuthedRequest, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, pk)
    _require_can_change(request, case)
    log.record_case_form(request.user, case_id=case.pk, person_id=case.person_id)
    form = CasePriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a priority of 1, 2 or 3.")
        return redirect("case_detail", pk=case.pk)
    try:
        actions.set_priority(by=request.user, case=case, priority=form.cleaned_data["priority"])
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Priority saved.")
    return redirect("case_detail", pk=case.pk)


@require_permission(Permission.UPDATE_CASE)
@require_POST
def case_screen(request: AuthedRequest, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, pk)
    _require_can_change(request, case)
    log.record_case_form(request.user, case_id=case.pk, person_id=case.person_id)
    try:
        actions.screen_case(by=request.user, case=case)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Screened: the case is now awaiting allocation.")
    return redirect("case_detail", pk=case.pk)


def _referral_recorded(request: AuthedRequest, case: Case) -> HttpResponse:
    messages.success(request, f"Referral recorded. It is on the {case.team.name} waiting list.")
    return redirect("case_detail", pk=case.pk)


@require_permission(Permission.RECORD_REFERRAL)
@require_http_methods(["GET", "POST"])
def referral_new(request: AuthedRequest) -> HttpResponse:
    teams = access.teams_user_may_refer_to(request.user)
    form = NewPersonReferralForm(posted(request), teams=teams)
    if form.is_valid():
        case = attempt(
            form,
            lambda: actions.record_referral_for_new_person(
                by=request.user, person=form.person_details(), request=form.request_details()
            ),
        )
        if case is not None:
            return _referral_recorded(request, case)
    return render(request, "register/referral_new.html", {"form": form, "person": None})


@require_permission(Permission.RECORD_REFERRAL)
@require_http_methods(["GET", "POST"])
def person_referral_new(request: AuthedRequest, pk: int) -> HttpResponse:
    # A record opened by breaking the glass (for a new request, often) may be referred on.
    person = access.get_person_for_user(request.user, pk, glass_broken=glass.glass_broken(request))
    log.record_person_form(request.user, person_id=person.pk)
    teams = access.teams_user_may_refer_to(request.user)
    form = RequestForm(posted(request), teams=teams)
    if form.is_valid():
        case = attempt(
            form,
            lambda: actions.record_referral_for_person(
                by=request.user, person=person, request=form.request_details()
            ),
        )
        if case is not None:
            return _referral_recorded(request, case)
    return render(request, "register/referral_new.html", {"form": form, "person": person})
