"""The principal social worker's safeguarding quality figures, by team and month: Making
Safeguarding Personal (asked, and achieved where outcomes were expressed), concerns converted to
Section 42 enquiries, repeat enquiries, timeliness and risk reduced or removed. Three queries
whatever the council's size (teams, concerns, enquiries); the arithmetic is plain Python.

Each measure is a share of a stated whole (docs/safeguarding-sac.md):
- MSP asked: concluded Section 42 enquiries whose person was asked (outcomes expressed or not);
- MSP achieved: of those concluded where outcomes were expressed, fully or partially achieved;
- conversion: concerns received (and decided) that were decided to a Section 42 enquiry;
- repeat: enquiries started for a person with another enquiry started in the 12 months before;
- decided in time: concerns decided on or before their decision's due day (by the received
  month);
- concluded in time: enquiries concluded on or before their conclusion's due day;
- risk reduced or removed: concluded Section 42 enquiries with a risk outcome, reduced or removed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from caseload.register.models import Team
from caseload.sacreport.records import day_start
from caseload.safeguarding.models import Concern, Enquiry, EnquiryKind
from caseload.ui.charts import ChartSpec, Series
from caseload_engine import safeguarding_reference as ref
from caseload_engine.dates import add_months

MONTHS = 12
ASKED = frozenset({ref.MSP_ASKED_EXPRESSED, "asked_none_expressed"})
ACHIEVED = frozenset({"fully", "partially"})
REDUCED_OR_REMOVED = frozenset({"reduced", "removed"})
REPEAT_WITHIN_DAYS = 365
SAMPLE_SIZES = (5, 10, 20)


@dataclass
class Rate:
    count: int = 0
    of: int = 0

    def add(self, counted: bool) -> None:
        self.of += 1
        self.count += counted

    @property
    def percent(self) -> int | None:
        return None if self.of == 0 else round(100 * self.count / self.of)


MEASURES = (
    ("msp_asked", "Asked their desired outcomes"),
    ("msp_achieved", "Desired outcomes achieved (fully or partly)"),
    ("conversion", "Concerns to Section 42 enquiry"),
    ("repeat", "Repeat enquiries (within 12 months)"),
    ("decided_in_time", "Concerns decided in time"),
    ("concluded_in_time", "Enquiries concluded in time"),
    ("risk_reduced", "Risk reduced or removed"),
)


@dataclass
class Measures:
    msp_asked: Rate = field(default_factory=Rate)
    msp_achieved: Rate = field(default_factory=Rate)
    conversion: Rate = field(default_factory=Rate)
    repeat: Rate = field(default_factory=Rate)
    decided_in_time: Rate = field(default_factory=Rate)
    concluded_in_time: Rate = field(default_factory=Rate)
    risk_reduced: Rate = field(default_factory=Rate)

    def rates(self) -> list[Rate]:
        return [getattr(self, key) for key, _ in MEASURES]


@dataclass(frozen=True)
class Quality:
    months: list[date]  # the first day of each month, oldest first
    team: Team | None  # None: every team
    by_month: list[Measures]
    by_team: list[tuple[Team, Measures]]  # over the whole period
    # Each team's MSP asked and achieved rates, month by month.
    msp_by_team_month: list[tuple[Team, list[tuple[Rate, Rate]]]]
    overall: Measures
    chart_outcomes: ChartSpec
    chart_process: ChartSpec

    @property
    def overall_rows(self) -> list[tuple[str, Rate]]:
        return [(label, getattr(self.overall, key)) for key, label in MEASURES]

    @property
    def rows_by_month(self) -> list[tuple[date, list[Rate]]]:
        return [(month, m.rates()) for month, m in zip(self.months, self.by_month, strict=True)]

    @property
    def rows_by_team(self) -> list[tuple[Team, list[Rate]]]:
        return [(team, m.rates()) for team, m in self.by_team]


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_to(last: date, count: int = MONTHS) -> list[date]:
    """The `count` months ending with the one `last` falls in, as their first days."""
    end = month_start(last)
    return [add_months(end, offset) for offset in range(1 - count, 1)]


def build(*, last_month: date, team: Team | None = None) -> Quality:
    """The measures for the 12 months to `last_month`, for one team or every team."""
    months = months_to(last_month)
    first, end = months[0], add_months(months[-1], 1)  # end: the day after the period
    index = {month: number for number, month in enumerate(months)}
    teams = list(Team.objects.order_by("name"))
    per_team: dict[int, Measures] = defaultdict(Measures)
    per_team_month: dict[int, list[Measures]] = defaultdict(lambda: [Measures() for _ in months])
    per_month = [Measures() for _ in months]
    overall = Measures()

    def tally(team_id: int, day: date) -> Iterable[Measures]:
        yield per_team[team_id]
        yield per_team_month[team_id][index[month_start(day)]]
        if team is None or team.pk == team_id:
            yield per_month[index[month_start(day)]]
            yield overall

    concerns = Concern.objects.filter(
        received_at__gte=day_start(first), received_at__lt=day_start(end)
    ).exclude(decision="")
    zone = timezone.get_current_timezone()  # once: timezone.localdate() looks it up each time
    for team_id, received_at, decision, decided_at, due in concerns.values_list(
        "team_id", "received_at", "decision", "decided_at", "decision_due_on"
    ):
        assert decided_at is not None  # noqa: S101 - decided: the database's constraint
        for measures in tally(team_id, received_at.astimezone(zone).date()):
            measures.conversion.add(decision == ref.SECTION_42)
            measures.decided_in_time.add(decided_at.astimezone(zone).date() <= due)

    # Enquiries concluded in the period, and those started in it or the year before (the
    # repeats look back 12 months).
    enquiries = list(
        Enquiry.objects.filter(
            Q(started_on__gte=first - timedelta(days=REPEAT_WITHIN_DAYS), started_on__lt=end)
            | Q(concluded_on__gte=first, concluded_on__lt=end)
        )
        .order_by("person_id", "started_on", "pk")
        .values_list(
            "team_id",
            "person_id",
            "kind",
            "started_on",
            "concluded_on",
            "conclusion_due_on",
            "msp_asked",
            "msp_achieved",
            "risk_outcome",
        )
    )
    last_started: dict[int, date] = {}
    for team_id, person_id, kind, started, concluded, due, asked, achieved, outcome in enquiries:
        before = last_started.get(person_id)
        last_started[person_id] = started
        if first <= started < end:
            repeat = before is not None and (started - before).days <= REPEAT_WITHIN_DAYS
            for measures in tally(team_id, started):
                measures.repeat.add(repeat)
        if concluded is None or not first <= concluded < end:
            continue
        for measures in tally(team_id, concluded):
            measures.concluded_in_time.add(concluded <= due)
            if kind != EnquiryKind.SECTION_42:
                continue
            measures.msp_asked.add(asked in ASKED)
            if asked == ref.MSP_ASKED_EXPRESSED:
                measures.msp_achieved.add(achieved in ACHIEVED)
            if outcome:
                measures.risk_reduced.add(outcome in REDUCED_OR_REMOVED)
    shown_teams = [t for t in teams if team is None or t.pk == team.pk]
    return Quality(
        months=months,
        team=team,
        by_month=per_month,
        by_team=[(t, per_team[t.pk]) for t in shown_teams],
        msp_by_team_month=[
            (t, [(m.msp_asked, m.msp_achieved) for m in per_team_month[t.pk]]) for t in shown_teams
        ],
        overall=overall,
        chart_outcomes=_chart(
            months,
            per_month,
            ("msp_asked", "msp_achieved", "risk_reduced", "conversion"),
            "Making Safeguarding Personal and outcomes, month by month",
            team,
        ),
        chart_process=_chart(
            months,
            per_month,
            ("decided_in_time", "concluded_in_time", "repeat"),
            "Timeliness and repeat enquiries, month by month",
            team,
        ),
    )


def _chart(
    months: Sequence[date],
    per_month: Sequence[Measures],
    keys: Sequence[str],
    title: str,
    team: Team | None,
) -> ChartSpec:
    names = dict(MEASURES)
    whose = team.name if team is not None else "every team"
    return ChartSpec(
        kind="line",
        title=title,
        labels=[f"{month:%b %Y}" for month in months],
        series=[Series(names[key], [getattr(m, key).percent for m in per_month]) for key in keys],
        y_label="Per cent",
        y_max=100,
        y_suffix="%",
        summary=(
            f"{', '.join(names[key] for key in keys)}, as percentages, for {whose}, "
            f"from {months[0]:%B %Y} to {months[-1]:%B %Y}. A month with nothing to count "
            "leaves a gap."
        ),
    )


def sample_enquiries(*, month: date, size: int, seed: int) -> list[Enquiry]:
    """A reproducible random sample of the Section 42 enquiries concluded in `month` (any day
    of it) to read: the same month, size and seed give the same enquiries while the records
    stand. For the case file audit to link to; the quality page shows it."""
    first = month_start(month)
    pks = list(
        Enquiry.objects.filter(
            kind=EnquiryKind.SECTION_42,
            concluded_on__gte=first,
            concluded_on__lt=add_months(first, 1),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Not for security: a seed the reader can give again to get the same sample.
    chosen = random.Random(f"{seed}:{first:%Y-%m}").sample(pks, min(size, len(pks)))  # noqa: S311
    return list(Enquiry.objects.filter(pk__in=chosen).select_related("team").order_by("pk"))
