"""Two years of supervision history for a synthetic council: agreements, sessions, the cases
discussed in them and the actions agreed.

Realistic gaps, by team: each team has a habit, drawn once. A *steady* team meets every three
to four weeks for 90 minutes or more; a *slipping* team sometimes lets five to eight weeks pass
and sometimes holds a session too short to count; a *struggling* team does both often. So the
compliance pages show some teams compliant and some not: the demo logins' team (the first)
struggles, and at least one team is steady. ASYEs are seen weekly, then fortnightly, as the
policy asks, by the steady and the slipping alike (with the same slips).

Team managers are supervised by the principal social worker; the principal social worker by no
one in the demo (their supervisor is outside the council's case system). Pure and deterministic
from the seed: no Django.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from caseload_engine.demo import DemoCouncil, DemoPractitioner
from caseload_engine.reference import Role

HISTORY_DAYS = 2 * 365
# At most this many cases discussed in one session, and actions agreed about each.
MAX_DISCUSSIONS = 2
MAX_ACTIONS = 2
# Most actions are done within their time; a few are still open past it.
DONE_SHARE = 0.8
ACTION_DAYS = (7, 28)
SIGN_DAYS = (0, 5)

GROUP_SHARE = 0.1
LAPSED_DAYS = 42


class Habit(StrEnum):
    STEADY = "steady"
    SLIPPING = "slipping"
    STRUGGLING = "struggling"


# Per habit: the chance a gap runs long, the long gap's days, the chance a session is short.
_HABITS: dict[Habit, tuple[float, tuple[int, int], float]] = {
    Habit.STEADY: (0.0, (0, 0), 0.0),
    Habit.SLIPPING: (0.15, (35, 56), 0.08),
    Habit.STRUGGLING: (0.4, (38, 70), 0.2),
}
_HABIT_WEIGHTS = ((Habit.STEADY, 5), (Habit.SLIPPING, 3), (Habit.STRUGGLING, 2))

_TOPICS = (
    ("Review of the care and support plan", "Keep the plan; review in six weeks"),
    ("Carer's needs and breaks", "Offer a carer's assessment"),
    ("Risk of falls at home", "Refer to occupational therapy for equipment"),
    ("Hospital discharge planning", "Agree a short-term placement"),
    ("Capacity to decide about moving home", "Complete a capacity assessment"),
    ("Safeguarding concern raised by a neighbour", "Discuss with the safeguarding team"),
    ("Direct payment arrangements", "Support the person to recruit a personal assistant"),
    ("Positive risk-taking: going out alone", "Agree the risks with the person and record them"),
)
_ACTIONS = (
    "Write up the reassessment",
    "Call the GP about the medication review",
    "Book a joint visit with the occupational therapist",
    "Send the carer's assessment form",
    "Update the risk assessment",
    "Arrange a best interests meeting",
    "Read the guidance on positive risk-taking",
)
AGENDA = "Caseload and workload; case discussions; wellbeing; learning and CPD"


@dataclass(frozen=True, slots=True)
class DemoAction:
    description: str
    owner_key: str
    due_on: date
    done_on: date | None


@dataclass(frozen=True, slots=True)
class DemoDiscussion:
    case_index: int
    discussion: str
    decision: str
    actions: tuple[DemoAction, ...]


@dataclass(frozen=True, slots=True)
class DemoSession:
    supervisee_key: str
    supervisor_key: str
    held_on: date
    minutes: int
    kind: str
    signed_on: date | None
    discussions: tuple[DemoDiscussion, ...]


@dataclass(frozen=True, slots=True)
class DemoAgreement:
    practitioner_key: str
    supervisor_key: str
    starts_on: date
    frequency: str
    place: str
    if_missed: str
    signed_on: date | None


@dataclass(frozen=True, slots=True)
class DemoSupervision:
    habits: dict[str, Habit]  # team key to its habit
    agreements: tuple[DemoAgreement, ...]
    sessions: tuple[DemoSession, ...]


def generate_supervision(council: DemoCouncil, *, seed: int) -> DemoSupervision:
    """The supervision history of a council; equal councils and seeds give equal histories."""
    rng = random.Random(seed)
    habits = {
        team.key: rng.choices([h for h, _ in _HABIT_WEIGHTS], [w for _, w in _HABIT_WEIGHTS])[0]
        for team in council.teams
    }
    if len(council.teams) >= 2:
        # The demo logins' team (the first) has someone overdue to show its manager, and some
        # team keeps to the policy, so the compliance pages show both.
        habits[council.teams[0].key] = Habit.STRUGGLING
        if Habit.STEADY not in habits.values():
            habits[council.teams[-1].key] = Habit.STEADY
    psw = next(
        (p.key for p in council.practitioners if p.role == Role.PRINCIPAL_SOCIAL_WORKER), None
    )
    managers = {p.team_key: p.key for p in council.practitioners if p.role == Role.TEAM_MANAGER}
    held = _held_cases(council)
    # Someone in the demo logins' team (its first case holder) has had no session for six
    # weeks: overdue on the day, for the manager's list.
    lapsed = next(
        (
            p.key
            for p in council.practitioners
            if p.team_key == council.teams[0].key and p.role != Role.TEAM_MANAGER
        ),
        None,
    )
    agreements: list[DemoAgreement] = []
    sessions: list[DemoSession] = []
    for practitioner in council.practitioners:
        if practitioner.team_key is None:
            continue
        supervisor = (
            psw if practitioner.role == Role.TEAM_MANAGER else managers.get(practitioner.team_key)
        )
        if supervisor is None or supervisor == practitioner.key:
            continue
        habit = habits[practitioner.team_key]
        start = max(practitioner.start_date, council.as_of - timedelta(days=HISTORY_DAYS))
        agreements.append(_agreement(rng, practitioner, supervisor, start, council.as_of))
        # The one lapsed practitioner's sessions stop six weeks before the day.
        until = council.as_of - timedelta(days=LAPSED_DAYS if practitioner.key == lapsed else 0)
        sessions.extend(
            _sessions(rng, practitioner, supervisor, habit, (start, until), council.as_of, held)
        )
    return DemoSupervision(habits=habits, agreements=tuple(agreements), sessions=tuple(sessions))


@dataclass(frozen=True, slots=True)
class _Held:
    """A practitioner's cases, sorted by the day they took them on."""

    starts: tuple[date, ...]
    spans: tuple[tuple[int, date, date | None], ...]  # case index, from, until

    def on(self, day: date) -> list[int]:
        upto = bisect.bisect_right(self.starts, day)
        return [i for i, _, until in self.spans[:upto] if until is None or until > day]


