"""Supervision compliance: who is overdue, and how each team and role kept to the policy month
by month. Every figure comes from the engine's `standing` (the rules the `caseload supervision`
command uses), fed from five bulk queries whatever the number of practitioners: the policy
versions published, the practitioners, their sessions, their absences and their roles over time.
Each day is judged by the policy version in force on it, for the role held on it. The measures
are defined in docs/supervision.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from caseload.register.models import Absence, Practitioner, role_changes_of, role_on
from caseload.supervision.models import Session
from caseload.supervision.policies import history_until
from caseload_engine import supervision as engine
from caseload_engine.dates import add_months
from caseload_engine.reference import ROLE_CHOICES

DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class PractitionerStanding:
    """One practitioner and where they stand with supervision on a day."""

    practitioner_id: int
    name: str
    team_id: int | None
    role: str
    started: date
    left_on: date | None
    standing: engine.Standing
    # The role's history (PractitionerRoleChange), in order of its days; `role` is today's.
    role_changes: tuple[tuple[date, str], ...] = ()

    def in_post_on(self, day: date) -> bool:
        return self.started <= day and (self.left_on is None or self.left_on > day)

    def role_on(self, day: date) -> str:
        return role_on(self.role_changes, day, default=self.role)

    @property
    def role_label(self) -> str:
        return dict(ROLE_CHOICES).get(self.role, self.role)


def supervised(*, on: date, since: date, team_ids: Collection[int] | None = None) -> Q:
    """The practitioners supervision applies to between two days: in a team (the principal
    social worker's supervision is outside the council's record), started by `on` and not gone
    before `since`."""
    condition = Q(team__isnull=False, start_date__lte=on) & (
        Q(left_on__isnull=True) | Q(left_on__gte=since)
    )
    if team_ids is not None:
        condition &= Q(team_id__in=list(team_ids))
    return condition


def standings(
    *, on: date, since: date | None = None, team_ids: Collection[int] | None = None
) -> list[PractitionerStanding]:
    """Each supervised practitioner's standing on `on` (or on the day they left, if earlier),
    each day judged by the policy version in force on it for the role they held that day: five
    queries, whatever the number of practitioners."""
    history = history_until(on)
    practitioners = list(
        Practitioner.objects.filter(supervised(on=on, since=since or on, team_ids=team_ids))
        .order_by("family_name", "given_name", "pk")
        .values_list("pk", "given_name", "family_name", "team_id", "role", "start_date", "left_on")
    )
    ids = [row[0] for row in practitioners]
    sessions: dict[int, list[engine.Session]] = defaultdict(list)
    for supervisee_id, held_on, minutes in (
        Session.objects.filter(supervisee_id__in=ids, held_on__lte=on)
        .order_by("held_on", "pk")
        .values_list("supervisee_id", "held_on", "minutes")
    ):
        sessions[supervisee_id].append(engine.Session(on=held_on, minutes=minutes))
    absences: dict[int, list[engine.Absence]] = defaultdict(list)
    for practitioner_id, starts_on, ends_on in (
        Absence.objects.filter(practitioner_id__in=ids, starts_on__lte=on)
        .order_by("starts_on", "pk")
        .values_list("practitioner_id", "starts_on", "ends_on")
    ):
        absences[practitioner_id].append(engine.Absence(starts_on=starts_on, ends_on=ends_on))
    role_changes = role_changes_of(ids)
    return [
        PractitionerStanding(
            practitioner_id=pk,
            name=f"{given} {family}",
            team_id=team_id,
            role=role,
            started=started,
            left_on=left_on,
            role_changes=tuple(role_changes[pk]),
            standing=engine.standing(
                history.for_roles(role_changes[pk], default=role),
                started=started,
                sessions=sessions[pk],
                absences=absences[pk],
                on=on if left_on is None else min(on, left_on),
            ),
        )
        for pk, given, family, team_id, role, started, left_on in practitioners
    ]


# The overdue list's sort keys: the query parameter, and the key it sorts by.
OVERDUE_SORTS = {
    "overdue": lambda s: (-s.standing.overdue_days, s.name),
    "name": lambda s: (s.name, s.practitioner_id),
    "due": lambda s: (s.standing.next_due or date.max, s.name),
    "last": lambda s: (s.standing.last_session or date.min, s.name),
}


def overdue(*, team_id: int, on: date, sort: str = "overdue") -> list[PractitionerStanding]:
    """The team's practitioners whose next session is past due on `on`, most overdue first
    (or by `sort`, one of OVERDUE_SORTS)."""
    rows = [
        s
        for s in standings(on=on, team_ids=[team_id])
        if s.in_post_on(on) and s.standing.overdue_days > 0
    ]
    return sorted(rows, key=OVERDUE_SORTS.get(sort, OVERDUE_SORTS["overdue"]))


@dataclass(frozen=True)
class MonthFigure:
    """One month for one group: practitioners supervision applied to, and those of them who
    missed no required session that month."""

    month: date  # its first day
    in_post: int
    compliant: int

    @property
    def percent(self) -> int | None:
        return None if self.in_post == 0 else round(100 * self.compliant / self.in_post)


@dataclass(frozen=True)
class Trend:
    key: str
    label: str
    months: tuple[MonthFigure, ...]


def month_starts(*, on: date, months: int) -> list[date]:
    """The first days of the last `months` months, `on`'s month last."""
    this_month = on.replace(day=1)
    return [add_months(this_month, -back) for back in range(months - 1, -1, -1)]


