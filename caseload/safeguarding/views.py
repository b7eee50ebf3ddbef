"""Safeguarding pages: the concerns and enquiries lists, a concern (received, decided), an
enquiry (lead, outcomes, strategy, plan, conclusion, sign-off), what is overdue, the targets.

Every page reads its records through caseload.safeguarding.access and writes the access log;
every change goes through caseload.safeguarding.actions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.audit import log
from caseload.register.glass import glass_broken
from caseload.register.models import Practitioner, Team
from caseload.safeguarding import access, actions, timeliness
from caseload.safeguarding.forms import (
    ConcernForm,
    ConclusionForm,
    DecisionForm,
    LeadForm,
    OutcomesForm,
    PlanForm,
    SignOffForm,
    StrategyForm,
    TargetsForm,
)
from caseload.safeguarding.models import Enquiry, Targets, target_label
from caseload.web.decorators import require_permission
from caseload.web.requests import AuthedRequest, attempt, paginate, posted


def _leads(team_id: int) -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(team_id=team_id, left_on__isnull=True).order_by(
        "family_name", "given_name"
    )


@require_permission(Permission.VIEW_SAFEGUARDING)
@require_GET
def concern_list(request: AuthedRequest) -> HttpResponse:
    concerns = (
        access.concerns_visible_to(request.user)
        .select_related("person", "team")
        .order_by("decision", "-received_at", "-pk")
    )
    page = paginate(request, concerns)
    log.record_people_listed(request.user, person_ids=[c.person_id for c in page.object_list])
    return render(
        request,
        "safeguarding/concern_list.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "may_record": has_permission(request.user, Permission.RECORD_SAFEGUARDING_CONCERN),
        },
    )


@require_permission(Permission.VIEW_SAFEGUARDING)
@require_GET
def enquiry_list(request: AuthedRequest) -> HttpResponse:
    enquiries = (
        access.enquiries_visible_to(request.user)
        .select_related("person", "team", "lead")
        .order_by("status", "-started_on", "-pk")
    )
    page = paginate(request, enquiries)
    log.record_people_listed(request.user, person_ids=[e.person_id for e in page.object_list])
    return render(request, "safeguarding/enquiry_list.html", {"page": page})


@require_permission(Permission.RECORD_SAFEGUARDING_CONCERN)
@require_http_methods(["GET", "POST"])
def record_concern(request: AuthedRequest) -> HttpResponse:
    teams = filter_by_team(
        Team.objects.order_by("name"),
        request.user,
        Permission.RECORD_SAFEGUARDING_CONCERN,
        field="pk",
    )
    form = ConcernForm(posted(request), teams=teams)
    if form.is_valid():
        data = form.cleaned_data
        person = None
        new_person = None
        if data["council_person_id"]:
            person = (
                access.people_for_concerns(request.user, glass_broken=glass_broken(request))
                .filter(council_person_id=data["council_person_id"])
                .first()
            )
            if person is None:
                form.add_error(
                    "council_person_id",
                    "No one whose record you may open has this id: open their record first "
                    "(giving a reason, if you must), or give a new person's details",
                )
            else:
                log.record_person_form(request.user, person_id=person.pk)
        else:
            new_person = actions.NewPerson(
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                postcode=data["postcode"].upper(),
                sex=data["sex"],
                ethnicity=data["ethnicity"],
            )
        if not form.errors:
            received_at = timezone.make_aware(
                datetime.combine(data["received_on"], form.received_time_value)
            )
            details = actions.ConcernDetails(
                received_at=received_at,
                source=data["source"],
                source_detail=data["source_detail"],
                route=data["route"],
                summary=data["summary"],
                types_of_risk=data["types_of_risk"],
                location_of_risk=data["location_of_risk"],
                source_of_risk=data["source_of_risk"],
            )
            concern = attempt(
                form,
                lambda: actions.record_concern(
                    by=request.user,
                    team=data["team"],
                    details=details,
                    person=person,
                    new_person=new_person,
                ),
            )
            if concern is not None:
                messages.success(request, "Concern recorded.")
                return redirect("safeguarding_concern", concern.pk)
    return render(request, "safeguarding/concern_form.html", {"form": form})


@require_permission(Permission.VIEW_SAFEGUARDING)
@require_http_methods(["GET", "POST"])
def concern_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The concern; to whoever may decide it, the decision form while it is undecided."""
    concern = access.get_concern_for_user(request.user, pk)
    log.record_person_viewed(request.user, person_id=concern.person_id)
    may_decide = not concern.is_decided and access.may_manage(request.user, concern.team_id)
    form = None
    if may_decide:
        form = DecisionForm(posted(request), leads=_leads(concern.team_id))
        if form.is_valid():
            data = form.cleaned_data
            decided = attempt(
                form,
                lambda: actions.decide_concern(
                    by=request.user,
                    concern=concern,
                    criteria=form.criteria(),
                    decision=data["decision"],
                    reason=data["reason"],
                    signposting=data["signposting"],
                    criteria_notes=data["criteria_notes"],
                    lead=data["lead"],
                ),
            )
            if decided is not None:
                messages.success(request, "Decision recorded.")
                enquiry = Enquiry.objects.filter(concern=decided).first()
                if enquiry is not None:
                    return redirect("safeguarding_enquiry", enquiry.pk)
                return redirect("safeguarding_concern", decided.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "safeguarding/concern_detail.html",
        {
            "concern": concern,
            "enquiry": Enquiry.objects.filter(concern=concern).first(),
            "form": form,
            "today": timezone.localdate(),
        },
    )


