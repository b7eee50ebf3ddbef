"""The SAC report, the records export, the quality view and the annual report's section."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from caseload import cli
from caseload.audit.models import AccessAction, AccessLogEntry
from caseload.register.models import Team
from caseload.sacreport import quality, records
from caseload.sacreport.annual import annual_section
from caseload.safeguarding.models import Enquiry
from caseload_engine import sac
from caseload_engine.dates import add_months
from tests.conftest import World, client_for
from tests.factories import PersonFactory
from tests.safeguarding_factories import (
    ConcernFactory,
    ConcludedEnquiryFactory,
    DecidedConcernFactory,
    EnquiryFactory,
)


@pytest.fixture(name="world")
def _world(shared_world: World) -> World:
    return shared_world


def this_year() -> sac.FinancialYear:
    return sac.year_of(timezone.localdate())


def concluded(team: Team, **fields: object) -> Enquiry:
    """A Section 42 enquiry concluded two days ago, of `team`."""
    return ConcludedEnquiryFactory.create(concern__team=team, **fields)


SEE_THE_PAGES = {"principal_social_worker", "safeguarding_lead"}


def grow(world: World, count: int) -> None:
    """`count` concluded Section 42 enquiries for different people, in both teams, and an
    undecided concern."""
    for number in range(count):
        team = world.team_north if number % 2 else world.team_south
        concluded(
            team,
            concern__person=PersonFactory.create(sex="female", ethnicity="white"),
            concern__risk_types=["physical", "financial_or_material"][: 1 + number % 2],
            msp_asked="asked_expressed" if number % 3 else "not_asked",
            msp_achieved="partially" if number % 3 else "",
            outcomes_not_asked_reason="" if number % 3 else "Synthetic: too unwell to be asked",
        )
    ConcernFactory.create(team=world.team_north)


# -- the records export and the report agree ---------------------------------------------------


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_export_has_one_object_per_enquiry_with_the_issues_keys(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    person = PersonFactory.create(
        sex="male",
        ethnicity="asian",
        date_of_birth=date(1940, 1, 1),
        primary_support_reason="memory_cognition",
    )
    enquiry = concluded(
        world.team_north,
        concern__person=person,
        concern__risk_types=["self_neglect", "neglect_and_acts_of_omission"],
        concern__location_of_risk="care_home_nursing",
        concern__source_of_risk="service_provider",
        lacked_capacity=True,
        support="advocate",
    )
    EnquiryFactory.create(concern__team=world.team_south)  # open
    code, out, _ = run(["export", "enquiries", "--json"], capsys)
    assert code == 0
    exported = json.loads(out)
    assert len(exported) == 2
    assert all(tuple(obj) == sac.ENQUIRY_KEYS for obj in exported)
    mine = next(obj for obj in exported if obj["enquiry_id"] == enquiry.pk)
    assert mine == {
        "enquiry_id": enquiry.pk,
        "person_id": person.pk,
        "kind": "section_42",
        "criteria": {
            "care_and_support_needs": True,
            "abuse_or_neglect": True,
            "unable_to_protect": True,
        },
        "started_on": enquiry.started_on.isoformat(),
        "concluded_on": str(enquiry.concluded_on),
        "lead_role": "social_worker",
        "types_of_risk": ["neglect_and_acts_of_omission", "self_neglect"],
        "location_of_risk": "care_home_nursing",
        "source_of_risk": "service_provider",
        "msp_asked": "asked_expressed",
        "msp_achieved": "fully",
        "action_and_result": "risk_identified_action",
        "risk_outcome": "reduced",
        "lacked_capacity": True,
        "support": "advocate",
        "age_band": "85-94",
        "sex": "male",
        "ethnicity": "asian",
        "primary_support_reason": "memory_cognition",
    }
    still_open = next(obj for obj in exported if obj["enquiry_id"] != enquiry.pk)
    assert still_open["concluded_on"] is None
    assert still_open["msp_asked"] == "not_recorded"
    assert still_open["risk_outcome"] is None


def test_the_tables_and_the_export_agree_exactly(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grow(world, 9)
    # Last year's enquiry: outside the year, in neither.
    concluded(
        world.team_north,
        concern__received_at=timezone.now() - timedelta(days=400),
        started_on=this_year().start - timedelta(days=60),
        concluded_on=this_year().start - timedelta(days=1),
    )
    year = str(this_year())
    code, out, _ = run(["export", "enquiries", "--json", "--year", year], capsys)
    exported = sac.enquiries_from_json(json.loads(out))
    assert code == 0
    code, out, _ = run(["export", "concerns", "--json", "--year", year], capsys)
    assert code == 0
    concerns = sac.concerns_from_json(json.loads(out))
    assert len(exported) == 9
    assert len(concerns) == 10
    rebuilt = sac.tables(enquiries=exported, concerns=concerns, year=this_year())
    target = tmp_path / "sac.json"
    assert run(["report", "sac", "--year", year, "--raw", "--out", str(target)], capsys)[0] == 0
    report = json.loads(target.read_text("utf-8"))
    assert report["tables"] == [sac.raw(table).as_json() for table in rebuilt]
    # And the suppressed report is the same tables, suppressed.
    assert run(["report", "sac", "--year", year, "--out", str(target)], capsys)[0] == 0
    report = json.loads(target.read_text("utf-8"))
    assert report["tables"] == [sac.publish(table).as_json() for table in rebuilt]
    started = next(t for t in report["tables"] if t["key"] == "enquiries_started")
    assert started["rows"] == [["Section 42 enquiry", 9], ["Other enquiry", 0], ["Total", 9]]


def test_the_report_json_keys_and_the_long_table_files(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grow(world, 2)
    year = str(this_year())
    target = tmp_path / "sac.json"
    code, out, _ = run(["report", "sac", "--year", year, "--out", str(target)], capsys)
    assert code == 0
    assert f"for {year} (small numbers suppressed)" in out
    report = json.loads(target.read_text("utf-8"))
    assert set(report) == {"report", "year", "from", "to", "suppressed", "tables"}
    assert (report["year"], report["suppressed"]) == (year, True)
    assert [t["key"] for t in report["tables"]] == [
        "concerns",
        "enquiries_started",
        "individuals_by_age_band",
        "individuals_by_sex",
        "individuals_by_ethnicity",
        "individuals_by_primary_support_reason",
        "type_of_risk",
        "location_of_risk",
        "action_and_result",
        "risk_outcome",
        "msp_asked",
        "msp_achieved",
        "mental_capacity",
        "support",
    ]
    concerns = report["tables"][0]
    assert concerns["rows"] == [["Concerns received", "*"]]  # 3: suppressed
    assert (
        run(["report", "sac", "--year", year, "--out", str(tmp_path / "sac.csv")], capsys)[0] == 0
    )
    with (tmp_path / "sac.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == list(sac.LONG_COLUMNS)
    assert rows[0] == {
        "table": "Safeguarding concerns received",
        "row": "Concerns received",
        "column": "Number",
        "value": "*",
    }
    assert (
        run(["report", "sac", "--year", year, "--out", str(tmp_path / "sac.xlsx")], capsys)[0] == 0
    )
    sheet = openpyxl.load_workbook(tmp_path / "sac.xlsx", read_only=True).active
    assert sheet is not None
    assert len(list(sheet.iter_rows(values_only=True))) == len(rows) + 1


@pytest.mark.parametrize("year", ["2025", "2025-27", "twenty", "2025/26"])
def test_a_bad_year_is_refused_clearly(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], year: str
) -> None:
    target = tmp_path / "sac.json"
    for args in (
        ["report", "sac", "--year", year, "--out", str(target)],
        ["export", "enquiries", "--json", "--year", year],
    ):
        with pytest.raises(SystemExit) as stopped:
            cli.main(args)
        assert stopped.value.code == 2
        assert "not a financial year like 2025-26" in capsys.readouterr().err
    assert not target.exists()


def test_the_export_needs_json_and_the_report_a_known_file(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["export", "enquiries"])
    assert "--json" in capsys.readouterr().err
    code, _, err = run(["report", "sac", "--out", str(tmp_path / "sac.txt")], capsys)
    assert code == 2
    assert "nothing written" in err
    code, _, err = run(["report", "healthcheck", "--year", "2025-26", "--out", "x.json"], capsys)
    assert (code, "--year and --raw are for the sac report" in err) == (2, True)


def test_the_export_writes_a_file(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grow(world, 1)
    target = tmp_path / "enquiries.json"
    code, out, _ = run(["export", "enquiries", "--json", "--out", str(target)], capsys)
    assert (code, out.strip()) == (0, f"Wrote 1 enquiry into {target}.")
    assert len(json.loads(target.read_text("utf-8"))) == 1


# -- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sacreport_return", "sacreport_quality"])
def test_only_the_psw_and_the_safeguarding_lead_see_the_pages(world: World, name: str) -> None:
    for role, user in world.by_role().items():
        expected = 200 if role in SEE_THE_PAGES else 403
        assert client_for(user).get(reverse(name)).status_code == expected, role


def test_the_download_is_refused_to_other_roles(world: World) -> None:
    url = f"{reverse('sacreport_download')}?year={this_year()}&format=csv"
    for role, user in world.by_role().items():
        expected = 200 if role in SEE_THE_PAGES else 403
        assert client_for(user).get(url).status_code == expected, role


def test_the_return_page_shows_the_years_tables_suppressed(world: World) -> None:
    grow(world, 6)
    page = client_for(world.pat).get(reverse("sacreport_return"), {"year": str(this_year())})
    assert page.status_code == 200
    tables = {t.key: t for t in page.context["tables"]}
    assert dict(tables["enquiries_started"].rows)["Section 42 enquiry"] == (6,)
    assert dict(tables["individuals_by_sex"].rows)["Female"] == (6, 0)
    assert dict(tables["concerns"].rows)["Concerns received"] == (7,)
    assert "(suppressed)" in page.content.decode()


FULLWIDTH_YEAR = "\uff12\uff10\uff12\uff15-\uff12\uff16"


@pytest.mark.parametrize("year", ["1999-00", "2025-27", "x" * 500, FULLWIDTH_YEAR])
def test_a_year_not_offered_is_a_form_error(world: World, year: str) -> None:
    page = client_for(world.pat).get(reverse("sacreport_return"), {"year": year})
    assert page.status_code == 400
    assert "Choose a financial year from the list" in page.content.decode()


@pytest.mark.parametrize("kind", ["xlsx", "csv", "json"])
def test_the_downloads(world: World, kind: str) -> None:
    grow(world, 3)
    year = str(this_year())
    response = client_for(world.pat).get(
        reverse("sacreport_download"), {"year": year, "format": kind}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="sac-{year}.{kind}"'
    if kind == "json":
        assert json.loads(response.content)["year"] == year
    elif kind == "csv":
        assert response.content.decode("utf-8-sig").startswith("table,row,column,value")


def test_a_bad_download_format_is_a_form_error(world: World) -> None:
    response = client_for(world.pat).get(
        reverse("sacreport_download"), {"year": str(this_year()), "format": "exe"}
    )
    assert response.status_code == 400
    assert "Choose xlsx, csv or json" in response.content.decode()


# The session, the user and their authenticator; the records (enquiries, their types of risk,
# concerns); the header's practitioner and notification count; the session's save (savepoint,
# update, release).
RETURN_QUERIES = 11
# The same less the records, plus the teams (the figures, then the filter), the concerns, the
# enquiries, the sample (ids, then rows) and the access log entry (two inserts).
QUALITY_QUERIES = 16


@pytest.mark.parametrize("count", [1, 6])
def test_query_counts_constant(
    world: World, django_assert_num_queries: DjangoAssertNumQueries, count: int
) -> None:
    grow(world, count)
    psw = client_for(world.pat)
    with django_assert_num_queries(RETURN_QUERIES):
        assert psw.get(reverse("sacreport_return")).status_code == 200
    month = f"{timezone.localdate() - timedelta(days=2):%Y-%m}"
    with django_assert_num_queries(QUALITY_QUERIES):
        page = psw.get(reverse("sacreport_quality"), {"month": month, "size": "20"})
        assert page.status_code == 200
    assert len(page.context["sample"]) == count


# -- the quality view --------------------------------------------------------------------------


def test_the_quality_measures_by_hand(world: World) -> None:
    today = timezone.localdate()
    # Every record in the month reported on, whatever today's date: received two days ago,
    # the day the enquiries concluded (a day later, on the 2nd of a month, it fell outside).
    received = timezone.now() - timedelta(days=2)
    person = PersonFactory.create()
    # Two concerns: one to Section 42 (in time), one to no further action.
    first = concluded(
        world.team_north,
        concern__person=person,
        concern__received_at=received,
        msp_asked="asked_expressed",
    )
    DecidedConcernFactory.create(
        team=world.team_north,
        received_at=received,
        decision="no_further_action",
        criterion_unable_to_protect=False,
        decision_reason="Synthetic: support in place",
    )
    # A repeat for the same person, asked but no outcomes expressed, risk removed.
    concluded(
        world.team_north,
        concern__person=person,
        concern__received_at=received,
        msp_asked="asked_none_expressed",
        outcomes_not_asked_reason="Synthetic: wanted nothing more",
        msp_achieved="",
        risk_outcome="removed",
        started_on=first.started_on + timedelta(days=1),
    )
    built = quality.build(last_month=today - timedelta(days=2), team=world.team_north)
    overall = built.overall
    assert (overall.msp_asked.count, overall.msp_asked.of) == (2, 2)
    assert (overall.msp_achieved.count, overall.msp_achieved.of) == (1, 1)
    assert (overall.conversion.count, overall.conversion.of) == (2, 3)
    assert (overall.repeat.count, overall.repeat.of) == (1, 2)
    assert (overall.risk_reduced.count, overall.risk_reduced.of) == (2, 2)
    assert [team for team, _ in built.by_team] == [world.team_north]
    [(team, monthly)] = built.msp_by_team_month
    assert team == world.team_north
    asked, achieved = monthly[-1]  # both concluded two days ago
    assert (asked.count, asked.of, achieved.count, achieved.of) == (2, 2, 1, 1)
    assert built.months[-1] == (today - timedelta(days=2)).replace(day=1)
    assert len(built.months) == 12


def test_the_sample_is_reproducible_and_logged(world: World) -> None:
    grow(world, 8)
    month = timezone.localdate() - timedelta(days=2)
    one = quality.sample_enquiries(month=month, size=5, seed=7)
    assert len(one) == 5
    assert one == quality.sample_enquiries(month=month, size=5, seed=7)
    assert {e.pk for e in quality.sample_enquiries(month=month, size=8, seed=3)} == set(
        Enquiry.objects.values_list("pk", flat=True)
    )
    page = client_for(world.pat).get(
        reverse("sacreport_quality"), {"month": f"{month:%Y-%m}", "size": "5", "seed": "7"}
    )
    assert [e.pk for e in page.context["sample"]] == [e.pk for e in one]
    entry = AccessLogEntry.objects.get(user_id=world.pat.pk, action=AccessAction.LIST_PEOPLE)
    assert set(entry.subjects.values_list("person_id", flat=True)) == {e.person_id for e in one}
    assert reverse("safeguarding_enquiry", args=[one[0].pk]) in page.content.decode()
    # The PSW can take the month's enquiries to a themed case file audit; the lead cannot.
    month_start = month.replace(day=1)
    month_end = add_months(month_start, 1) - timedelta(days=1)
    themed = (
        f"{reverse('audits_sample')}?month={month:%Y-%m}&amp;"
        f"s42_closed={month_start.isoformat()}..{month_end.isoformat()}"
    )
    assert themed in page.content.decode()
    lead_page = client_for(world.sally).get(
        reverse("sacreport_quality"), {"month": f"{month:%Y-%m}"}
    )
    assert reverse("audits_sample") not in lead_page.content.decode()
    sampled = client_for(world.pat).get(themed.replace("&amp;", "&"))
    assert sampled.status_code == 200
    assert sampled.context["form"].is_valid()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("seed", "¹²", "Enter the sample number in digits"),
        ("seed", "1" * 10, "up to 9 digits"),
        ("size", "1000000", "Choose 5, 10 or 20 enquiries"),
        ("month", "1999-01", "Choose a month from the list"),
        ("team", "999999", "Choose a team from the list"),
    ],
)
def test_bad_filters_are_form_errors(world: World, field: str, value: str, message: str) -> None:
    page = client_for(world.pat).get(reverse("sacreport_quality"), {field: value})
    assert page.status_code == 400
    assert message in page.content.decode()


def test_a_sample_number_in_other_digits_is_read(world: World) -> None:
    page = client_for(world.pat).get(reverse("sacreport_quality"), {"seed": "\uff17"})
    assert page.status_code == 200
    assert page.context["seed"] == 7


# -- the annual report's section ---------------------------------------------------------------


def test_the_annual_section(world: World) -> None:
    grow(world, 6)
    year = this_year()
    section = annual_section(start=year.start, end=year.end)
    assert set(section) == {"title", "paragraphs", "tables"}
    assert all(isinstance(p, str) for p in section["paragraphs"])
    assert "received 7 safeguarding concerns" in section["paragraphs"][0]
    assert "started 6 Section 42 enquiries" in section["paragraphs"][0]
    for table in section["tables"]:
        assert set(table) == {"caption", "headers", "rows"}
        assert all(len(row) == len(table["headers"]) for row in table["rows"])
        assert all(isinstance(cell, str) for row in table["rows"] for cell in row)
    assert records.year_tables(year)  # the same records


def test_every_count_for_the_return_itself(world: World) -> None:
    grow(world, 3)
    year = str(this_year())
    psw = client_for(world.pat)
    page = psw.get(reverse("sacreport_return"), {"year": year, "counts": "raw"})
    tables = {t.key: t for t in page.context["tables"]}
    assert dict(tables["enquiries_started"].rows)["Section 42 enquiry"] == (3,)
    assert "Do not publish these tables" in page.content.decode()
    response = psw.get(
        reverse("sacreport_download"), {"year": year, "format": "json", "counts": "raw"}
    )
    assert response["Content-Disposition"] == f'attachment; filename="sac-{year}-every-count.json"'
    assert json.loads(response.content)["suppressed"] is False
    refused = psw.get(reverse("sacreport_return"), {"year": year, "counts": "all"})
    assert refused.status_code == 400
    assert "Choose published or every count" in refused.content.decode()
