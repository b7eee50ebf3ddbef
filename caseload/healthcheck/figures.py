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
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import chain
from typing import Any, TypedDict

from django.utils import timezone

from caseload.demand import figures as demand
from caseload.healthcheck.models import Answer, RoleGroup, SurveyRound
from caseload.register.models import Team
from caseload.resource import figures as establishment
from caseload.supervision import compliance
from caseload.ui.report import long_date, percent_of
from caseload.workload import figures as workload
from caseload.workload.figures import PractitionerLoad
from caseload_engine import survey
from caseload_engine.reference import ROLE_LABELS

TITLE = "Employer Standards Health Check"
ALL_TEAMS = "All teams"
ALL_ROLES = "All roles"
OTHER = "Other teams and roles"
# The Health Check is yearly: extra hours over the year to the day.
EXTRA_HOURS_DAYS = 365

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


def build(*, on: date) -> Figures:
    """Every section of the Health Check as on `on` (today, for a live report: caseloads are
    the cases held now), from the workload, supervision, resource and survey records. A fixed
    number of queries, whatever the size of the council."""
    team_names = dict(Team.objects.values_list("pk", "name"))
    # Waits are measured to the end of the day, whichever day the report is for.
    now = timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))
    loads = workload.practitioner_loads(
        teams=list(team_names),
        on=on,
        extra_hours_from=on - timedelta(days=EXTRA_HOURS_DAYS - 1),
    )
    return {
        "title": TITLE,
        "as_of": on.isoformat(),
        "sections": [
            caseloads(loads, team_names),
            waiting(team_names, now=now),
            extra_hours(loads, team_names),
            supervision(on=on),
            resource(on=on),
            survey_results(on=on),
        ],
    }


def waiting(team_names: Mapping[int, str], *, now: datetime) -> Section:
    """Per team, the waiting list on the day and how long its cases had waited: since the
    request, or since a held case's review fell due (see caseload.demand.figures)."""
    waits = demand.waits_by_team(now=now)
    rows: list[dict[str, Value]] = [
        _waiting_row(name, demand.spread_of(waits.get(team_id, [])))
        for team_id, name in sorted(team_names.items(), key=lambda item: (item[1], item[0]))
    ]
    rows.append(_waiting_row(ALL_TEAMS, demand.spread_of(chain.from_iterable(waits.values()))))
    return {
        "key": "waiting",
        "title": "Waiting times",
        "available": True,
        "notes": [
            "Cases waiting for screening or allocation at the end of the day, and how long each "
            "had waited, in days: since the request came in, or, for a case held by its team "
            "whose review fell due, since the review's due day.",
        ],
        "columns": [
            _label("team", "Team"),
            _figure("waiting", "Waiting"),
            _figure("median_days", "Median wait (days)"),
            _figure("p90_days", "90th percentile wait (days)"),
        ],
        "rows": rows,
    }


def _waiting_row(team: str, spread: demand.Spread) -> dict[str, Value]:
    return {
        "team": team,
        "waiting": spread.count,
        "median_days": spread.median_days,
        "p90_days": spread.p90_days,
    }


def _by_team_and_role(
    loads: Sequence[PractitionerLoad], team_names: Mapping[int, str]
) -> list[tuple[str, str, list[PractitionerLoad]]]:
    """The loads grouped: each team's roles, then the team's total where it has more than one
    role, and everyone last."""
    # By team id, not name: two teams may share a name.
    groups: dict[int, dict[str, list[PractitionerLoad]]] = defaultdict(lambda: defaultdict(list))
    for load in sorted(loads, key=lambda row: (team_names.get(row.team_id, ""), row.role_label)):
        groups[load.team_id][load.role_label].append(load)
    grouped: list[tuple[str, str, list[PractitionerLoad]]] = []
    for team_id, roles in groups.items():
        team_name = team_names.get(team_id, "")
        grouped.extend((team_name, role, rows) for role, rows in roles.items())
        if len(roles) > 1:
            grouped.append((team_name, ALL_ROLES, [row for rows in roles.values() for row in rows]))
    grouped.append((ALL_TEAMS, ALL_ROLES, list(loads)))
    return grouped


