"""The Health Check's pages: the report (live and as published) for the principal social worker
and the director, the survey rounds for the principal social worker, and the survey for
practitioners. Counts and averages only: no one is named."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.healthcheck import actions, figures
from caseload.healthcheck.forms import AnswerForm, RoundForm
from caseload.healthcheck.models import PublishedReport, SurveyRound
from caseload.ui.report import long_date
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, attempt, posted


def get_published_report_for_user(user: User, pk: int) -> PublishedReport:
    """The one door to a published report: not found and not allowed are both 404."""
    if not has_permission(user, Permission.VIEW_HEALTH_CHECK):
        raise Http404("No such report")
    try:
        return PublishedReport.objects.select_related("published_by").get(pk=pk)
    except PublishedReport.DoesNotExist:
        raise Http404("No such report") from None


@require_permission(Permission.VIEW_HEALTH_CHECK)
@require_GET
def report(request: AuthedRequest) -> HttpResponse:
    """The Health Check as it stands today, and the reports published before."""
    published = PublishedReport.objects.select_related("published_by").order_by(
        "-published_at", "-pk"
    )
    page = Paginator(published, settings.CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    built = figures.build(on=today)
    return render(
        request,
        "healthcheck/report.html",
        {
            "figures": built,
            "sections": figures.for_page(built),
            "as_of": today,
            "page": page,
            "may_manage": has_permission(request.user, Permission.MANAGE_HEALTH_CHECK),
        },
    )


@require_permission(Permission.MANAGE_HEALTH_CHECK)
@require_POST
def publish(request: AuthedRequest) -> HttpResponse:
    try:
        published = actions.publish_report(by=request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("healthcheck_report")
    messages.success(request, f"The Health Check as on {long_date(published.as_of)} is published.")
    return redirect("healthcheck_published", published.pk)


@require_permission(Permission.VIEW_HEALTH_CHECK)
@require_GET
def published(request: AuthedRequest, pk: int) -> HttpResponse:
    """A published report, from its frozen figures: it reads as it did when published."""
    found = get_published_report_for_user(request.user, pk)
    return render(
        request,
        "healthcheck/published.html",
        {"report": found, "figures": found.figures, "sections": figures.for_page(found.figures)},
    )


@require_permission(Permission.MANAGE_HEALTH_CHECK)
@require_http_methods(["GET", "POST"])
def rounds(request: AuthedRequest) -> HttpResponse:
    """The survey's rounds, with how many have answered each, and the form to open one."""
    form = RoundForm(posted(request))
    if form.is_valid():
        opened = attempt(
            form,
            lambda: actions.open_round(
                by=request.user,
                period=form.cleaned_data["period"],
                opens_on=form.cleaned_data["opens_on"],
                closes_on=form.cleaned_data["closes_on"],
            ),
        )
        if opened is not None:
            messages.success(request, f"The survey round for {opened.period} is open.")
            return redirect("healthcheck_rounds")
    listed = SurveyRound.objects.annotate(answered=Count("participations")).order_by(
        "-opens_on", "-pk"
    )
    page = Paginator(listed, settings.CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "healthcheck/rounds.html",
        {"form": form, "page": page, "today": timezone.localdate()},
        status=400 if form.errors else 200,
    )


@require_permission(Permission.ANSWER_WORKLOAD_SURVEY)
@require_http_methods(["GET", "POST"])
def survey(request: AuthedRequest) -> HttpResponse:
    """The open round's questions, for a practitioner who has not answered it yet."""
    today = timezone.localdate()
    current = actions.open_round_on(today)
    eligible = actions.respondent(request.user, on=today) is not None
    answered = current is not None and actions.has_answered(request.user, current)
    form = AnswerForm(posted(request))
    if current is not None and eligible and not answered and form.is_valid():
        done = attempt(
            form,
            lambda: actions.answer_survey(
                by=request.user,
                survey_round=current,
                answers=actions.SurveyAnswers(**form.cleaned_data),
            ),
        )
        if done is not None:
            messages.success(request, "Thank you: your answers are recorded, without your name.")
            return redirect("healthcheck_survey")
    refused = request.method == "POST" and (current is None or not eligible or answered)
    status = 400 if form.errors or refused else 200
    return render(
        request,
        "healthcheck/survey.html",
        {"form": form, "round": current, "eligible": eligible, "answered": answered},
        status=status,
    )
