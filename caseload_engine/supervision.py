"""Supervision schedules: when each practitioner's next session is due, and whether they kept to
the policy. The web app and the `caseload supervision` command both call `standing`, so a
spreadsheet and the case system give the same answer for the same data.

The rules (issue 11, after the Employer Standards for social workers, Standard 5; see
docs/supervision.md):

- A session counts when it lasts at least the policy's minimum (90 minutes by default).
- A policy can change over time (`PolicyHistory`): each day is judged by the version in force on
  that day, so a change never rewrites what was due before it.
- A policy is a list of steps from the start in post: newly qualified (ASYE) practitioners weekly
  for their first 6 weeks, at least fortnightly until 6 months, then at least monthly; everyone
  else at least monthly.
- The next due date is the later of the start in post and the last counting session, plus the
  interval in force on that day (7 days, 14 days, or one calendar month: 31 Jan + one month is
  the last day of February).
- A due date inside a recorded absence moves to the first working day back (Monday to Friday,
  not an England and Wales bank holiday). An absence covers the days from its first day to the
  day before the first working day after its last day: a due date on the bank holiday or weekend
  straight after an absence also waits for the first day back. After a move the date is checked
  again, so absences that follow one another (or overlap) move it past all of them. An absence
  with no end yet (still away) leaves no due date: the session is due on return (None).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from caseload_engine.dates import add_months, first_working_day_from
from caseload_engine.reference import Role
from caseload_engine.text import name_problem

_DAY = timedelta(days=1)

# Bounds on a policy's numbers: wide enough for any council's policy, narrow enough that a
# mistyped figure is refused rather than silently scheduling nobody.
MIN_MINUTES_BOUNDS: Final = (1, 600)
UNTIL_WEEKS_BOUNDS: Final = (1, 520)
UNTIL_MONTHS_BOUNDS: Final = (1, 120)
MAX_STEPS: Final = 10
MAX_LABEL_LENGTH: Final = 100
KEY_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
# The compliance window: no required session missed in this many months to the day asked about.
COMPLIANCE_MONTHS: Final = 12

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date) -> str:
    """`day` as people write it ("3 Oct 2026"), whatever the machine's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


class Interval(StrEnum):
    """How often sessions are due while a step is in force."""

    WEEK = "week"
    FORTNIGHT = "fortnight"
    MONTH = "month"

    @property
    def adverb(self) -> str:
        """The word a reason uses: weekly, fortnightly or monthly."""
        return {"week": "weekly", "fortnight": "fortnightly", "month": "monthly"}[self.value]

    def after(self, day: date) -> date:
        """`day` plus one interval: 7 days, 14 days, or one calendar month (clamped to the
        month's end)."""
        if self is Interval.WEEK:
            return day + timedelta(days=7)
        if self is Interval.FORTNIGHT:
            return day + timedelta(days=14)
        return add_months(day, 1)


@dataclass(frozen=True)
class Step:
    """One step of a policy: `interval` is in force until `until_weeks` weeks or `until_months`
    calendar months after the start in post (the step ends on that day, which belongs to the
    next step); with neither, from then on. Only the last step is open."""

    interval: Interval
    until_weeks: int | None = None
    until_months: int | None = None

    def ends_on(self, started: date) -> date | None:
        """The first day after the step, for someone who started on `started`; None if open."""
        if self.until_weeks is not None:
            return started + timedelta(weeks=self.until_weeks)
        if self.until_months is not None:
            return add_months(started, self.until_months)
        return None


@dataclass(frozen=True)
class Policy:
    """A supervision policy: its steps, and the minutes a session needs to count. Build one from
    untrusted data with `parse_policy`; `policy_problems` says what is wrong with one."""

    key: str
    label: str
    minimum_minutes: int
    steps: tuple[Step, ...]


