"""The annual report's pages: the list (drafts for the PSW, published versions for the PSW and
the director), a report as HTML (printable), PDF, Word and OpenDocument, the section editor,
rebuilding and deleting a draft, publishing.
Counts only: no page names anyone the service supports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.annualreport import actions, files
from caseload.annualreport.forms import DraftForm, SectionForm
from caseload.annualreport.models import AnnualReport
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, attempt, paginate, posted


def reports_visible_to(user: User) -> QuerySet[AnnualReport]:
    """Published versions for whoever reads the report; drafts only for who edits it."""
    if not has_permission(user, Permission.VIEW_ANNUAL_REPORT):
        return AnnualReport.objects.none()
    if has_permission(user, Permission.EDIT_ANNUAL_REPORT):
        return AnnualReport.objects.all()
    return AnnualReport.objects.filter(version__isnull=False)


def get_report_for_user(user: User, pk: int) -> AnnualReport:
    try:
        return reports_visible_to(user).get(pk=pk)
    except AnnualReport.DoesNotExist:
        raise Http404("No such report") from None


@require_permission(Permission.VIEW_ANNUAL_REPORT)
@require_http_methods(["GET", "POST"])
def report_list(request: AuthedRequest) -> HttpResponse:
    may_edit = has_permission(request.user, Permission.EDIT_ANNUAL_REPORT)
    form = DraftForm(posted(request) if may_edit else None)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            made = attempt(
                form,
                lambda: actions.draft_report(
                    by=request.user, title=data["title"], start=data["start"], end=data["end"]
                ),
            )
            if made is not None:
                messages.success(request, "The draft is built from today's data.")
                return redirect("annual_report", made.pk)
    listed = reports_visible_to(request.user).only(
        "pk", "title", "start", "end", "version", "published_at"
    )
    return render(
        request,
        "annualreport/list.html",
        {"page": paginate(request, listed), "form": form, "may_edit": may_edit},
        status=400 if form.errors else 200,
    )


@require_permission(Permission.VIEW_ANNUAL_REPORT)
@require_GET
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    return render(
        request,
        "annualreport/report.html",
        {
            "report": report,
            "may_edit": report.is_draft
            and has_permission(request.user, Permission.EDIT_ANNUAL_REPORT),
        },
    )


@require_permission(Permission.EDIT_ANNUAL_REPORT)
@require_http_methods(["GET", "POST"])
def section_edit(request: AuthedRequest, pk: int, index: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    if not report.is_draft or not 1 <= index <= len(report.sections):
        raise Http404("No such section")
    section = report.sections[index - 1]
    form = SectionForm(posted(request), initial={"text": "\n\n".join(section["paragraphs"])})
    if form.is_valid():
        done = attempt(
            form,
            lambda: actions.edit_section(
                by=request.user, report=report, index=index - 1, paragraphs=form.paragraphs()
            ),
        )
        if done is not None:
            messages.success(request, f"“{section['title']}” is saved.")
            return redirect("annual_report", report.pk)
    return render(
        request,
        "annualreport/section_edit.html",
        {"report": report, "section": section, "form": form},
        status=400 if form.errors else 200,
    )


@require_permission(Permission.EDIT_ANNUAL_REPORT)
@require_POST
def report_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    try:
        published = actions.publish_report(by=request.user, report=report)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("annual_report", report.pk)
    messages.success(request, f"Version {published.version} is published.")
    return redirect("annual_report", published.pk)


@require_permission(Permission.EDIT_ANNUAL_REPORT)
@require_POST
def report_rebuild(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    try:
        rebuilt = actions.rebuild_draft(by=request.user, report=report)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("annual_report", report.pk)
    said = "The draft is rebuilt from today's data: "
    said += (
        f"{len(rebuilt.changed)} section{'' if len(rebuilt.changed) == 1 else 's'} changed, "
        "marked below."
        if rebuilt.changed
        else "no section changed."
    )
    if rebuilt.removed:
        said += " No longer in the report: " + ", ".join(rebuilt.removed) + "."
    messages.success(request, said)
    return redirect("annual_report", report.pk)


@require_permission(Permission.EDIT_ANNUAL_REPORT)
@require_POST
def report_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    try:
        actions.delete_draft(by=request.user, report=report)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("annual_report", report.pk)
    messages.success(request, f"The draft “{report.title}” is deleted.")
    return redirect("annual_reports")


def _download(
    report: AnnualReport, content: bytes, content_type: str, extension: str
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = f"annual-report-{report.start:%Y%m%d}-{report.end:%Y%m%d}"
    name += f"-v{report.version}" if report.version else "-draft"
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


@require_permission(Permission.VIEW_ANNUAL_REPORT)
@require_GET
def report_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    return _download(report, files.pdf(report), "application/pdf", "pdf")


@require_permission(Permission.VIEW_ANNUAL_REPORT)
@require_GET
def report_docx(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    return _download(
        report,
        files.docx(report),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    )


@require_permission(Permission.VIEW_ANNUAL_REPORT)
@require_GET
def report_odt(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    return _download(report, files.odt(report), "application/vnd.oasis.opendocument.text", "odt")
