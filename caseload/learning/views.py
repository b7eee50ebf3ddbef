"""Learning and feedback pages. Each reads through caseload.learning.access and changes through
caseload.learning.actions; pages that show a case write the access log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.audit import log
from caseload.learning import access, actions, figures
from caseload.learning.forms import (
    AnswersForm,
    BriefForm,
    CommissionForm,
    DirectPracticeForm,
    DoneForm,
    FeedbackForm,
    FrameworkForm,
    IncidentForm,
    LinkForm,
    RecommendationForm,
    RegradeForm,
    ReviewForm,
)
from caseload.learning.models import (
    REVIEW_SUGGESTED_FROM,
    BriefReading,
    DirectPractice,
    FrameworkAcknowledgement,
    FrameworkVersion,
    Incident,
    LearningReview,
    Recommendation,
)
from caseload.register.access import cases_visible_to
from caseload.register.models import Case, Team
from caseload.security.client_ip import client_ip
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, attempt, paginate, posted

# The figures page looks back a year by default.
YEAR = timedelta(days=365)


def _staff_choices() -> QuerySet[User]:
    """Who may lead a review or own a recommendation: whoever records incidents."""
    return User.objects.filter(
        is_active=True,
        access_role__in=["practitioner", "team_manager", "principal_social_worker"],
    ).order_by("last_name", "first_name", "pk")


def _incident_teams(user: User) -> QuerySet[Team]:
    return filter_by_team(
        Team.objects.order_by("name"), user, Permission.RECORD_INCIDENTS, field="pk"
    )


def _case_or_error(form: Any, user: User, number: int | None, team: Team | None) -> Case | None:
    """The case a form names, if the user may see it (and it is the team's): else the form's
    error, worded the same whether the case does not exist or is not theirs to name."""
    if number is None:
        return None
    found = cases_visible_to(user).filter(pk=number)
    if team is not None:
        found = found.filter(team=team)
    case = found.first()
    if case is None:
        form.add_error("case", f"Case {number} is not one of your team's cases")
    return case


# Incidents ---------------------------------------------------------------------------------


@require_permission(Permission.RECORD_INCIDENTS)
@require_GET
def incident_list(request: AuthedRequest) -> HttpResponse:
    """The incidents the user may see (no one is named on the list), and their own open
    recommendations."""
    reviewed = LearningReview.objects.filter(incident=OuterRef("pk"))
    incidents = (
        access.incidents_visible_to(request.user)
        .select_related("team")
        .annotate(reviewed=Exists(reviewed))
        .order_by("-occurred_on", "-pk")
    )
    return render(
        request,
        "learning/incidents.html",
        {
            "page": paginate(request, incidents),
            "mine": access.recommendations_of(request.user).select_related("review"),
            "today": timezone.localdate(),
        },
    )


@require_permission(Permission.RECORD_INCIDENTS)
@require_http_methods(["GET", "POST"])
def incident_new(request: AuthedRequest) -> HttpResponse:
    form = IncidentForm(posted(request), teams=_incident_teams(request.user))
    if form.is_valid():
        data = form.cleaned_data
        case = _case_or_error(form, request.user, data["case"], data["team"])
        if not form.errors:
            details = actions.IncidentDetails(
                team=data["team"],
                kind=data["kind"],
                occurred_on=data["occurred_on"],
                what_happened=data["what_happened"],
                immediate_actions=data["immediate_actions"],
                who_was_told=data["who_was_told"],
                grade=data["grade"],
                case=case,
            )
            incident = attempt(
                form, lambda: actions.record_incident(by=request.user, details=details)
            )
            if incident is not None:
                messages.success(request, "The incident is recorded.")
                return redirect("learning_incident", incident.pk)
    return render(
        request, "learning/incident_new.html", {"form": form}, status=400 if form.errors else 200
    )


@require_permission(Permission.RECORD_INCIDENTS)
@require_http_methods(["GET", "POST"])
def incident_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The incident; for the PSW, the form that commissions its learning review."""
    incident = access.get_incident_for_user(request.user, pk)
    review = LearningReview.objects.filter(incident=incident).first()
    may_commission = review is None and has_permission(request.user, Permission.MANAGE_LEARNING)
    form = CommissionForm(posted(request) if may_commission else None, leads=_staff_choices())
    if request.method == "POST":
        if not has_permission(request.user, Permission.MANAGE_LEARNING):
            raise PermissionDenied
        if review is not None:
            raise Http404("Already commissioned")
        if form.is_valid():
            made = attempt(
                form,
                lambda: actions.commission_review(
                    by=request.user,
                    incident=incident,
                    lead=form.cleaned_data["lead"],
                    terms=form.cleaned_data["terms"],
                ),
            )
            if made is not None:
                messages.success(request, "The learning review is commissioned.")
                return redirect("learning_review", made.pk)
    return _incident_page(request, incident, review=review, form=form)


def _incident_page(
    request: AuthedRequest,
    incident: Incident,
    *,
    review: LearningReview | None,
    form: CommissionForm,
    regrade_form: RegradeForm | None = None,
) -> HttpResponse:
    if incident.case is not None:
        log.record_case_viewed(
            request.user, case_id=incident.case.pk, person_id=incident.case.person_id
        )
    may_manage = has_permission(request.user, Permission.MANAGE_LEARNING)
    if may_manage and regrade_form is None:
        regrade_form = RegradeForm(initial={"grade": incident.grade})
    errors = form.errors or (regrade_form is not None and regrade_form.errors)
    return render(
        request,
        "learning/incident.html",
        {
            "incident": incident,
            "review": review,
            "may_commission": review is None and may_manage,
            "suggest_review": incident.grade >= REVIEW_SUGGESTED_FROM,
            "form": form,
            "regrade_form": regrade_form,
            "grade_changes": incident.grade_changes.select_related("changed_by"),
        },
        status=400 if errors else 200,
    )


@require_permission(Permission.MANAGE_LEARNING)
@require_POST
def incident_regrade(request: AuthedRequest, pk: int) -> HttpResponse:
    """The PSW changes the seriousness as more becomes known, saying why."""
    incident = access.get_incident_for_user(request.user, pk)
    regrade_form = RegradeForm(request.POST)
    if regrade_form.is_valid():
        done = attempt(
            regrade_form,
            lambda: actions.regrade_incident(
                by=request.user,
                incident=incident,
                grade=regrade_form.cleaned_data["grade"],
                reason=regrade_form.cleaned_data["reason"],
            ),
        )
        if done is not None:
            messages.success(request, f"The seriousness is now “{done.get_new_grade_display()}”.")
            return redirect("learning_incident", incident.pk)
        incident.refresh_from_db(fields=["grade"])
    review = LearningReview.objects.filter(incident=incident).first()
    form = CommissionForm(None, leads=_staff_choices())
    return _incident_page(request, incident, review=review, form=form, regrade_form=regrade_form)


# Reviews and recommendations ---------------------------------------------------------------


def _review_page(
    request: AuthedRequest,
    review: LearningReview,
    *,
    review_form: ReviewForm | None = None,
    recommendation_form: RecommendationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_write = has_permission(request.user, Permission.MANAGE_LEARNING) or (
        review.lead_id == request.user.pk
    )
    if review_form is None:
        review_form = ReviewForm(
            initial={
                "contributing_factors": review.contributing_factors,
                "findings": review.findings,
                "sar_reference": review.sar_reference,
                "sar_url": review.sar_url,
                "complete": review.completed_at is not None,
            }
        )
    case = review.incident.case
    if case is not None:
        log.record_case_viewed(request.user, case_id=case.pk, person_id=case.person_id)
    return render(
        request,
        "learning/review.html",
        {
            "review": review,
            "may_write": may_write,
            "review_form": review_form,
            "recommendation_form": recommendation_form
            or RecommendationForm(owners=_staff_choices()),
            "recommendations": review.recommendations.select_related("owner", "done_by"),
            "done_form": DoneForm(),
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_permission(Permission.RECORD_INCIDENTS)
@require_GET
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _review_page(request, access.get_review_for_user(request.user, pk))


@require_permission(Permission.RECORD_INCIDENTS)
@require_POST
def review_update(request: AuthedRequest, pk: int) -> HttpResponse:
    review = access.get_review_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        details = actions.ReviewDetails(
            contributing_factors=data["contributing_factors"],
            findings=data["findings"],
            sar_reference=data["sar_reference"],
            sar_url=data["sar_url"],
            complete=data["complete"],
        )
        done = attempt(
            form, lambda: actions.update_review(by=request.user, review=review, details=details)
        )
        if done is not None:
            messages.success(request, "The review is saved.")
            return redirect("learning_review", review.pk)
    return _review_page(request, review, review_form=form, status=400)


@require_permission(Permission.RECORD_INCIDENTS)
@require_POST
def recommendation_add(request: AuthedRequest, pk: int) -> HttpResponse:
    review = access.get_review_for_user(request.user, pk)
    form = RecommendationForm(request.POST, owners=_staff_choices())
    if form.is_valid():
        data = form.cleaned_data
        made = attempt(
            form,
            lambda: actions.add_recommendation(
                by=request.user,
                review=review,
                text=data["text"],
                owner=data["owner"],
                due_on=data["due_on"],
            ),
        )
        if made is not None:
            messages.success(request, "The recommendation is added.")
            return redirect("learning_review", review.pk)
    return _review_page(request, review, recommendation_form=form, status=400)


@require_permission(Permission.RECORD_INCIDENTS)
@require_POST
def recommendation_done(request: AuthedRequest, pk: int) -> HttpResponse:
    recommendation = access.get_recommendation_for_user(request.user, pk)
    form = DoneForm(request.POST)
    done = None
    if form.is_valid():
        done = attempt(
            form,
            lambda: actions.complete_recommendation(
                by=request.user, recommendation=recommendation, note=form.cleaned_data["note"]
            ),
        )
    if done is not None:
        messages.success(request, "The recommendation is marked done.")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("learning_incidents")


@require_permission(Permission.MANAGE_LEARNING)
@require_GET
def recommendations(request: AuthedRequest) -> HttpResponse:
    """Every open recommendation, overdue first: the PSW's tracking list."""
    today = timezone.localdate()
    open_ones = (
        Recommendation.objects.filter(done_at__isnull=True)
        .select_related("owner", "review")
        .order_by("due_on", "pk")
    )
    return render(
        request,
        "learning/recommendations.html",
        {
            "page": paginate(request, open_ones),
            "today": today,
            "figures": figures.recommendation_figures(on=today),
        },
    )


# Learning briefs ---------------------------------------------------------------------------


@require_permission(Permission.READ_LEARNING_BRIEFS)
@require_http_methods(["GET", "POST"])
def briefs(request: AuthedRequest) -> HttpResponse:
    """The briefs, newest first, each marked read or not; for the PSW, the form to publish one."""
    may_publish = has_permission(request.user, Permission.MANAGE_LEARNING)
    form = BriefForm(posted(request) if may_publish else None)
    if request.method == "POST":
        if not may_publish:
            raise PermissionDenied
        if form.is_valid():
            made = attempt(
                form,
                lambda: actions.publish_brief(
                    by=request.user,
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                ),
            )
            if made is not None:
                messages.success(request, "The learning brief is published.")
                return redirect("learning_briefs")
    read = BriefReading.objects.filter(brief=OuterRef("pk"), user=request.user)
    listed = access.briefs_visible_to(request.user).annotate(read=Exists(read))
    return render(
        request,
        "learning/briefs.html",
        {"page": paginate(request, listed), "form": form, "may_publish": may_publish},
        status=400 if form.errors else 200,
    )


@require_permission(Permission.READ_LEARNING_BRIEFS)
@require_POST
def brief_read(request: AuthedRequest, pk: int) -> HttpResponse:
    brief = access.get_brief_for_user(request.user, pk)
    actions.confirm_brief_read(by=request.user, brief=brief)
    messages.success(request, f"Thank you: you have confirmed reading “{brief.title}”.")
    return redirect("learning_briefs")


# Feedback ----------------------------------------------------------------------------------


@require_permission(Permission.RECORD_FEEDBACK)
@require_GET
def feedback_list(request: AuthedRequest) -> HttpResponse:
    """The team's feedback, compliments and complaints, newest first (with the case)."""
    listed = (
        access.feedback_visible_to(request.user)
        .select_related("team", "practitioner", "case")
        .order_by("-received_on", "-pk")
    )
    page = paginate(request, listed)
    log.record_people_listed(request.user, person_ids=[f.case.person_id for f in page.object_list])
    return render(
        request,
        "learning/feedback_list.html",
        {"page": page, "may_pick": has_permission(request.user, Permission.MANAGE_LEARNING)},
    )


@require_permission(Permission.RECORD_FEEDBACK)
@require_http_methods(["GET", "POST"])
def feedback_new(request: AuthedRequest) -> HttpResponse:
    form = FeedbackForm(posted(request))
    if form.is_valid():
        data = form.cleaned_data
        case = _case_or_error(form, request.user, data["case"], None)
        if case is not None and not form.errors:
            answers = actions.FeedbackAnswers(
                listened_to=data["listened_to"],
                outcomes_met=data["outcomes_met"],
                could_be_better=data["could_be_better"],
                comments=data["comments"],
                anonymous=data["anonymous"],
                may_quote=data["may_quote"],
            )
            made = attempt(
                form,
                lambda: actions.record_feedback(
                    by=request.user,
                    case=case,
                    about=data["about"],
                    kind=data["kind"],
                    channel=data["channel"],
                    received_on=data["received_on"],
                    answers=answers,
                ),
            )
            if made is not None:
                messages.success(request, f"The {made.get_kind_display().lower()} is recorded.")
                return redirect("learning_feedback")
    return render(
        request, "learning/feedback_new.html", {"form": form}, status=400 if form.errors else 200
    )


@require_permission(Permission.RECORD_FEEDBACK)
@require_http_methods(["GET", "POST"])
def feedback_link_new(request: AuthedRequest) -> HttpResponse:
    """Make a one-use link; its address is shown once, here, to send to the person."""
    form = LinkForm(posted(request))
    address = ""
    if form.is_valid():
        case = _case_or_error(form, request.user, form.cleaned_data["case"], None)
        if case is not None and not form.errors:
            made = attempt(
                form,
                lambda: actions.make_feedback_link(
                    by=request.user, case=case, about=form.cleaned_data["about"]
                ),
            )
            if made is not None:
                address = request.build_absolute_uri(reverse("feedback_link", args=[made[1]]))
                form = LinkForm()
    return render(
        request,
        "learning/feedback_link_new.html",
        {"form": form, "address": address, "days": actions.LINK_DAYS},
        status=400 if form.errors else 200,
    )


@require_permission(Permission.MANAGE_LEARNING)
@require_POST
def feedback_pick(request: AuthedRequest, pk: int) -> HttpResponse:
    found = access.get_feedback_for_user(request.user, pk)
    try:
        actions.pick_quotation(
            by=request.user, feedback=found, picked=request.POST.get("picked") == "1"
        )
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("learning_feedback")


@require_permission(Permission.VIEW_OWN_FEEDBACK)
@require_GET
def feedback_mine(request: AuthedRequest) -> HttpResponse:
    """Feedback about the user's own practice. Anonymous feedback shows no case and only the
    month; the rest names the case (which the practitioner held)."""
    listed = (
        access.own_feedback(request.user).select_related("case").order_by("-received_on", "-pk")
    )
    page = paginate(request, listed)
    log.record_people_listed(
        request.user, person_ids=[f.case.person_id for f in page.object_list if not f.anonymous]
    )
    return render(request, "learning/feedback_mine.html", {"page": page})


@login_not_required
@require_http_methods(["GET", "POST"])
def feedback_link(request: Any, token: str) -> HttpResponse:
    """The person's page: no sign-in, nothing personal on it, one answer, rate-limited."""
    if not actions.allow_attempt(client_ip(request)):
        return render(request, "learning/link_gone.html", {"limited": True}, status=429)
    link = actions.open_link(token)
    if link is None:
        return render(request, "learning/link_gone.html", {"limited": False}, status=404)
    form = AnswersForm(posted(request))
    if form.is_valid():
        data = form.cleaned_data
        answers = actions.FeedbackAnswers(**data)
        if attempt(form, lambda: actions.answer_link(token=token, answers=answers)) is not None:
            return render(request, "learning/link_thanks.html")
    response = render(
        request, "learning/link_form.html", {"form": form}, status=400 if form.errors else 200
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


# Figures -----------------------------------------------------------------------------------


@require_permission(Permission.VIEW_LEARNING_FIGURES)
@require_GET
def learning_figures(request: AuthedRequest) -> HttpResponse:
    """Feedback by team and month, per practitioner above the small-numbers rule, briefs read
    and framework acknowledged by team, recommendations tracked. Counts; no one is named
    except practitioners with at least the threshold of feedback."""
    end = timezone.localdate()
    start = end - YEAR
    count, reads = figures.brief_read_rates(since=start)
    return render(
        request,
        "learning/figures.html",
        {
            "start": start,
            "end": end,
            "by_month": figures.feedback_by_team_and_month(start=start, end=end),
            "totals": figures.feedback_totals(start=start, end=end),
            "by_practitioner": figures.feedback_by_practitioner(
                start=start, end=end, team_ids=None
            ),
            "small": figures.SMALL_NUMBER,
            "brief_count": count,
            "reads": reads,
            "acknowledgements": figures.acknowledgement_rates(actions.current_framework()),
            "recommendations": figures.recommendation_figures(on=end),
        },
    )


# The practice framework and the PSW's direct practice --------------------------------------


@require_permission(Permission.VIEW_PRACTICE_FRAMEWORK)
@require_GET
def framework(request: AuthedRequest) -> HttpResponse:
    current = actions.current_framework()
    acknowledged = (
        current is not None
        and FrameworkAcknowledgement.objects.filter(version=current, user=request.user).exists()
    )
    return render(
        request,
        "learning/framework.html",
        {
            "framework": current,
            "acknowledged": acknowledged,
            "versions": FrameworkVersion.objects.select_related("published_by")[:20],
        },
    )


@require_permission(Permission.ACKNOWLEDGE_PRACTICE_FRAMEWORK)
@require_POST
def framework_acknowledge(request: AuthedRequest) -> HttpResponse:
    current = actions.current_framework()
    if current is None:
        raise Http404("No framework published")
    try:
        actions.acknowledge_framework(by=request.user, version=current)
        messages.success(request, "Thank you: you have acknowledged the practice framework.")
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("learning_framework")


@require_permission(Permission.EDIT_PRACTICE_FRAMEWORK)
@require_http_methods(["GET", "POST"])
def framework_edit(request: AuthedRequest) -> HttpResponse:
    current = actions.current_framework()
    initial = (
        {}
        if current is None
        else {name: getattr(current, name) for name in FrameworkForm.base_fields}
    )
    form = FrameworkForm(posted(request), initial=initial)
    if form.is_valid():
        details = actions.FrameworkDetails(**form.cleaned_data)
        made = attempt(form, lambda: actions.publish_framework(by=request.user, details=details))
        if made is not None:
            messages.success(
                request, f"Version {made.number} of the practice framework is published."
            )
            return redirect("learning_framework")
    return render(
        request, "learning/framework_edit.html", {"form": form}, status=400 if form.errors else 200
    )


@require_permission(Permission.RECORD_DIRECT_PRACTICE)
@require_http_methods(["GET", "POST"])
def direct_practice(request: AuthedRequest) -> HttpResponse:
    form = DirectPracticeForm(posted(request))
    if form.is_valid():
        data = form.cleaned_data
        made = attempt(
            form,
            lambda: actions.record_direct_practice(
                by=request.user,
                kind=data["kind"],
                on=data["on"],
                hours=data["hours"],
                team=data["team"],
                note=data["note"],
            ),
        )
        if made is not None:
            messages.success(request, "Recorded.")
            return redirect("learning_direct_practice")
    listed = DirectPractice.objects.filter(psw=request.user).select_related("team")
    return render(
        request,
        "learning/direct_practice.html",
        {"form": form, "page": paginate(request, listed)},
        status=400 if form.errors else 200,
    )
