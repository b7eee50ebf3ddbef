"""The annual report's sections, built from live data: THE list is `SECTIONS`, in report order.

Each builder takes the period (`start`, `end`, both days included) and returns a
`ReportSection` (caseload.ui.report). Case file audits (caseload.audits) and safeguarding and
MSP (caseload.sacreport) provide theirs as `annual_section(*, start, end)`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

from django.db.models import Count, Q, Sum

from caseload.audits.results import annual_section as audits_section
from caseload.decisions.models import PracticeEscalation
from caseload.healthcheck import figures as healthcheck
from caseload.learning import figures as learning
from caseload.learning.actions import current_framework
from caseload.learning.models import (
    CONTRIBUTING_FACTORS,
    DirectPractice,
    DirectPracticeKind,
    Feedback,
    Grade,
    Incident,
    IncidentKind,
    LearningReview,
)
from caseload.sacreport.annual import annual_section as safeguarding_section
from caseload.ui.report import ReportSection, ReportTable

Builder = Callable[..., ReportSection]


def _section(
    title: str, paragraphs: list[str], tables: list[ReportTable] | None = None
) -> ReportSection:
    return {"title": title, "paragraphs": paragraphs, "tables": tables or []}


def _cell(value: object) -> str:
    if value is None:
        return "\u2013"  # an en dash: no figure
    return str(value)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def practice_framework(*, start: date, end: date) -> ReportSection:
    current = current_framework()
    if current is None:
        return _section("The practice framework", ["No practice framework is published yet."])
    paragraphs = [
        f"Version {current.number} of the practice framework was published on "
        f"{_day(current.published_at.date())}.",
        f"Vision: {current.vision}",
        f"Values: {current.values}",
        f"Practice model: {current.practice_model}",
        f"Desired outcomes: {current.desired_outcomes}",
        f"Evidence: {current.evidence}",
    ]
    contributed = [
        f"{who}: {names}"
        for who, names in (
            ("Practitioners", current.contributors_practitioners),
            ("People using services", current.contributors_people),
            ("Partners", current.contributors_partners),
        )
        if names
    ]
    if contributed:
        paragraphs.append("Who contributed. " + "; ".join(contributed) + ".")
    rates = learning.acknowledgement_rates(current)
    table: ReportTable = {
        "caption": "Practitioners who have acknowledged the current framework, by team",
        "headers": ["Team", "Practitioners", "Acknowledged", "Per cent"],
        "rows": [[r.team, str(r.staff), str(r.done), _cell(r.percent)] for r in rates],
    }
    return _section("The practice framework", paragraphs, [table])


def _healthcheck_table(section: healthcheck.Section) -> ReportTable:
    columns = section["columns"]
    return {
        "caption": section["title"],
        "headers": [c["label"] for c in columns],
        "rows": [[_cell(row.get(c["key"])) for c in columns] for row in section["rows"]],
    }


def _healthcheck(keys: tuple[str, ...], *, end: date) -> list[ReportTable]:
    built = healthcheck.build(on=end)
    return [_healthcheck_table(s) for s in built["sections"] if s["key"] in keys and s["available"]]


def workforce(*, start: date, end: date) -> ReportSection:
    return _section(
        "Workforce and caseloads",
        [f"From the Employer Standards Health Check figures as on {_day(end)}."],
        _healthcheck(("resource", "caseloads"), end=end),
    )


def supervision(*, start: date, end: date) -> ReportSection:
    return _section(
        "Supervision compliance",
        [
            f"Practitioners compliant with the supervision policy in the twelve months to "
            f"{_day(end)}, and those overdue on that day, by team and role."
        ],
        _healthcheck(("supervision",), end=end),
    )


def incidents(*, start: date, end: date) -> ReportSection:
    found = Incident.objects.filter(occurred_on__gte=start, occurred_on__lte=end)
    counts = found.aggregate(
        incidents=Count("pk", filter=Q(kind=IncidentKind.INCIDENT)),
        near_misses=Count("pk", filter=Q(kind=IncidentKind.NEAR_MISS)),
    )
    by_grade = dict(found.values_list("grade").annotate(n=Count("pk")).values_list("grade", "n"))
    reviews = LearningReview.objects.filter(incident__in=found)
    factors: Counter[str] = Counter()
    for chosen in reviews.values_list("contributing_factors", flat=True):
        factors.update(chosen)
    recs = learning.recommendation_figures(on=end)
    sars = reviews.exclude(sar_reference="").count()
    return _section(
        "Learning from incidents",
        [
            f"{counts['incidents']} incidents and {counts['near_misses']} near misses were "
            f"recorded; {reviews.count()} learning reviews were commissioned "
            f"({reviews.filter(completed_at__isnull=False).count()} complete), "
            f"{sars} linked to a Safeguarding Adults Review.",
            f"Recommendations: {recs.open} open ({recs.overdue} overdue), "
            f"{recs.done_on_time} done on time, {recs.done_late} done late.",
            "Reviews are no-blame and systems-focused; contributing factors are the categories "
            "of the Yorkshire Contributory Factors Framework.",
        ],
        [
            {
                "caption": "Incidents and near misses by seriousness",
                "headers": ["Seriousness", "Number"],
                "rows": [[label, str(by_grade.get(value, 0))] for value, label in Grade.choices],
            },
            {
                "caption": "Contributing factors found by learning reviews",
                "headers": ["Factor", "Reviews"],
                "rows": [[CONTRIBUTING_FACTORS[k], str(n)] for k, n in factors.most_common()],
            },
        ],
    )


def feedback(*, start: date, end: date) -> ReportSection:
    totals = learning.feedback_totals(start=start, end=end)
    quotes = Feedback.objects.filter(
        received_on__gte=start, received_on__lte=end, picked_for_report=True, may_quote=True
    ).order_by("received_on", "pk")
    paragraphs = [
        f"{totals.received} pieces of feedback were received: {totals.compliments} compliments "
        f"and {totals.complaints} complaints among them. "
        f"{_cell(totals.listened_percent)}% of those who answered felt listened to; "
        f"{_cell(totals.outcomes_met_percent)}% said the outcomes that mattered to them were met."
    ]
    paragraphs += [
        f"“{q.comments or q.could_be_better}”" for q in quotes if q.comments or q.could_be_better
    ]
    teams: dict[str, list[int]] = {}
    for row in learning.feedback_by_team_and_month(start=start, end=end):
        cell = teams.setdefault(row.label, [0, 0, 0])
        cell[0] += row.received
        cell[1] += row.compliments
        cell[2] += row.complaints
    table: ReportTable = {
        "caption": "Feedback by team",
        "headers": ["Team", "Received", "Compliments", "Complaints"],
        "rows": [[team, *(str(n) for n in cell)] for team, cell in sorted(teams.items())],
    }
    return _section("Feedback from people who use services", paragraphs, [table])


def escalations(*, start: date, end: date) -> ReportSection:
    raised = PracticeEscalation.objects.filter(raised_at__date__gte=start, raised_at__date__lte=end)
    rows = raised.values_list("nature", "state").annotate(n=Count("pk")).order_by("nature", "state")
    natures = dict(PracticeEscalation.Nature.choices)
    states = dict(PracticeEscalation.State.choices)
    to_director = raised.filter(
        state__in=[PracticeEscalation.State.WITH_DIRECTOR, PracticeEscalation.State.DECIDED]
    ).count()
    return _section(
        "Escalations and advice to the director",
        [
            f"{raised.count()} complex or controversial cases were escalated to the principal "
            f"social worker; {to_director} were taken to the director."
        ],
        [
            {
                "caption": "Escalations by nature and where they stand",
                "headers": ["Nature", "State", "Number"],
                "rows": [[natures.get(a, a), states.get(b, b), str(n)] for a, b, n in rows],
            }
        ],
    )


def direct_practice(*, start: date, end: date) -> ReportSection:
    rows = dict(
        DirectPractice.objects.filter(on__gte=start, on__lte=end)
        .values_list("kind")
        .annotate(hours=Sum("hours"))
        .values_list("kind", "hours")
    )
    return _section(
        "The principal social worker's direct practice",
        [
            "The principal social worker keeps up their own direct practice (Care and Support "
            "statutory guidance 1.29): casework, co-working, practice development sessions "
            "and mentoring."
        ],
        [
            {
                "caption": "Hours of direct practice by kind",
                "headers": ["Kind", "Hours"],
                "rows": [
                    [label, str(rows.get(value, 0))] for value, label in DirectPracticeKind.choices
                ],
            }
        ],
    )


def priorities(*, start: date, end: date) -> ReportSection:
    return _section(
        "Next year's priorities", ["The principal social worker writes these before publishing."]
    )


# THE list of sections, in report order.
SECTIONS: list[Builder] = [
    practice_framework,
    workforce,
    supervision,
    audits_section,
    safeguarding_section,
    incidents,
    feedback,
    escalations,
    direct_practice,
    priorities,
]


def build(*, start: date, end: date) -> list[ReportSection]:
    return [builder(start=start, end=end) for builder in SECTIONS]
