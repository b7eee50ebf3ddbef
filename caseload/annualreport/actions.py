"""Changes to the annual report: a draft built from live data (and rebuilt, or deleted), a
section edited, a version published. Atomic, the acting user, the row locked, a ChangeEvent
in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.annualreport import sections
from caseload.annualreport.models import AnnualReport
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.ui.report import ReportSection
from caseload.web.errors import ActionRefused

# A report covers at most a little over a year (a financial year, with slack for a late start).
MAX_DAYS = 400


def _require_editor(by: User) -> None:
    if not has_permission(by, Permission.EDIT_ANNUAL_REPORT):
        raise ActionRefused("Only the principal social worker edits the annual report")


@transaction.atomic
def draft_report(*, by: User, title: str, start: date, end: date) -> AnnualReport:
    """A new draft for the period, built from live data now."""
    _require_editor(by)
    if end <= start:
        raise ActionRefused("The period must end after it starts", field="end")
    if (end - start).days > MAX_DAYS:
        raise ActionRefused(f"A report covers {MAX_DAYS} days at most", field="end")
    if not title.strip():
        raise ActionRefused("Give the report a title", field="title")
    if AnnualReport.objects.filter(start=start, end=end, version__isnull=True).exists():
        raise ActionRefused("A draft for this period exists already: edit that one", field="start")
    try:
        with transaction.atomic():
            report = AnnualReport.objects.create(
                title=title.strip(),
                start=start,
                end=end,
                sections=sections.build(start=start, end=end),
                created_by=by,
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise ActionRefused(
            "A draft for this period exists already: edit that one", field="start"
        ) from None
    record_change(
        by=by,
        action=ChangeAction.ANNUAL_REPORT_DRAFTED,
        changes={
            "report": (None, report.pk),
            "start": (None, start.isoformat()),
            "end": (None, end.isoformat()),
        },
    )
    return report


def _lock_draft(by: User, report: AnnualReport) -> AnnualReport:
    _require_editor(by)
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if not locked.is_draft:
        raise ActionRefused("A published report is never changed: edit the draft")
    return locked


@transaction.atomic
def edit_section(
    *, by: User, report: AnnualReport, index: int, paragraphs: list[str]
) -> AnnualReport:
    """The section's words replaced; its tables stay as built from the data."""
    locked = _lock_draft(by, report)
    if not 0 <= index < len(locked.sections):
        raise ActionRefused("No such section")
    locked.sections[index]["paragraphs"] = [p.strip() for p in paragraphs if p.strip()]
    title = locked.sections[index]["title"]
    if title not in locked.edited_sections:
        locked.edited_sections = [*locked.edited_sections, title]
    locked.save(update_fields=["sections", "edited_sections"])
    record_change(
        by=by,
        action=ChangeAction.ANNUAL_REPORT_EDITED,
        changes={"paragraphs": ("(text)", "(text changed)")},
        detail={"report": locked.pk, "section": index + 1},
    )
    return locked


@dataclass(frozen=True)
class Rebuilt:
    report: AnnualReport
    changed: list[str]  # titles of sections new or different from the data
    removed: list[str]  # titles of sections the data no longer gives (their words are gone)


@transaction.atomic
def rebuild_draft(*, by: User, report: AnnualReport) -> Rebuilt:
    """The draft built again from today's data: a section the PSW edited keeps their words
    (matched by title) with fresh tables; every other section is as the data gives it now."""
    locked = _lock_draft(by, report)
    before = {section["title"]: section for section in locked.sections}
    edited = set(locked.edited_sections)
    fresh: list[ReportSection] = []
    changed: list[str] = []
    for section in sections.build(start=locked.start, end=locked.end):
        old = before.get(section["title"])
        if old is not None and section["title"] in edited:
            section["paragraphs"] = old["paragraphs"]
        if old != section:
            changed.append(section["title"])
        fresh.append(section)
    titles = {section["title"] for section in fresh}
    removed = [title for title in before if title not in titles]
    locked.sections = fresh
    locked.edited_sections = [title for title in locked.edited_sections if title in titles]
    locked.changed_sections = changed
    locked.rebuilt_at = timezone.now()
    locked.save(update_fields=["sections", "edited_sections", "changed_sections", "rebuilt_at"])
    record_change(
        by=by,
        action=ChangeAction.ANNUAL_REPORT_REBUILT,
        changes={
            "sections_changed": (None, len(changed)),
            "sections_removed": (None, len(removed)),
        },
        detail={"report": locked.pk},
    )
    return Rebuilt(locked, changed, removed)


@transaction.atomic
def delete_draft(*, by: User, report: AnnualReport) -> None:
    """A draft thrown away (published versions are never deleted)."""
    locked = _lock_draft(by, report)
    record_change(
        by=by,
        action=ChangeAction.ANNUAL_REPORT_DELETED,
        changes={"report": (locked.pk, None)},
        detail={"start": locked.start.isoformat(), "end": locked.end.isoformat()},
    )
    locked.delete()


@transaction.atomic
def publish_report(*, by: User, report: AnnualReport) -> AnnualReport:
    """A frozen copy of the draft as the period's next version; the draft stays to edit on."""
    locked = _lock_draft(by, report)
    last = AnnualReport.objects.filter(start=locked.start, end=locked.end).aggregate(
        n=Max("version")
    )["n"]
    version = (last or 0) + 1
    now = timezone.now()
    try:
        with transaction.atomic():
            published = AnnualReport.objects.create(
                title=locked.title,
                start=locked.start,
                end=locked.end,
                sections=locked.sections,
                version=version,
                created_by=by,
                created_at=now,
                published_at=now,
            )
    except IntegrityError:
        raise ActionRefused("Someone published it just now: open the reports again") from None
    record_change(
        by=by,
        action=ChangeAction.ANNUAL_REPORT_PUBLISHED,
        changes={"version": (None, version)},
        detail={"report": published.pk},
    )
    return published
