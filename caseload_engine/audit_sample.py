"""The monthly case file audit sample: a reproducible random draw per team.

Each month, from each team's cases open at some time in the month (or closed in it) with a
worker, a quota of cases is drawn, never a case audited in the six months before. Every
practitioner is covered at least once in a configurable number of months: those not audited
within it go first, longest-waiting first. Themed audits narrow the cases by filters (tier,
the worker's role, status, closed between two days, or any tag the web app attaches, such as a
Section 42 enquiry) and may take every case that passes (no quota).

Reproducible: a case's place in the draw is a hash of the month, the team id and the case id,
so the same month gives the same sample, whatever order the rows come in.
"""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from caseload_engine.dates import add_months
from caseload_engine.text import ascii_digits

EXCLUDE_MONTHS = 6
DEFAULT_PER_TEAM = 2
DEFAULT_COVERAGE_MONTHS = 3
MAX_PER_TEAM = 100
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class SampleError(ValueError):
    """Bad input to the sample: the message says which."""


@dataclass(frozen=True)
class CaseRow:
    case_id: int
    team: int
    practitioner: int | None  # whoever held the case in the month: the worker audited
    opened_on: date
    closed_on: date | None = None
    status: str = ""
    tier: int | None = None
    practitioner_role: str = ""
    # Anything another part of the service knows of the case (e.g. "s42_enquiry").
    tags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Pick:
    case_id: int
    team: int
    practitioner: int

    def as_json(self) -> dict[str, int]:
        return {"case_id": self.case_id, "team": self.team, "practitioner": self.practitioner}


Filter = Callable[[CaseRow], bool]


