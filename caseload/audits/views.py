"""Case file audit pages: the list, the tool and its editor, the month's sample, an audit (read,
completed against the case record, responded to, moderated) and the results.

Every page reads audits through caseload.audits.access and writes the access log; every change
goes through caseload.audits.actions.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseFormSet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit import log
from caseload.audits import access, actions
from caseload.audits.forms import (
    AppointForm,
    AssignForm,
    ModerationForm,
    QuestionForm,
    QuestionFormSet,
    ResponseForm,
    SampleForm,
    ShareForm,
    ToolDetailsForm,
    ToolForm,
    audit_form,
)
from caseload.audits.models import Audit, AuditStatus, ModerationShare, Moderator, ToolVersion
from caseload.audits.moderation import agreement_by_moderator, chosen_for_moderation
from caseload.audits.results import results
from caseload.audits.sampling import sample_for
from caseload.complexity.models import Assessment
from caseload.register.models import Allocation, Case, Contact, Practitioner
from caseload.ui.forms import ErrorSummary
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, attempt, paginate, posted
from caseload_engine import audit_sample, audit_tool
from caseload_engine.dates import add_months

TOOL_PUBLISHED = "Version {number} of the audit tool is published."


@require_permission(Permission.VIEW_OWN_CASE_AUDITS)
@require_GET
def audit_list(request: AuthedRequest) -> HttpResponse:
    """The audits the user may see: those to carry out first, then by month, newest first."""
    user = request.user
    visible = access.audits_visible_to(user)
    page = paginate(
        request,
        visible.select_related("case__person", "team", "practitioner", "auditor").order_by(
            "status", "-month", "pk"
        ),
    )
    log.record_case_audits_listed(user, person_ids=[a.case.person_id for a in page])
    return render(
        request,
        "audits/list.html",
        {
            "page": page,
            "to_do": visible.filter(auditor=user, status=AuditStatus.ASSIGNED).count(),
            "manages": has_permission(user, Permission.MANAGE_CASE_AUDITS),
        },
    )


@require_permission(Permission.VIEW_AUDIT_TOOL)
@require_GET
def tool_detail(request: AuthedRequest, number: int | None = None) -> HttpResponse:
    current = ToolVersion.current()
    version = current if number is None else get_object_or_404(ToolVersion, number=number)
    return render(
        request,
        "audits/tool.html",
        {
            "version": version,
            "is_current": version.pk == current.pk,
            "tool": version.tool,
            "versions": ToolVersion.objects.select_related("created_by"),
        },
    )


@require_permission(Permission.EDIT_AUDIT_TOOL)
@require_http_methods(["GET", "POST"])
def tool_edit(request: AuthedRequest) -> HttpResponse:
    current = ToolVersion.current()
    form = ToolForm(posted(request), initial={"definition": current.definition})
    if form.is_valid():
        version = attempt(
            form,
            lambda: actions.publish_tool(
                by=request.user,
                definition=form.cleaned_data["definition"],
                change_note=form.cleaned_data["change_note"],
            ),
        )
        if version is not None:
            messages.success(request, TOOL_PUBLISHED.format(number=version.number))
            return redirect("audits_tool")
    return render(request, "audits/tool_edit.html", {"form": form, "current": current})


@require_permission(Permission.EDIT_AUDIT_TOOL)
@require_http_methods(["GET", "POST"])
def tool_edit_form(request: AuthedRequest) -> HttpResponse:
    """The tool's questions as forms, beside the YAML editor: the same tool, checked by the
    same engine reader and published by the same action. A question is added by a submit
    button (server-side, no script) and removed by ticking its box."""
    current = ToolVersion.current()
    tool = current.tool
    data = posted(request)
    adding = data is not None and "add" in data
    if data is not None and adding:
        data = data.copy()
        total = data.get("questions-TOTAL_FORMS", "")
        data["questions-TOTAL_FORMS"] = str(
            (int(total) if total.isascii() and total.isdigit() else 0) + 1
        )
    details = ToolDetailsForm(data, initial={"name": tool.name}, prefix="tool")
    questions = QuestionFormSet(
        data,
        prefix="questions",
        initial=[QuestionForm.initial_for(s, q) for s in tool.sections for q in s.questions],
    )
    if data is not None and not adding:
        version = _publish_from_forms(request, details, questions)
        if version is not None:
            messages.success(request, TOOL_PUBLISHED.format(number=version.number))
            return redirect("audits_tool")
    return render(
        request,
        "audits/tool_edit_form.html",
        {
            "current": current,
            "details": details,
            "questions": questions,
            "summary": None if adding else ErrorSummary(details, questions),
        },
    )


def _publish_from_forms(
    request: AuthedRequest,
    details: ToolDetailsForm,
    questions: BaseFormSet,  # type: ignore[type-arg]
) -> ToolVersion | None:
    if not (details.is_valid() and questions.is_valid()):
        return None
    kept = [f for f in questions.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    # Consecutive questions of one section key make the section; where each form landed, so
    # that the engine's refusal (`sections[2].questions[1].kind: ...`) lands on its field.
    sections: list[dict[str, Any]] = []
    placed: dict[tuple[int, int | None], Any] = {}
    for form in kept:
        row = form.cleaned_data
        if not sections or sections[-1]["key"] != row["section_key"]:
            sections.append(
                {"key": row["section_key"], "title": row["section_title"], "questions": []}
            )
            placed[(len(sections), None)] = form
        question = {k: row[k] for k in ("key", "kind", "text")}
        if row["guidance"]:
            question["guidance"] = row["guidance"]
        sections[-1]["questions"].append(question)
        placed[(len(sections), len(sections[-1]["questions"]))] = form
    try:
        edited = audit_tool.from_dict({"name": details.cleaned_data["name"], "sections": sections})
    except audit_tool.ToolError as error:
        _place_tool_error(str(error), details, placed)
        return None
    return attempt(
        details,
        lambda: actions.publish_tool(
            by=request.user,
            definition=audit_tool.dumps(edited),
            change_note=details.cleaned_data["change_note"],
        ),
    )


_TOOL_ERROR = re.compile(r"sections\[(\d+)\](?:\.questions\[(\d+)\])?\.?(\w*): (.*)", re.S)


def _place_tool_error(
    message: str, details: ToolDetailsForm, placed: dict[tuple[int, int | None], Any]
) -> None:
    """The engine's refusal on the field it names, or at the top of the form."""
    found = _TOOL_ERROR.fullmatch(message)
    if found is not None:
        section, question, key, text = found.groups()
        form = placed.get((int(section), int(question) if question else None))
        field = key if question else {"key": "section_key", "title": "section_title"}.get(key)
        if form is not None and field in form.fields:
            form.add_error(field, text)
            return
    if message.startswith("name: "):
        details.add_error("name", message.removeprefix("name: "))
        return
    details.add_error(None, message.replace("the tool: ", "The tool ", 1))


