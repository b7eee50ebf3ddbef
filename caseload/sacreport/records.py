"""The safeguarding records as the SAC engine reads them, from the database in three queries
whatever the number of enquiries: the enquiries (with their concern and person), the concerns'
types of risk, and the concerns. `caseload export enquiries --json`, the SAC page and
`caseload report sac` all read these, so the return and its records cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from caseload.safeguarding.models import Concern, ConcernRiskType, Enquiry
from caseload_engine import sac
from caseload_engine import safeguarding_reference as ref


def day_start(day: date) -> datetime:
    """The first moment of a day in the council's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def enquiry_records(
    *, year: sac.FinancialYear | sac.Period | None = None
) -> list[sac.EnquiryRecord]:
    """Every enquiry (or those started or concluded in the year), oldest first."""
    enquiries = Enquiry.objects.order_by("started_on", "pk")
    if year is not None:
        enquiries = enquiries.filter(
            Q(started_on__range=(year.start, year.end))
            | Q(concluded_on__range=(year.start, year.end))
        )
    rows = list(
        enquiries.values(
            "pk",
            "person_id",
            "concern_id",
            "kind",
            "started_on",
            "concluded_on",
            "lead_role",
            "msp_asked",
            "msp_achieved",
            "action_and_result",
            "risk_outcome",
            "lacked_capacity",
            "support",
            "concern__criterion_care_and_support_needs",
            "concern__criterion_abuse_or_neglect",
            "concern__criterion_unable_to_protect",
            "concern__location_of_risk",
            "concern__source_of_risk",
            "person__date_of_birth",
            "person__sex",
            "person__ethnicity",
            "person__primary_support_reason",
        )
    )
    types: dict[int, list[str]] = defaultdict(list)
    risk_types = ConcernRiskType.objects.filter(
        concern_id__in=enquiries.values("concern_id")
    ).order_by("concern_id", "code")
    for concern_id, code in risk_types.values_list("concern_id", "code"):
        types[concern_id].append(code)
    return [
        sac.EnquiryRecord(
            enquiry_id=row["pk"],
            person_id=row["person_id"],
            kind=row["kind"],
            criteria={
                "care_and_support_needs": row["concern__criterion_care_and_support_needs"],
                "abuse_or_neglect": row["concern__criterion_abuse_or_neglect"],
                "unable_to_protect": row["concern__criterion_unable_to_protect"],
            },
            started_on=row["started_on"],
            concluded_on=row["concluded_on"],
            lead_role=row["lead_role"],
            types_of_risk=tuple(types[row["concern_id"]]),
            location_of_risk=row["concern__location_of_risk"],
            source_of_risk=row["concern__source_of_risk"],
            # An enquiry not yet asked is, for the return, "not recorded".
            msp_asked=row["msp_asked"] or "not_recorded",
            msp_achieved=row["msp_achieved"] or None,
            action_and_result=row["action_and_result"] or None,
            risk_outcome=row["risk_outcome"] or None,
            lacked_capacity=row["lacked_capacity"],
            support=row["support"] or None,
            age_band=ref.age_band(row["person__date_of_birth"], row["started_on"]),
            sex=row["person__sex"] or "unknown",
            ethnicity=row["person__ethnicity"] or "not_known",
            primary_support_reason=row["person__primary_support_reason"],
        )
        for row in rows
    ]


def concern_records(
    *, year: sac.FinancialYear | sac.Period | None = None
) -> list[sac.ConcernRecord]:
    """Every concern (or those received in the year), oldest first."""
    concerns = Concern.objects.order_by("received_at", "pk")
    if year is not None:
        concerns = concerns.filter(
            received_at__gte=day_start(year.start),
            received_at__lt=day_start(year.end + timedelta(days=1)),
        )
    # The zone looked up once: timezone.localdate() looks it up again for every row.
    zone = timezone.get_current_timezone()
    return [
        sac.ConcernRecord(
            concern_id=pk,
            person_id=person_id,
            received_on=received_at.astimezone(zone).date(),
            decision=decision,
        )
        for pk, person_id, received_at, decision in concerns.values_list(
            "pk", "person_id", "received_at", "decision"
        )
    ]


def year_tables(year: sac.FinancialYear | sac.Period) -> list[sac.Table]:
    """The year's SAC tables, unsuppressed."""
    return sac.tables(
        enquiries=enquiry_records(year=year), concerns=concern_records(year=year), year=year
    )


def published(year: sac.FinancialYear, *, raw: bool = False) -> list[sac.PublishedTable]:
    """The year's tables as published: small numbers suppressed unless `raw`."""
    return [sac.raw(t) if raw else sac.publish(t) for t in year_tables(year)]
