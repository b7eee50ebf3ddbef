"""Themed audit filters that need other apps' records, registered with the engine's
`register_filter` when the app starts. Audits sits above safeguarding in the layers
(tests/test_import_layers.py), so it reads safeguarding's enquiries here; safeguarding knows
nothing of audits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from caseload.register.models import Case
from caseload.safeguarding.models import Enquiry, EnquiryKind, EnquiryStatus
from caseload_engine import audit_sample
from caseload_engine.audit_sample import Filter

S42_CLOSED_BETWEEN = "s42_closed_between"


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def s42_closed_between(text: str) -> Filter:
    """`2026-07-01..2026-09-30`: the cases of people whose Section 42 enquiry was closed
    (signed off) on either day or between: one query, when the filter is made."""
    start, end = audit_sample.parse_days(text)
    people = Enquiry.objects.filter(
        kind=EnquiryKind.SECTION_42,
        status=EnquiryStatus.CLOSED,
        signed_off_at__gte=_aware(start),
        signed_off_at__lt=_aware(end + timedelta(days=1)),
    ).values("person_id")
    cases = frozenset(Case.objects.filter(person_id__in=people).values_list("pk", flat=True))
    return lambda row: row.case_id in cases


def contribute() -> None:
    audit_sample.register_filter(S42_CLOSED_BETWEEN, s42_closed_between)
