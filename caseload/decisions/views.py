"""Decision pages: record a decision (or a correction), sign-off, escalations, the scheme."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from caseload.accounts.permissions import Permission, has_permission
from caseload.audit import log
from caseload.decisions import access, actions, levels
from caseload.decisions.forms import (
    AdviceForm,
    DecisionForm,
    DirectorDecisionForm,
    EscalationForm,
    ReferForm,
    RequestSignOffForm,
    SchemeForm,
    SignOffAnswerForm,
)
from caseload.decisions.models import (
    Decision,
    DelegationScheme,
    PracticeEscalation,
    SignOffRequest,
)
from caseload.register import access as register_access
from caseload.register.models import Case
from caseload.web.decorators import require_permission
from caseload.web.requests import AuthedRequest, attempt, paginate, posted


def _require_can_record(request: AuthedRequest, case: Case) -> None:
    if not has_permission(request.user, Permission.RECORD_DECISIONS, team=case.team_id):
        raise PermissionDenied


def _record_form(request: AuthedRequest, case: Case, corrects: Decision | None) -> HttpResponse:
    log.record_case_form(request.user, case_id=case.pk, person_id=case.person_id)
    form = DecisionForm(posted(request))
    if form.is_valid():
        decision = attempt(
            form,
            lambda: actions.record_decision(
                by=request.user, case=case, details=form.details(), corrects=corrects
            ),
        )
        if decision is not None:
            if decision.needs_sign_off:
                messages.success(
                    request,
                    f"Decision recorded. It needs sign-off by "
                    f"{decision.get_sign_off_level_display().lower()} "
                    f"({decision.sign_off_reason}), who has been asked.",
                )
            else:
                messages.success(request, "Decision recorded.")
            return redirect("decision_detail", pk=decision.pk)
    scheme = DelegationScheme.current()
    return render(
        request,
        "decisions/decision_form.html",
        {
            "case": case,
            "form": form,
            "corrects": corrects,
            "scheme": scheme,
            "practice_lines": levels.practice_level_lines(request.user, scheme),
        },
    )


@require_permission(Permission.RECORD_DECISIONS)
@require_http_methods(["GET", "POST"])
def decision_new(request: AuthedRequest, pk: int) -> HttpResponse:
    case = register_access.get_case_for_user(request.user, pk)
    _require_can_record(request, case)
    if not case.is_open:
        messages.info(request, "This case is closed: correct an earlier decision instead.")
        return redirect("case_detail", pk=case.pk)
    return _record_form(request, case, None)


@require_permission(Permission.RECORD_DECISIONS)
@require_http_methods(["GET", "POST"])
def decision_correct(request: AuthedRequest, pk: int) -> HttpResponse:
    corrected = access.get_decision_for_user(request.user, pk)
    _require_can_record(request, corrected.case)
    return _record_form(request, corrected.case, corrected)


def decision_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Whoever may see the case may read its decisions."""
    decision = access.get_decision_for_user(request.user, pk)
    case = decision.case
    log.record_case_viewed(request.user, case_id=case.pk, person_id=case.person_id)
    sign_offs = list(decision.sign_offs.select_related("requested_by", "decided_by"))
    answerable = next(
        (
            r
            for r in sign_offs
            if r.state == SignOffRequest.State.OPEN
            and r.requested_by_id != request.user.pk
            and levels.may_sign_off(request.user, r.level, team_id=case.team_id)
        ),
        None,
    )
    may_record = case.is_open and has_permission(
        request.user, Permission.RECORD_DECISIONS, team=case.team_id
    )
    return render(
        request,
        "decisions/decision_detail.html",
        {
            "decision": decision,
            "case": case,
            "sign_offs": sign_offs,
            "answerable": answerable,
            "may_record": may_record,
            "may_correct": has_permission(
                request.user, Permission.RECORD_DECISIONS, team=case.team_id
            ),
            "request_form": RequestSignOffForm() if may_record and decision.is_returned else None,
            "corrections": decision.corrections.select_related("decided_by"),
        },
    )


