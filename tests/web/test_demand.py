"""The demand page: who sees which teams' figures (counts only), hostile filters, query counts;
the contingency plan (versioned, audited); the forecast job (stored, idempotent, refused for a
short history, drawn on the page)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.demand.actions import record_contingency_plan
from caseload.demand.figures import local_midnight, week_start
from caseload.demand.jobs import make_forecasts
from caseload.demand.models import ContingencyPlan, RequestForecast
from caseload.jobs.models import Job
from caseload.register.models import Team
from caseload.web.errors import ActionRefused
from tests.conftest import World, client_for
from tests.factories import (
    AssessmentFactory,
    CaseFactory,
    SupportRequestFactory,
    TeamFactory,
)
from tests.web.jobs import started_job


def _requests(team: Team, *, weeks: int, per_week: int = 2) -> None:
    """Requests for `weeks` whole weeks before this one, more in winter."""
    this_monday = week_start(timezone.localdate())
    for back in range(1, weeks + 1):
        monday = this_monday - timedelta(weeks=back)
        winter = monday.month in (12, 1, 2)
        # Winter busier, and a little different each week: the years are not copies.
        for n in range(per_week + (2 if winter else 0) + back % 3):
            received = local_midnight(monday + timedelta(days=n % 5)) + timedelta(hours=10)
            request = SupportRequestFactory.create(received_at=received)
            CaseFactory.create(team=team, request=request, person=request.person)


def test_a_practitioner_sees_only_their_teams_counts(world: World) -> None:
    page = client_for(world.priya).get(reverse("demand"))
    assert page.status_code == 200
    text = page.content.decode()
    assert world.team_north.name in text
    assert world.team_south.name not in text
    # Counts only: the people waiting are not named.
    assert world.case_waiting_north.person.family_name not in text
    assert [team.pk for team in page.context["figures"]["filters"].teams] == [world.team_north.pk]
    assert page.context["figures"]["waiting"].count == 1


@pytest.mark.parametrize("digits", [str, lambda pk: "".join(chr(0x660 + int(d)) for d in str(pk))])
def test_another_team_in_the_url_is_a_form_error_not_its_figures(
    world: World, digits: Callable[[int], str]
) -> None:
    page = client_for(world.priya).get(reverse("demand"), {"team": digits(world.team_south.pk)})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Choose a team from the list" in text
    assert page.context["figures"] is None
    assert world.team_south.name not in text


def test_the_director_and_psw_see_every_team(world: World) -> None:
    for user in (world.dee, world.pat):
        page = client_for(user).get(reverse("demand"))
        assert page.status_code == 200
        assert {t.pk for t in page.context["figures"]["filters"].teams} == {
            world.team_north.pk,
            world.team_south.pk,
        }
        assert page.context["figures"]["waiting"].count == 2


@pytest.mark.parametrize("who", ["ada"])
def test_roles_without_demand_are_refused(world: World, who: str) -> None:
    assert client_for(getattr(world, who)).get(reverse("demand")).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"until": "2026-13-45"},
        {"until": "31/12/2026"},
        {"until": "9999-12-31"},
        {"until": "1900-01-01"},
        {"weeks": "99999999999999999999"},
        {"weeks": "-1"},
        {"team": "99999999999999999999999"},
        {"team": "1\x00"},
        {"tier": "7"},
        {"tier": "\x07"},
        {"route": "'; drop table x"},
    ],
)
def test_hostile_filters_give_a_message_not_an_error(world: World, query: dict[str, str]) -> None:
    page = client_for(world.pat).get(reverse("demand"), query)
    assert page.status_code == 200
    assert "govuk-error-summary" in page.content.decode()


def test_filters_narrow_the_figures(world: World) -> None:
    AssessmentFactory.create(case=world.case_waiting_north)  # tier 2
    pat = client_for(world.pat)
    page = pat.get(
        reverse("demand"),
        {"team": str(world.team_north.pk), "tier": "2", "route": "community_other", "weeks": "13"},
    )
    assert page.status_code == 200
    figures = page.context["figures"]
    assert figures["waiting"].count == 1
    assert len(figures["requests"].weekly) == 13
    unscored = pat.get(reverse("demand"), {"tier": "none"}).context["figures"]
    assert unscored["waiting"].count == 1  # south's
    assert (
        "there is none for cases not yet scored"
        in pat.get(reverse("demand"), {"tier": "none"}).content.decode()
    )


def _grow(world: World, *, teams: int, per_team: int) -> None:
    for _ in range(teams):
        team = TeamFactory.create()
        for case in CaseFactory.create_batch(per_team, team=team):
            AssessmentFactory.create(case=case)
        record_contingency_plan(by=world.pat, team=team, text="Ask the duty team")


def test_query_count_is_constant_as_data_grows(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    pat = client_for(world.pat)
    pat.get(reverse("demand"))  # the complexity model, recorded once
    _requests(world.team_north, weeks=3)
    make_forecasts(on=timezone.localdate(), refresh=True)
    queries = {"": {}, "one team": {"team": str(world.team_north.pk)}}
    counted = {}
    for name, query in queries.items():
        with CaptureQueriesContext(connection) as small:
            assert pat.get(reverse("demand"), query).status_code == 200
        counted[name] = len(small.captured_queries)
    _grow(world, teams=3, per_team=4)
    _requests(world.team_north, weeks=10)
    make_forecasts(on=timezone.localdate(), refresh=True)
    for name, query in queries.items():
        with django_assert_num_queries(counted[name]):
            assert pat.get(reverse("demand"), query).status_code == 200


def test_the_contingency_plan_is_versioned_audited_and_shown(world: World) -> None:
    mona = client_for(world.mona)
    url = reverse("demand_contingency_plan", args=[world.team_north.pk])
    assert (
        mona.post(url, {"text": "Ask Older People South to take tier 1 reviews."}).status_code
        == 302
    )
    assert (
        mona.post(url, {"text": "Agency cover for 8 weeks;\nweekly report to the PSW."}).status_code
        == 302
    )
    plans = list(ContingencyPlan.objects.filter(team=world.team_north).order_by("version"))
    assert [p.version for p in plans] == [1, 2]
    events = ChangeEvent.objects.filter(action=ChangeAction.CONTINGENCY_PLAN_RECORDED)
    assert [e.changes for e in events.order_by("pk")] == [
        {"plan_version": [None, 1]},
        {"plan_version": [1, 2]},
    ]
    page = client_for(world.priya).get(reverse("demand")).content.decode()
    assert "Agency cover for 8 weeks" in page
    assert "version 2" in page
    # The same text again is no new version.
    again = mona.post(url, {"text": "Agency cover for 8 weeks;\nweekly report to the PSW."})
    assert again.status_code == 200
    assert "already in force" in again.content.decode()
    assert ContingencyPlan.objects.filter(team=world.team_north).count() == 2


def test_only_the_teams_manager_or_the_psw_record_a_plan(world: World) -> None:
    for user in (world.max, world.priya, world.dee):
        with pytest.raises(ActionRefused):
            record_contingency_plan(by=user, team=world.team_north, text="Not theirs")
    assert (
        client_for(world.max)
        .get(reverse("demand_contingency_plan", args=[world.team_north.pk]))
        .status_code
        == 404
    )
    assert record_contingency_plan(by=world.pat, team=world.team_north, text="PSW's").version == 1


def test_demand_over_capacity_is_said_in_words(world: World) -> None:
    for case in CaseFactory.create_batch(12, team=world.team_south):
        AssessmentFactory.create(case=case)  # 12 tier 2 cases against one manager's capacity
    record_contingency_plan(by=world.max, team=world.team_south, text="Borrow from North.")
    page = client_for(world.dee).get(reverse("demand"), {"team": str(world.team_south.pk)})
    text = page.content.decode()
    [row] = page.context["figures"]["capacity"]
    assert row.over
    assert "Demand exceeds capacity" in text
    assert "Borrow from North." in text


def test_a_short_history_is_refused_with_the_reason(world: World) -> None:
    _requests(world.team_north, weeks=30)
    assert make_forecasts(on=timezone.localdate(), refresh=False) == 2
    north = RequestForecast.objects.get(team=world.team_north, tier__isnull=True)
    assert north.method == ""
    assert "needs at least 104" in north.refused
    page = client_for(world.mona).get(reverse("demand")).content.decode()
    assert "There is no forecast" in page
    assert "needs at least 104" in page


def test_the_forecast_job_stores_forecasts_once_a_week(world: World) -> None:
    _requests(world.team_north, weeks=110)
    today = timezone.localdate()
    assert make_forecasts(on=today, refresh=False) == 2
    forecast = RequestForecast.objects.get(team=world.team_north, tier__isnull=True)
    assert forecast.refused == ""
    assert forecast.history_weeks == 110
    assert forecast.history_to == week_start(today) - timedelta(weeks=1)
    assert [p["week"] for p in forecast.points] == [
        (week_start(today) + timedelta(weeks=n)).isoformat() for n in range(12)
    ]
    assert all(p["lower"] <= p["forecast"] <= p["upper"] for p in forecast.points)
    assert forecast.mase is not None
    assert math.isfinite(forecast.mase)
    # The team's one scored case (tier 2) makes a series of its own: none in all but one week.
    rows = {(f.tier, f.method == "") for f in RequestForecast.objects.filter(team=world.team_north)}
    assert rows == {(None, False), (2, False)}
    # The day's run again: nothing to do. Asked for again: the same rows, made again.
    assert make_forecasts(on=today, refresh=False) == 0
    assert make_forecasts(on=today, refresh=True) == 2
    assert RequestForecast.objects.filter(team=world.team_north).count() == 2
    page = client_for(world.mona).get(reverse("demand")).content.decode()
    assert forecast.backtest.replace("'", "&#x27;") in page
    first_week = forecast.weeks[0][0]
    assert f"{first_week.day} {first_week:%b %Y}" in page
    assert '"name": "Forecast"' in page  # the chart's data, drawn with its band


def test_the_psw_runs_the_forecasts_again(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.pat).post(reverse("demand_run_forecasts"))
    job = started_job(response)
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    assert job.parameters["refresh"] is True
    assert RequestForecast.objects.filter(tier__isnull=True).count() == 2
    assert date.fromisoformat(job.parameters["on"]) == timezone.localdate()
