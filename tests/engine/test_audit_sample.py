"""The monthly case file audit sample: reproducible, quotas met, exclusions held, every
practitioner covered; the month and the filters read strictly."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseload_engine import audit_sample
from caseload_engine.audit_sample import CaseRow, SampleError, draw
from caseload_engine.dates import add_months

MONTH = date(2026, 11, 1)


@st.composite
def councils(draw_: st.DrawFn) -> list[CaseRow]:
    """Up to three teams of cases, each held by one of a few practitioners of its team (or
    nobody), opened and closed around November 2026."""
    rows = []
    count = draw_(st.integers(0, 25))
    for case_id in range(1, count + 1):
        team = draw_(st.integers(1, 3))
        opened = draw_(st.dates(date(2026, 6, 1), date(2026, 12, 31)))
        closed = draw_(st.none() | st.dates(opened, date(2027, 1, 31)))
        rows.append(
            CaseRow(
                case_id=case_id,
                team=team,
                practitioner=draw_(st.none() | st.integers(team * 10, team * 10 + 3)),
                opened_on=opened,
                closed_on=closed,
                tier=draw_(st.integers(1, 3)),
                practitioner_role=draw_(st.sampled_from(["asye", "social_worker"])),
            )
        )
    return rows


audited_months = st.dictionaries(
    st.integers(1, 25), st.lists(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=2)
)


def _eligible(rows: list[CaseRow], audited: dict[int, list[date]]) -> list[CaseRow]:
    return [
        r
        for r in rows
        if r.practitioner is not None
        and audit_sample.active_in(r, MONTH)
        and not audit_sample.recently_audited(MONTH, audited.get(r.case_id, []))
    ]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(councils(), audited_months, st.integers(1, 5), st.randoms())
def test_the_same_month_gives_the_same_sample_in_any_row_order(
    rows: list[CaseRow], audited: dict[int, list[date]], quota: int, rnd: random.Random
) -> None:
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert draw(rows, month=MONTH, per_team=quota, audited=audited) == draw(
        shuffled, month=MONTH, per_team=quota, audited=audited
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(councils(), audited_months, st.integers(1, 5))
def test_quotas_met_and_exclusions_hold(
    rows: list[CaseRow], audited: dict[int, list[date]], quota: int
) -> None:
    picks = draw(rows, month=MONTH, per_team=quota, audited=audited)
    eligible = _eligible(rows, audited)
    by_id = {r.case_id: r for r in eligible}
    # Only eligible cases, each once, with the practitioner who held it.
    assert len({p.case_id for p in picks}) == len(picks)
    for pick in picks:
        assert pick.case_id in by_id
        assert by_id[pick.case_id].practitioner == pick.practitioner
    per_team = Counter(p.team for p in picks)
    available = Counter(r.team for r in eligible)
    for team, count in available.items():
        assert per_team[team] == min(quota, count)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    councils(), st.dictionaries(st.integers(10, 33), st.dates(date(2026, 1, 1), date(2026, 10, 31)))
)
def test_practitioners_not_audited_lately_are_covered_when_the_quota_allows(
    rows: list[CaseRow], last_covered: dict[int, date]
) -> None:
    eligible = _eligible(rows, {})
    for team in {r.team for r in eligible}:
        due = {
            r.practitioner
            for r in eligible
            if r.team == team
            and r.practitioner is not None
            and audit_sample.is_due(MONTH, last_covered.get(r.practitioner), 3)
        }
        picks = draw(rows, month=MONTH, per_team=max(len(due), 1), last_covered=last_covered)
        assert due <= {p.practitioner for p in picks if p.team == team}


def test_every_practitioner_is_covered_within_the_window_month_after_month() -> None:
    """Six practitioners, two cases sampled a month, coverage every three months: over a year,
    nobody waits more than three months."""
    rows = [
        CaseRow(case_id=n, team=1, practitioner=100 + n % 6, opened_on=date(2025, 1, 1))
        for n in range(60)
    ]
    last: dict[int, date] = {}
    audited: dict[int, list[date]] = {}
    covered: dict[int, list[int]] = {p: [] for p in range(100, 106)}
    for index in range(12):
        month = add_months(date(2026, 1, 1), index)
        for pick in draw(rows, month=month, per_team=2, audited=audited, last_covered=last):
            last[pick.practitioner] = month
            audited.setdefault(pick.case_id, []).append(month)
            covered[pick.practitioner].append(index)
    for months in covered.values():
        # Every window of three consecutive months holds one of their audits.
        assert all(any(start <= m < start + 3 for m in months) for start in range(10))


def test_themed_filters_and_no_quota_take_every_matching_case() -> None:
    rows = [
        CaseRow(1, 1, 10, date(2026, 1, 1), tier=3, practitioner_role="asye"),
        CaseRow(2, 1, 11, date(2026, 1, 1), tier=3, practitioner_role="social_worker"),
        CaseRow(3, 1, 10, date(2026, 1, 1), tier=2, practitioner_role="asye"),
        CaseRow(4, 2, 20, date(2026, 1, 1), date(2026, 11, 20), tier=3, practitioner_role="asye"),
        CaseRow(5, 2, 20, date(2026, 1, 1), tags=frozenset({"s42_enquiry"})),
    ]
    tier3_asye = [audit_sample.make_filter("tier", "3"), audit_sample.make_filter("role", "asye")]
    assert [p.case_id for p in draw(rows, month=MONTH, per_team=None, filters=tier3_asye)] == [1, 4]
    closed = [audit_sample.make_filter("closed_between", "2026-11-01..2026-11-30")]
    assert [p.case_id for p in draw(rows, month=MONTH, per_team=None, filters=closed)] == [4]
    tagged = [audit_sample.make_filter("tag", "s42_enquiry")]
    assert [p.case_id for p in draw(rows, month=MONTH, per_team=None, filters=tagged)] == [5]


def test_a_filter_can_be_plugged_in() -> None:
    audit_sample.register_filter("odd", lambda text: lambda row: row.case_id % 2 == 1)
    rows = [CaseRow(n, 1, 10, date(2026, 1, 1)) for n in range(1, 5)]
    picks = draw(rows, month=MONTH, per_team=None, filters=[audit_sample.make_filter("odd", "")])
    assert [p.case_id for p in picks] == [1, 3]


@pytest.mark.parametrize(
    ("text", "expected"), [("2026-11", date(2026, 11, 1)), ("٢٠٢٦-٠٣", date(2026, 3, 1))]
)
def test_a_month_is_read_in_any_script(text: str, expected: date) -> None:
    assert audit_sample.parse_month(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "2026-13", "2026-00", "26-11", "2026-1", "2026/11", "1899-01", "²⁰²⁶-11", "9" * 400],
)
def test_a_bad_month_is_refused_with_a_message(text: str) -> None:
    with pytest.raises(SampleError, match="month"):
        audit_sample.parse_month(text)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("tier", "three"),
        ("tier", "99999"),
        ("closed_between", "2026-11-31..2026-12-01"),
        ("closed_between", "2026-12-01..2026-11-01"),
        ("nope", "1"),
        ("role", " , "),
    ],
)
def test_a_bad_filter_is_refused(name: str, text: str) -> None:
    with pytest.raises(SampleError):
        audit_sample.make_filter(name, text)


def test_a_quota_out_of_range_is_refused() -> None:
    with pytest.raises(SampleError, match="quota"):
        draw([], month=MONTH, per_team=0)


# Moderation: a reproducible share of each month's completed audits, every team covered.
_completed_audits = st.lists(
    st.builds(
        audit_sample.Completed,
        audit_id=st.integers(1, 10_000),
        team=st.integers(1, 4),
        month=st.sampled_from([date(2026, 10, 1), date(2026, 11, 1)]),
    ),
    max_size=40,
    unique_by=lambda a: a.audit_id,
)


@settings(max_examples=60, deadline=None)
@given(audits=_completed_audits, percent=st.integers(1, 100), seed=st.randoms())
def test_moderation_picks_are_reproducible_cover_every_team_and_meet_the_share(
    audits: list[audit_sample.Completed], percent: int, seed: random.Random
) -> None:
    picks = audit_sample.moderation_picks(audits, percent=percent)
    shuffled = list(audits)
    seed.shuffle(shuffled)
    assert audit_sample.moderation_picks(shuffled, percent=percent) == picks
    for month in {a.month for a in audits}:
        of_month = [a for a in audits if a.month == month]
        chosen = [a for a in of_month if a.audit_id in picks]
        assert {a.team for a in chosen} == {a.team for a in of_month}
        assert len(chosen) >= -(-len(of_month) * percent // 100)


@settings(max_examples=30, deadline=None)
@given(audits=_completed_audits, percent=st.integers(1, 100))
def test_moderated_audits_stay_chosen(audits: list[audit_sample.Completed], percent: int) -> None:
    moderated = {a.audit_id for a in audits[::3]}
    assert moderated <= audit_sample.moderation_picks(audits, percent=percent, moderated=moderated)


@pytest.mark.parametrize("percent", [0, 101, True])
def test_a_share_out_of_range_is_refused(percent: int) -> None:
    with pytest.raises(audit_sample.SampleError, match="1 to 100"):
        audit_sample.moderation_picks([], percent=percent)