def parse_month(text: str) -> date:
    """`2026-11` (any script's digits) as the month's first day; SampleError if not a month."""
    parts = [ascii_digits(p) for p in text.strip().split("-")] if isinstance(text, str) else []
    if len(parts) != 2 or parts[0] is None or parts[1] is None:
        raise SampleError(f"Give the month as YYYY-MM, such as 2026-11, not {text!r:.40}")
    if len(parts[0]) != 4 or len(parts[1]) != 2:
        raise SampleError(f"Give the month as YYYY-MM, such as 2026-11, not {text!r:.40}")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise SampleError(f"{text!r:.40} is not a month between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return date(year, month, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def active_in(row: CaseRow, month: date) -> bool:
    """Open at some time in the month, or closed in it."""
    return row.opened_on <= month_end(month) and (row.closed_on is None or row.closed_on >= month)


def recently_audited(month: date, audited_months: Iterable[date]) -> bool:
    """Audited in one of the six months before this one (this month's own audits do not count,
    so that drawing the month again gives the same sample)."""
    since = add_months(month, -EXCLUDE_MONTHS)
    return any(since <= d.replace(day=1) < month for d in audited_months)


def _rank(*parts: object) -> bytes:
    return hashlib.sha256(":".join(map(str, parts)).encode()).digest()


def is_due(month: date, last_covered: date | None, coverage_months: int) -> bool:
    """Whether a practitioner must be covered this month: not audited in the months of the
    window ending with this one."""
    return last_covered is None or last_covered.replace(day=1) <= add_months(
        month, -coverage_months
    )


def draw(
    cases: Iterable[CaseRow],
    *,
    month: date,
    per_team: int | None = DEFAULT_PER_TEAM,
    audited: Mapping[int, Collection[date]] | None = None,
    last_covered: Mapping[int, date] | None = None,
    coverage_months: int = DEFAULT_COVERAGE_MONTHS,
    filters: Sequence[Filter] = (),
) -> list[Pick]:
    """The month's sample, by team id then case id. `audited`: each case's earlier audit months;
    `last_covered`: each practitioner's latest month audited before this one. `per_team` None
    takes every case that passes (a themed audit)."""
    if per_team is not None and not 1 <= per_team <= MAX_PER_TEAM:
        raise SampleError(f"The quota per team must be 1 to {MAX_PER_TEAM}, not {per_team}")
    if coverage_months < 1:
        raise SampleError("Every practitioner is covered within at least one month")
    month = month.replace(day=1)
    audited = audited or {}
    covered = last_covered or {}
    # Worked out once, not per case: a month's sample reads every case of the council.
    last_day, since = month_end(month), add_months(month, -EXCLUDE_MONTHS)
    by_team: dict[int, list[CaseRow]] = defaultdict(list)
    for row in cases:
        if (
            row.practitioner is not None
            and row.opened_on <= last_day
            and (row.closed_on is None or row.closed_on >= month)
            and not any(since <= d.replace(day=1) < month for d in audited.get(row.case_id, ()))
            and all(keep(row) for keep in filters)
        ):
            by_team[row.team].append(row)
    picks: list[Pick] = []
    label = f"{month:%Y-%m}"
    for team in sorted(by_team):
        ranked = sorted(by_team[team], key=lambda r: _rank(label, team, r.case_id))
        if per_team is None:
            chosen = ranked
        else:
            chosen = _choose(ranked, month, team, per_team, covered, coverage_months)
        picks += sorted(
            (Pick(r.case_id, team, r.practitioner) for r in chosen if r.practitioner is not None),
            key=lambda p: p.case_id,
        )
    return picks


def _choose(
    ranked: Sequence[CaseRow],
    month: date,
    team: int,
    quota: int,
    covered: Mapping[int, date],
    coverage_months: int,
) -> list[CaseRow]:
    """Practitioners due first (never audited, then longest since), each their best-ranked
    case; then the rest of the quota by rank."""
    first_case: dict[int, CaseRow] = {}
    for row in ranked:
        if row.practitioner is not None:
            first_case.setdefault(row.practitioner, row)
    due = sorted(
        (p for p in first_case if is_due(month, covered.get(p), coverage_months)),
        key=lambda p: (covered.get(p, date.min), _rank(f"{month:%Y-%m}", team, "p", p)),
    )
    chosen = [first_case[p] for p in due[:quota]]
    taken = {row.case_id for row in chosen}
    for row in ranked:
        if len(chosen) >= quota:
            break
        if row.case_id not in taken:
            chosen.append(row)
            taken.add(row.case_id)
    return chosen


# Themed audits: each filter by name, from the text a user or the command line gives.
def _numbers(text: str, noun: str) -> frozenset[int]:
    values = [ascii_digits(v.strip()) for v in text.split(",") if v.strip()]
    numbers = [v for v in values if v is not None and len(v) <= 3]
    if not numbers or len(numbers) != len(values):
        raise SampleError(f"Give the {noun} as numbers separated by commas, not {text!r:.40}")
    return frozenset(int(v) for v in numbers)


def _words(text: str) -> frozenset[str]:
    values = frozenset(v.strip() for v in text.split(",") if v.strip())
    if not values:
        raise SampleError("Give at least one value")
    return values


def tier_in(text: str) -> Filter:
    tiers = _numbers(text, "tiers")
    return lambda row: row.tier in tiers


def role_in(text: str) -> Filter:
    roles = _words(text)
    return lambda row: row.practitioner_role in roles


def status_in(text: str) -> Filter:
    statuses = _words(text)
    return lambda row: row.status in statuses


def parse_days(text: str) -> tuple[date, date]:
    """`2026-07-01..2026-09-30` as its first and last day; SampleError if not two days in
    order."""
    parts = text.split("..")
    try:
        start, end = (date.fromisoformat(p.strip()) for p in parts)
    except ValueError:
        raise SampleError(f"Give two days as YYYY-MM-DD..YYYY-MM-DD, not {text!r:.40}") from None
    if end < start:
        raise SampleError("The second day must not be before the first")
    return start, end


def closed_between(text: str) -> Filter:
    """`2026-07-01..2026-09-30`: closed on either day or between."""
    start, end = parse_days(text)
    return lambda row: row.closed_on is not None and start <= row.closed_on <= end


def tagged(text: str) -> Filter:
    tags = _words(text)
    return lambda row: bool(row.tags & tags)


FILTERS: dict[str, Callable[[str], Filter]] = {
    "tier": tier_in,
    "role": role_in,
    "status": status_in,
    "closed_between": closed_between,
    "tag": tagged,
}


def register_filter(name: str, factory: Callable[[str], Filter]) -> None:
    """Another part of the service adds a themed filter (the same name again replaces it)."""
    FILTERS[name] = factory


def make_filter(name: str, text: str) -> Filter:
    factory = FILTERS.get(name)
    if factory is None:
        raise SampleError(f"No filter {name!r:.40}: the filters are {', '.join(sorted(FILTERS))}")
    return factory(text)


# Moderation: which completed audits a moderator re-grades.
DEFAULT_MODERATION_PERCENT = 10


@dataclass(frozen=True)
class Completed:
    """A completed audit, for the moderation draw."""

    audit_id: int
    team: int
    month: date


def moderation_picks(
    audits: Iterable[Completed], *, percent: int, moderated: Collection[int] = ()
) -> set[int]:
    """The audits to moderate: each month, `percent` of its completed audits (rounded up), and
    at least one of every team's. Audits already moderated count first, so that a month's
    choice only grows as more audits complete; then each team's best-ranked audit; then the
    rest by rank. A place is a hash of the audit id and the month, as in the sample: the same
    audits give the same choice, whatever order they come in."""
    if isinstance(percent, bool) or not 1 <= percent <= 100:
        raise SampleError(f"The share to moderate must be 1 to 100 per cent, not {percent}")
    done = set(moderated)
    by_month: dict[date, list[Completed]] = defaultdict(list)
    for audit in audits:
        by_month[audit.month.replace(day=1)].append(audit)
    picks: set[int] = set()
    for month, month_audits in by_month.items():
        ranked = sorted(month_audits, key=lambda a: _rank(f"{month:%Y-%m}", "moderate", a.audit_id))
        quota = -(-len(ranked) * percent // 100)
        chosen = [a for a in ranked if a.audit_id in done]
        covered = {a.team for a in chosen}
        for audit in ranked:
            if audit.team not in covered:
                chosen.append(audit)
                covered.add(audit.team)
        taken = {a.audit_id for a in chosen}
        for audit in ranked:
            if len(chosen) >= quota:
                break
            if audit.audit_id not in taken:
                chosen.append(audit)
                taken.add(audit.audit_id)
        picks |= taken
    return picks