@require_permission(Permission.RECORD_DECISIONS)
@require_POST
def decision_request_sign_off(request: AuthedRequest, pk: int) -> HttpResponse:
    decision = access.get_decision_for_user(request.user, pk)
    _require_can_record(request, decision.case)
    log.record_case_form(request.user, case_id=decision.case_id, person_id=decision.case.person_id)
    form = RequestSignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    elif attempt(
        form,
        lambda: actions.request_sign_off(
            by=request.user, decision=decision, note=form.cleaned_data["note"]
        ),
    ):
        messages.success(request, "Sign-off asked for again.")
    else:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    return redirect("decision_detail", pk=decision.pk)


@require_permission(Permission.SIGN_OFF_DECISIONS)
def sign_off_list(request: AuthedRequest) -> HttpResponse:
    """The open requests the user may answer, oldest first, with their age."""
    page = paginate(
        request,
        access.sign_offs_awaiting(request.user)
        .select_related("decision__case__person", "decision__case__team", "requested_by")
        .order_by("requested_at", "id"),
    )
    log.record_people_listed(
        request.user, person_ids=[r.decision.case.person_id for r in page.object_list]
    )
    return render(request, "decisions/sign_off_list.html", {"page": page})


@require_permission(Permission.SIGN_OFF_DECISIONS)
@require_http_methods(["GET", "POST"])
def sign_off_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    sign_off = access.get_sign_off_for_user(request.user, pk)
    decision = sign_off.decision
    log.record_case_form(request.user, case_id=decision.case_id, person_id=decision.case.person_id)
    form = SignOffAnswerForm(posted(request))
    if form.is_valid():
        approve = form.cleaned_data["answer"] == SignOffAnswerForm.APPROVE
        comments = form.cleaned_data["comments"]
        answered = attempt(
            form,
            lambda: (
                actions.approve_sign_off(by=request.user, request=sign_off, comments=comments)
                if approve
                else actions.return_sign_off(by=request.user, request=sign_off, comments=comments)
            ),
        )
        if answered is not None:
            messages.success(
                request, "Decision signed off." if approve else "Decision returned with comments."
            )
            return redirect("decision_detail", pk=decision.pk)
    return render(
        request,
        "decisions/sign_off_answer.html",
        {
            "sign_off": sign_off,
            "decision": decision,
            "case": decision.case,
            "form": form,
            "own_request": sign_off.requested_by_id == request.user.pk,
        },
    )


@require_permission(Permission.RECORD_DECISIONS)
@require_http_methods(["GET", "POST"])
def escalation_new(request: AuthedRequest, pk: int) -> HttpResponse:
    case = register_access.get_case_for_user(request.user, pk)
    _require_can_record(request, case)
    log.record_case_form(request.user, case_id=case.pk, person_id=case.person_id)
    form = EscalationForm(posted(request))
    if form.is_valid():
        escalation = attempt(
            form,
            lambda: actions.escalate_case(
                by=request.user,
                case=case,
                nature=form.cleaned_data["nature"],
                question=form.cleaned_data["question"],
            ),
        )
        if escalation is not None:
            messages.success(request, "Escalated to the principal social worker.")
            return redirect("escalation_detail", pk=escalation.pk)
    return render(request, "decisions/escalation_form.html", {"case": case, "form": form})


@require_permission(Permission.VIEW_PRACTICE_ESCALATIONS)
def escalation_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(
        request,
        access.escalations_to_answer(request.user)
        .select_related("case__person", "case__team", "raised_by")
        .order_by("raised_at", "id"),
    )
    log.record_people_listed(request.user, person_ids=[e.case.person_id for e in page.object_list])
    return render(request, "decisions/escalation_list.html", {"page": page})


_StepForm = AdviceForm | ReferForm | DirectorDecisionForm


def _escalation_page(
    request: AuthedRequest,
    escalation: PracticeEscalation,
    *,
    bound: _StepForm | None = None,
) -> HttpResponse:
    """The escalation's page; `bound` is a step's form posted with errors, shown in its place."""
    user = request.user
    with_psw = escalation.state == PracticeEscalation.State.WITH_PSW
    may_advise = with_psw and has_permission(user, Permission.ADVISE_ON_ESCALATIONS)
    may_decide = escalation.state == PracticeEscalation.State.WITH_DIRECTOR and has_permission(
        user, Permission.DECIDE_ESCALATIONS
    )
    advice_form = bound if isinstance(bound, AdviceForm) else None
    refer_form = bound if isinstance(bound, ReferForm) else None
    decision_form = bound if isinstance(bound, DirectorDecisionForm) else None
    return render(
        request,
        "decisions/escalation_detail.html",
        {
            "escalation": escalation,
            "case": escalation.case,
            "advice_form": (advice_form or AdviceForm()) if may_advise else None,
            "refer_form": (refer_form or ReferForm()) if may_advise else None,
            "decision_form": (decision_form or DirectorDecisionForm()) if may_decide else None,
            "form": bound,
        },
        status=200,
    )