_STEP_FORMS = {
    "lead": LeadForm,
    "outcomes": OutcomesForm,
    "strategy": StrategyForm,
    "plan": PlanForm,
    "conclusion": ConclusionForm,
}


def _enquiry_context(request: AuthedRequest, enquiry: Enquiry) -> dict[str, Any]:
    strategy = list(enquiry.strategy_records.select_related("recorded_by"))
    may_record = access.may_record(request.user, enquiry)
    may_manage = enquiry.is_open and access.may_manage(request.user, enquiry.team_id)
    return {
        "enquiry": enquiry,
        "concern": enquiry.concern,
        "strategy_records": strategy,
        "may_record": may_record,
        "may_manage": may_manage,
        "may_sign_off": actions.may_sign_off(request.user, enquiry),
        "late_steps": timeliness.late_steps(
            enquiry, today=timezone.localdate(), has_strategy=bool(strategy)
        ),
    }


@require_permission(Permission.VIEW_SAFEGUARDING)
@require_GET
def enquiry_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    enquiry = access.get_enquiry_for_user(request.user, pk)
    log.record_person_viewed(request.user, person_id=enquiry.person_id)
    return render(request, "safeguarding/enquiry_detail.html", _enquiry_context(request, enquiry))


@require_permission(Permission.VIEW_SAFEGUARDING)
@require_http_methods(["GET", "POST"])
def enquiry_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """One step of the enquiry's record, on its own page."""
    if step not in _STEP_FORMS:
        raise PermissionDenied
    enquiry = access.get_enquiry_for_user(request.user, pk)
    log.record_person_form(request.user, person_id=enquiry.person_id)
    allowed = (
        access.may_manage(request.user, enquiry.team_id) and enquiry.is_open
        if step == "lead"
        else access.may_record(request.user, enquiry)
    )
    if not allowed:
        raise PermissionDenied
    data = posted(request)
    form: Any
    if step == "lead":
        form = LeadForm(data, leads=_leads(enquiry.team_id))
    elif step == "outcomes":
        initial = {
            "msp_asked": enquiry.msp_asked,
            "desired_outcomes": enquiry.desired_outcomes,
            "not_asked_reason": enquiry.outcomes_not_asked_reason,
            "lacked_capacity": {True: "yes", False: "no"}.get(enquiry.lacked_capacity, ""),  # type: ignore[arg-type]
            "support": enquiry.support,
        }
        form = OutcomesForm(data, initial=initial)
    else:
        form = _STEP_FORMS[step](data)
    if form.is_valid():
        saved = attempt(form, lambda: _save_step(request, enquiry, step, form))
        if saved is not None:
            messages.success(request, "Saved.")
            return redirect("safeguarding_enquiry", enquiry.pk)
    return render(
        request,
        "safeguarding/enquiry_step.html",
        {"enquiry": enquiry, "form": form, "step": step, "title": _TITLES[step]},
    )


_TITLES = {
    "lead": "Choose who leads the enquiry",
    "outcomes": "Desired outcomes, capacity and support",
    "strategy": "Record a strategy discussion or meeting",
    "plan": "Safeguarding plan",
    "conclusion": "Conclude the enquiry",
}


