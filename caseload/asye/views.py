"""The ASYE pages: a programme, the form for its next review, and the list of ASYEs."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.asye import actions
from caseload.asye.access import (
    get_own_review_for_asye,
    get_programme_for_user,
    may_comment,
    may_record_review,
)
from caseload.asye.forms import CommentsForm, ReviewForm, StartForm
from caseload.asye.models import Programme, ProgrammeStatus
from caseload.asye.pages import development_time
from caseload.audit import log
from caseload.register import access
from caseload.register.forms import TeamChoiceForm
from caseload.register.models import Team
from caseload.web.decorators import require_permission
from caseload.web.requests import AuthedRequest, attempt, posted
from caseload_engine import asye


@require_GET
def programme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The ASYE's year: development time, assessor, the reviews due and held, with their
    evidence. For the ASYE, the assessor, the team's manager and the principal social worker."""
    programme = get_programme_for_user(request.user, pk)
    practitioner = programme.practitioner
    log.record_asye_programme_viewed(
        request.user, practitioner_id=practitioner.pk, team_id=practitioner.team_id
    )
    schedule = programme.schedule(timezone.localdate())
    upcoming = asye.next_review(schedule) if programme.is_active else None
    reviews = list(programme.reviews.all())
    own = practitioner.user_id == request.user.pk
    latest = reviews[-1].months if reviews else 0
    return render(
        request,
        "asye/programme.html",
        {
            "programme": programme,
            "practitioner": practitioner,
            "schedule": schedule,
            "reviews": reviews,
            "commentable": {r.pk for r in reviews if own and may_comment(r, latest_months=latest)},
            "upcoming": upcoming,
            "development": development_time(),
            "may_record": upcoming is not None and may_record_review(request.user, programme),
        },
    )


@require_http_methods(["GET", "POST"])
def review_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """The programme's next review, recorded all at once: the outcome, the evidence against
    every PCF domain and KSS statement, and the comments."""
    programme = get_programme_for_user(request.user, pk)
    if not may_record_review(request.user, programme):
        raise PermissionDenied
    upcoming = (
        asye.next_review(programme.schedule(timezone.localdate())) if programme.is_active else None
    )
    if upcoming is None:
        raise Http404("No review left to record")
    practitioner = programme.practitioner
    log.record_asye_review_form(
        request.user, practitioner_id=practitioner.pk, team_id=practitioner.team_id
    )
    form = ReviewForm(posted(request), programme=programme, months=upcoming.months)
    if form.is_valid():
        data = form.cleaned_data
        review = attempt(
            form,
            lambda: actions.record_review(
                by=request.user,
                programme=programme,
                months=upcoming.months,
                held_on=data["held_on"],
                outcome=data["outcome"],
                pcf_evidence=form.evidence("pcf"),
                kss_evidence=form.evidence("kss"),
                assessor_comments=data["assessor_comments"],
            ),
        )
        if review is not None:
            return redirect("asye_programme", programme.pk)
    return render(
        request,
        "asye/review_form.html",
        {"programme": programme, "practitioner": practitioner, "upcoming": upcoming, "form": form},
    )


@require_http_methods(["GET", "POST"])
def review_comments(request: AuthedRequest, pk: int) -> HttpResponse:
    """The ASYE's own comments on one of their reviews, added or changed while still open."""
    review = get_own_review_for_asye(request.user, pk)
    programme = review.programme
    latest = max(programme.reviews.values_list("months", flat=True))
    if not may_comment(review, latest_months=latest):
        raise PermissionDenied
    practitioner = programme.practitioner
    log.record_asye_review_form(
        request.user, practitioner_id=practitioner.pk, team_id=practitioner.team_id
    )
    form = CommentsForm(posted(request), initial={"asye_comments": review.asye_comments})
    if form.is_valid():
        saved = attempt(
            form,
            lambda: actions.record_asye_comments(
                by=request.user, review=review, comments=form.cleaned_data["asye_comments"]
            ),
        )
        if saved is not None:
            return redirect("asye_programme", programme.pk)
    return render(
        request,
        "asye/comments_form.html",
        {
            "review": review,
            "programme": programme,
            "practitioner": practitioner,
            "form": form,
            "comment_days": asye.COMMENT_DAYS,
        },
    )


@require_permission(Permission.MANAGE_ASYE_PROGRAMMES)
@require_http_methods(["GET", "POST"])
def programme_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """Start an ASYE's programme: the day it starts and who assesses them."""
    practitioner = access.get_practitioner_for_user(request.user, pk)
    if not has_permission(
        request.user, Permission.MANAGE_ASYE_PROGRAMMES, team=practitioner.team_id or 0
    ):
        raise PermissionDenied
    form = StartForm(
        posted(request), practitioner=practitioner, initial={"starts_on": timezone.localdate()}
    )
    if form.is_valid():
        programme = attempt(
            form,
            lambda: actions.start_programme(
                by=request.user,
                practitioner=practitioner,
                starts_on=form.cleaned_data["starts_on"],
                assessor=form.cleaned_data["assessor"],
            ),
        )
        if programme is not None:
            return redirect("asye_programme", programme.pk)
    return render(request, "asye/start.html", {"practitioner": practitioner, "form": form})


SHOW_OVERDUE = "overdue"


@dataclass(frozen=True)
class ListRow:
    programme: Programme
    upcoming: asye.ScheduledReview | None

    @property
    def is_overdue(self) -> bool:
        return self.upcoming is not None and self.upcoming.state is asye.ReviewState.OVERDUE


@require_permission(Permission.VIEW_ASYE_PROGRAMMES)
@require_GET
def programme_list(request: AuthedRequest) -> HttpResponse:
    """The ASYEs of the teams the user oversees, each with their next review and whether it is
    overdue; `?show=overdue` lists only those with an overdue review."""
    today = timezone.localdate()
    teams = filter_by_team(
        Team.objects.order_by("name"), request.user, Permission.VIEW_ASYE_PROGRAMMES, field="pk"
    )
    form = TeamChoiceForm(request.GET if "team" in request.GET else None, teams=teams)
    team = form.cleaned_data["team"] if form.is_bound and form.is_valid() else None
    visible = filter_by_team(
        Programme.objects.filter(status=ProgrammeStatus.ACTIVE),
        request.user,
        Permission.VIEW_ASYE_PROGRAMMES,
        field="practitioner__team",
    )
    programmes = (
        (visible if team is None else visible.filter(practitioner__team=team))
        .select_related("practitioner__team", "assessor")
        .prefetch_related("reviews")
        .order_by("practitioner__family_name", "practitioner__given_name", "pk")
    )
    rows = [
        ListRow(programme, asye.next_review(programme.schedule(today))) for programme in programmes
    ]
    overdue = [row for row in rows if row.is_overdue]
    only_overdue = request.GET.get("show") == SHOW_OVERDUE
    page = Paginator(overdue if only_overdue else rows, settings.CASELOAD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    log.record_asye_programmes_listed(request.user, team_id=team.pk if team else None)
    team_query = f"team={team.pk}" if team is not None else ""
    return render(
        request,
        "asye/list.html",
        {
            "form": form,
            "team": team,
            "page": page,
            "overdue_count": len(overdue),
            "total": len(rows),
            "only_overdue": only_overdue,
            "team_query": team_query,
            "query": "&".join(
                part
                for part in (team_query, f"show={SHOW_OVERDUE}" if only_overdue else "")
                if part
            ),
        },
    )
