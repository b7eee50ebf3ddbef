"""Audit results as figures: grades by team, month and question, themes (the sections most
often found wanting), improvement over time, and moderation agreement. Counts only, no names:
the results page and the PSW's annual report (`annual_section`) read them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from caseload.audits.models import Audit, AuditStatus, ToolVersion
from caseload.register.models import Team
from caseload.ui.charts import ChartSpec, Series
from caseload.ui.report import ReportSection, long_date
from caseload_engine import audit_tool
from caseload_engine.dates import add_months

# A graded answer at or below this is "found wanting" (requires improvement or inadequate).
WANTING = audit_tool.REQUIRES_IMPROVEMENT


@dataclass(frozen=True)
class GradeRow:
    label: str
    counts: tuple[int, ...]  # per grade, outstanding first
    total: int
    mean: float | None

    @property
    def good_or_better_percent(self) -> int | None:
        if not self.total:
            return None
        return round(100 * (self.counts[0] + self.counts[1]) / self.total)


@dataclass(frozen=True)
class QuestionRow:
    section: str
    text: str
    answered: int
    wanting: int

    @property
    def wanting_percent(self) -> int:
        return round(100 * self.wanting / self.answered) if self.answered else 0


@dataclass(frozen=True)
class Results:
    months: list[date]
    by_team: list[GradeRow]
    by_month: list[GradeRow]
    questions: list[QuestionRow]
    themes: list[tuple[str, int, int]]  # section title, answers found wanting, answered
    agreement: audit_tool.Agreement
    completed: int
    chart: ChartSpec | None


ORDER = (
    audit_tool.OUTSTANDING,
    audit_tool.GOOD,
    audit_tool.REQUIRES_IMPROVEMENT,
    audit_tool.INADEQUATE,
)


def _row(label: str, grades: list[int]) -> GradeRow:
    counted = Counter(grades)
    return GradeRow(
        label=label,
        counts=tuple(counted[g] for g in ORDER),
        total=len(grades),
        mean=round(sum(grades) / len(grades), 2) if grades else None,
    )


def completed_between(start: date, end: date) -> QuerySet[Audit]:
    """Completed audits of the months from `start`'s to `end`'s."""
    return Audit.objects.filter(
        status=AuditStatus.COMPLETED, month__gte=start.replace(day=1), month__lte=end
    )


def results(start: date, end: date) -> Results:
    """The figures for the months from `start` to `end`: three queries, whatever the number."""
    rows = list(
        completed_between(start, end).values_list(
            "team_id", "month", "grade", "moderated_grade", "answers", "tool_version_id"
        )
    )
    teams = dict(Team.objects.values_list("pk", "name"))
    tools = {v.pk: v.tool for v in ToolVersion.objects.filter(pk__in={r[5] for r in rows})}
    months: list[date] = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    by_team: dict[int, list[int]] = defaultdict(list)
    by_month: dict[date, list[int]] = defaultdict(list)
    answered: Counter[tuple[str, str]] = Counter()
    wanting: Counter[tuple[str, str]] = Counter()
    section_answered: Counter[str] = Counter()
    section_wanting: Counter[str] = Counter()
    pairs = []
    for team_id, audit_month, graded, moderated, answers, tool_id in rows:
        # Completed audits carry a grade (a database constraint).
        grade = int(graded or 0)
        by_team[team_id].append(grade)
        by_month[audit_month].append(grade)
        if moderated is not None:
            pairs.append((grade, moderated))
        tool = tools[tool_id]
        for section in tool.sections:
            for question in section.questions:
                value = answers.get(question.key)
                if question.kind is not audit_tool.Kind.GRADED or value is None:
                    continue
                key = (section.title, question.text)
                answered[key] += 1
                section_answered[section.title] += 1
                if value <= WANTING:
                    wanting[key] += 1
                    section_wanting[section.title] += 1
    month_rows = [_row(f"{m:%B %Y}", by_month.get(m, [])) for m in months]
    return Results(
        months=months,
        by_team=[
            _row(teams[t], by_team[t]) for t in sorted(by_team, key=lambda t: teams.get(t, ""))
        ],
        by_month=month_rows,
        questions=sorted(
            (QuestionRow(s, q, answered[(s, q)], wanting[(s, q)]) for s, q in answered),
            key=lambda r: (-r.wanting_percent, r.section, r.text),
        ),
        themes=sorted(
            ((s, section_wanting[s], section_answered[s]) for s in section_answered),
            key=lambda t: (-t[1] / t[2], t[0]),
        ),
        agreement=audit_tool.agreement(pairs),
        completed=len(rows),
        chart=_chart(months, month_rows) if rows else None,
    )


def _chart(months: list[date], rows: list[GradeRow]) -> ChartSpec:
    percents = [r.good_or_better_percent for r in rows]
    known = [(m, p) for m, p in zip(months, percents, strict=True) if p is not None]
    summary = "No audits completed in these months."
    if known:
        first, last = known[0], known[-1]
        summary = f"{last[1]}% of audits were graded good or outstanding in {last[0]:%B %Y}"
        if first is not last:
            summary += f", against {first[1]}% in {first[0]:%B %Y}"
        summary += ". The table below has every figure."
    return ChartSpec(
        kind="line",
        title="Audits graded good or outstanding, by month",
        labels=[f"{m:%b %Y}" for m in months],
        series=[Series(name="Good or outstanding", values=percents)],
        y_label="Good or outstanding (per cent)",
        y_max=100,
        y_suffix="%",
        summary=summary,
    )


def _percent(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def annual_section(*, start: date, end: date) -> ReportSection:
    """The year's audit results and themes for the PSW's annual report: a title, paragraphs,
    and tables of text cells."""
    figures = results(start, end)
    agreement = figures.agreement
    paragraphs = [
        f"{figures.completed} case file audits were completed between "
        f"{long_date(start)} and {long_date(end)}."
    ]
    if figures.completed:
        good = sum(r.counts[0] + r.counts[1] for r in figures.by_team)
        paragraphs.append(
            f"{round(100 * good / figures.completed)}% were graded good or outstanding overall."
        )
    if figures.themes:
        worst = [t for t in figures.themes if t[1]][:3]
        if worst:
            paragraphs.append(
                "Themes most often found wanting (requires improvement or inadequate): "
                + "; ".join(f"{title} ({round(100 * w / n)}%)" for title, w, n in worst)
                + "."
            )
    if agreement.moderated:
        paragraphs.append(
            f"{agreement.moderated} audits were moderated: the moderator agreed exactly with "
            f"the auditor's grade in {agreement.exact_percent}% and within one grade in "
            f"{agreement.within_one_percent}%."
        )
    headers = ["", *(audit_tool.GRADE_LABELS[g] for g in ORDER), "Audits", "Good or better"]

    def grade_rows(rows: list[GradeRow]) -> list[list[str]]:
        return [
            [r.label, *(str(c) for c in r.counts), str(r.total), _percent(r.good_or_better_percent)]
            for r in rows
        ]

    return {
        "title": "Case file audits",
        "paragraphs": paragraphs,
        "tables": [
            {
                "caption": "Audit grades by team",
                "headers": ["Team", *headers[1:]],
                "rows": grade_rows(figures.by_team),
            },
            {
                "caption": "Audit grades by month",
                "headers": ["Month", *headers[1:]],
                "rows": grade_rows(figures.by_month),
            },
            {
                "caption": "Themes: answers found wanting, by section",
                "headers": ["Section", "Found wanting", "Answered", "Share"],
                "rows": [
                    [title, str(w), str(n), f"{round(100 * w / n)}%"]
                    for title, w, n in figures.themes
                ],
            },
        ],
    }