def _save_step(request: AuthedRequest, enquiry: Enquiry, step: str, form: Any) -> object:
    data = form.cleaned_data
    by = request.user
    if step == "lead":
        return actions.choose_lead(by=by, enquiry=enquiry, lead=data["lead"])
    if step == "outcomes":
        return actions.record_outcomes(
            by=by,
            enquiry=enquiry,
            msp_asked=data["msp_asked"],
            desired_outcomes=data["desired_outcomes"],
            not_asked_reason=data["not_asked_reason"],
            lacked_capacity=form.capacity(),
            support=data["support"],
        )
    if step == "strategy":
        return actions.record_strategy(
            by=by,
            enquiry=enquiry,
            kind=data["kind"],
            held_on=data["held_on"],
            attendees=data["attendees"],
            summary=data["summary"],
        )
    if step == "plan":
        return actions.record_plan(
            by=by, enquiry=enquiry, plan=data["plan"], agreed_on=data["agreed_on"]
        )
    return actions.conclude(
        by=by,
        enquiry=enquiry,
        concluded_on=data["concluded_on"],
        action_and_result=data["action_and_result"],
        risk_outcome=data["risk_outcome"],
        msp_achieved=data["msp_achieved"],
        conclusion=data["conclusion"],
    )


@require_permission(Permission.VIEW_SAFEGUARDING)
@require_http_methods(["GET", "POST"])
def sign_off(request: AuthedRequest, pk: int) -> HttpResponse:
    enquiry = access.get_enquiry_for_user(request.user, pk)
    log.record_person_form(request.user, person_id=enquiry.person_id)
    if not actions.may_sign_off(request.user, enquiry):
        raise PermissionDenied
    form = SignOffForm(posted(request))
    if form.is_valid():
        approve = form.cleaned_data["approve"] == "yes"
        saved = attempt(
            form,
            lambda: actions.sign_off(
                by=request.user,
                enquiry=enquiry,
                approve=approve,
                comments=form.cleaned_data["comments"],
            ),
        )
        if saved is not None:
            messages.success(request, "Closure signed off." if approve else "Closure returned.")
            return redirect("safeguarding_enquiry", enquiry.pk)
    return render(
        request,
        "safeguarding/enquiry_step.html",
        {"enquiry": enquiry, "form": form, "step": "sign_off", "title": "Sign off the closure"},
    )


@require_permission(Permission.VIEW_SAFEGUARDING_OVERDUE)
@require_GET
def overdue(request: AuthedRequest) -> HttpResponse:
    """What is past its target, in the teams the user follows up: for the manager and the
    safeguarding lead."""
    today = timezone.localdate()
    concerns = timeliness.overdue_concerns(
        access.concerns_visible_to(request.user), today=today
    ).select_related("person", "team")
    enquiries = list(
        timeliness.overdue_enquiries(access.enquiries_visible_to(request.user), today=today)
        .select_related("person", "team", "lead")
        .annotate(strategy_count=Count("strategy_records"))
        .order_by("conclusion_due_on", "pk")[:200]
    )
    concern_rows = list(concerns.order_by("decision_due_on", "pk")[:200])
    rows = [
        (e, timeliness.late_steps(e, today=today, has_strategy=e.strategy_count > 0))
        for e in enquiries
    ]
    log.record_people_listed(
        request.user,
        person_ids=[c.person_id for c in concern_rows] + [e.person_id for e in enquiries],
    )
    return render(
        request,
        "safeguarding/overdue.html",
        {"concerns": concern_rows, "rows": rows, "today": today},
    )


@require_permission(Permission.VIEW_SAFEGUARDING)
@require_http_methods(["GET", "POST"])
def targets(request: AuthedRequest) -> HttpResponse:
    current = Targets.current()
    may_edit = has_permission(request.user, Permission.EDIT_SAFEGUARDING_TARGETS)
    form = None
    if may_edit:
        initial = {name: getattr(current, name) for name in current.DAY_FIELDS}
        form = TargetsForm(posted(request), initial=initial)
        if form.is_valid():
            published = attempt(
                form,
                lambda: actions.publish_targets(
                    by=request.user, days=form.days(), note=form.cleaned_data["note"]
                ),
            )
            if published is not None:
                messages.success(request, f"Version {published.number} of the targets published.")
                return redirect("safeguarding_targets")
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "safeguarding/targets.html",
        {
            "current": current,
            "fields": [(target_label(name), getattr(current, name)) for name in current.DAY_FIELDS],
            "form": form,
        },
    )
