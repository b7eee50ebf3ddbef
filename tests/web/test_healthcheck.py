"""The Health Check: the anonymous practitioner survey, the report's figures, its published
snapshots, `caseload report healthcheck`, and who may see and do what."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from caseload import cli
from caseload.accounts.models import AccessRole, User
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.complexity.models import ModelVersion
from caseload.demo_loader import load_demo_council
from caseload.healthcheck import actions, figures
from caseload.healthcheck.models import (
    Answer,
    Participation,
    PublishedReport,
    RoleGroup,
    SurveyRound,
)
from caseload.register.models import WAITING_STATUSES, Case, Employment, Practitioner, Team
from caseload.resource.models import Establishment
from caseload.web.errors import ActionRefused
from caseload.workload.models import ExtraHours
from tests.conftest import World, client_for
from tests.factories import (
    AssessmentFactory,
    CaseFactory,
    PractitionerFactory,
    SupportRequestFactory,
    TeamFactory,
    UserFactory,
    allocated_case,
)
from tests.web.test_hostile_input import CHOICE, DIGIT_LIKE, HIDDEN, HUGE

pytestmark = pytest.mark.django_db

ANSWERS = {
    "weekly_hours": "41.5",
    "caseload": "19",
    "new_cases_expected": "4",
    "allocated_fairly": "4",
    "can_discuss_workload": "2",
}


def _open_round(w: World, **more: Any) -> SurveyRound:
    today = timezone.localdate()
    return actions.open_round(
        by=w.pat,
        period=more.get("period", "2026"),
        opens_on=more.get("opens_on", today - timedelta(days=3)),
        closes_on=more.get("closes_on", today + timedelta(days=10)),
    )


def _answers(**more: Any) -> actions.SurveyAnswers:
    values: dict[str, Any] = {
        "weekly_hours": Decimal("40"),
        "caseload": 20,
        "new_cases_expected": 3,
        "allocated_fairly": 4,
        "can_discuss_workload": 5,
        **more,
    }
    return actions.SurveyAnswers(**values)


def _respondents(team: Team, count: int, role: str = "social_worker") -> list[User]:
    users = [UserFactory.create() for _ in range(count)]
    for user in users:
        PractitionerFactory.create(user=user, team=team, role=role)
    return users


def _section(built: figures.Figures, key: str) -> figures.Section:
    return next(s for s in built["sections"] if s["key"] == key)


# The survey's anonymity


def test_an_answer_has_no_link_to_the_person_who_gave_it() -> None:
    related = {
        field.related_model
        for field in Answer._meta.get_fields()
        if field.is_relation and field.related_model is not None
    }
    assert related == {SurveyRound, Team}
    # Nor a time, nor a sequence, to line it up with who answered when.
    assert not any(
        isinstance(field, models.DateField | models.DateTimeField)
        for field in Answer._meta.get_fields()
    )
    assert isinstance(Answer._meta.pk, models.UUIDField)


def test_a_practitioner_answers_once_and_only_the_participation_names_them(world: World) -> None:
    survey_round = _open_round(world)
    client = client_for(world.priya)
    response = client.post(reverse("healthcheck_survey"), ANSWERS)
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert (answer.team_id, answer.role_group) == (world.team_north.pk, RoleGroup.SOCIAL_WORKER)
    assert answer.weekly_hours == Decimal("41.5")
    assert Participation.objects.get().user == world.priya
    event = ChangeEvent.objects.get(action=ChangeAction.SURVEY_ANSWERED)
    assert event.changes == {"survey_round": [None, survey_round.pk]}
    assert str(answer.pk) not in json.dumps(event.changes) + json.dumps(event.detail)

    again = client.post(reverse("healthcheck_survey"), ANSWERS)
    assert again.status_code == 400
    assert Answer.objects.count() == 1
    assert "You have answered this round" in client.get(reverse("healthcheck_survey")).text
    with pytest.raises(ActionRefused, match="answered this round already"):
        actions.answer_survey(by=world.priya, survey_round=survey_round, answers=_answers())
    assert Answer.objects.count() == 1


def test_no_answers_outside_an_open_round(world: World) -> None:
    today = timezone.localdate()
    closed = _open_round(
        world, opens_on=today - timedelta(days=30), closes_on=today - timedelta(days=1)
    )
    response = client_for(world.priya).post(reverse("healthcheck_survey"), ANSWERS)
    assert response.status_code == 400
    assert "No survey round is open" in response.text
    with pytest.raises(ActionRefused, match="not open"):
        actions.answer_survey(by=world.priya, survey_round=closed, answers=_answers())
    assert not Answer.objects.exists()


def test_only_case_holders_in_a_team_answer(world: World) -> None:
    survey_round = _open_round(world)
    # Mona is a team manager: her role does not answer the survey at all.
    assert client_for(world.mona).get(reverse("healthcheck_survey")).status_code == 403
    with pytest.raises(ActionRefused):
        actions.answer_survey(by=world.mona, survey_round=survey_round, answers=_answers())
    # A practitioner-role user with no practitioner record is told, and cannot answer.
    stray = UserFactory.create(access_role=AccessRole.PRACTITIONER)
    response = client_for(stray).post(reverse("healthcheck_survey"), ANSWERS)
    assert response.status_code == 400
    assert "for practitioners who hold cases" in response.text
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weekly_hours", "1e9"),
        ("weekly_hours", "-1"),
        ("weekly_hours", "40.25"),
        ("caseload", "99999999999999999999"),
        ("caseload", "\u0661\u0662\u0663\u0664"),
        ("new_cases_expected", "three"),
        ("allocated_fairly", "6"),
        ("can_discuss_workload", "\x00"),
    ],
)
def test_bad_answers_are_refused_with_a_message(world: World, field: str, value: str) -> None:
    _open_round(world)
    response = client_for(world.priya).post(
        reverse("healthcheck_survey"), {**ANSWERS, field: value}
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert not Answer.objects.exists()


@pytest.mark.parametrize("field", list(ANSWERS))
def test_hostile_answers_never_give_a_500_and_write_nothing(world: World, field: str) -> None:
    _open_round(world)
    client = client_for(world.priya)
    for value in [*HUGE, *DIGIT_LIKE, *HIDDEN, *CHOICE]:
        response = client.post(reverse("healthcheck_survey"), {**ANSWERS, field: value})
        assert response.status_code == 400, value
    assert not Answer.objects.exists()


def test_small_groups_are_merged_or_suppressed(world: World) -> None:
    survey_round = _open_round(world)
    big, middling, small = TeamFactory.create(), TeamFactory.create(), TeamFactory.create()
    people = [*_respondents(big, 6), *_respondents(middling, 5), *_respondents(small, 2)]
    for user in people:
        actions.answer_survey(by=user, survey_round=survey_round, answers=_answers())
    section = _section(figures.build(on=timezone.localdate()), "survey")
    by_group = {(row["team"], row["role"]): row["answers"] for row in section["rows"]}
    # The 2 alone would be the total less the others: the 5 join them in "other".
    assert by_group == {
        (big.name, RoleGroup.SOCIAL_WORKER.label): 6,
        (figures.OTHER, ""): 7,
        (figures.ALL_TEAMS, figures.ALL_ROLES): 13,
    }
    assert any("merged into" in note for note in section["notes"])
    row = section["rows"][0]
    assert (row["weekly_hours"], row["allocated_fairly"], row["can_discuss_workload"]) == (
        40.0,
        100,
        100,
    )


def test_under_five_answers_show_nothing(world: World) -> None:
    survey_round = _open_round(world)
    for user in _respondents(world.team_north, 4):
        actions.answer_survey(by=user, survey_round=survey_round, answers=_answers())
    section = _section(figures.build(on=timezone.localdate()), "survey")
    assert section["rows"] == []
    assert any("Fewer than 5 answers" in note for note in section["notes"])


def test_rounds_cannot_overlap(world: World) -> None:
    _open_round(world)
    today = timezone.localdate()
    with pytest.raises(ActionRefused, match="cannot overlap"):
        _open_round(world, period="2027", opens_on=today + timedelta(days=5))
    with pytest.raises(ActionRefused, match="already"):
        _open_round(
            world, opens_on=today + timedelta(days=100), closes_on=today + timedelta(days=120)
        )


def test_the_psw_opens_a_round_on_the_page(world: World) -> None:
    client = client_for(world.pat)
    opens = timezone.localdate()
    closes = opens + timedelta(days=14)
    response = client.post(
        reverse("healthcheck_rounds"),
        {
            "period": "2026",
            "opens_on_day": opens.day,
            "opens_on_month": opens.month,
            "opens_on_year": opens.year,
            "closes_on_day": closes.day,
            "closes_on_month": closes.month,
            "closes_on_year": closes.year,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert SurveyRound.objects.get().closes_on == closes
    listed = client.get(reverse("healthcheck_rounds"))
    assert "Open" in listed.text
    refused = client.post(reverse("healthcheck_rounds"), {"period": ""})
    assert refused.status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        {"period": "2026\u202e"},
        {"period": "x" * 41},
        {"opens_on_day": "1", "opens_on_month": "1", "opens_on_year": "99999999999999"},
        {"opens_on_day": "\u0661", "opens_on_month": "1", "opens_on_year": "2026"},
    ],
)
def test_bad_rounds_are_refused_with_a_message(world: World, data: dict[str, str]) -> None:
    response = client_for(world.pat).post(reverse("healthcheck_rounds"), data)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert not SurveyRound.objects.exists()


def test_the_rounds_page_asks_the_same_queries_as_rounds_are_added(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_for(world.pat)
    today = timezone.localdate()

    def add_rounds(first: int) -> None:
        for year in range(first, first + 3):
            start = today - timedelta(days=400 * (year - 1990))
            _open_round(world, period=str(year), opens_on=start, closes_on=start)

    add_rounds(2000)
    with CaptureQueriesContext(connection) as counted:
        assert client.get(reverse("healthcheck_rounds")).status_code == 200
    add_rounds(2010)
    with django_assert_num_queries(len(counted.captured_queries)):
        assert client.get(reverse("healthcheck_rounds")).status_code == 200


# The report's figures


def test_caseloads_are_counted_weighted_and_checked_against_the_safe_level(world: World) -> None:
    # A new team has the default level: amber from 85%, red above 100% of capacity.
    team = TeamFactory.create(name="Aardvark Team")
    points = ModelVersion.current().model.band(2).points
    heavy = PractitionerFactory.create(team=team, capacity_points=points)
    light = PractitionerFactory.create(team=team, capacity_points=points * 4)
    for holder, count in ((heavy, 2), (light, 1)):
        for _ in range(count):
            AssessmentFactory.create(case=allocated_case(holder))
    PractitionerFactory.create(team=team, left_on=timezone.localdate() - timedelta(days=1))
    section = _section(figures.build(on=timezone.localdate()), "caseloads")
    row = next(r for r in section["rows"] if r["team"] == "Aardvark Team")
    assert row["role"] == "Social worker"
    assert row["practitioners"] == 2  # the one who left is not counted
    assert row["average_cases"] == 1.5
    assert row["average_points"] == float(points * 3 / 2)
    assert row["utilisation"] == 60  # 3 cases' points of 5 cases' capacity
    assert (row["amber"], row["over_safe_level"], row["over_safe_level_percent"]) == (0, 1, 50)
    everyone = section["rows"][-1]
    assert (everyone["team"], everyone["role"]) == (figures.ALL_TEAMS, figures.ALL_ROLES)
    # Priya and Colin hold a case each in Older People North, plus the two here.
    assert everyone["practitioners"] == 4


def test_extra_hours_over_the_year_to_the_day(world: World) -> None:
    today = timezone.localdate()
    for days_ago, hours in ((0, "2.5"), (200, "3"), (364, "1"), (365, "8")):
        ExtraHours.objects.create(
            practitioner=world.priya_practitioner,
            worked_on=today - timedelta(days=days_ago),
            hours=Decimal(hours),
        )
    section = _section(figures.build(on=today), "extra_hours")
    row = next(r for r in section["rows"] if r["team"] == world.team_north.name)
    # The day a year back is outside the year to the day.
    assert (row["practitioners"], row["recording"], row["hours"]) == (2, 1, 6.5)
    assert row["average_hours"] == 3.3


def test_vacancies_and_agency_use_from_the_establishment(world: World) -> None:
    team = TeamFactory.create(name="Aardvark Team")
    Establishment.objects.create(
        team=team,
        role="social_worker",
        funded_fte=Decimal("4"),
        effective_from=timezone.localdate() - timedelta(days=30),
        recorded_by=world.pat,
        recorded_at=timezone.now(),
    )
    PractitionerFactory.create(team=team, fte=Decimal("1"))
    PractitionerFactory.create(team=team, fte=Decimal("0.5"))
    PractitionerFactory.create(team=team, fte=Decimal("1"), employment=Employment.AGENCY)
    section = _section(figures.build(on=timezone.localdate()), "resource")
    assert section["available"] is True
    row = next(r for r in section["rows"] if r["team"] == "Aardvark Team")
    # The agency worker covers a post that stays vacant: 4 funded less 1.5 employed.
    assert row == {
        "team": "Aardvark Team",
        "role": "Social worker",
        "funded_fte": 4.0,
        "fte_in_post": 2.5,
        "vacancy_fte": 2.5,
        "vacancy_percent": 62,
        "agency_fte": 1.0,
        "agency_percent": 40,
    }
    assert (section["rows"][-1]["team"], section["rows"][-1]["role"]) == (
        figures.ALL_TEAMS,
        figures.ALL_ROLES,
    )


def test_waiting_times_per_team_and_for_every_team(world: World) -> None:
    today = timezone.localdate()
    team = TeamFactory.create()
    for days in (10, 20, 30, 40):
        request = SupportRequestFactory.create(received_at=timezone.now() - timedelta(days=days))
        CaseFactory.create(team=team, request=request, person=request.person)
    # A held case whose review fell due 5 days ago waits from then, not from its first request.
    request = SupportRequestFactory.create(received_at=timezone.now() - timedelta(days=700))
    CaseFactory.create(
        team=team, request=request, person=request.person, next_review_on=today - timedelta(days=5)
    )
    section = _section(figures.build(on=today), "waiting")
    assert section["available"] is True
    [row] = [row for row in section["rows"] if row["team"] == team.name]
    assert row["waiting"] == 5
    assert row["median_days"] == pytest.approx(21, abs=1)
    assert row["p90_days"] == pytest.approx(37, abs=1.5)
    every = section["rows"][-1]
    assert every["team"] == figures.ALL_TEAMS
    assert every["waiting"] == Case.objects.filter(status__in=WAITING_STATUSES).count()


def test_the_page_shows_the_report_and_prints_without_navigation(world: World) -> None:
    response = client_for(world.dee).get(reverse("healthcheck_report"))
    assert response.status_code == 200
    text = response.text
    assert "Employer Standards Health Check" in text
    assert "Caseloads and the safe working level" in text
    assert "Waiting times" in text
    # The director reads it; only the PSW publishes.
    assert "Publish this Health Check" not in text
    assert (
        "Publish this Health Check" in client_for(world.pat).get(reverse("healthcheck_report")).text
    )
    # Names never appear: the report is counts and averages.
    assert world.priya_practitioner.family_name not in text


def test_publishing_freezes_the_figures(world: World) -> None:
    client = client_for(world.pat)
    response = client.post(reverse("healthcheck_publish"))
    published = PublishedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("healthcheck_published", args=[published.pk])
    assert published.published_by == world.pat
    assert published.as_of == timezone.localdate()
    assert published.figures == json.loads(json.dumps(figures.build(on=published.as_of)))
    assert ChangeEvent.objects.filter(action=ChangeAction.HEALTH_CHECK_PUBLISHED).exists()

    before = _section(published.figures, "caseloads")["rows"][-1]["average_cases"]
    for _ in range(3):
        allocated_case(world.priya_practitioner)
    live = _section(figures.build(on=timezone.localdate()), "caseloads")["rows"][-1]
    assert live["average_cases"] != before
    page = client_for(world.dee).get(reverse("healthcheck_published", args=[published.pk]))
    assert page.status_code == 200
    published.refresh_from_db()
    assert _section(published.figures, "caseloads")["rows"][-1]["average_cases"] == before
    assert f'<td class="govuk-table__cell govuk-table__cell--numeric">{before}</td>' in page.text


def test_a_director_cannot_publish_and_a_missing_report_is_not_found(world: World) -> None:
    assert client_for(world.dee).post(reverse("healthcheck_publish")).status_code == 403
    with pytest.raises(ActionRefused):
        actions.publish_report(by=world.dee)
    assert not PublishedReport.objects.exists()
    missing = reverse("healthcheck_published", args=[987654])
    assert client_for(world.pat).get(missing).status_code == 404


@pytest.mark.parametrize("who", ["priya", "mona", "max", "ada"])
def test_other_roles_cannot_see_the_health_check(world: World, who: str) -> None:
    user = getattr(world, who)
    published = actions.publish_report(by=world.pat)
    client = client_for(user)
    assert client.get(reverse("healthcheck_report")).status_code == 403
    assert client.get(reverse("healthcheck_published", args=[published.pk])).status_code == 403
    assert client.get(reverse("healthcheck_rounds")).status_code == 403
    assert client.post(reverse("healthcheck_publish")).status_code == 403


def test_the_report_page_asks_the_same_queries_as_the_council_grows(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    survey_round = _open_round(world)
    client = client_for(world.pat)
    client.get(reverse("healthcheck_report"))  # sessions, the model version: warmed up

    def grow() -> None:
        team = TeamFactory.create()
        for user in _respondents(team, 5):
            practitioner = Practitioner.objects.get(user=user)
            AssessmentFactory.create(case=allocated_case(practitioner))
            actions.answer_survey(by=user, survey_round=survey_round, answers=_answers())
        actions.publish_report(by=world.pat)

    grow()
    with CaptureQueriesContext(connection) as counted:
        client.get(reverse("healthcheck_report"))
    first = len(counted.captured_queries)
    grow()
    grow()
    with django_assert_num_queries(first):
        assert client.get(reverse("healthcheck_report")).status_code == 200


# `caseload report healthcheck`


def _run_report(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    assert cli.main(["report", "healthcheck", "--out", str(target)]) == 0
    return target


def test_the_command_writes_json_with_the_pages_figures(world: World, tmp_path: Path) -> None:
    document = json.loads(_run_report(tmp_path, "hc.json").read_text("utf-8"))
    assert set(document) == {"title", "as_of", "sections"}
    assert document["as_of"] == timezone.localdate().isoformat()
    assert [s["key"] for s in document["sections"]] == [
        "caseloads",
        "waiting",
        "extra_hours",
        "supervision",
        "resource",
        "survey",
    ]
    for section in document["sections"]:
        assert set(section) == {"key", "title", "available", "notes", "columns", "rows"}
    assert document == json.loads(json.dumps(figures.build(on=timezone.localdate())))


def test_the_command_writes_csv_and_xlsx_as_one_long_table(world: World, tmp_path: Path) -> None:
    with _run_report(tmp_path, "hc.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == list(figures.TABLE_COLUMNS)
    caseload_rows = [r for r in rows if r["section"] == "Caseloads and the safe working level"]
    everyone = {"team": "All teams", "role": "All roles", "measure": "Practitioners"}
    assert next(r for r in caseload_rows if everyone.items() <= r.items())["value"] == "2"
    assert any(r["section"] == "Waiting times" and r["value"] != "" for r in rows)

    sheet = openpyxl.load_workbook(_run_report(tmp_path, "hc.xlsx"), read_only=True).active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == figures.TABLE_COLUMNS
    assert len(lines) == len(rows) + 1
    # Read-only sheets leave off a row's empty cells at its end.
    numbers = [line[4] for line in lines[1:] if len(line) > 4 and isinstance(line[4], int | float)]
    assert numbers  # figures are numbers in the spreadsheet, not text


def test_the_command_refuses_another_kind_of_file(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["report", "healthcheck", "--out", str(tmp_path / "hc.txt")]) == 2
    assert "nothing written" in capsys.readouterr().err
    assert not (tmp_path / "hc.txt").exists()


def test_nothing_is_written_for_a_round_with_no_answers_yet(world: World) -> None:
    _open_round(world, opens_on=timezone.localdate())
    section = _section(figures.build(on=timezone.localdate()), "survey")
    assert section["rows"] == []


def test_the_demo_council_has_a_survey_round_reported_in_groups(db: None) -> None:
    today = timezone.localdate()
    load_demo_council(size="small", seed=7, as_of=today, password="pw-demo-12345")
    survey_round = SurveyRound.objects.get()
    assert survey_round.closes_on < today
    assert Participation.objects.count() == Answer.objects.count() > 0
    section = _section(figures.build(on=today), "survey")
    assert section["rows"], section["notes"]
    assert all(row["answers"] >= 5 for row in section["rows"])  # type: ignore[operator]
    assert section["rows"][-1]["answers"] == Answer.objects.count()