def escalation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Whoever may see the case may read its escalations."""
    escalation = access.get_escalation_for_user(request.user, pk)
    log.record_case_viewed(
        request.user, case_id=escalation.case_id, person_id=escalation.case.person_id
    )
    return _escalation_page(request, escalation)


def _escalation_step(
    request: AuthedRequest,
    pk: int,
    *,
    form_class: type[_StepForm],
    act: Callable[[PracticeEscalation, str], object],
    done_message: str,
) -> HttpResponse:
    """One step of an escalation: a form of one text field, its action, back to the page."""
    escalation = access.get_escalation_for_user(request.user, pk)
    log.record_case_form(
        request.user, case_id=escalation.case_id, person_id=escalation.case.person_id
    )
    form = form_class(request.POST)
    if form.is_valid():
        (text,) = form.cleaned_data.values()
        if attempt(form, lambda: act(escalation, text)) is not None:
            messages.success(request, done_message)
            return redirect("escalation_detail", pk=escalation.pk)
    return _escalation_page(request, escalation, bound=form)


@require_permission(Permission.ADVISE_ON_ESCALATIONS)
@require_POST
def escalation_advise(request: AuthedRequest, pk: int) -> HttpResponse:
    return _escalation_step(
        request,
        pk,
        form_class=AdviceForm,
        act=lambda escalation, advice: actions.advise_on_escalation(
            by=request.user, escalation=escalation, advice=advice
        ),
        done_message="Advice recorded on the case.",
    )


@require_permission(Permission.ADVISE_ON_ESCALATIONS)
@require_POST
def escalation_refer(request: AuthedRequest, pk: int) -> HttpResponse:
    return _escalation_step(
        request,
        pk,
        form_class=ReferForm,
        act=lambda escalation, note: actions.take_escalation_to_director(
            by=request.user, escalation=escalation, note=note
        ),
        done_message="Taken to the director.",
    )


@require_permission(Permission.DECIDE_ESCALATIONS)
@require_POST
def escalation_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    return _escalation_step(
        request,
        pk,
        form_class=DirectorDecisionForm,
        act=lambda escalation, decision: actions.record_director_decision(
            by=request.user, escalation=escalation, decision=decision
        ),
        done_message="The director's decision is recorded.",
    )


@require_permission(Permission.VIEW_DELEGATION_SCHEME)
def scheme_detail(request: AuthedRequest) -> HttpResponse:
    current = DelegationScheme.current()
    return render(
        request,
        "decisions/scheme_detail.html",
        {
            "scheme": current,
            "versions": DelegationScheme.objects.select_related("created_by"),
            "can_edit": has_permission(request.user, Permission.EDIT_DELEGATION_SCHEME),
        },
    )


@require_permission(Permission.EDIT_DELEGATION_SCHEME)
@require_http_methods(["GET", "POST"])
def scheme_edit(request: AuthedRequest) -> HttpResponse:
    current = DelegationScheme.current()
    initial = {
        name: getattr(current, name)
        for name in (*DelegationScheme.LEVEL_FIELDS, "by_asye", "funding_threshold")
    }
    form = SchemeForm(posted(request), initial=initial)
    if form.is_valid():
        scheme = attempt(
            form,
            lambda: actions.publish_delegation_scheme(
                by=request.user,
                scheme_levels=form.scheme_levels(),
                change_note=form.cleaned_data["change_note"],
            ),
        )
        if scheme is not None:
            messages.success(request, f"Published version {scheme.number} of the scheme.")
            return redirect("delegation_scheme")
    return render(request, "decisions/scheme_edit.html", {"form": form, "scheme": current})