def _last_month() -> date:
    return add_months(timezone.localdate().replace(day=1), -1)


@require_permission(Permission.MANAGE_CASE_AUDITS)
@require_http_methods(["GET", "POST"])
def sample(request: AuthedRequest) -> HttpResponse:
    """The month's sample (the same draw as `caseload audit sample`), each case with its audit
    or a choice of auditor: anyone who may audit, less whoever worked the case."""
    params = request.GET if request.GET else {"month": f"{_last_month():%Y-%m}"}
    form = SampleForm(params)
    rows: list[dict[str, Any]] = []
    assign_error: AssignForm | None = None
    count = 0
    page = None
    if form.is_valid():
        month = form.cleaned_data["month"]
        picks = sample_for(month, per_team=form.cleaned_data["per_team"], filters=form.filters())
        # A themed audit may take hundreds of cases: one page of them at a time, and the case
        # posted wherever it is in the sample.
        page = Paginator(picks, settings.CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
        chosen = list(page.object_list)
        posted_case = request.POST.get("case", "") if request.method == "POST" else ""
        chosen += [p for p in picks if str(p.case_id) == posted_case and p not in chosen]
        ids = [p.case_id for p in chosen]
        cases = Case.objects.select_related("person", "team").in_bulk(ids)
        practitioners = Practitioner.objects.in_bulk([p.practitioner for p in chosen])
        audits = {
            a.case_id: a
            for a in Audit.objects.filter(month=month, case_id__in=ids).select_related("auditor")
        }
        workers = access.workers_by_case(ids, month)
        auditors = access.possible_auditors()
        for pick in chosen:
            choices = [
                (u.pk, u.get_full_name() or u.username)
                for u in auditors
                if u.pk not in workers[pick.case_id]
            ]
            rows.append(
                {
                    "pick": pick,
                    "case": cases[pick.case_id],
                    "practitioner": practitioners[pick.practitioner],
                    "audit": audits.get(pick.case_id),
                    "form": AssignForm(initial={"case": pick.case_id}, auditors=choices),
                }
            )
        count = len(picks)
        if request.method == "POST":
            response, assign_error = _assign(request, form, rows, month)
            if response is not None:
                return response
        log.record_case_audits_listed(request.user, person_ids=[r["case"].person_id for r in rows])
    return render(
        request,
        "audits/sample.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "count": count,
            "assign_error": assign_error,
            # The pagination's links add the page; the assign forms post back to this page.
            "query": _without_page(request),
            "here": request.GET.urlencode(),
        },
    )