def _month_end(first: date, on: date) -> date:
    return min(add_months(first, 1) - timedelta(days=1), on)


def _late_within(lapse: engine.Lapse, first: date, last: date) -> bool:
    """Whether the practitioner was waiting for this late session on some day first..last."""
    return lapse.due <= last and (lapse.made_up is None or lapse.made_up > first)


def monthly(
    rows: Iterable[PractitionerStanding],
    *,
    on: date,
    months: int,
    by: str,
    labels: dict[str, str],
    role: str | None = None,
) -> list[Trend]:
    """Per group (`by`: "team" or "role"), each month's compliance: a practitioner counts in a
    month they were in post for some of it (started by its last day, not gone before its first)
    and is compliant in it when they were late for supervision on none of its days (by the
    engine's lapses: the rule its 12-month `compliant` applies, here to one month). By role, a
    practitioner counts under the role they held on the month's last day (or their last day in
    post, if they left in it), so a promotion moves them to the new role from its month; with
    `role`, only the months each practitioner held that role count."""
    starts = month_starts(on=on, months=months)
    counts: dict[str, list[list[int]]] = defaultdict(lambda: [[0, 0] for _ in starts])
    for row in rows:
        for index, first in enumerate(starts):
            last = _month_end(first, on)
            if row.started > last or (row.left_on is not None and row.left_on < first):
                continue
            held = row.role_on(last if row.left_on is None else min(last, row.left_on))
            if role and held != role:
                continue
            key = str(row.team_id) if by == "team" else held
            cell = counts[key][index]
            cell[0] += 1
            if not any(_late_within(lapse, first, last) for lapse in row.standing.lapses):
                cell[1] += 1
    return [
        Trend(
            key=key,
            label=labels.get(key, key),
            months=tuple(
                MonthFigure(month=first, in_post=cell[0], compliant=cell[1])
                for first, cell in zip(starts, counts[key], strict=True)
            ),
        )
        for key in sorted(counts, key=lambda k: labels.get(k, k))
    ]


def overall(trends: Sequence[Trend]) -> Trend:
    """The groups' months added together."""
    if not trends:
        return Trend("all", "All", ())
    return Trend(
        key="all",
        label="All",
        months=tuple(
            MonthFigure(
                month=figures[0].month,
                in_post=sum(f.in_post for f in figures),
                compliant=sum(f.compliant for f in figures),
            )
            for figures in zip(*(t.months for t in trends), strict=True)
        ),
    )


@dataclass(frozen=True)
class SummaryRow:
    team_id: int
    role: str
    practitioners: int
    compliant: int
    overdue: int


def summary(*, on: date) -> list[SummaryRow]:
    """Per team and role on `on`: the practitioners supervision applies to, how many are
    compliant (no required session missed in the twelve months to `on`, by the engine's rule)
    and how many are overdue now, by the role each held on `on`. For the Health Check report;
    five queries in all."""
    cells: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in standings(on=on):
        if not row.in_post_on(on) or row.team_id is None:
            continue
        cell = cells[(row.team_id, row.role_on(on))]
        cell[0] += 1
        cell[1] += row.standing.compliant
        cell[2] += row.standing.overdue_days > 0
    return [SummaryRow(team_id, role, *cell) for (team_id, role), cell in sorted(cells.items())]