class PolicyError(ValueError):
    """A policy that cannot be used; `problems` lists every reason, in words."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def _bounds_problem(what: str, value: object, bounds: tuple[int, int]) -> str | None:
    low, high = bounds
    # bool is an int to Python, but "true" is no number of minutes.
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{what} must be a whole number"
    if not low <= value <= high:
        return f"{what} must be between {low} and {high}"
    return None


def policy_problems(policy: Policy) -> list[str]:
    """Everything wrong with `policy`, in words (empty when it can be used): the key and label,
    bounds on every number, and steps whose ends increase, with the last step (only) open."""
    return _field_problems(policy) + _steps_problems(policy.steps)


def _field_problems(policy: Policy) -> list[str]:
    problems = []
    if not isinstance(policy.key, str) or not KEY_PATTERN.fullmatch(policy.key):
        problems.append(
            "The key must be 1 to 40 lower-case letters, digits, hyphens or underscores"
        )
    if not isinstance(policy.label, str) or not policy.label.strip():
        problems.append("Enter a name for the policy")
    elif len(policy.label) > MAX_LABEL_LENGTH:
        problems.append(f"The name must be {MAX_LABEL_LENGTH} characters or fewer")
    elif (problem := name_problem(policy.label)) is not None:
        problems.append(f"The name {problem}")
    if problem := _bounds_problem(
        "The minimum length of a session in minutes", policy.minimum_minutes, MIN_MINUTES_BOUNDS
    ):
        problems.append(problem)
    return problems


def _steps_problems(steps: object) -> list[str]:
    if not isinstance(steps, tuple) or not 1 <= len(steps) <= MAX_STEPS:
        return [f"A policy has 1 to {MAX_STEPS} steps"]
    problems = []
    # Each step's end as a range of days after the start (a calendar month is 28 to 31 days),
    # so that steps in weeks and in months compare whatever the start date.
    previous: tuple[int, int] | None = None
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, Step) or not isinstance(step.interval, Interval):
            problems.append(f"Step {number} needs an interval: week, fortnight or month")
            continue
        weeks, months = step.until_weeks, step.until_months
        last = number == len(steps)
        if weeks is not None and months is not None:
            problems.append(f"Step {number} ends after weeks or after months, not both")
        elif weeks is None and months is None:
            if not last:
                problems.append(f"Step {number} needs an end: only the last step is open")
        elif last:
            problems.append(f"Step {number} is the last, so it must have no end")
        elif weeks is not None:
            if problem := _bounds_problem(f"Step {number}'s weeks", weeks, UNTIL_WEEKS_BOUNDS):
                problems.append(problem)
            else:
                span = (7 * weeks, 7 * weeks)
                if previous is not None and span[0] <= previous[1]:
                    problems.append(f"Step {number} must end later than step {number - 1}")
                previous = span
        elif months is not None:
            if problem := _bounds_problem(f"Step {number}'s months", months, UNTIL_MONTHS_BOUNDS):
                problems.append(problem)
            else:
                span = (28 * months, 31 * months)
                if previous is not None and span[0] <= previous[1]:
                    problems.append(f"Step {number} must end later than step {number - 1}")
                previous = span
    return problems


_POLICY_FIELDS = frozenset({"key", "label", "minimum_minutes", "steps"})
_STEP_FIELDS = frozenset({"interval", "until_weeks", "until_months"})


def parse_policy(mapping: Mapping[str, object]) -> Policy:
    """A policy from plain data (a form's cleaned data, a JSON document, a file), checked:
    `{"key", "label", "minimum_minutes", "steps": [{"interval", "until_weeks"?,
    "until_months"?}, ...]}`. Raises PolicyError listing every problem."""
    if not isinstance(mapping, Mapping):
        raise PolicyError(["A policy must be a mapping of its fields"])
    problems = [f"Unknown field {str(name)!r}" for name in mapping if name not in _POLICY_FIELDS]
    raw_steps = mapping.get("steps")
    steps: list[Step] = []
    step_problems = []
    if not isinstance(raw_steps, list | tuple) or not 1 <= len(raw_steps) <= MAX_STEPS:
        step_problems.append(f"A policy has 1 to {MAX_STEPS} steps")
        raw_steps = ()
    for number, raw in enumerate(raw_steps, start=1):
        if not isinstance(raw, Mapping) or not set(raw) <= _STEP_FIELDS:
            step_problems.append(
                f"Step {number} has an interval and at most one of until_weeks and until_months"
            )
        elif (interval := raw.get("interval")) not in Interval.__members__.values():
            step_problems.append(f"Step {number} needs an interval: week, fortnight or month")
        else:
            steps.append(
                Step(
                    interval=Interval(str(interval)),
                    until_weeks=raw.get("until_weeks"),
                    until_months=raw.get("until_months"),
                )
            )
    policy = Policy(
        # The types are checked with the bounds, by the problems below (the steps' too).
        key=mapping.get("key"),  # type: ignore[arg-type]
        label=mapping.get("label"),  # type: ignore[arg-type]
        minimum_minutes=mapping.get("minimum_minutes"),  # type: ignore[arg-type]
        steps=tuple(steps),
    )
    # Steps already refused would make the order checks report a wrong picture.
    problems += _field_problems(policy) + (step_problems or _steps_problems(policy.steps))
    if problems:
        raise PolicyError(problems)
    return policy


def policy_as_mapping(policy: Policy) -> dict[str, object]:
    """`policy` as plain data for JSON: what `parse_policy` reads back."""
    return {
        "key": policy.key,
        "label": policy.label,
        "minimum_minutes": policy.minimum_minutes,
        "steps": [
            {
                "interval": step.interval.value,
                **({} if step.until_weeks is None else {"until_weeks": step.until_weeks}),
                **({} if step.until_months is None else {"until_months": step.until_months}),
            }
            for step in policy.steps
        ],
    }


# Employer Standard 5's frequencies as issue 11 sets them; a session counts from 90 minutes.
ASYE_POLICY: Final = Policy(
    key="asye",
    label="Newly qualified (ASYE)",
    minimum_minutes=90,
    steps=(
        Step(Interval.WEEK, until_weeks=6),
        Step(Interval.FORTNIGHT, until_months=6),
        Step(Interval.MONTH),
    ),
)
MONTHLY_POLICY: Final = Policy(
    key="monthly",
    label="At least monthly",
    minimum_minutes=90,
    steps=(Step(Interval.MONTH),),
)
# Read-only: every caller shares it.
DEFAULT_POLICIES: Final[Mapping[str, Policy]] = MappingProxyType(
    {policy.key: policy for policy in (ASYE_POLICY, MONTHLY_POLICY)}
)


def default_policy_for(role: str, *, asye: bool) -> Policy:
    """The default policy for a practitioner: the ASYE one for the `asye` role or anyone in their
    assessed and supported year, the monthly one for everyone else. `role` is a Role value;
    anything else raises ValueError."""
    if role not in Role.__members__.values():
        raise ValueError(f"unknown role {role!r}")
    return ASYE_POLICY if asye or role == Role.ASYE else MONTHLY_POLICY


@dataclass(frozen=True)
class Session:
    """A supervision session held on a day, lasting some minutes."""

    on: date
    minutes: int


@dataclass(frozen=True)
class Absence:
    """Leave or sickness from `starts_on` to `ends_on` (both days included); no end while the
    practitioner is still away."""

    starts_on: date
    ends_on: date | None = None

    def __post_init__(self) -> None:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("an absence cannot end before it starts")


def interval_on(policy: Policy, started: date, day: date) -> Interval:
    """The interval of the step in force on `day` for someone who started on `started` (the
    first step before the start)."""
    for step in policy.steps:
        ends_on = step.ends_on(started)
        if ends_on is None or day < ends_on:
            return step.interval
    return policy.steps[-1].interval


@dataclass(frozen=True)
class PolicyHistory:
    """A practitioner's policy over time: each `(effective_from, policy)` is in force from that
    day until the next one's (the first also before its day), in order of their days; of two on
    the same day the later wins. A single Policy is a history of one version."""

    versions: tuple[tuple[date, Policy], ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError("a policy history needs at least one version")
        days = [day for day, _ in self.versions]
        if days != sorted(days):
            raise ValueError("a policy history's versions must be in order of their days")

    def on(self, day: date) -> Policy:
        """The version in force on `day`."""
        index = bisect_right(self.versions, day, key=lambda version: version[0])
        return self.versions[max(index - 1, 0)][1]


def _history(policy: Policy | PolicyHistory) -> PolicyHistory:
    return policy if isinstance(policy, PolicyHistory) else PolicyHistory(((date.min, policy),))


def _interval_in_force(history: PolicyHistory, started: date, day: date) -> Interval:
    """The interval in force on `day`: the step, for that day, of the version in force on it."""
    return interval_on(history.on(day), started, day)


def _after_absences(day: date, absences: Iterable[Absence]) -> date | None:
    """`day`, or the first working day back when an absence covers it; None while an absence
    with no end covers it."""
    spans = list(absences)
    moved = True
    while moved:
        moved = False
        for absence in spans:
            if absence.starts_on <= day and absence.ends_on is None:
                return None
            if absence.ends_on is None or absence.starts_on > day:
                continue
            back = first_working_day_from(absence.ends_on + _DAY)
            if day < back:
                day, moved = back, True
    return day


def _due_from(
    history: PolicyHistory, started: date, base: date, absences: Sequence[Absence]
) -> date | None:
    return _after_absences(_interval_in_force(history, started, base).after(base), absences)


def next_due(
    policy: Policy | PolicyHistory,
    *,
    started: date,
    last_counting: date | None,
    absences: Iterable[Absence] = (),
) -> date | None:
    """When the next session is due: the later of `started` and `last_counting`, plus the
    interval in force on that day (by the version in force on it), moved past any absence that
    covers it (module docstring). None while an absence with no end covers the date: the
    session is due on return."""
    base = started if last_counting is None else max(started, last_counting)
    return _due_from(_history(policy), started, base, tuple(absences))


@dataclass(frozen=True)
class Lapse:
    """A due date that passed with no counting session on or before it, and the day of the late
    session that made it up (None: not made up by the day asked about). The practitioner was
    late from `due` to the day before `made_up`."""

    due: date
    made_up: date | None

    def late_on(self, day: date) -> bool:
        """Whether the practitioner was still waiting for this session on `day`."""
        return self.due <= day and (self.made_up is None or day < self.made_up)


@dataclass(frozen=True)
class Standing:
    """Where a practitioner stands on a day; see `standing` for each field's meaning."""

    policy: Policy
    last_session: date | None
    next_due: date | None
    overdue_days: int
    sessions_counted: int
    sessions_too_short: int
    compliant: bool
    missed: tuple[date, ...]
    reason: str
    lapses: tuple[Lapse, ...] = ()


def standing(
    policy: Policy | PolicyHistory,
    *,
    started: date,
    sessions: Iterable[Session],
    absences: Iterable[Absence] = (),
    on: date,
) -> Standing:
    """Where a practitioner who started in post on `started` stands on `on`, from every session
    and absence recorded. Sessions after `on` are left out, as if not yet known.

    `policy` is one policy, or a PolicyHistory: then every day is judged by the version in force
    on it. A session counts by the minimum of the version in force on its day; a due date is
    the base day plus the interval of the version in force on the base day (so a version
    published later never changes a due date that follows from an earlier base); `policy` in
    the result is the version in force on `on`.

    - `last_session`: the last counting session on or before `on`.
    - `next_due`: `next_due(...)` from that session; None while away with no end (due on return).
    - `overdue_days`: days from `next_due` to `on`; 0 when not past (or None).
    - `sessions_counted` / `sessions_too_short`: sessions on or before `on` that last at least
      the policy's minimum / that are shorter. Every session counts in these tallies and can be
      the last session, those before the start in post too (a practitioner's sessions in an
      earlier post are theirs), but the schedule starts at the start in post: a session before
      it never brings a due date forward.
    - `missed` (and `lapses`, with the day each was made up): walk the schedule from the start
      in post. The first due date is `next_due` from the start; each counting session on or
      before the due date meets it, and the next due date counts from that session. A due date
      that passed, strictly before `on`, with no counting session on or before it is missed;
      the next due date then counts from the late session (one missed date per gap, however
      long: the gap shows in `overdue_days` and in compliance). A due date equal to `on` is
      not missed yet.
    - `compliant`: no required session missed in the 12 months to `on` (or since starting, if
      later): not late on any day from the same day 12 months before `on` to the day before
      `on`. A missed date inside that window breaks it; so does one before it that was made up
      only after the window opened (the practitioner was still overdue inside it). Adding a
      session can never make anyone less compliant.
    - `reason`: the above in words, e.g. "overdue by 12 days: last counting session
      3 Oct 2026, monthly".
    """
    absences = tuple(absences)
    history = _history(policy)
    known = [session for session in sessions if session.on <= on]
    counted = sorted(s.on for s in known if s.minutes >= history.on(s.on).minimum_minutes)
    too_short = len(known) - len(counted)
    base = started
    due = _due_from(history, started, base, absences)
    lapses: list[Lapse] = []
    for day in counted:
        if day <= base:
            continue
        if due is not None and due < day:
            lapses.append(Lapse(due=due, made_up=day))
        base = day
        due = _due_from(history, started, base, absences)
    if due is not None and due < on:
        lapses.append(Lapse(due=due, made_up=None))
    window_opens = max(add_months(on, -COMPLIANCE_MONTHS), started)
    # Late on a day in the window: a lapse not made up by the day the window opens.
    breaking = [lapse for lapse in lapses if lapse.made_up is None or lapse.made_up > window_opens]
    last_session = counted[-1] if counted else None
    overdue_days = 0 if due is None else max(0, (on - due).days)
    return Standing(
        policy=history.on(on),
        last_session=last_session,
        next_due=due,
        overdue_days=overdue_days,
        sessions_counted=len(counted),
        sessions_too_short=too_short,
        compliant=not breaking,
        missed=tuple(lapse.due for lapse in lapses),
        reason=_reason(
            history,
            started=started,
            base=base,
            last_session=last_session,
            due=due,
            overdue_days=overdue_days,
            absences=absences,
            on=on,
            breaking=len(breaking),
        ),
        lapses=tuple(lapses),
    )


def _reason(
    history: PolicyHistory,
    *,
    started: date,
    base: date,
    last_session: date | None,
    due: date | None,
    overdue_days: int,
    absences: Sequence[Absence],
    on: date,
    breaking: int,
) -> str:
    in_force = _interval_in_force(history, started, base)
    interval = in_force.adverb
    if last_session is not None and last_session >= started:
        since = f"last counting session {day_text(last_session)}, {interval}"
    else:
        since = f"no counting session since starting on {day_text(started)}, {interval}"
    if due is None:
        away = min(a.starts_on for a in absences if a.ends_on is None)
        text = f"due on return from an absence with no end (from {day_text(away)}); {since}"
    elif overdue_days:
        days = "day" if overdue_days == 1 else "days"
        text = f"overdue by {overdue_days} {days}: {since}"
    elif due == on:
        text = f"due today: {since}"
    else:
        text = f"next due {day_text(due)}: {since}"
    if due is not None and due != in_force.after(base):
        text += " (moved past an absence)"
    if breaking:
        sessions = "session" if breaking == 1 else "sessions"
        text += (
            f"; not compliant: {breaking} required {sessions} missed"
            f" in the {COMPLIANCE_MONTHS} months to {day_text(on)}"
        )
    return text
