"""The supervision schedule, to the day: steps, month ends, absences and bank holidays, short
sessions, missed dates and the compliance window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseload_engine.dates import add_months
from caseload_engine.reference import Role
from caseload_engine.supervision import (
    ASYE_POLICY,
    DEFAULT_POLICIES,
    MONTHLY_POLICY,
    Absence,
    Interval,
    Lapse,
    Policy,
    PolicyError,
    PolicyHistory,
    Session,
    Standing,
    Step,
    default_policy_for,
    interval_on,
    next_due,
    parse_policy,
    policy_as_mapping,
    policy_problems,
    standing,
)

DAY = timedelta(days=1)
STARTED = date(2026, 1, 5)  # a Monday


def sessions(*days: date, minutes: int = 90) -> list[Session]:
    return [Session(on=day, minutes=minutes) for day in days]


# The policies -------------------------------------------------------------------------------


def test_the_default_policies_are_employer_standard_5() -> None:
    assert set(DEFAULT_POLICIES) == {"asye", "monthly"}
    assert ASYE_POLICY.minimum_minutes == MONTHLY_POLICY.minimum_minutes == 90
    assert ASYE_POLICY.steps == (
        Step(Interval.WEEK, until_weeks=6),
        Step(Interval.FORTNIGHT, until_months=6),
        Step(Interval.MONTH),
    )
    assert MONTHLY_POLICY.steps == (Step(Interval.MONTH),)
    for policy in DEFAULT_POLICIES.values():
        assert policy_problems(policy) == []


@pytest.mark.parametrize(
    ("role", "asye", "expected"),
    [
        (Role.ASYE, False, ASYE_POLICY),  # the role implies the year
        (Role.ASYE, True, ASYE_POLICY),
        (Role.SOCIAL_WORKER, True, ASYE_POLICY),
        (Role.SOCIAL_WORKER, False, MONTHLY_POLICY),
        (Role.OCCUPATIONAL_THERAPIST, False, MONTHLY_POLICY),
        (Role.TEAM_MANAGER, False, MONTHLY_POLICY),
        ("assistant", False, MONTHLY_POLICY),
    ],
)
def test_default_policy_for_a_role(role: str, asye: bool, expected: Policy) -> None:
    assert default_policy_for(role, asye=asye) == expected


@pytest.mark.parametrize("role", ["", "ASYE", "manager", "asye "])
def test_an_unknown_role_has_no_policy(role: str) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        default_policy_for(role, asye=False)


def test_a_policy_round_trips_through_plain_data() -> None:
    for policy in DEFAULT_POLICIES.values():
        assert parse_policy(policy_as_mapping(policy)) == policy
    assert policy_as_mapping(ASYE_POLICY)["steps"] == [
        {"interval": "week", "until_weeks": 6},
        {"interval": "fortnight", "until_months": 6},
        {"interval": "month"},
    ]


def _policy(**changes: object) -> dict[str, object]:
    return {**policy_as_mapping(ASYE_POLICY), **changes}


@pytest.mark.parametrize(
    ("mapping", "problem"),
    [
        (_policy(key="ASYE"), "The key must be"),
        (_policy(key=""), "The key must be"),
        (_policy(key="a" * 41), "The key must be"),
        (_policy(key=7), "The key must be"),
        (_policy(label=" "), "Enter a name"),
        (_policy(label="x" * 101), "100 characters or fewer"),
        (_policy(label="Weekly\u202e"), "The name must not contain characters that change"),
        (_policy(label="Weekly\x00"), "control characters"),
        (_policy(minimum_minutes=0), "between 1 and 600"),
        (_policy(minimum_minutes=601), "between 1 and 600"),
        (_policy(minimum_minutes=10**100), "between 1 and 600"),
        (_policy(minimum_minutes=True), "must be a whole number"),
        (_policy(minimum_minutes=90.0), "must be a whole number"),
        (_policy(minimum_minutes="90"), "must be a whole number"),
        (_policy(steps=[]), "1 to 10 steps"),
        (_policy(steps=[{"interval": "month"}] * 11), "1 to 10 steps"),
        (_policy(steps="month"), "1 to 10 steps"),
        (_policy(steps=[{"interval": "day"}]), "Step 1 needs an interval"),
        (_policy(steps=[{"interval": "month", "every": 2}]), "Step 1 has an interval and"),
        (_policy(steps=[{"interval": "week"}, {"interval": "month"}]), "only the last step"),
        (_policy(steps=[{"interval": "week", "until_weeks": 6}]), "must have no end"),
        (
            _policy(
                steps=[
                    {"interval": "week", "until_weeks": 6, "until_months": 1},
                    {"interval": "month"},
                ]
            ),
            "not both",
        ),
        (
            _policy(steps=[{"interval": "week", "until_weeks": 0}, {"interval": "month"}]),
            "Step 1's weeks must be between 1 and 520",
        ),
        (
            _policy(steps=[{"interval": "week", "until_months": 121}, {"interval": "month"}]),
            "Step 1's months must be between 1 and 120",
        ),
        (
            _policy(steps=[{"interval": "week", "until_weeks": "6"}, {"interval": "month"}]),
            "Step 1's weeks must be a whole number",
        ),
        # Steps must end in order, whatever the start: four weeks can be as long as a month.
        (
            _policy(
                steps=[
                    {"interval": "week", "until_weeks": 4},
                    {"interval": "fortnight", "until_months": 1},
                    {"interval": "month"},
                ]
            ),
            "Step 2 must end later than step 1",
        ),
        (
            _policy(
                steps=[
                    {"interval": "week", "until_months": 2},
                    {"interval": "fortnight", "until_weeks": 8},
                    {"interval": "month"},
                ]
            ),
            "Step 2 must end later than step 1",
        ),
        (_policy(every="week"), "Unknown field 'every'"),
    ],
)
def test_a_policy_with_a_problem_is_refused_with_it_in_words(
    mapping: dict[str, object], problem: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(mapping)
    assert any(problem in text for text in caught.value.problems), caught.value.problems


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy({"key": "", "label": "", "minimum_minutes": -1, "steps": []})
    assert len(caught.value.problems) == 4


def test_steps_in_weeks_then_months_in_order_are_accepted() -> None:
    steps = [
        {"interval": "week", "until_weeks": 5},
        {"interval": "fortnight", "until_months": 2},
        {"interval": "month"},
    ]
    assert parse_policy(_policy(steps=steps)).steps[1] == Step(Interval.FORTNIGHT, until_months=2)


@pytest.mark.parametrize("value", [None, [], "policy", 3])
def test_something_not_a_mapping_is_no_policy(value: object) -> None:
    with pytest.raises(PolicyError):
        parse_policy(value)  # type: ignore[arg-type]


# The step in force ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (STARTED - DAY, Interval.WEEK),  # before the start: the first step
        (STARTED, Interval.WEEK),
        (STARTED + 41 * DAY, Interval.WEEK),  # the last day of the first 6 weeks
        (STARTED + 42 * DAY, Interval.FORTNIGHT),  # 6 weeks to the day
        (date(2026, 7, 4), Interval.FORTNIGHT),  # the day before 6 months
        (date(2026, 7, 5), Interval.MONTH),  # 6 months to the day
        (date(2030, 1, 1), Interval.MONTH),
    ],
)
def test_the_asye_step_in_force(day: date, expected: Interval) -> None:
    assert interval_on(ASYE_POLICY, STARTED, day) == expected


def test_six_months_from_the_end_of_august_is_the_end_of_february() -> None:
    started = date(2025, 8, 31)
    assert interval_on(ASYE_POLICY, started, date(2026, 2, 27)) == Interval.FORTNIGHT
    assert interval_on(ASYE_POLICY, started, date(2026, 2, 28)) == Interval.MONTH


# Next due ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (None, STARTED + 7 * DAY),
        (STARTED - 30 * DAY, STARTED + 7 * DAY),  # the later of the start and the session
        (STARTED + 35 * DAY, STARTED + 42 * DAY),  # still weekly on day 35
        (STARTED + 41 * DAY, STARTED + 48 * DAY),  # weekly on the last day of the 6 weeks
        (STARTED + 42 * DAY, STARTED + 56 * DAY),  # fortnightly from 6 weeks to the day
        (date(2026, 7, 4), date(2026, 7, 18)),  # fortnightly the day before 6 months
        (date(2026, 7, 5), date(2026, 8, 5)),  # monthly from 6 months
    ],
)
def test_asye_next_due(last: date | None, expected: date) -> None:
    assert next_due(ASYE_POLICY, started=STARTED, last_counting=last) == expected


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2028, 2, 29), date(2028, 3, 29)),
        (date(2026, 2, 28), date(2026, 3, 28)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 4, 30), date(2026, 5, 30)),
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 12, 31), date(2027, 1, 31)),
        (date(2026, 12, 15), date(2027, 1, 15)),
    ],
)
def test_monthly_next_due_at_month_ends(last: date, expected: date) -> None:
    started = date(2025, 1, 1)
    assert next_due(MONTHLY_POLICY, started=started, last_counting=last) == expected


def test_a_due_date_on_a_weekend_or_bank_holiday_stays_without_an_absence() -> None:
    # 25 Dec 2026 is a Friday and a bank holiday; 5 Dec 2026 is a Saturday.
    assert next_due(MONTHLY_POLICY, started=STARTED, last_counting=date(2026, 11, 25)) == date(
        2026, 12, 25
    )
    assert next_due(MONTHLY_POLICY, started=STARTED, last_counting=date(2026, 11, 5)) == date(
        2026, 12, 5
    )


LAST = date(2026, 11, 10)  # monthly: due Thursday 10 Dec 2026


@pytest.mark.parametrize(
    ("absences", "expected"),
    [
        ([], date(2026, 12, 10)),
        ([Absence(date(2026, 12, 1), date(2026, 12, 9))], date(2026, 12, 10)),  # over before
        ([Absence(date(2026, 12, 11), date(2026, 12, 18))], date(2026, 12, 10)),  # after it
        # Ends on a Friday: back the Monday after the weekend.
        ([Absence(date(2026, 12, 7), date(2026, 12, 11))], date(2026, 12, 14)),
        # The due date on the absence's first and on its last day.
        ([Absence(date(2026, 12, 10), date(2026, 12, 15))], date(2026, 12, 16)),
        ([Absence(date(2026, 12, 3), date(2026, 12, 10))], date(2026, 12, 11)),
        # Ends on Christmas Eve (a Thursday): 25 Dec bank holiday, the weekend, 28 Dec the
        # substitute Boxing Day, so back on Tuesday 29 Dec.
        ([Absence(date(2026, 12, 7), date(2026, 12, 24))], date(2026, 12, 29)),
        # Two absences one after the other: past both.
        (
            [
                Absence(date(2026, 12, 14), date(2026, 12, 18)),
                Absence(date(2026, 12, 7), date(2026, 12, 11)),
            ],
            date(2026, 12, 21),
        ),
        # Overlapping absences.
        (
            [
                Absence(date(2026, 12, 7), date(2026, 12, 15)),
                Absence(date(2026, 12, 14), date(2026, 12, 16)),
            ],
            date(2026, 12, 17),
        ),
        # Still away: due on return.
        ([Absence(date(2026, 12, 1))], None),
        ([Absence(date(2026, 12, 10))], None),
        ([Absence(date(2026, 12, 11))], date(2026, 12, 10)),  # starts after the due date
        # A closed absence moves the date into an open one.
        ([Absence(date(2026, 12, 7), date(2026, 12, 11)), Absence(date(2026, 12, 14))], None),
    ],
)
def test_an_absence_moves_the_due_date_to_the_first_working_day_back(
    absences: list[Absence], expected: date | None
) -> None:
    due = next_due(MONTHLY_POLICY, started=STARTED, last_counting=LAST, absences=absences)
    assert due == expected


def test_a_due_date_on_the_bank_holiday_straight_after_an_absence_waits_for_the_day_back() -> None:
    # Back from an absence ending Thursday 24 Dec on Tuesday 29 Dec; a session due on the 28th
    # (the substitute bank holiday) falls while away too.
    due = next_due(
        MONTHLY_POLICY,
        started=STARTED,
        last_counting=date(2026, 11, 28),
        absences=[Absence(date(2026, 12, 7), date(2026, 12, 24))],
    )
    assert due == date(2026, 12, 29)


def test_an_absence_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="cannot end before it starts"):
        Absence(date(2026, 12, 7), date(2026, 12, 6))
    assert Absence(date(2026, 12, 7), date(2026, 12, 7)).ends_on == date(2026, 12, 7)


# Standing ---------------------------------------------------------------------------------

ON = date(2026, 12, 1)


def test_standing_with_a_session_overdue() -> None:
    result = standing(
        MONTHLY_POLICY,
        started=date(2026, 9, 1),
        sessions=sessions(date(2026, 10, 1), date(2026, 10, 29)),
        on=date(2026, 12, 11),
    )
    assert result.last_session == date(2026, 10, 29)
    assert result.next_due == date(2026, 11, 29)
    assert result.overdue_days == 12
    assert result.sessions_counted == 2
    assert result.sessions_too_short == 0
    assert result.missed == (date(2026, 11, 29),)
    assert result.lapses == (Lapse(due=date(2026, 11, 29), made_up=None),)
    assert not result.compliant
    assert result.reason == (
        "overdue by 12 days: last counting session 29 Oct 2026, monthly; not compliant:"
        " 1 required session missed in the 12 months to 11 Dec 2026"
    )


def test_due_today_is_not_overdue_nor_missed() -> None:
    held = sessions(date(2026, 10, 1), date(2026, 11, 1))
    result = standing(MONTHLY_POLICY, started=date(2026, 9, 1), sessions=held, on=ON)
    assert (result.next_due, result.overdue_days, result.missed) == (ON, 0, ())
    assert result.compliant
    assert result.reason == "due today: last counting session 1 Nov 2026, monthly"
    a_day_later = standing(MONTHLY_POLICY, started=date(2026, 9, 1), sessions=held, on=ON + DAY)
    assert (a_day_later.overdue_days, a_day_later.missed) == (1, (ON,))
    assert a_day_later.reason.startswith("overdue by 1 day: ")
    assert not a_day_later.compliant


def test_a_session_shorter_than_the_minimum_does_not_count() -> None:
    result = standing(
        MONTHLY_POLICY,
        started=date(2026, 9, 1),
        sessions=[Session(date(2026, 10, 1), 90), Session(date(2026, 11, 1), 89)],
        on=ON,
    )
    assert (result.sessions_counted, result.sessions_too_short) == (1, 1)
    assert result.last_session == date(2026, 10, 1)
    assert result.next_due == date(2026, 11, 1)
    assert result.overdue_days == 30


def test_sessions_after_the_day_asked_about_are_left_out() -> None:
    result = standing(
        MONTHLY_POLICY,
        started=date(2026, 9, 1),
        sessions=[*sessions(date(2026, 10, 1), date(2026, 12, 2)), Session(ON + DAY, 30)],
        on=ON,
    )
    assert (result.sessions_counted, result.sessions_too_short) == (1, 0)
    assert result.last_session == date(2026, 10, 1)


def test_sessions_before_the_start_in_post_count_but_never_bring_a_date_forward() -> None:
    result = standing(
        MONTHLY_POLICY,
        started=date(2026, 11, 2),
        sessions=[*sessions(date(2026, 10, 20)), Session(date(2026, 10, 1), 20)],
        on=ON,
    )
    assert (result.sessions_counted, result.sessions_too_short) == (1, 1)
    assert result.last_session == date(2026, 10, 20)
    assert result.next_due == date(2026, 12, 2)
    assert (
        result.reason
        == "next due 2 Dec 2026: no counting session since starting on 2 Nov 2026, monthly"
    )


def test_asye_weekly_then_fortnightly_then_monthly_kept_to_the_day() -> None:
    started = date(2026, 1, 5)
    held = [started + 7 * DAY * week for week in range(1, 7)]  # weekly to 6 weeks (16 Feb)
    day = held[-1]
    while day < date(2026, 7, 5):
        day += 14 * DAY
        held.append(day)
    # The last fortnightly session falls on or after 6 months: monthly from it.
    assert held[-2:] == [date(2026, 6, 22), date(2026, 7, 6)]
    held += [date(2026, 8, 6), date(2026, 9, 6), date(2026, 10, 6), date(2026, 11, 6)]
    result = standing(ASYE_POLICY, started=started, sessions=sessions(*held), on=ON)
    assert result.missed == ()
    assert result.compliant
    assert result.next_due == date(2026, 12, 6)
    assert result.sessions_counted == len(held)


def test_a_late_session_restarts_the_schedule_and_a_gap_is_one_missed_date() -> None:
    result = standing(
        MONTHLY_POLICY,
        started=date(2026, 1, 1),
        sessions=sessions(date(2026, 2, 1), date(2026, 3, 5), date(2026, 9, 1), date(2026, 10, 1)),
        on=ON,
    )
    assert result.lapses == (
        Lapse(due=date(2026, 3, 1), made_up=date(2026, 3, 5)),
        Lapse(due=date(2026, 4, 5), made_up=date(2026, 9, 1)),
        Lapse(due=date(2026, 11, 1), made_up=None),
    )
    assert result.missed == (date(2026, 3, 1), date(2026, 4, 5), date(2026, 11, 1))
    gap = result.lapses[1]
    assert not gap.late_on(date(2026, 4, 4))
    assert gap.late_on(date(2026, 4, 5))
    assert gap.late_on(date(2026, 8, 31))
    assert not gap.late_on(date(2026, 9, 1))
    assert result.lapses[2].late_on(date(2030, 1, 1))


def test_sessions_in_any_order_and_twice_on_a_day_give_the_same_standing() -> None:
    days = [date(2026, 10, 1), date(2026, 11, 1), date(2026, 10, 1)]
    forward = standing(MONTHLY_POLICY, started=date(2026, 9, 1), sessions=sessions(*days), on=ON)
    backward = standing(
        MONTHLY_POLICY, started=date(2026, 9, 1), sessions=sessions(*reversed(days)), on=ON
    )
    assert forward == backward
    assert forward.sessions_counted == 3
    assert forward.missed == ()


def test_an_absence_moves_the_due_date_to_the_day_back() -> None:
    def on(day: date) -> Standing:
        return standing(
            MONTHLY_POLICY,
            started=date(2026, 10, 1),
            sessions=sessions(date(2026, 10, 20)),
            absences=[Absence(date(2026, 11, 16), date(2026, 11, 27))],
            on=day,
        )

    assert on(date(2026, 11, 20)).missed == ()  # 20 Nov, when it was due, is inside it
    back = on(date(2026, 11, 30))  # back on Monday 30 Nov, after the weekend
    assert (back.next_due, back.overdue_days, back.missed) == (date(2026, 11, 30), 0, ())
    assert back.reason == (
        "due today: last counting session 20 Oct 2026, monthly (moved past an absence)"
    )
    assert on(ON).missed == (date(2026, 11, 30),)


def test_still_away_the_session_is_due_on_return() -> None:
    result = standing(
        MONTHLY_POLICY,
        started=date(2026, 9, 1),
        sessions=sessions(date(2026, 10, 1)),
        absences=[Absence(date(2026, 10, 20))],
        on=ON,
    )
    assert (result.next_due, result.overdue_days, result.missed) == (None, 0, ())
    assert result.compliant
    assert result.reason == (
        "due on return from an absence with no end (from 20 Oct 2026);"
        " last counting session 1 Oct 2026, monthly"
    )


def test_not_started_yet() -> None:
    result = standing(ASYE_POLICY, started=ON + 10 * DAY, sessions=[], on=ON)
    assert result.next_due == ON + 17 * DAY
    assert (result.overdue_days, result.compliant, result.last_session) == (0, True, None)


# The compliance window: 1 Dec 2025 to 30 Nov 2026 for `on` 1 Dec 2026. A monthly practitioner
# started on 1 Sep 2025, missed 1 Oct 2025, and then kept to the schedule from a late session.


def _kept_from(late: date) -> list[Session]:
    held = []
    day: date | None = late
    while day is not None and day < ON:
        held.append(day)
        day = next_due(MONTHLY_POLICY, started=date(2000, 1, 1), last_counting=day)
    return sessions(*held)


@pytest.mark.parametrize(
    ("late", "compliant"),
    [
        (date(2025, 11, 30), True),  # made up before the window opened
        (date(2025, 12, 1), True),  # made up on the day it opened
        (date(2025, 12, 2), False),  # still overdue on its first day
    ],
)
def test_a_lapse_before_the_window_counts_if_still_overdue_inside_it(
    late: date, compliant: bool
) -> None:
    result = standing(MONTHLY_POLICY, started=date(2025, 9, 1), sessions=_kept_from(late), on=ON)
    assert result.missed[0] == date(2025, 10, 1)
    assert result.missed[1:] == ()
    assert result.compliant is compliant


def test_a_lapse_more_than_twelve_months_ago_is_forgiven() -> None:
    result = standing(
        MONTHLY_POLICY,
        started=date(2024, 1, 1),
        sessions=_kept_from(date(2025, 11, 1)),
        on=ON,
    )
    assert result.missed == (date(2024, 2, 1),)
    assert result.compliant
    assert standing(
        MONTHLY_POLICY,
        started=date(2024, 1, 1),
        sessions=_kept_from(date(2025, 11, 1)),
        on=ON - DAY,
    ).compliant


def test_since_starting_when_that_is_less_than_twelve_months() -> None:
    started = date(2026, 6, 1)
    kept = standing(MONTHLY_POLICY, started=started, sessions=sessions(*_dates(started, 6)), on=ON)
    assert kept.compliant
    assert kept.missed == ()
    late = standing(
        MONTHLY_POLICY,
        started=started,
        sessions=sessions(date(2026, 7, 2), date(2026, 8, 2)),
        on=date(2026, 8, 5),
    )
    assert late.missed == (date(2026, 7, 1),)
    assert not late.compliant


def _dates(started: date, months: int) -> list[date]:
    return [add_months(started, n) for n in range(1, months + 1)]


# Properties -------------------------------------------------------------------------------

POLICIES = st.sampled_from(list(DEFAULT_POLICIES.values()))
STARTS = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def closed_absences(draw: st.DrawFn) -> list[Absence]:
    found = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        starts = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
        found.append(Absence(starts, starts + draw(st.integers(0, 40)) * DAY))
    return found


@st.composite
def any_absences(draw: st.DrawFn) -> list[Absence]:
    found = draw(closed_absences())
    if draw(st.booleans()):
        found.append(
            Absence(draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))))
        )
    return found


SESSIONS = st.lists(
    st.builds(
        Session,
        on=st.dates(min_value=date(2023, 6, 1), max_value=date(2027, 12, 31)),
        minutes=st.sampled_from([30, 89, 90, 120]),
    ),
    max_size=25,
)


@given(
    POLICIES,
    STARTS,
    st.none() | st.dates(min_value=date(2023, 1, 1), max_value=date(2028, 1, 1)),
    closed_absences(),
)
def test_next_due_is_always_after_the_later_of_start_and_last_session(
    policy: Policy, started: date, last: date | None, absences: list[Absence]
) -> None:
    due = next_due(policy, started=started, last_counting=last, absences=absences)
    assert due is not None
    assert due > max(started, last or started)
    # Never inside an absence, nor before the first working day back from one it passed.
    assert not any(a.starts_on <= due <= a.ends_on for a in absences if a.ends_on)


@given(POLICIES, STARTS, st.integers(min_value=0, max_value=30), any_absences())
def test_a_session_on_every_due_date_keeps_compliance(
    policy: Policy, started: date, count: int, absences: list[Absence]
) -> None:
    held: list[date] = []
    due = next_due(policy, started=started, last_counting=None, absences=absences)
    for _ in range(count):
        if due is None:
            break
        held.append(due)
        due = next_due(policy, started=started, last_counting=due, absences=absences)
    on = due or (held[-1] if held else started)
    result = standing(policy, started=started, sessions=sessions(*held), absences=absences, on=on)
    assert result.missed == ()
    assert result.compliant
    assert result.overdue_days == 0


@settings(max_examples=200, deadline=None)
@given(
    POLICIES,
    STARTS,
    SESSIONS,
    any_absences(),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
)
def test_standing_agrees_with_next_due_and_a_day_by_day_reading(
    policy: Policy, started: date, held: list[Session], absences: list[Absence], on: date
) -> None:
    result = standing(policy, started=started, sessions=held, absences=absences, on=on)
    assert result.next_due == next_due(
        policy, started=started, last_counting=result.last_session, absences=absences
    )
    assert list(result.missed) == sorted(set(result.missed))
    assert all(started < missed < on for missed in result.missed)
    # Compliance read day by day: late on a day when the due date from the last counting
    # session up to that day has come with no session since.
    counting = sorted(s.on for s in held if s.minutes >= policy.minimum_minutes)
    day = max(started, add_months(on, -12))
    late_days = []
    while day < on:
        last = max((held_on for held_on in counting if held_on <= day), default=None)
        due = next_due(policy, started=started, last_counting=last, absences=absences)
        if due is not None and due <= day:
            late_days.append(day)
        day += DAY
    assert result.compliant is (not late_days)


@settings(max_examples=200, deadline=None)
@given(
    POLICIES,
    STARTS,
    SESSIONS,
    any_absences(),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    st.dates(min_value=date(2023, 6, 1), max_value=date(2027, 12, 31)),
)
def test_adding_a_session_never_makes_anyone_less_compliant(
    policy: Policy,
    started: date,
    held: list[Session],
    absences: list[Absence],
    on: date,
    extra: date,
) -> None:
    before = standing(policy, started=started, sessions=held, absences=absences, on=on)
    after = standing(
        policy, started=started, sessions=[*held, Session(extra, 90)], absences=absences, on=on
    )
    assert after.compliant >= before.compliant
    assert after.overdue_days <= before.overdue_days
    assert len(after.missed) <= len(before.missed) + 1


# A policy that changes over time ------------------------------------------------------------

FORTNIGHTLY = Policy(
    key="fortnightly",
    label="At least fortnightly",
    minimum_minutes=90,
    steps=(Step(Interval.FORTNIGHT),),
)
CHANGED = date(2026, 3, 15)
MONTHLY_THEN_FORTNIGHTLY = PolicyHistory(((date.min, MONTHLY_POLICY), (CHANGED, FORTNIGHTLY)))


def test_the_version_in_force_on_a_day() -> None:
    history = PolicyHistory(
        ((date(2026, 2, 1), MONTHLY_POLICY), (CHANGED, ASYE_POLICY), (CHANGED, FORTNIGHTLY))
    )
    assert history.on(date(2020, 1, 1)) == MONTHLY_POLICY  # the first also before its day
    assert history.on(CHANGED - DAY) == MONTHLY_POLICY
    # From its day on; of two on the same day, the later.
    assert history.on(CHANGED) == FORTNIGHTLY
    assert history.on(date(2030, 1, 1)) == FORTNIGHTLY


@pytest.mark.parametrize(
    "versions",
    [(), ((CHANGED, FORTNIGHTLY), (CHANGED - DAY, MONTHLY_POLICY))],
    ids=["empty", "out-of-order"],
)
def test_a_history_needs_versions_in_order(versions: tuple[tuple[date, Policy], ...]) -> None:
    with pytest.raises(ValueError, match="policy history"):
        PolicyHistory(versions)


def test_a_policy_change_mid_history_judges_each_day_by_the_version_in_force() -> None:
    """Monthly until 14 Mar 2026, fortnightly from 15 Mar. Started 5 Jan: due 5 Feb, met;
    due 5 Mar, met; 5 Mar is under the monthly version, so due 5 Apr, met by 1 Apr; 1 Apr is
    under the fortnightly one, so due 15 Apr: missed and 5 days overdue on 20 Apr. Judged
    fortnightly all along, 19 Jan would have been the first date missed."""
    on = date(2026, 4, 20)
    days = sessions(date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 1))
    result = standing(MONTHLY_THEN_FORTNIGHTLY, started=STARTED, sessions=days, on=on)
    assert result.missed == (date(2026, 4, 15),)
    assert result.lapses == (Lapse(due=date(2026, 4, 15), made_up=None),)
    assert (result.next_due, result.overdue_days, result.compliant) == (
        date(2026, 4, 15),
        5,
        False,
    )
    assert result.policy == FORTNIGHTLY
    assert "last counting session 1 Apr 2026, fortnightly" in result.reason
    assert standing(FORTNIGHTLY, started=STARTED, sessions=days, on=on).missed[0] == date(
        2026, 1, 19
    )


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (CHANGED - DAY, date(2026, 4, 14)),  # the interval in force on the day: a month
        (CHANGED, date(2026, 3, 29)),  # a fortnight from the change
    ],
)
def test_a_due_date_adds_the_interval_in_force_on_its_base_day(last: date, expected: date) -> None:
    assert next_due(MONTHLY_THEN_FORTNIGHTLY, started=STARTED, last_counting=last) == expected


def test_a_session_counts_by_the_minimum_in_force_on_its_day() -> None:
    """Two hours from 1 Mar: a 90-minute session on 20 Feb still counts, one on 20 Mar not."""
    strict = Policy(
        key="monthly", label="Two hours", minimum_minutes=120, steps=MONTHLY_POLICY.steps
    )
    history = PolicyHistory(((date.min, MONTHLY_POLICY), (date(2026, 3, 1), strict)))
    days = sessions(date(2026, 2, 20), date(2026, 3, 20))
    result = standing(history, started=STARTED, sessions=days, on=date(2026, 4, 1))
    assert (result.sessions_counted, result.sessions_too_short) == (1, 1)
    assert (result.last_session, result.next_due, result.overdue_days) == (
        date(2026, 2, 20),
        date(2026, 3, 20),
        12,
    )


@settings(max_examples=60, deadline=None)
@given(
    gaps=st.lists(st.integers(min_value=1, max_value=70), max_size=12),
    change=st.integers(min_value=0, max_value=500),
    offset=st.integers(min_value=0, max_value=500),
)
def test_a_version_from_after_the_day_changes_nothing_and_one_version_is_the_policy(
    gaps: list[int], change: int, offset: int
) -> None:
    days = [STARTED + timedelta(days=sum(gaps[: i + 1])) for i in range(len(gaps))]
    on = STARTED + timedelta(days=offset)
    alone = standing(MONTHLY_POLICY, started=STARTED, sessions=sessions(*days), on=on)
    single = PolicyHistory(((STARTED + timedelta(days=change), MONTHLY_POLICY),))
    assert standing(single, started=STARTED, sessions=sessions(*days), on=on) == alone
    later = PolicyHistory(((date.min, MONTHLY_POLICY), (on + DAY, FORTNIGHTLY)))
    assert standing(later, started=STARTED, sessions=sessions(*days), on=on) == alone