def caseloads(loads: Sequence[PractitionerLoad], team_names: Mapping[int, str]) -> Section:
    """Per team and role, the case holders in post: average cases held (counted) and points
    (weighted by complexity), utilisation, and how many are over their team's safe level."""
    rows: list[dict[str, Value]] = []
    for team, role, group in _by_team_and_role(loads, team_names):
        total = workload.totals(group)
        rows.append(
            {
                "team": team,
                "role": role,
                "practitioners": total.practitioners,
                "average_cases": _one_place(survey.average(total.cases, total.practitioners)),
                "average_points": _one_place(survey.average(total.points, total.practitioners)),
                "utilisation": total.percent,
                "amber": total.amber,
                "over_safe_level": total.over_red,
                "over_safe_level_percent": percent_of(total.over_red, total.practitioners),
            }
        )
    return {
        "key": "caseloads",
        "title": "Caseloads and the safe working level",
        "available": True,
        "notes": [
            "Practitioners who hold cases, in post on the day. Cases: the open cases each holds "
            "(counted). Points: those cases weighted by their complexity tier. Utilisation: the "
            "points held as a share of the capacity of those practitioners. Amber and over the "
            "safe level: against the thresholds each team agreed with its practitioners.",
        ],
        "columns": [
            _label("team", "Team"),
            _label("role", "Role"),
            _figure("practitioners", "Practitioners"),
            _figure("average_cases", "Average cases held"),
            _figure("average_points", "Average points held"),
            _figure("utilisation", "Utilisation (%)"),
            _figure("amber", "Amber"),
            _figure("over_safe_level", "Over the safe level"),
            _figure("over_safe_level_percent", "Over the safe level (%)"),
        ],
        "rows": rows,
    }


