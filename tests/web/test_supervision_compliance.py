"""Supervision compliance: a team's overdue list against dates worked out by hand, compliance
by team, role and month (no names for the director), its CSV, who may see what, the query
counts, and the demo's history."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape
from pytest_django import DjangoAssertNumQueries

from caseload.accounts.models import User
from caseload.audit.models import AccessAction, AccessLogEntry
from caseload.register.models import Practitioner, Team
from caseload.supervision import compliance
from caseload.supervision.actions import publish_policy
from caseload.supervision.chart import compliance_chart
from caseload.supervision.models import Session, SessionKind
from caseload.supervision.policies import default_book
from caseload_engine import demo
from caseload_engine import supervision as rules
from caseload_engine.demo_supervision import Habit, generate_supervision
from tests.conftest import World, client_for
from tests.factories import PractitionerFactory, TeamFactory

ON = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _on_the_first_of_december() -> Iterator[None]:
    noon = datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(noon, tick=False):
        yield


def held(practitioner: Practitioner, supervisor: User, on: date, minutes: int = 90) -> Session:
    return Session.objects.create(
        supervisee=practitioner,
        supervisor=supervisor,
        held_on=on,
        minutes=minutes,
        kind=SessionKind.ONE_TO_ONE,
        created_at=datetime(on.year, on.month, on.day, 17, tzinfo=UTC),
        created_by=supervisor,
    )


@pytest.fixture
def north_history(world: World) -> World:
    """Worked out by hand, for 1 December 2026 (monthly policy, 90 minutes to count):
    - Priya: last counting 30 Sep: due 30 Oct, 32 days overdue.
    - Colin: counting 31 Aug (due 30 Sep: a month from the 31st ends with September), then
      only a 60-minute session on 31 Oct, which does not count: 62 days overdue.
    - Mona: 20 Sep, 20 Oct, 20 Nov, each on its due date: due 20 Dec, not overdue.
    - Max (Mental Health South) has nothing recorded: overdue, but in another team."""
    held(world.priya_practitioner, world.mona, date(2026, 9, 30))
    held(world.colin_practitioner, world.mona, date(2026, 8, 31))
    held(world.colin_practitioner, world.mona, date(2026, 10, 31), minutes=60)
    mona = Practitioner.objects.get(user=world.mona)
    for month in (9, 10, 11):
        held(mona, world.pat, date(2026, month, 20))
    return world


def test_overdue_list_matches_hand_computed_dates(north_history: World) -> None:
    rows = compliance.overdue(team_id=north_history.team_north.pk, on=ON)
    assert [
        (r.name, r.standing.next_due, r.standing.overdue_days, r.standing.last_session)
        for r in rows
    ] == [
        ("Colin Colinpersona", date(2026, 9, 30), 62, date(2026, 8, 31)),
        ("Priya Priyapersona", date(2026, 10, 30), 32, date(2026, 9, 30)),
    ]
    by_name = compliance.overdue(team_id=north_history.team_north.pk, on=ON, sort="name")
    assert [r.name for r in by_name] == ["Colin Colinpersona", "Priya Priyapersona"]
    by_due = compliance.overdue(team_id=north_history.team_north.pk, on=ON, sort="last")
    assert [r.standing.last_session for r in by_due] == [date(2026, 8, 31), date(2026, 9, 30)]


def test_manager_sees_their_team_overdue_and_it_is_logged(north_history: World) -> None:
    response = client_for(north_history.mona).get(
        reverse("supervision_overdue", args=[north_history.team_north.pk])
    )
    assert response.status_code == 200
    page = response.content.decode().split("<table", 1)[1]  # the list, not the header
    assert "Colinpersona" in page
    assert "Priyapersona" in page
    assert "30 Sep 2026" in page
    assert "62" in page
    assert "Monapersona" not in page  # not overdue
    assert "Maxpersona" not in page  # another team
    assert AccessLogEntry.objects.filter(
        user_id=north_history.mona.pk,
        action=AccessAction.VIEW_SUPERVISION_OVERDUE,
        team_id=north_history.team_north.pk,
    ).exists()


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("team_manager", True), ("principal_social_worker", True), ("director", False)],
)
def test_team_page_links_to_overdue_list(world: World, persona: str, shown: bool) -> None:
    page = client_for(world.by_role()[persona]).get(
        reverse("team_detail", args=[world.team_north.pk])
    )
    assert page.status_code == 200
    link = reverse("supervision_overdue", args=[world.team_north.pk])
    assert (link in page.content.decode()) is shown


def test_overdue_list_empty_state(world: World) -> None:
    for practitioner in Practitioner.objects.filter(team=world.team_north):
        held(practitioner, world.mona, date(2026, 11, 25))
    page = client_for(world.mona).get(reverse("supervision_overdue", args=[world.team_north.pk]))
    assert "No one in the team is overdue for supervision." in page.content.decode()


def test_overdue_sort_is_a_choice(north_history: World) -> None:
    url = reverse("supervision_overdue", args=[north_history.team_north.pk])
    client = client_for(north_history.mona)
    page = client.get(url, {"sort": "name"}).content.decode()
    assert page.index("Colinpersona") < page.index("Priyapersona")
    # Anything else is ignored, never an error.
    assert client.get(url, {"sort": "\x00; drop"}).status_code == 200
    assert client.get(url, {"page": "99999999999999999999"}).status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("practitioner", 403),
        ("other_team_manager", 404),
        ("director", 403),
        ("administrator", 403),
        ("principal_social_worker", 200),
    ],
)
def test_who_may_see_a_teams_overdue_list(north_history: World, persona: str, status: int) -> None:
    user = north_history.by_role()[persona]
    response = client_for(user).get(
        reverse("supervision_overdue", args=[north_history.team_north.pk])
    )
    assert response.status_code == status
    assert ("Colinpersona" in response.content.decode()) is (status == 200)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("practitioner", 403),
        ("team_manager", 403),
        ("other_team_manager", 403),
        ("administrator", 403),
        ("director", 200),
        ("principal_social_worker", 200),
    ],
)
@pytest.mark.parametrize("name", ["supervision_compliance", "supervision_compliance_csv"])
def test_who_may_see_compliance(north_history: World, persona: str, status: int, name: str) -> None:
    response = client_for(north_history.by_role()[persona]).get(reverse(name))
    assert response.status_code == status


def test_director_sees_counts_and_no_names(north_history: World) -> None:
    response = client_for(north_history.dee).get(reverse("supervision_compliance"))
    page = response.content.decode()
    assert "Older People North" in page
    for practitioner in Practitioner.objects.all():
        assert escape(practitioner.family_name) not in page
    assert reverse("supervision_overdue", args=[north_history.team_north.pk]) not in page
    assert 'class="caseload-chart"' in page
    assert "caseload/charts.js" in page
    # The principal social worker may open each team's list from the table.
    psw_page = client_for(north_history.pat).get(reverse("supervision_compliance"))
    assert reverse("supervision_overdue", args=[north_history.team_north.pk]) in (
        psw_page.content.decode()
    )


def test_monthly_figures(north_history: World) -> None:
    """North, worked out by hand. A practitioner is compliant in a month when they were late
    for supervision on none of its days.
    - September: all three late (Priya and Mona waiting since before it: nothing recorded
      since they started in 2020; Colin's 30 Sep due date missed): 0 of 3.
    - October, November, December (to the 1st): Mona met each due date; Priya was late from
      30 Oct and Colin all along: 1 of 3, though Priya was late for only two days of October.
    A starter on 10 Nov (first due 10 Dec) counts, compliant, from November; a leaver on
    15 Oct with nothing recorded counts, late, in September and October only."""
    world = north_history
    PractitionerFactory.create(
        team=world.team_north, role="assistant", start_date=date(2026, 11, 10)
    )
    PractitionerFactory.create(team=world.team_north, role="assistant", left_on=date(2026, 10, 15))
    rows = compliance.standings(on=ON, since=date(2026, 9, 1), team_ids=[world.team_north.pk])
    (north,) = compliance.monthly(rows, on=ON, months=4, by="team", labels={})
    assert [(m.month, m.in_post, m.compliant) for m in north.months] == [
        (date(2026, 9, 1), 4, 0),
        (date(2026, 10, 1), 4, 1),
        (date(2026, 11, 1), 4, 2),
        (date(2026, 12, 1), 4, 2),
    ]
    assert north.months[1].percent == 25
    assert compliance.overall([north, north]).months[2] == compliance.MonthFigure(
        month=date(2026, 11, 1), in_post=8, compliant=4
    )


def test_csv_download(north_history: World) -> None:
    response = client_for(north_history.pat).get(
        reverse("supervision_compliance_csv"), {"by": "role", "months": "3"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == ["role", "month", "in_post", "compliant", "percent"]
    roles = {line[0] for line in lines[1:]}
    assert {"Social worker", "Team manager", "All"} <= roles
    assert len(lines) == 1 + 3 * len(roles)
    for line in lines[1:]:
        assert int(line[3]) <= int(line[2])


@pytest.mark.parametrize(
    "query",
    [{"months": "1000000000000000000000"}, {"months": "١٢"}, {"team": "99999"}, {"by": "name"}],
)
def test_hostile_filters_are_form_errors(north_history: World, query: dict[str, str]) -> None:
    client = client_for(north_history.pat)
    page = client.get(reverse("supervision_compliance"), query)
    assert page.status_code == 200
    assert "govuk-error-summary" in page.content.decode()
    assert client.get(reverse("supervision_compliance_csv"), query).status_code == 400


def test_another_managers_team_is_not_a_filter_for_them(world: World) -> None:
    """Teams in the filter are those the user sees: a PSW sees every team's figures."""
    page = client_for(world.pat).get(
        reverse("supervision_compliance"), {"team": str(world.team_south.pk)}
    )
    assert page.status_code == 200
    assert "Mental Health South" in page.content.decode()


def _grow(supervisor: User, teams: int, per_team: int, sessions: int) -> Team:
    first = None
    for _ in range(teams):
        team = TeamFactory.create()
        first = first or team
        for _ in range(per_team):
            practitioner = PractitionerFactory.create(team=team, start_date=date(2024, 1, 8))
            for n in range(sessions):
                held(practitioner, supervisor, date(2025, 1 + n, 10))
    assert first is not None
    return first


# The overdue page: the session, the user, their authenticator, the team, the policy, the
# practitioners, their sessions, their absences, their roles over time, the access log entry,
# the header's practitioner and notification count, and the session's save (savepoint, update,
# release).
OVERDUE_QUERIES = 15
# The trends page: the same less the team and the log entry, plus the teams' names and the
# filter's team list.
TRENDS_QUERIES = 15


@pytest.mark.parametrize(("teams", "per_team", "sessions"), [(1, 2, 1), (3, 5, 3)])
def test_query_counts_constant(
    world: World,
    django_assert_num_queries: DjangoAssertNumQueries,
    teams: int,
    per_team: int,
    sessions: int,
) -> None:
    team = _grow(world.pat, teams, per_team, sessions)
    psw = client_for(world.pat)
    with django_assert_num_queries(OVERDUE_QUERIES):
        assert psw.get(reverse("supervision_overdue", args=[team.pk])).status_code == 200
    with django_assert_num_queries(TRENDS_QUERIES):
        assert psw.get(reverse("supervision_compliance")).status_code == 200


def test_summary_counts_per_team_and_role(north_history: World) -> None:
    rows = {(r.team_id, r.role): r for r in compliance.summary(on=ON)}
    north_sw = rows[(north_history.team_north.pk, "social_worker")]
    assert (north_sw.practitioners, north_sw.overdue) == (2, 2)
    assert north_sw.compliant == 0
    south_manager = rows[(north_history.team_south.pk, "team_manager")]
    assert (south_manager.practitioners, south_manager.overdue) == (1, 1)


def test_chart_has_a_line_per_group_all_first_and_gaps_for_empty_months() -> None:
    months = [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]

    def trend(label: str, counts: list[tuple[int, int]]) -> compliance.Trend:
        return compliance.Trend(
            label.lower(),
            label,
            tuple(
                compliance.MonthFigure(month, in_post, compliant)
                for month, (in_post, compliant) in zip(months, counts, strict=True)
            ),
        )

    north = trend("North", [(2, 1), (2, 1), (2, 1)])
    south = trend("South", [(1, 1), (0, 0), (2, 0)])
    total = compliance.overall([north, south])
    chart = compliance_chart(months, total, [north, south], by_label="Team")
    assert [(s.name, list(s.values)) for s in chart.series] == [
        ("All", [67, 50, 25]),
        ("North", [50, 50, 50]),
        ("South", [100, None, 0]),
    ]
    assert chart.labels == ["Oct 2026", "Nov 2026", "Dec 2026"]
    assert (chart.y_max, chart.y_suffix) == (100, "%")
    assert chart.summary == (
        "Overall, 25% were compliant in December 2026, against 67% in October 2026. "
        "Lowest in December 2026: South, 0%. The table below has every figure."
    )


def test_chart_of_no_one_in_post_says_so() -> None:
    months = [date(2026, 11, 1), date(2026, 12, 1)]
    empty = compliance.overall([])
    chart = compliance_chart(months, empty, [], by_label="Role")
    assert [list(s.values) for s in chart.series] == [[None, None]]
    assert chart.summary == "No one supervision applies to was in post in these months."


def test_demo_history_has_compliant_and_non_compliant_teams() -> None:
    council = demo.generate("small", seed=7, as_of=date(2026, 11, 20))
    history = generate_supervision(council, seed=7)
    assert history == generate_supervision(council, seed=7)  # deterministic
    assert len(set(history.habits.values())) >= 2
    assert Habit.STEADY in history.habits.values()
    team_of = {p.key: p.team_key for p in council.practitioners}
    steady = {team for team, habit in history.habits.items() if habit is Habit.STEADY}
    gaps: dict[bool, int] = {True: 0, False: 0}
    by_person: dict[str, list[date]] = {}
    for session in history.sessions:
        by_person.setdefault(session.supervisee_key, []).append(session.held_on)
        assert session.held_on < council.as_of
    for key, days in by_person.items():
        long = sum((b - a).days > 31 for a, b in itertools.pairwise(days))
        gaps[team_of[key] in steady] += long
    assert gaps[True] == 0
    assert gaps[False] > 0
    actions = [a for s in history.sessions for d in s.discussions for a in d.actions]
    assert any(a.done_on for a in actions)
    assert any(a.done_on is None for a in actions)


@pytest.mark.django_db
def test_demo_council_loads_a_history_with_compliant_and_non_compliant_teams() -> None:
    from caseload.demo_loader import load_demo_council
    from caseload.supervision.models import Action, Agreement, CaseDiscussion

    load_demo_council(size="small", seed=7, as_of=date(2026, 11, 20), password="pw-demo-12345")
    assert Session.objects.exists()
    assert CaseDiscussion.objects.exists()
    assert Agreement.objects.filter(supervisee_signed_at__isnull=False).exists()
    assert Action.objects.filter(done_at__isnull=True).exists()
    assert Action.objects.filter(done_at__isnull=False).exists()
    # Discussed cases were held by the supervisee when discussed... at least in their team.
    for discussion in CaseDiscussion.objects.select_related("case", "session__supervisee")[:50]:
        assert discussion.case.team_id == discussion.session.supervisee.team_id
    share: dict[int, tuple[int, int]] = {}
    for row in compliance.summary(on=date(2026, 11, 20)):
        total, ok = share.get(row.team_id, (0, 0))
        share[row.team_id] = (total + row.practitioners, ok + row.compliant)
    # The demo manager has someone overdue to see.
    manager_team = Practitioner.objects.get(user__username="manager").team_id
    assert manager_team is not None
    assert compliance.overdue(team_id=manager_team, on=date(2026, 11, 20))
    fully = [team for team, (total, ok) in share.items() if ok == total]

    partly = [team for team, (total, ok) in share.items() if ok < total]
    assert fully
    assert partly


def test_overdue_list_keeps_those_leaving_and_drops_those_gone(world: World) -> None:
    leaving = PractitionerFactory.create(
        team=world.team_north, family_name="Leavingsoon", left_on=date(2027, 1, 31)
    )
    gone = PractitionerFactory.create(
        team=world.team_north, family_name="Gonealready", left_on=date(2026, 11, 30)
    )
    names = [r.name for r in compliance.overdue(team_id=world.team_north.pk, on=ON)]
    assert f"{leaving.given_name} Leavingsoon" in names
    assert f"{gone.given_name} Gonealready" not in names


def test_a_published_policy_decides_who_is_overdue(north_history: World) -> None:
    """Social workers put on a monthly policy needing 120 minutes from today: Priya's 90-minute
    session of 30 Sep still counts (the version in force then asked 90), today's 90-minute one
    does not, so she stays overdue from 30 Oct; Mona (a team manager, still the default) is
    unchanged."""
    content = default_book().as_content()
    strict = {**rules.policy_as_mapping(rules.DEFAULT_POLICIES["monthly"])}
    strict.update(key="strict", label="Monthly, two hours", minimum_minutes=120)
    content["policies"].append(strict)
    content["roles"]["social_worker"] = "strict"
    publish_policy(by=north_history.pat, content=content, note="Two hours for social workers")
    held(north_history.priya_practitioner, north_history.mona, ON)
    rows = {r.name: r for r in compliance.overdue(team_id=north_history.team_north.pk, on=ON)}
    priya = rows["Priya Priyapersona"].standing
    assert priya.policy.key == "strict"
    assert (priya.last_session, priya.sessions_too_short) == (date(2026, 9, 30), 1)
    assert (priya.next_due, priya.overdue_days) == (date(2026, 10, 30), 32)
    assert "Mona Monapersona" not in rows


def test_a_version_published_last_month_judges_only_the_days_it_was_in_force(world: World) -> None:
    """Social workers go from monthly to fortnightly by a version published on 10 Nov. Both
    started 1 Aug and met every monthly due date (1 Sep, 1 Oct, 1 Nov: each of those sessions'
    next date is a month on, the interval in force on its day).
    - Ada: 12 Nov (under the new version: due 26 Nov), 26 Nov (due 10 Dec): compliant throughout.
    - Ben: 11 Nov (due 25 Nov), then nothing: late from 25 Nov, 6 days overdue on 1 Dec.
    So September and October stay 2 of 2 (judged fortnightly all along, both would be late in
    them); November and December become 1 of 2."""
    team = TeamFactory.create()
    start = date(2026, 8, 1)
    ada = PractitionerFactory.create(team=team, family_name="Ada", start_date=start)
    ben = PractitionerFactory.create(team=team, family_name="Ben", start_date=start)
    for practitioner, days in (
        (ada, (date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 11, 12))),
        (ben, (date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 11, 11))),
    ):
        for day in days:
            held(practitioner, world.mona, day)
    held(ada, world.mona, date(2026, 11, 26))

    def figures() -> list[tuple[int, int]]:
        rows = compliance.standings(on=ON, since=date(2026, 9, 1), team_ids=[team.pk])
        (trend,) = compliance.monthly(rows, on=ON, months=4, by="team", labels={})
        return [(m.in_post, m.compliant) for m in trend.months]

    assert figures() == [(2, 2), (2, 2), (2, 2), (2, 2)]
    content = default_book().as_content()
    content["policies"].append(
        {
            "key": "fortnightly",
            "label": "Fortnightly",
            "minimum_minutes": 90,
            "steps": [{"interval": "fortnight"}],
        }
    )
    content["roles"]["social_worker"] = "fortnightly"
    with time_machine.travel(datetime(2026, 11, 10, 9, tzinfo=ZoneInfo("Europe/London"))):
        publish_policy(by=world.pat, content=content, note="Fortnightly for social workers")
    assert figures() == [(2, 2), (2, 2), (2, 1), (2, 1)]
    (late,) = compliance.overdue(team_id=team.pk, on=ON)
    assert late.practitioner_id == ben.pk
    assert (late.standing.next_due, late.standing.overdue_days) == (date(2026, 11, 25), 6)
    assert late.standing.policy.key == "fortnightly"
