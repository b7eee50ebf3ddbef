"""Searching and exporting the two logs: the principal social worker and the administrator
only. Filters arrive by POST (see forms.py); every search and export is itself access-logged,
naming the people it showed."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission
from caseload.audit import log
from caseload.audit.forms import AuditSearchForm
from caseload.audit.models import AccessAction, AccessLogEntry, ChangeAction, ChangeEvent
from caseload.audit.presenters import (
    AccessLine,
    ChangeLine,
    Directory,
    PeopleByIdOnly,
    describe_access,
    describe_changes,
    directory_for,
)
from caseload.web.decorators import require_permission
from caseload_engine.tabular import spreadsheet_text

EXPORT_CHUNK = 500

Row = TypeVar("Row", ChangeEvent, AccessLogEntry)
Line = TypeVar("Line", ChangeLine, AccessLine)


class AuditRequest(HttpRequest):
    user: User


@dataclass(frozen=True)
class LogKind(Generic[Row, Line]):
    """What differs between the change log's pages and the access log's."""

    title: str
    url_name: str
    export_url_name: str
    filename: str
    actions: list[tuple[str, str]]
    rows: Callable[[], QuerySet[Row]]
    filter_person: Callable[[QuerySet[Row], int], QuerySet[Row]]
    describe: Callable[[Sequence[Row], Directory], list[Line]]
    people: Callable[[Sequence[Row]], set[int]]
    header: list[str]
    csv_row: Callable[[Line], list[object]]


def _change_csv_row(line: ChangeLine) -> list[object]:
    event = line.event
    return [
        event.pk,
        event.at.isoformat(),
        event.user_id,
        line.who,
        event.action,
        event.person_id,
        event.case_id,
        event.practitioner_id,
        event.from_practitioner_id,
        event.team_id,
        line.text,
        json.dumps(event.changes, sort_keys=True),
        json.dumps(event.detail, sort_keys=True),
    ]


def _access_csv_row(line: AccessLine) -> list[object]:
    entry = line.entry
    return [
        entry.pk,
        entry.at.isoformat(),
        entry.user_id,
        line.who,
        entry.action,
        " ".join(str(subject.person_id) for subject in entry.subjects.all()),
        entry.case_id,
        entry.practitioner_id,
        entry.team_id,
        entry.reason,
        entry.reason_detail,
    ]


CHANGES: LogKind[ChangeEvent, ChangeLine] = LogKind(
    title="Change log",
    url_name="audit_change_log",
    export_url_name="audit_change_log_export",
    filename="change-log",
    actions=list(ChangeAction.choices),
    rows=lambda: ChangeEvent.objects.all(),
    filter_person=lambda rows, person_id: rows.filter(person_id=person_id),
    describe=describe_changes,
    people=lambda events: {e.person_id for e in events if e.person_id is not None},
    header=[
        "id",
        "at",
        "user_id",
        "user",
        "action",
        "person_id",
        "case_id",
        "practitioner_id",
        "from_practitioner_id",
        "team_id",
        "description",
        "changes",
        "detail",
    ],
    csv_row=_change_csv_row,
)
ACCESSES: LogKind[AccessLogEntry, AccessLine] = LogKind(
    title="Access log",
    url_name="audit_access_log",
    export_url_name="audit_access_log_export",
    filename="access-log",
    actions=list(AccessAction.choices),
    rows=lambda: AccessLogEntry.objects.prefetch_related("subjects"),
    filter_person=lambda rows, person_id: rows.filter(subjects__person_id=person_id),
    describe=describe_access,
    people=lambda entries: {s.person_id for e in entries for s in e.subjects.all()},
    header=[
        "id",
        "at",
        "user_id",
        "user",
        "action",
        "person_ids",
        "case_id",
        "practitioner_id",
        "team_id",
        "reason",
        "reason_detail",
    ],
    csv_row=_access_csv_row,
)


def _filtered(kind: LogKind[Row, Line], filters: dict[str, Any]) -> QuerySet[Row]:
    rows = kind.rows()
    if filters.get("person") is not None:
        rows = kind.filter_person(rows, filters["person"])
    if filters.get("user") is not None:
        rows = rows.filter(user_id=filters["user"])
    if filters.get("date_from"):
        rows = rows.filter(at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        rows = rows.filter(at__date__lte=filters["date_to"])
    if filters.get("action"):
        rows = rows.filter(action=filters["action"])
    return rows


def _searched_for(filters: dict[str, Any]) -> set[int]:
    return {filters["person"]} if filters.get("person") is not None else set()


def _search(request: AuditRequest, kind: LogKind[Row, Line]) -> HttpResponse:
    directory = directory_for(request.user)
    form = AuditSearchForm(
        request.POST if request.method == "POST" else None,
        actions=kind.actions,
        directory=directory,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    page = None
    lines: list[Line] = []
    if not form.is_bound or form.is_valid():
        page = Paginator(_filtered(kind, filters), settings.CASELOAD_PAGE_SIZE).get_page(
            filters.get("page") or 1
        )
        shown = list(page)
        lines = kind.describe(shown, directory)
        log.record_audit_log_searched(
            request.user, person_ids=kind.people(shown) | _searched_for(filters)
        )
    return render(
        request,
        "audit/search.html",
        {"kind": kind, "form": form, "page": page, "lines": lines},
    )


def _safe(value: object) -> object:
    """A cell a spreadsheet will show as text, never run as a formula."""
    return spreadsheet_text(value) if isinstance(value, str) else value


class _Echo:
    """A file that hands back what is written to it, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _export(request: AuditRequest, kind: LogKind[Row, Line]) -> HttpResponseBase:
    directory = directory_for(request.user)
    form = AuditSearchForm(request.POST, actions=kind.actions, directory=directory)
    if not form.is_valid():
        return render(
            request, "audit/search.html", {"kind": kind, "form": form, "page": None, "lines": []}
        )
    # Names only the person searched for: an export of everyone holds every id, and no names.
    log.record_audit_log_exported(request.user, person_ids=_searched_for(form.cleaned_data))
    rows = _filtered(kind, form.cleaned_data).iterator(chunk_size=EXPORT_CHUNK)
    # Exports leave the service: the people supported appear by id only.
    by_id = PeopleByIdOnly(directory)
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield writer.writerow(kind.header)
        for chunk in _chunks(rows, EXPORT_CHUNK):
            for line in kind.describe(chunk, by_id):
                yield writer.writerow([_safe(cell) for cell in kind.csv_row(line)])

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return StreamingHttpResponse(
        stream(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{kind.filename}-{stamp}.csv"'},
    )


@require_permission(Permission.VIEW_AUDIT_LOG)
@require_http_methods(["GET", "POST"])
def change_log(request: AuditRequest) -> HttpResponse:
    return _search(request, CHANGES)


@require_permission(Permission.EXPORT_AUDIT_LOG)
@require_POST
def change_log_export(request: AuditRequest) -> HttpResponseBase:
    return _export(request, CHANGES)


@require_permission(Permission.VIEW_AUDIT_LOG)
@require_http_methods(["GET", "POST"])
def access_log(request: AuditRequest) -> HttpResponse:
    return _search(request, ACCESSES)


@require_permission(Permission.EXPORT_AUDIT_LOG)
@require_POST
def access_log_export(request: AuditRequest) -> HttpResponseBase:
    return _export(request, ACCESSES)
