"""The Health Check's figures: the one function that builds them (`build`), for the page, the
published snapshot and `caseload report healthcheck` alike.

The figures are plain JSON (strings, whole numbers, one-decimal floats and None), so that a
published report is stored as it was built and reads the same years later. A report is a list
of sections, each a table: its columns (which are labels and which are figures) and its rows.
A section whose source is not in this service yet says so (`available` false) and holds no
figures: never an estimate in their place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from caseload.complexity.load import held_points, load_of
from caseload.complexity.models import ModelVersion
from caseload.healthcheck.models import Answer, RoleGroup, SurveyRound
from caseload.register.models import OPEN_STATUSES, Allocation, Practitioner, Team
from caseload.supervision import compliance
from caseload_engine import survey
from caseload_engine.reference import CASE_HOLDING_ROLES, ROLE_LABELS, Role

TITLE = "Employer Standards Health Check"
ALL_TEAMS = "All teams"
ALL_ROLES = "All roles"
OTHER = "Other teams and roles"

Value = str | int | float | None


class Column(TypedDict):
    key: str
    label: str
    numeric: bool


class Section(TypedDict):
    key: str
    title: str
    available: bool
    notes: list[str]
    columns: list[Column]
    rows: list[dict[str, Value]]


class Figures(TypedDict):
    title: str
    as_of: str
    sections: list[Section]


def _label(key: str, label: str) -> Column:
    return {"key": key, "label": label, "numeric": False}


def _figure(key: str, label: str) -> Column:
    return {"key": key, "label": label, "numeric": True}


def _one_place(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _percent(part: int, whole: int) -> int | None:
    return None if whole == 0 else round(100 * part / whole)


def build(*, on: date) -> Figures:
    """Every section of the Health Check as on `on` (today, for a live report: caseloads are
    the cases held now)."""
    return {
        "title": TITLE,
        "as_of": on.isoformat(),
        "sections": [
            caseloads(on=on),
            _not_yet(
                "waiting", "Waiting times", "waiting times by team (median and 90th percentile)"
            ),
            _not_yet("extra_hours", "Extra hours", "extra hours recorded by practitioners"),
            supervision(on=on),
            _not_yet(
                "resource", "Vacancies and agency use", "establishment, vacancies and agency cover"
            ),
            survey_results(on=on),
        ],
    }


def _not_yet(key: str, title: str, what: str) -> Section:
    return {
        "key": key,
        "title": title,
        "available": False,
        "notes": [f"Not yet available: {what} are not yet recorded in caseload."],
        "columns": [],
        "rows": [],
    }


@dataclass
class _Tally:
    practitioners: int = 0
    cases: int = 0
    points: Decimal = Decimal(0)
    utilisation: int = 0  # the sum of the percentages, of those with capacity
    with_capacity: int = 0
    over: int = 0

    def add(self, *, cases: int, points: Decimal, percent: int | None, over: bool) -> None:
        self.practitioners += 1
        self.cases += cases
        self.points += points
        if percent is not None:
            self.utilisation += percent
            self.with_capacity += 1
        self.over += over

    def merge(self, other: _Tally) -> None:
        self.practitioners += other.practitioners
        self.cases += other.cases
        self.points += other.points
        self.utilisation += other.utilisation
        self.with_capacity += other.with_capacity
        self.over += other.over

    def row(self, team: str, role: str) -> dict[str, Value]:
        n = self.practitioners
        return {
            "team": team,
            "role": role,
            "practitioners": n,
            "average_cases": _one_place(survey.average(self.cases, n)),
            "average_points": _one_place(survey.average(self.points, n)),
            "average_utilisation": (
                round(self.utilisation / self.with_capacity) if self.with_capacity else None
            ),
            "over_safe_level": self.over,
            "over_safe_level_percent": _percent(self.over, n),
        }


def in_post(on: date) -> Q:
    return Q(start_date__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))


def caseloads(*, on: date) -> Section:
    """Per team and role, the case holders in post: average cases held (counted) and points
    (weighted by complexity), average utilisation, and how many are over their team's safe
    level. Two queries, whatever the number of practitioners."""
    model = ModelVersion.current().model
    open_held = (
        Allocation.objects.filter(
            practitioner=OuterRef("pk"), ended_at__isnull=True, case__status__in=OPEN_STATUSES
        )
        .order_by()
        .values("practitioner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    practitioners = (
        Practitioner.objects.filter(
            in_post(on), team__isnull=False, role__in=[r.value for r in CASE_HOLDING_ROLES]
        )
        .annotate(held_points=held_points(), cases=Coalesce(Subquery(open_held), 0))
        .select_related("team")
        .order_by("team__name", "role", "pk")
    )
    by_team: dict[str, dict[str, _Tally]] = defaultdict(lambda: defaultdict(_Tally))
    for practitioner in practitioners:
        team = practitioner.team
        if team is None:  # filtered out above: for the type checker
            continue
        load = load_of(practitioner, held=practitioner.held_points, model=model)
        by_team[team.name][practitioner.role].add(
            cases=practitioner.cases,
            points=load.points,
            percent=load.percent,
            over=load.over(team.safe_utilisation_percent),
        )
    rows: list[dict[str, Value]] = []
    everyone = _Tally()
    for team_name, roles in by_team.items():
        team_total = _Tally()
        for role, tally in roles.items():
            rows.append(tally.row(team_name, ROLE_LABELS[Role(role)]))
            team_total.merge(tally)
        if len(roles) > 1:
            rows.append(team_total.row(team_name, ALL_ROLES))
        everyone.merge(team_total)
    rows.append(everyone.row(ALL_TEAMS, ALL_ROLES))
    return {
        "key": "caseloads",
        "title": "Caseloads and the safe working level",
        "available": True,
        "notes": [
            "Practitioners who hold cases, in post on the day. Cases: the open cases each holds "
            "(counted). Points: those cases weighted by their complexity tier. Utilisation: "
            "points as a share of the practitioner's capacity. Over the safe level: above the "
            "share of capacity their team has agreed as safe.",
        ],
        "columns": [
            _label("team", "Team"),
            _label("role", "Role"),
            _figure("practitioners", "Practitioners"),
            _figure("average_cases", "Average cases held"),
            _figure("average_points", "Average points held"),
            _figure("average_utilisation", "Average utilisation (%)"),
            _figure("over_safe_level", "Over the safe level"),
            _figure("over_safe_level_percent", "Over the safe level (%)"),
        ],
        "rows": rows,
    }


def supervision(*, on: date) -> Section:
    """Supervision compliance per team and role (caseload.supervision.compliance.summary)."""
    rows_in = compliance.summary(on=on)
    names = dict(Team.objects.filter(pk__in={r.team_id for r in rows_in}).values_list("pk", "name"))
    role_labels: Mapping[str, str] = {role.value: label for role, label in ROLE_LABELS.items()}
    rows: list[dict[str, Value]] = []
    totals = [0, 0, 0]
    for row in sorted(rows_in, key=lambda r: (names.get(r.team_id, ""), r.role)):
        rows.append(
            _supervision_row(
                names.get(row.team_id, ""),
                role_labels.get(row.role, row.role),
                row.practitioners,
                row.compliant,
                row.overdue,
            )
        )
        totals = [totals[0] + row.practitioners, totals[1] + row.compliant, totals[2] + row.overdue]
    rows.append(_supervision_row(ALL_TEAMS, ALL_ROLES, *totals))
    return {
        "key": "supervision",
        "title": "Supervision",
        "available": True,
        "notes": [
            "Compliant: no supervision the policy required was missed in the twelve months to the "
            "day. Overdue: the next session is past its due date on the day.",
        ],
        "columns": [
            _label("team", "Team"),
            _label("role", "Role"),
            _figure("practitioners", "Practitioners"),
            _figure("compliant", "Compliant"),
            _figure("compliant_percent", "Compliant (%)"),
            _figure("overdue", "Overdue now"),
        ],
        "rows": rows,
    }


def _supervision_row(
    team: str, role: str, practitioners: int, compliant: int, overdue: int
) -> dict[str, Value]:
    return {
        "team": team,
        "role": role,
        "practitioners": practitioners,
        "compliant": compliant,
        "compliant_percent": _percent(compliant, practitioners),
        "overdue": overdue,
    }


SURVEY_COLUMNS: list[Column] = [
    _label("team", "Team"),
    _label("role", "Role group"),
    _figure("answers", "Answers"),
    _figure("weekly_hours", "Average hours worked a week"),
    _figure("caseload", "Average cases held"),
    _figure("new_cases_expected", "Average new cases expected next month"),
    _figure("allocated_fairly", "Agree work is allocated fairly (%)"),
    _figure("can_discuss_workload", "Agree workload can be discussed with managers (%)"),
]


def latest_round(on: date) -> SurveyRound | None:
    return SurveyRound.objects.filter(opens_on__lte=on).order_by("-opens_on", "-pk").first()


def survey_results(*, on: date) -> Section:
    """The latest round opened by `on`, reported only in groups of at least five answers."""
    section: Section = {
        "key": "survey",
        "title": "Practitioner survey",
        "available": True,
        "notes": [],
        "columns": SURVEY_COLUMNS,
        "rows": [],
    }
    found = latest_round(on)
    if found is None:
        section["notes"].append("No survey round has opened yet.")
        return section
    still = " (still open)" if found.closes_on >= on else ""
    section["notes"].append(
        f"Survey {found.period}, {found.opens_on:%-d %B %Y} to {found.closes_on:%-d %B %Y}{still}: "
        "answered anonymously. Results are shown only for groups of "
        f"{survey.MINIMUM_GROUP} or more answers."
    )
    answers = list(
        Answer.objects.filter(round=found)
        .select_related("team")
        .order_by("team__name", "role_group")
        .only(*[c["key"] for c in SURVEY_COLUMNS[3:]], "team__name", "role_group", "round_id")
    )
    groups: dict[tuple[str, str], list[Answer]] = defaultdict(list)
    for answer in answers:
        groups[(answer.team.name, answer.role_group)].append(answer)
    grouping = survey.group({key: len(found) for key, found in groups.items()})
    labels = dict(RoleGroup.choices)
    for key in grouping.shown:
        section["rows"].append(_survey_row(key[0], labels[key[1]], groups[key]))
    if grouping.other:
        merged = [answer for key in grouping.other for answer in groups[key]]
        section["rows"].append(_survey_row(OTHER, "", merged))
        section["notes"].append(
            f"{_groups(len(grouping.other))} with fewer answers are merged into "
            f"\N{LEFT DOUBLE QUOTATION MARK}{OTHER}\N{RIGHT DOUBLE QUOTATION MARK}."
        )
    if grouping.suppressed or not answers:
        section["notes"].append(
            f"Fewer than {survey.MINIMUM_GROUP} answers so far: no results are shown."
        )
    else:
        section["rows"].append(_survey_row(ALL_TEAMS, ALL_ROLES, answers))
    return section


def _groups(count: int) -> str:
    return "1 group" if count == 1 else f"{count} groups"


def _survey_row(team: str, role: str, answers: Sequence[Answer]) -> dict[str, Value]:
    return {
        "team": team,
        "role": role,
        "answers": len(answers),
        "weekly_hours": _one_place(survey.mean([a.weekly_hours for a in answers])),
        "caseload": _one_place(survey.mean([a.caseload for a in answers])),
        "new_cases_expected": _one_place(survey.mean([a.new_cases_expected for a in answers])),
        "allocated_fairly": survey.percent_agreeing([a.allocated_fairly for a in answers]),
        "can_discuss_workload": survey.percent_agreeing([a.can_discuss_workload for a in answers]),
    }


def for_page(figures: Figures) -> list[dict[str, Any]]:
    """Each section with its rows as lists of cells in column order, for a template."""
    return [
        {
            **section,
            "cells": [
                [{"value": row.get(c["key"]), "numeric": c["numeric"]} for c in section["columns"]]
                for row in section["rows"]
            ],
        }
        for section in figures["sections"]
    ]


def table_rows(figures: Figures) -> Iterable[dict[str, Any]]:
    """The report as one long table (section, team, role, measure, value): the form
    `caseload report healthcheck` writes as CSV or XLSX, every figure of the page in it. A
    section not yet available is one row with its title alone."""
    for section in figures["sections"]:
        if not section["available"]:
            yield {"section": section["title"]}
        numbers = [c for c in section["columns"] if c["numeric"]]
        for row in section["rows"]:
            for column in numbers:
                value = row[column["key"]]
                yield {
                    "section": section["title"],
                    "team": row.get("team") or "",
                    "role": row.get("role") or "",
                    "measure": column["label"],
                    "value": "" if value is None else _cell(value),
                }


def _cell(value: str | int | float) -> str | int | Decimal:
    return Decimal(str(value)) if isinstance(value, float) else value


TABLE_COLUMNS = ("section", "team", "role", "measure", "value")