def _without_page(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _assign(
    request: AuthedRequest, form: SampleForm, rows: list[dict[str, Any]], month: date
) -> tuple[HttpResponse | None, AssignForm | None]:
    by_case = {row["pick"].case_id: row for row in rows}
    case_id = request.POST.get("case", "")
    row = by_case.get(int(case_id)) if case_id.isascii() and case_id.isdigit() else None
    if row is None:
        # Not a case of this sample (changed meanwhile, or made up): the page, with a message.
        assign = AssignForm(request.POST, auditors=[])
        assign.is_valid()
        assign.add_error(
            None, "That case is not in the sample for this month: choose from the list"
        )
        return None, assign
    assign = AssignForm(request.POST, auditors=list(row["form"].fields["auditor"].choices)[1:])
    row["form"] = assign
    if assign.is_valid():
        auditor = User.objects.get(pk=assign.cleaned_data["auditor"])
        audit = attempt(
            assign,
            lambda: actions.assign_audit(
                by=request.user,
                case=row["case"],
                practitioner=row["practitioner"],
                month=month,
                auditor=auditor,
                theme=form.theme(),
            ),
        )
        if audit is not None:
            messages.success(
                request, f"Case {audit.case_id} assigned to {auditor.get_full_name()}."
            )
            return redirect(f"{request.path}?{request.GET.urlencode()}"), None
    return None, assign


def _audit_context(request: AuthedRequest, audit: Audit) -> dict[str, Any]:
    answers = audit.answers or {}
    user = request.user
    return {
        "audit": audit,
        "sections": [
            {
                "section": section,
                "answers": [(q, answers.get(q.key)) for q in section.questions],
            }
            for section in audit.tool_version.tool.sections
        ],
        "audit_actions": list(audit.actions.select_related("done_by")),
        "is_auditor": audit.auditor_id == user.pk,
        "is_practitioner": audit.practitioner.user_id == user.pk,
        "may_moderate": audit.status == AuditStatus.COMPLETED
        and access.moderation_refusal(user, audit) is None,
        "response_form": ResponseForm(initial={"response": audit.response}),
    }


@require_permission(Permission.VIEW_OWN_CASE_AUDITS)
@require_GET
def audit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    audit = access.get_audit_for_user(request.user, pk)
    log.record_case_audit_viewed(
        request.user,
        audit_id=audit.pk,
        case_id=audit.case_id,
        person_id=audit.case.person_id,
        practitioner_id=audit.practitioner_id,
    )
    return render(request, "audits/audit.html", _audit_context(request, audit))


@require_permission(Permission.VIEW_OWN_CASE_AUDITS)
@require_http_methods(["GET", "POST"])
def audit_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    """The auditor completes the tool beside the case record, which they may read for this
    purpose (the access log names the audit as the reason)."""
    audit = access.get_audit_for_user(request.user, pk)
    if audit.auditor_id != request.user.pk:
        raise PermissionDenied
    if audit.status != AuditStatus.ASSIGNED:
        messages.info(request, "This audit is already completed.")
        return redirect("audits_audit", audit.pk)
    case = audit.case
    log.record_case_read_for_audit(
        request.user,
        audit_id=audit.pk,
        case_id=case.pk,
        person_id=case.person_id,
        team_id=case.team_id,
    )
    form = audit_form(audit.tool_version.tool, posted(request))
    if form.is_valid():
        done = attempt(
            form,
            lambda: actions.complete_audit(
                by=request.user,
                audit=audit,
                answers=form.answers(),
                grade=form.cleaned_data["grade"],
                summary=form.cleaned_data["summary"],
                actions=form.actions(),
            ),
        )
        if done is not None:
            messages.success(request, "Audit completed. The practitioner has been told.")
            return redirect("audits_audit", audit.pk)
    return render(
        request,
        "audits/complete.html",
        {
            "audit": audit,
            "case": case,
            "form": form,
            "assessment": Assessment.objects.filter(case=case, is_current=True).first(),
            "allocations": Allocation.objects.filter(case=case)
            .select_related("practitioner")
            .order_by("-started_at")[:20],
            "contacts": Contact.objects.filter(case=case)
            .select_related("practitioner")
            .order_by("-occurred_on", "-pk")[:20],
        },
    )


@require_permission(Permission.VIEW_OWN_CASE_AUDITS)
@require_POST
def audit_respond(request: AuthedRequest, pk: int) -> HttpResponse:
    audit = access.get_audit_for_user(request.user, pk)
    if audit.practitioner.user_id != request.user.pk:
        raise PermissionDenied
    form = ResponseForm(request.POST)
    if form.is_valid():
        done = attempt(
            form,
            lambda: actions.respond(
                by=request.user, audit=audit, response=form.cleaned_data["response"]
            ),
        )
        if done is not None:
            messages.success(request, "Your response is recorded.")
            return redirect("audits_audit", audit.pk)
    context = _audit_context(request, audit)
    context["response_form"] = context["form"] = form
    return render(request, "audits/audit.html", context)


@require_permission(Permission.VIEW_OWN_CASE_AUDITS)
@require_http_methods(["GET", "POST"])
def audit_moderate(request: AuthedRequest, pk: int) -> HttpResponse:
    """The PSW, or a moderator they named, re-grades a completed audit."""
    audit = access.get_audit_for_user(request.user, pk)
    if not access.is_moderator(request.user):
        raise PermissionDenied
    log.record_case_audit_viewed(
        request.user,
        audit_id=audit.pk,
        case_id=audit.case_id,
        person_id=audit.case.person_id,
        practitioner_id=audit.practitioner_id,
    )
    form = ModerationForm(posted(request))
    if form.is_valid():
        done = attempt(
            form,
            lambda: actions.moderate(
                by=request.user,
                audit=audit,
                grade=form.cleaned_data["grade"],
                note=form.cleaned_data["note"],
            ),
        )
        if done is not None:
            messages.success(request, "Moderation recorded.")
            return redirect("audits_audit", audit.pk)
    context = _audit_context(request, audit)
    context["form"] = form
    return render(request, "audits/moderate.html", context)


@require_POST
def action_done(request: AuthedRequest, pk: int) -> HttpResponse:
    """Only the practitioner whose case was audited marks its action done: their record
    decides, so no role is asked."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    action = access.get_action_for_user(request.user, pk)
    try:
        actions.complete_action(by=request.user, action=action)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Action marked done.")
    return redirect("audits_audit", action.audit_id)


def _month_or(text: str | None, default: date) -> tuple[date, str | None]:
    if not text:
        return default, None
    try:
        return audit_sample.parse_month(text), None
    except audit_sample.SampleError as error:
        return default, str(error)


@require_permission(Permission.VIEW_AUDIT_RESULTS)
@require_GET
def results_page(request: AuthedRequest) -> HttpResponse:
    """Grades by team, month and question, themes, moderation agreement: counts, no names."""
    last = timezone.localdate().replace(day=1)
    end, end_error = _month_or(request.GET.get("to"), last)
    start, start_error = _month_or(request.GET.get("from"), add_months(end, -11))
    errors = [e for e in (start_error, end_error) if e]
    if start > end:
        errors.append("The first month must not be after the last")
        start = add_months(end, -11)
    if add_months(start, 60) <= end:
        errors.append("Show at most five years at a time")
        start = add_months(end, -59)
    return render(
        request,
        "audits/results.html",
        {
            "figures": results(start, audit_sample.month_end(end)),
            "start": start,
            "end": end,
            "errors": errors,
        },
    )


def _moderation_page(
    request: AuthedRequest,
    appoint_form: AppointForm | None = None,
    share_form: ShareForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The month's audits chosen for moderation (those the user may moderate, for a moderator
    the PSW named), agreement per moderator; for the PSW, the moderators and the share too."""
    user = request.user
    manages = has_permission(user, Permission.MANAGE_CASE_AUDITS)
    month, month_error = _month_or(request.GET.get("month"), _last_month())
    chosen: list[Audit] = []
    agreement = []
    if manages or access.is_delegate(user):
        chosen = list(
            access.audits_visible_to(user)
            .filter(pk__in=chosen_for_moderation(since=month, until=month))
            .select_related("case__person", "team", "auditor", "moderated_by")
            .order_by("team__name", "case_id")
        )
        if not manages:
            # Never their own audit nor one of their own case (the action says so too).
            chosen = [a for a in chosen if user.pk not in (a.auditor_id, a.practitioner_user_id)]
        log.record_case_audits_listed(user, person_ids=[a.case.person_id for a in chosen])
        agreement = agreement_by_moderator(add_months(month, -11), audit_sample.month_end(month))
    context: dict[str, Any] = {
        "manages": manages,
        "is_moderator": manages or access.is_delegate(user),
        "month": month,
        "month_error": month_error,
        "chosen": chosen,
        "agreement": agreement,
        "percent": ModerationShare.current_percent(),
    }
    if manages:
        moderators = list(Moderator.objects.select_related("user", "appointed_by"))
        named = {m.user_id for m in moderators}
        context |= {
            "moderators": moderators,
            "appoint_form": appoint_form
            or AppointForm(
                candidates=[
                    (u.pk, u.get_full_name() or u.username)
                    for u in access.possible_auditors()
                    if u.pk not in named and not has_permission(u, Permission.MANAGE_CASE_AUDITS)
                ]
            ),
            "share_form": share_form
            or ShareForm(initial={"percent": ModerationShare.current_percent()}),
        }
    return render(request, "audits/moderation.html", context, status=status)


@require_permission(Permission.VIEW_OWN_CASE_AUDITS)
@require_GET
def moderation(request: AuthedRequest) -> HttpResponse:
    return _moderation_page(request)


@require_permission(Permission.MANAGE_CASE_AUDITS)
@require_POST
def moderator_appoint(request: AuthedRequest) -> HttpResponse:
    candidates = [(u.pk, u.get_full_name() or u.username) for u in access.possible_auditors()]
    form = AppointForm(request.POST, candidates=candidates)
    if form.is_valid():
        user = User.objects.get(pk=form.cleaned_data["user"])
        if attempt(form, lambda: actions.appoint_moderator(by=request.user, user=user)):
            messages.success(request, f"{user.get_full_name()} is now a moderator.")
            return redirect("audits_moderation")
    return _moderation_page(request, appoint_form=form)


@require_permission(Permission.MANAGE_CASE_AUDITS)
@require_POST
def moderator_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    moderator = get_object_or_404(Moderator.objects.select_related("user"), pk=pk)
    try:
        actions.remove_moderator(by=request.user, moderator=moderator)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"{moderator.user.get_full_name()} is no longer a moderator.")
    return redirect("audits_moderation")


@require_permission(Permission.MANAGE_CASE_AUDITS)
@require_POST
def moderation_share(request: AuthedRequest) -> HttpResponse:
    form = ShareForm(request.POST)
    if form.is_valid():
        share = attempt(
            form,
            lambda: actions.set_moderation_share(
                by=request.user, percent=form.cleaned_data["percent"]
            ),
        )
        if share is not None:
            messages.success(request, f"{share.percent}% of completed audits will be moderated.")
            return redirect("audits_moderation")
    return _moderation_page(request, share_form=form)