def _held_cases(council: DemoCouncil) -> dict[str, _Held]:
    spans: dict[str, list[tuple[int, date, date | None]]] = {}
    for index, case in enumerate(council.cases):
        for allocation in case.allocations:
            until = None if allocation.ended_at is None else allocation.ended_at.date()
            spans.setdefault(allocation.practitioner_key, []).append(
                (index, allocation.started_at.date(), until)
            )
    held = {}
    for key, rows in spans.items():
        rows.sort(key=lambda row: (row[1], row[0]))
        held[key] = _Held(tuple(row[1] for row in rows), tuple(rows))
    return held


def _agreement(
    rng: random.Random, practitioner: DemoPractitioner, supervisor: str, start: date, as_of: date
) -> DemoAgreement:
    asye = practitioner.role == Role.ASYE
    # A few agreements of recent starters are still waiting for a signature.
    recent = (as_of - start).days < 30
    return DemoAgreement(
        practitioner_key=practitioner.key,
        supervisor_key=supervisor,
        starts_on=start,
        frequency=(
            "Weekly for six weeks, fortnightly to six months, then monthly"
            if asye
            else "Monthly, at least 90 minutes"
        ),
        place=rng.choice(("Team office, quiet room", "Online, cameras on", "Locality hub")),
        if_missed="Rearranged within five working days; the reason is recorded",
        signed_on=None if recent and rng.random() < 0.5 else min(start + timedelta(days=3), as_of),
    )


def _interval(practitioner: DemoPractitioner, start_in_post: date, day: date) -> int:
    """Days within what the default policy asks for (weekly, fortnightly, monthly): the habit
    then stretches them. Fortnightly a week past six months, so a session near that boundary
    is never late by the policy's calendar months."""
    if practitioner.role == Role.ASYE:
        weeks = (day - start_in_post).days // 7
        if weeks < 6:
            return 7
        if weeks < 27:
            return 14
    return 28


def _sessions(
    rng: random.Random,
    practitioner: DemoPractitioner,
    supervisor: str,
    habit: Habit,
    span: tuple[date, date],
    as_of: date,
    held: dict[str, _Held],
) -> list[DemoSession]:
    """Sessions from span's first day to before its last (as_of, or earlier for a lapse)."""
    start, until = span
    late_chance, late_days, short_chance = _HABITS[habit]
    cases = held.get(practitioner.key)
    sessions: list[DemoSession] = []
    day = start
    # In post before the history begins: it begins with a session, as if the one before it
    # had been on time (else every such practitioner would be late in the first month).
    opening = start > practitioner.start_date
    while True:
        interval = _interval(practitioner, practitioner.start_date, day)
        if opening:
            gap, opening = 0, False
        elif rng.random() < late_chance and interval >= 28:
            gap = rng.randint(*late_days)
        else:
            gap = interval - rng.randint(0, max(interval // 7, 1))
        day = day + timedelta(days=gap)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        if day >= until:
            return sessions
        short = rng.random() < short_chance
        minutes = rng.choice((45, 60, 75)) if short else rng.choice((90, 90, 105, 120))
        kind = "group" if rng.random() < GROUP_SHARE else "one_to_one"
        if practitioner.role == Role.ASYE and (day - practitioner.start_date).days in range(84, 98):
            kind = "asye_review"
        signed = day + timedelta(days=rng.randint(*SIGN_DAYS))
        sessions.append(
            DemoSession(
                supervisee_key=practitioner.key,
                supervisor_key=supervisor,
                held_on=day,
                minutes=minutes,
                kind=kind,
                signed_on=signed if signed < as_of else None,
                discussions=_discussions(
                    rng,
                    practitioner.key,
                    supervisor,
                    day,
                    as_of,
                    [] if cases is None else cases.on(day),
                ),
            )
        )


def _discussions(
    rng: random.Random,
    supervisee: str,
    supervisor: str,
    day: date,
    as_of: date,
    open_cases: Sequence[int],
) -> tuple[DemoDiscussion, ...]:
    chosen = rng.sample(list(open_cases), min(len(open_cases), rng.randint(0, MAX_DISCUSSIONS)))
    discussions = []
    for case_index in sorted(chosen):
        topic, decision = rng.choice(_TOPICS)
        actions = []
        for _ in range(rng.randint(0, MAX_ACTIONS)):
            due = day + timedelta(days=rng.randint(*ACTION_DAYS))
            done = due - timedelta(days=rng.randint(0, 5))
            finished = done < as_of and rng.random() < DONE_SHARE
            actions.append(
                DemoAction(
                    description=rng.choice(_ACTIONS),
                    owner_key=supervisee if rng.random() < 0.85 else supervisor,
                    due_on=due,
                    done_on=max(done, day) if finished else None,
                )
            )
        discussions.append(DemoDiscussion(case_index, topic, decision, tuple(actions)))
    return tuple(discussions)
