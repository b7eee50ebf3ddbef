"""Workforce planning in the product (issue 13): the planning page, running a plan as a job,
saving, renaming, deleting (audited), comparing, YAML download and upload, the ready-made
variants, `caseload plan-councils`, the demo's plan, and who may do what."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from caseload import cli
from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.jobs import tasks
from caseload.jobs.models import Job
from caseload.planning import actions, assumptions
from caseload.planning.demo import DEMO_NAME, DEMO_REPLICATIONS, load_demo_plan
from caseload.planning.models import WorkforcePlan
from caseload.resource.models import Establishment
from caseload.web.errors import ActionRefused
from caseload_engine.planning import from_dict, loads
from caseload_engine.planning.calibrate import CalibrationError
from caseload_engine.planning.scenario import dumps, read_file
from caseload_engine.planning.variants import EXAMPLE
from tests.conftest import World, client_for
from tests.planning_factories import FITS, saved_plan, stub_calibration, tiny
from tests.web.jobs import job_result, started_job
from tests.web.test_hostile_input import DIGIT_LIKE, HIDDEN, HUGE

pytestmark = pytest.mark.django_db


def _text(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def _post_scenario(user: Any, text: str, action: str = "run", **more: str) -> Any:
    return client_for(user).post(
        reverse("planning_scenario"), {"scenario": text, "action": action, **more}
    )


# -- who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["priya", "mona", "max", "ada"])
def test_only_the_director_and_psw_reach_planning(
    world: World, who: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_calibration(monkeypatch)
    plan = saved_plan(by=world.pat, name="Secret staffing")
    client = client_for(getattr(world, who))
    for name, args, method in [
        ("planning_home", [], "get"),
        ("planning_compare", [], "get"),
        ("planning_plan", [plan.pk], "get"),
        ("planning_plan_yaml", [plan.pk], "get"),
        ("planning_scenario", [], "post"),
        ("planning_upload", [], "post"),
        ("planning_plan_save", [plan.pk], "post"),
        ("planning_plan_delete", [plan.pk], "post"),
    ]:
        response = getattr(client, method)(reverse(name, args=args))
        assert response.status_code == 403, name
        assert "Secret staffing" not in response.content.decode()
    assert WorkforcePlan.objects.filter(pk=plan.pk).exists()


def test_the_actions_refuse_a_role_that_cannot_run_plans(world: World) -> None:
    plan = saved_plan(by=world.dee)
    with pytest.raises(ActionRefused):
        actions.save_plan(by=world.mona, plan=plan, name="Mine")
    with pytest.raises(ActionRefused):
        actions.delete_plan(by=world.priya, plan=plan)
    with pytest.raises(ActionRefused):
        actions.start_plan(by=world.ada, scenario=from_dict(tiny()), title="x")


def test_a_plan_is_shared_by_its_link_and_a_missing_one_is_not_found(world: World) -> None:
    plan = saved_plan(by=world.pat, name="Pat's plan")
    response = client_for(world.dee).get(reverse("planning_plan", args=[plan.pk]))
    assert response.status_code == 200
    assert "Pat&#x27;s plan" in response.content.decode()
    missing = client_for(world.dee).get(reverse("planning_plan", args=[plan.pk + 1000]))
    assert missing.status_code == 404


# -- the planning page -------------------------------------------------------------------------


def test_with_no_plan_saved_the_page_starts_from_the_calibration(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = stub_calibration(monkeypatch)
    response = client_for(world.dee).get(reverse("planning_home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert len(calls) == 1
    assert "No plan is saved yet" in page
    assert "No plan has been saved yet" in page
    assert "Calibrated from the register" in page
    assert loads(response.context["form"].initial["scenario"]) == from_dict(tiny())
    assert "Statistic" in page  # the calibration's fit, shown
    assert "Observed" in page


def test_a_register_too_young_to_calibrate_starts_from_the_worked_example(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*, until: object) -> None:
        raise CalibrationError("Tier 2: no case allocated in the window has closed")

    monkeypatch.setattr(assumptions, "calibrate_from_register", refused)
    response = client_for(world.dee).get(reverse("planning_home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot be calibrated yet (Tier 2: no case allocated" in page
    assert loads(response.context["form"].initial["scenario"]) == read_file(EXAMPLE)
    assert response.context["calibrated"] is False


def test_the_page_shows_todays_establishment_against_the_latest_plan(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = stub_calibration(monkeypatch)
    Establishment.objects.create(
        team=world.team_north,
        role="social_worker",
        funded_fte=6,
        effective_from=timezone.localdate(),
        recorded_by=world.dee,
        recorded_at=timezone.now(),
    )
    saved_plan(by=world.pat, name="Older plan")
    latest = saved_plan(by=world.pat, name="Newest plan")
    response = client_for(world.pat).get(reverse("planning_home"))
    assert calls == []  # started from the latest plan's assumptions
    rows = {row.role: row for row in response.context["establishment"]}
    assert rows["social_worker"].funded_fte == 6
    assert rows["social_worker"].fte_in_post == 2  # Priya and Colin, full time
    assert rows["social_worker"].plan_fte == 4
    assert latest.result is not None
    assert rows["social_worker"].fte_now == latest.result["fte_now"][1]
    # Tier 1 grows 10% a year, and its cases go to the assistants (cheaper a point).
    assert rows["assistant"].fte_in_12_months == pytest.approx(
        1.1 * rows["assistant"].fte_now, abs=0.01
    )
    assert rows["team_manager"].plan_fte is None
    assert response.context["latest"] == latest


def test_the_assumptions_start_from_a_plan_asked_for(world: World) -> None:
    plan = saved_plan(by=world.pat, weeks=9)
    saved_plan(by=world.pat, name="Latest")
    client = client_for(world.dee)
    response = client.get(reverse("planning_home"), {"from": plan.pk})
    assert loads(response.context["form"].initial["scenario"]).weeks == 9
    for bad in ["9" * 30, "²", "x", str(plan.pk + 100)]:
        assert client.get(reverse("planning_home"), {"from": bad}).status_code == 404


def test_the_list_of_plans_costs_the_same_queries_however_many(world: World) -> None:
    saved_plan(by=world.pat, name="One")
    client = client_for(world.dee)
    client.get(reverse("planning_home"))  # the session and permissions, warmed
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("planning_home"))
    for number in range(4):
        saved_plan(by=world.pat, name=f"Plan {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("planning_home"))
    assert len(response.context["page"].object_list) == 5
    assert len(many) == len(few)


# -- running a plan ----------------------------------------------------------------------------


def test_a_plan_runs_as_a_job_with_progress_and_its_page_shows_the_result(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    stub_calibration(monkeypatch)
    told: list[tuple[int, str]] = []
    report = tasks.report

    def reported(job_id: int, percent: int, text: str) -> None:
        told.append((percent, text))
        report(job_id, percent, text)

    monkeypatch.setattr(tasks, "report", reported)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_scenario(world.dee, _text(tiny()))
    job = started_job(response)
    assert job.kind == "workforce_plan"
    plan = WorkforcePlan.objects.get(pk=job.parameters["plan_id"])
    assert job_result(response) == reverse("planning_plan", args=[plan.pk])
    percents = [percent for percent, _ in told]
    assert percents == sorted(percents)
    assert {text for _, text in told} == {
        "Simulating the plan",
        "Simulating waits against staffing",
    }
    assert plan.result is not None
    assert plan.result["replications"] == 2
    assert len(plan.result["curve"]["points"]) == 7
    assert plan.name == ""  # not saved until named
    page = client_for(world.dee).get(reverse("planning_plan", args=[plan.pk]))
    content = page.content.decode()
    assert "Workforce plan (not saved)" in content
    assert "Waiting for allocation, by tier" in content
    assert "Cases allocated within 7 days, by social worker FTE" in content
    assert page.context["curve"].rows[3].is_plan
    # A draft is not listed.
    listed = client_for(world.dee).get(reverse("planning_home"))
    assert list(listed.context["page"].object_list) == []


def test_a_run_from_the_calibration_keeps_its_fit(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    stub_calibration(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_scenario(world.pat, _text(tiny()), calibrated="True")
    plan = WorkforcePlan.objects.get(pk=started_job(response).parameters["plan_id"])
    assert plan.fits == FITS


def test_a_plan_deleted_before_its_job_runs_fails_the_job_with_a_reason(world: World) -> None:
    plan, job = actions.start_plan(by=world.pat, scenario=from_dict(tiny()), title="Plan")
    actions.delete_plan(by=world.pat, plan=plan)
    tasks.execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error_message == "The plan was deleted before it ran"


# -- bad assumptions -----------------------------------------------------------------------------


def _refused(response: Any) -> str:
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert WorkforcePlan.objects.count() == 0
    assert Job.objects.count() == 0
    return page


def test_an_error_names_the_key_in_the_error_summary(world: World) -> None:
    data = tiny()
    data["tiers"][0]["duration_weeks"]["mean"] = 0
    page = _refused(_post_scenario(world.dee, _text(data)))
    assert "tiers[1].duration_weeks.mean: must be &gt; 0" in page


# YAML reads 0x10 as sixteen: a number, and a valid FTE.
@pytest.mark.parametrize("value", [*(v for v in HUGE if v != "0x10"), *DIGIT_LIKE, *HIDDEN])
def test_hostile_values_are_refused_with_the_key(world: World, value: str) -> None:
    data = tiny()
    text = _text(data).replace("fte: 4", f"fte: {value!r}" if "\n" in value else f"fte: {value}")
    page = _refused(_post_scenario(world.dee, text))
    # The key, or the YAML reader's or Django's own refusal of what is no number at all.
    assert any(
        reason in page
        for reason in ("roles[2].fte: must", "not valid YAML", "too large", "Null characters are")
    )


def test_a_huge_simulation_is_refused_before_it_runs(world: World) -> None:
    page = _refused(_post_scenario(world.dee, _text(tiny(weeks=520, replications=10_000))))
    assert "replications: " in page


def test_yaml_aliases_and_control_characters_are_refused(world: World) -> None:
    aliased = "base: &b {tier: 1}\n" + _text(tiny())
    assert "anchor" in _refused(_post_scenario(world.dee, aliased)).lower()
    _refused(_post_scenario(world.dee, _text(tiny()) + "\x00"))


def test_a_scenario_too_long_is_refused(world: World) -> None:
    page = _refused(_post_scenario(world.dee, "#" * 200_000))
    assert "the limit is 100,000" in page


# -- variants, download and upload ------------------------------------------------------------


def test_a_ready_made_variant_changes_the_assumptions_in_one_click(world: World) -> None:
    response = _post_scenario(world.pat, _text(tiny()), action="variant:demand_up")
    assert response.status_code == 200
    changed = loads(response.context["form"].initial["scenario"])
    assert changed.tiers[0].arrivals_per_week[0] == pytest.approx(4.4)
    assert "Demand up 10%" in response.content.decode()
    discharge = _post_scenario(world.pat, _text(tiny()), action="variant:hospital_discharge")
    assert len(loads(discharge.context["form"].initial["scenario"]).tiers) == 3
    assert WorkforcePlan.objects.count() == 0


def test_a_variant_that_cannot_be_made_or_is_unknown_is_an_error(world: World) -> None:
    data = tiny()
    data["roles"][1]["fte"] = 1
    assert "cannot have 2 vacancies" in _refused(
        _post_scenario(world.pat, _text(data), action="variant:vacancies")
    )
    assert "no ready-made variant" in _refused(
        _post_scenario(world.pat, _text(data), action="variant:<b>")
    )


def test_a_scenario_downloads_as_yaml_and_uploads_again_exactly(world: World) -> None:
    plan = saved_plan(by=world.pat)
    client = client_for(world.dee)
    downloaded = client.get(reverse("planning_plan_yaml", args=[plan.pk]))
    assert downloaded["Content-Disposition"] == (
        f'attachment; filename="workforce-plan-{plan.pk}.yaml"'
    )
    text = downloaded.content.decode()
    assert loads(text) == from_dict(plan.scenario)
    uploaded = client_for(world.pat).post(
        reverse("planning_upload"),
        {"file": SimpleUploadedFile("plan.yaml", text.encode(), "application/yaml")},
    )
    assert uploaded.status_code == 200
    assert uploaded.context["form"].initial["scenario"] == text
    # The form's own download gives the same text.
    again = _post_scenario(world.pat, text, action="download")
    assert again.content.decode() == text == dumps(from_dict(plan.scenario))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * 10_000_000, "at most 100,000 bytes"),
        (b"\xff\xfe" + b"weeks: 8", "UTF-8"),
        (b"a: &x 1\nb: *x\n", "anchor"),
        (b"weeks: 8\n", "service_level: is missing"),
    ],
)
def test_a_bad_upload_is_refused_with_a_reason(world: World, content: bytes, message: str) -> None:
    response = client_for(world.pat).post(
        reverse("planning_upload"), {"file": SimpleUploadedFile("plan.yaml", content)}
    )
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()


# -- saving, renaming, deleting ------------------------------------------------------------------


def test_saving_renaming_and_deleting_are_audited(world: World) -> None:
    plan = saved_plan(by=world.pat, name="First")
    saved = ChangeEvent.objects.get(action=ChangeAction.WORKFORCE_PLAN_SAVED)
    assert saved.changes == {"workforce_plan": [None, plan.pk], "name": [None, "First"]}
    client = client_for(world.dee)
    renamed = client.post(reverse("planning_plan_save", args=[plan.pk]), {"name": " Second "})
    assert renamed.status_code == 302
    event = ChangeEvent.objects.get(action=ChangeAction.WORKFORCE_PLAN_RENAMED)
    assert (event.user_id, event.changes) == (world.dee.pk, {"name": ["First", "Second"]})
    deleted = client.post(reverse("planning_plan_delete", args=[plan.pk]))
    assert deleted["Location"] == reverse("planning_home")
    assert not WorkforcePlan.objects.filter(pk=plan.pk).exists()
    gone = ChangeEvent.objects.get(action=ChangeAction.WORKFORCE_PLAN_DELETED)
    assert gone.detail == {"workforce_plan": plan.pk}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required"),
        ("   ", "This field is required"),
        ("TAKEN", "There is a saved plan with this name already"),
        ("a" * 101, "at most 100 characters"),
        ("\x00", "Null characters are not allowed"),
        *[(hidden, "The name must") for hidden in HIDDEN[1:]],
    ],
)
def test_a_bad_name_is_refused_and_nothing_changes(world: World, name: str, message: str) -> None:
    saved_plan(by=world.pat, name="Taken")
    plan = saved_plan(by=world.pat, name="Mine")
    response = client_for(world.pat).post(
        reverse("planning_plan_save", args=[plan.pk]), {"name": name}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    plan.refresh_from_db()
    assert plan.name == "Mine"
    assert ChangeEvent.objects.filter(action=ChangeAction.WORKFORCE_PLAN_RENAMED).count() == 0


def test_a_plan_still_running_cannot_be_saved(world: World) -> None:
    plan, _ = actions.start_plan(by=world.pat, scenario=from_dict(tiny()), title="Plan")
    with pytest.raises(ActionRefused, match="not finished"):
        actions.save_plan(by=world.pat, plan=plan, name="Too soon")


# -- comparing ---------------------------------------------------------------------------------


def test_plans_compare_side_by_side_with_differences(world: World) -> None:
    first = saved_plan(by=world.pat, name="Today")
    more = tiny()
    more["roles"][1]["fte"] = 6
    second = saved_plan(by=world.pat, name="Two more", roles=more["roles"])
    response = client_for(world.dee).get(
        reverse("planning_compare"), {"plans": [first.pk, second.pk]}
    )
    assert response.status_code == 200
    rows = {(row.section, row.label): row for row in response.context["rows"]}
    fte = rows[("Social worker", "FTE")]
    assert [cell.text for cell in fte.cells] == ["4.0", "6.0"]
    assert fte.cells[1].difference_text == "+2.0"
    cost = rows[("Every role", "Cost a year (£)")]
    assert cost.cells[1].difference == pytest.approx(2 * 45000)
    assert rows[("Tier 1", "Share allocated within the target")].cells[0].text.endswith("%")
    assert "Two more" in response.content.decode()


def test_compare_with_nothing_chosen_sends_the_user_to_choose(world: World) -> None:
    response = client_for(world.dee).get(reverse("planning_compare"))
    assert response.status_code == 200
    assert "Choose the plans to compare" in response.content.decode()


@pytest.mark.parametrize("chosen", [["one"], ["one", "9" * 30], ["²", "one"], ["many"]])
def test_compare_needs_two_to_four_saved_plans(world: World, chosen: list[str]) -> None:
    plans = [saved_plan(by=world.pat, name=f"Plan {n}") for n in range(5)]
    ids = {"one": [str(plans[0].pk)], "many": [str(p.pk) for p in plans]}
    query = [pk for item in chosen for pk in ids.get(item, [item])]
    response = client_for(world.dee).get(reverse("planning_compare"), {"plans": query})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_a_draft_cannot_be_compared(world: World) -> None:
    saved = saved_plan(by=world.pat)
    draft, _ = actions.start_plan(by=world.pat, scenario=from_dict(tiny()), title="Plan")
    response = client_for(world.dee).get(
        reverse("planning_compare"), {"plans": [saved.pk, draft.pk]}
    )
    assert response.status_code == 400


# -- every council, and the demo ---------------------------------------------------------------


def test_plan_councils_queues_a_job_per_council(
    world: World,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    scenario = tmp_path / "council.yaml"
    scenario.write_text(_text(tiny()), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        code = cli.main(["plan-councils", "--count", "3", "--scenario", str(scenario)])
    assert code == 0
    assert "Queued 3 workforce plans" in capsys.readouterr().out
    jobs = Job.objects.filter(kind="workforce_plan").order_by("pk")
    assert [job.status for job in jobs] == [Job.Status.SUCCEEDED] * 3
    plans = WorkforcePlan.objects.order_by("pk")
    assert [plan.scenario["seed"] for plan in plans] == [1, 2, 3]
    assert all(plan.result is not None and plan.created_by is None for plan in plans)
    # Without the curve: its page shows the plan without it.
    assert all(plan.result is not None and "curve" not in plan.result for plan in plans)
    page = client_for(world.dee).get(reverse("planning_plan", args=[plans[0].pk]))
    assert page.status_code == 200
    assert "Waiting against staffing" not in page.content.decode()


@pytest.mark.parametrize("count", ["0", "1001", "٣", "9" * 30])
def test_plan_councils_refuses_a_bad_count(count: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["plan-councils", "--count", count])
    assert "from 1 to 1,000" in capsys.readouterr().err
    assert Job.objects.count() == 0


def test_plan_councils_refuses_a_bad_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "council.yaml"
    scenario.write_text(_text(tiny(weeks=-1)), encoding="utf-8")
    assert cli.main(["plan-councils", "--scenario", str(scenario)]) == 2
    assert "weeks: must be a whole number" in capsys.readouterr().err
    assert Job.objects.count() == 0


def test_the_demo_council_has_a_calibrated_saved_plan(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = stub_calibration(monkeypatch)
    plan = load_demo_plan(as_of=world.priya_practitioner.start_date, by=world.dee)
    assert calls == [world.priya_practitioner.start_date]
    assert plan.name == DEMO_NAME
    assert plan.fits == FITS
    assert plan.result is not None
    assert plan.result["replications"] == DEMO_REPLICATIONS