def extra_hours(loads: Sequence[PractitionerLoad], team_names: Mapping[int, str]) -> Section:
    """Per team and role, the extra hours the case holders recorded in the year to the day."""
    rows: list[dict[str, Value]] = []
    for team, role, group in _by_team_and_role(loads, team_names):
        total = workload.totals(group)
        rows.append(
            {
                "team": team,
                "role": role,
                "practitioners": total.practitioners,
                "recording": sum(1 for row in group if row.extra_hours > 0),
                "hours": _one_place(total.extra_hours.quantize(Decimal("0.1"))),
                "average_hours": _one_place(survey.average(total.extra_hours, total.practitioners)),
            }
        )
    return {
        "key": "extra_hours",
        "title": "Extra hours",
        "available": True,
        "notes": [
            f"Hours worked beyond their contract that practitioners who hold cases recorded in "
            f"the {EXTRA_HOURS_DAYS} days to the day. The practitioner survey below asks for "
            "the hours worked in a usual week as well.",
        ],
        "columns": [
            _label("team", "Team"),
            _label("role", "Role"),
            _figure("practitioners", "Practitioners"),
            _figure("recording", "Recorded extra hours"),
            _figure("hours", "Extra hours in all"),
            _figure("average_hours", "Average extra hours per practitioner"),
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
        "compliant_percent": percent_of(compliant, practitioners),
        "overdue": overdue,
    }


def _fte(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.01")))


def _resource_row(
    team: str, role: str, figures: establishment.RoleFigures, vacancy: Decimal, percent: int | None
) -> dict[str, Value]:
    return {
        "team": team,
        "role": role,
        "funded_fte": _fte(figures.funded_fte),
        "fte_in_post": _fte(figures.fte_in_post),
        "vacancy_fte": _fte(vacancy),
        "vacancy_percent": percent,
        "agency_fte": _fte(figures.agency_fte),
        "agency_percent": figures.agency_percent,
    }


def resource(*, on: date) -> Section:
    """Per team and role, and for the council, funded posts against staff in post: vacancies
    and agency cover (caseload.resource.figures, whose definitions these are)."""
    teams = establishment.establishment_by_team(on=on)
    rows: list[dict[str, Value]] = []
    for team in teams:
        for role in team.roles:
            rows.append(
                _resource_row(team.team, role.label, role, role.vacancy_fte, role.vacancy_percent)
            )
        if len(team.roles) > 1:
            rows.append(
                _resource_row(
                    team.team, ALL_ROLES, team.total, team.vacancy_fte, team.vacancy_percent
                )
            )
    council = establishment.council_totals(teams)
    for role in council.roles:
        rows.append(
            _resource_row(ALL_TEAMS, role.label, role, role.vacancy_fte, role.vacancy_percent)
        )
    rows.append(
        _resource_row(
            ALL_TEAMS, ALL_ROLES, council.total, council.vacancy_fte, council.vacancy_percent
        )
    )
    return {
        "key": "resource",
        "title": "Vacancies and agency use",
        "available": True,
        "notes": [
            "Funded posts (the establishment in force on the day) against staff in post, as "
            "full-time equivalents (FTE). A vacancy is a funded post not held by an employee, "
            "so a post an agency worker covers is still vacant. Agency: the share of FTE in "
            "post from agencies.",
        ],
        "columns": [
            _label("team", "Team"),
            _label("role", "Role"),
            _figure("funded_fte", "Funded FTE"),
            _figure("fte_in_post", "FTE in post"),
            _figure("vacancy_fte", "Vacant FTE"),
            _figure("vacancy_percent", "Vacancy rate (%)"),
            _figure("agency_fte", "Agency FTE"),
            _figure("agency_percent", "Agency share (%)"),
        ],
        "rows": rows,
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
        f"Survey {found.period}, {long_date(found.opens_on)} to "
        f"{long_date(found.closes_on)}{still}: answered anonymously. Results are shown only "
        f"for groups of {survey.MINIMUM_GROUP} or more answers."
    )
    answers = list(
        Answer.objects.filter(round=found)
        .select_related("team")
        .order_by("team__name", "role_group")
        .only(*[c["key"] for c in SURVEY_COLUMNS[3:]], "team__name", "role_group", "round_id")
    )
    # By team id, not name: two teams may share a name.
    groups: dict[tuple[int, str], list[Answer]] = defaultdict(list)
    for answer in answers:
        groups[(answer.team_id, answer.role_group)].append(answer)
    grouping = survey.group({key: len(given) for key, given in groups.items()})
    labels = dict(RoleGroup.choices)
    for key in grouping.shown:
        section["rows"].append(_survey_row(groups[key][0].team.name, labels[key[1]], groups[key]))
    section["rows"].sort(key=lambda row: (str(row["team"]), str(row["role"])))
    if grouping.other:
        merged = [answer for key in grouping.other for answer in groups[key]]
        section["rows"].append(_survey_row(OTHER, "", merged))
        section["notes"].append(
            f"{_groups(len(grouping.other))} merged into "
            f"\N{LEFT DOUBLE QUOTATION MARK}{OTHER}\N{RIGHT DOUBLE QUOTATION MARK}: those with "
            f"fewer than {survey.MINIMUM_GROUP} answers, with the smallest others where needed "
            f"so that the merged group has {survey.MINIMUM_GROUP} or more."
        )
    if grouping.suppressed or not answers:
        section["notes"].append(
            f"Fewer than {survey.MINIMUM_GROUP} answers so far: no results are shown."
        )
    else:
        section["rows"].append(_survey_row(ALL_TEAMS, ALL_ROLES, answers))
    return section


def _groups(count: int) -> str:
    return "1 group is" if count == 1 else f"{count} groups are"


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
