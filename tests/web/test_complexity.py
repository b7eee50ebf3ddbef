"""Scoring cases, overriding tiers, and versioning the model, through the product."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pytest_django import DjangoCaptureOnCommitCallbacks

from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.complexity import actions
from caseload.complexity.forms import FactorForm, TierForm
from caseload.complexity.models import Assessment, ModelVersion
from caseload.jobs import tasks
from caseload.jobs.actions import record_job
from caseload.jobs.models import Job
from caseload.web.errors import ActionRefused
from caseload_engine import complexity
from tests.conftest import World, client_for
from tests.factories import AssessmentFactory, PractitionerFactory, allocated_case
from tests.web.jobs import job_result, started_job

HIGH = {
    "risk": 3,
    "breadth_of_need": 2,
    "depth_of_need": 3,
    "legal_complexity": 2,
    "stability": 3,
    "engagement": 2,
}


def score_form(scores: dict[str, int], **extra: str | list[str]) -> dict[str, object]:
    data: dict[str, object] = {key: str(value) for key, value in scores.items()}
    data.update({f"{key}_rationale": f"Because of {key}" for key in scores})
    data.update(extra)
    return data


def test_scoring_a_case_shows_its_tier_and_explanation(world: World) -> None:
    case = world.case_waiting_north
    client = client_for(world.priya)
    form_page = client.get(reverse("case_score", args=[case.pk])).content.decode()
    assert "Serious or escalating risk of harm" in form_page  # descriptors guide the scorer
    response = client.post(reverse("case_score", args=[case.pk]), score_form(HIGH))
    assert response.status_code == 302
    assessment = Assessment.objects.get(case=case, is_current=True)
    assert (assessment.total, assessment.tier, assessment.points) == (15, 3, 8)
    assert assessment.rationales["risk"] == "Because of risk"
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Tier 3: total 15 ≥ 14" in page
    assert "Risk 3" in page
    assert "Why: Because of risk" in page
    event = ChangeEvent.objects.get(case_id=case.pk, action=ChangeAction.COMPLEXITY_ASSESSED)
    assert event.changes["tier"] == [None, 3]


def test_scoring_without_every_factor_names_each_and_saves_nothing(world: World) -> None:
    case = world.case_waiting_north
    response = client_for(world.priya).post(
        reverse("case_score", args=[case.pk]), score_form({"risk": 3})
    )
    page = response.content.decode()
    assert "There is a problem" in page
    for name in ("Breadth of need", "Depth of need", "Legal and statutory complexity"):
        assert f"Select a score for {name}" in page
    assert 'href="#id_breadth_of_need_0"' in page
    assert not Assessment.objects.filter(case=case).exists()


def test_out_of_range_score_is_refused(world: World) -> None:
    response = client_for(world.priya).post(
        reverse("case_score", args=[world.case_waiting_north.pk]), score_form({**HIGH, "risk": 4})
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Assessment.objects.filter(case=world.case_waiting_north).exists()


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ({"risk": 3, "stability": 1}, "2 of 6 factors scored"),
        (HIGH, "Tier 3"),
        (dict.fromkeys(HIGH, 1), "Tier 1"),
    ],
)
def test_live_preview_updates_as_factors_are_chosen(
    world: World, scores: dict[str, int], expected: str
) -> None:
    response = client_for(world.priya).post(
        reverse("case_score_preview", args=[world.case_waiting_north.pk]),
        {key: str(value) for key, value in scores.items()},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert expected in page
    assert "<html" not in page


def test_rescoring_replaces_the_current_assessment_and_keeps_history(world: World) -> None:
    case = world.case_held_by_priya
    first = world.assessment_of_priyas_case
    actions.assess_case(by=world.priya, case=case, scores=HIGH, rationales={})
    first.refresh_from_db()
    assert not first.is_current
    assert Assessment.objects.filter(case=case).count() == 2
    page = client_for(world.priya).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Earlier assessments (1)" in page


def test_manager_overrides_with_a_reason_and_both_tiers_stay_visible(world: World) -> None:
    assessment = world.assessment_of_priyas_case
    response = client_for(world.mona).post(
        reverse("assessment_override", args=[assessment.pk]),
        {"tier": "3", "reason": "Escalating family conflict not yet reflected in scores"},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.tier, assessment.override_tier, assessment.effective_tier) == (2, 3, 3)
    assert assessment.points == 8
    assert assessment.overridden_by == world.mona
    page = (
        client_for(world.priya)
        .get(reverse("case_detail", args=[assessment.case_id]))
        .content.decode()
    )
    assert "Tier 3 by professional judgement (scored Tier 2)" in page
    assert "Escalating family conflict" in page


def test_override_needs_a_reason_and_a_different_tier(world: World) -> None:
    assessment = world.assessment_of_priyas_case
    client = client_for(world.mona)
    page = client.post(
        reverse("assessment_override", args=[assessment.pk]), {"tier": "3", "reason": ""}
    ).content.decode()
    assert "Give the reason for overriding the tier" in page
    page = client.post(
        reverse("assessment_override", args=[assessment.pk]), {"tier": "2", "reason": "Same"}
    ).content.decode()
    assert "Select a valid choice" in page
    assessment.refresh_from_db()
    assert assessment.override_tier is None


def test_only_the_case_teams_manager_may_override(world: World) -> None:
    for user in (world.priya, world.max, world.pat):
        with pytest.raises(ActionRefused):
            actions.override_tier(
                by=user, assessment=world.assessment_of_priyas_case, tier=3, reason="Judgement"
            )


def publish_with_tier_three_points(world: World, points: int) -> ModelVersion:
    definition = complexity.default_model_text().replace("points: 8", f"points: {points}")
    return actions.publish_model_version(
        by=world.pat, definition=definition, change_note=f"Tier 3 weighs {points}"
    )


def test_editing_the_model_makes_a_new_version_and_assessments_keep_theirs(
    world: World,
) -> None:
    version = publish_with_tier_three_points(world, 9)
    assert version.number == 2
    assert version.model.band(3).points == 9
    assessment = world.assessment_of_priyas_case
    assessment.refresh_from_db()
    assert assessment.model_version.number == 1
    assert assessment.is_current


def test_rescoring_under_a_new_version_is_explicit(world: World) -> None:
    case = world.case_held_by_priya
    actions.assess_case(by=world.priya, case=case, scores=HIGH, rationales={"risk": "Kept"})
    publish_with_tier_three_points(world, 9)
    client = client_for(world.priya)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Re-score under version 2" in page
    assert Assessment.objects.get(case=case, is_current=True).points == 8
    client.post(reverse("case_rescore", args=[case.pk]))
    current = Assessment.objects.get(case=case, is_current=True)
    assert (current.model_version.number, current.points, current.rationales) == (
        2,
        9,
        {"risk": "Kept"},
    )
    with pytest.raises(ActionRefused, match="already scored under the current model"):
        actions.rescore_case(by=world.priya, case=case)


def test_rescoring_is_refused_when_the_factors_changed(world: World) -> None:
    definition = ModelVersion.current().definition.replace("key: engagement", "key: network")
    actions.publish_model_version(by=world.ada, definition=definition, change_note="Renamed")
    with pytest.raises(ActionRefused, match="different factors"):
        actions.rescore_case(by=world.priya, case=world.case_held_by_priya)


def test_publishing_an_invalid_model_names_the_problem_and_publishes_nothing(
    world: World,
) -> None:
    definition = ModelVersion.current().definition.replace("minimum: 10", "minimum: 11")
    page = (
        client_for(world.pat)
        .post(
            reverse("complexity_model_edit"),
            {"definition": definition, "change_note": "Narrow tier 2"},
        )
        .content.decode()
    )
    assert "Totals 10-10 fall in no tier" in page
    assert ModelVersion.objects.count() == 1


def test_publishing_through_the_page(world: World) -> None:
    definition = ModelVersion.current().definition.replace("points: 8", "points: 10")
    response = client_for(world.ada).post(
        reverse("complexity_model_edit"), {"definition": definition, "change_note": "Heavier T3"}
    )
    assert response.status_code == 302
    page = client_for(world.priya).get(reverse("complexity_model")).content.decode()
    assert "Version 2 (current)" in page
    assert "Heavier T3" in page


def test_director_cannot_publish(world: World) -> None:
    with pytest.raises(ActionRefused):
        actions.publish_model_version(
            by=world.dee, definition=ModelVersion.current().definition, change_note="No"
        )


def test_reserved_function_needs_a_registered_social_worker(world: World) -> None:
    occupational_therapist = PractitionerFactory.create(
        team=world.team_north, role="occupational_therapist", swe_registration_number=""
    )
    case = allocated_case(occupational_therapist)
    low = dict.fromkeys(HIGH, 1)
    client = client_for(world.mona)
    client.post(reverse("case_score", args=[case.pk]), score_form(low))
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "The current holder may not hold this case" not in page
    client.post(
        reverse("case_score", args=[case.pk]),
        score_form(low, reserved_functions=["section_42_lead"]),
    )
    assessment = Assessment.objects.get(case=case, is_current=True)
    assert (assessment.tier, assessment.reserved_functions) == (1, ["section_42_lead"])
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "The current holder may not hold this case" in page
    assert "Leading a Section 42 safeguarding enquiry is reserved" in page


def test_an_unknown_reserved_function_is_refused(world: World) -> None:
    with pytest.raises(ActionRefused, match="not a reserved function"):
        actions.assess_case(
            by=world.priya,
            case=world.case_waiting_north,
            scores=HIGH,
            rationales={},
            reserved_functions=["juggling"],
        )


def test_oversight_roles_cannot_score(world: World) -> None:
    with pytest.raises(ActionRefused, match="read cases but not change"):
        actions.assess_case(by=world.pat, case=world.case_waiting_north, scores=HIGH, rationales={})


def test_team_page_shows_tier_mix_and_caseload_weight(world: World) -> None:
    page = (
        client_for(world.mona)
        .get(reverse("team_detail", args=[world.team_north.pk]))
        .content.decode()
    )
    assert "Open cases by tier" in page
    assert "Not scored" in page
    mine = (
        client_for(world.priya)
        .get(reverse("practitioner_detail", args=[world.priya_practitioner.pk]))
        .content.decode()
    )
    model = complexity.default_model()
    capacity = model.capacity.points_for("social_worker", world.priya_practitioner.fte)
    assert f"5 of {capacity} points" in mine


def test_personal_capacity_replaces_the_models(world: World) -> None:
    practitioner = world.priya_practitioner
    practitioner.capacity_points = 40
    practitioner.save(update_fields=["capacity_points"])
    page = (
        client_for(world.priya)
        .get(reverse("practitioner_detail", args=[practitioner.pk]))
        .content.decode()
    )
    assert "5 of 40" in page
    assert "set for this practitioner" in page


def test_the_shipped_model_is_version_one_until_a_council_publishes(db: None) -> None:
    assert not ModelVersion.objects.exists()
    version = ModelVersion.current()
    assert (version.number, version.model) == (1, complexity.default_model())
    assert ModelVersion.current() == version


def test_revising_a_score_starts_from_the_current_one(world: World) -> None:
    page = (
        client_for(world.priya)
        .get(reverse("case_score", args=[world.case_held_by_priya.pk]))
        .content.decode()
    )
    assert "Tier 2" in page  # the preview shows the current scores' tier before any change
    assert 'value="2" checked' in page


def test_model_page_query_count_is_constant_as_versions_grow(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.pat)
    url = reverse("complexity_model")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for points in range(9, 14):
        publish_with_tier_three_points(world, points)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


# -- publishing refuses what would break the service, in the web editor as on the command line --

LAUGHS = "a0: &a0 'lol'\n" + "".join(
    f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 10)
)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace("tier: 1", "tier: 0"), "tiers[1].tier: must be a whole number"),
        (
            lambda text: text.replace("points_per_fte: 100", "points_per_fte: 1e30"),
            "capacity.points_per_fte: must be from 1 to 1000, not 1E+30",
        ),
        (
            lambda text: text.replace("name: caseload default model", "name: " + "n" * 121),
            "name: is 121 characters long; the limit is 120",
        ),
        (
            lambda text: text.replace("points: 8", "points: 32768"),
            "tiers[3].points: must be a whole number from 1 to 1,000, not 32768",
        ),
        (
            lambda text: text.replace(
                "      - label: Low\n", "      - label: Low\n        wieght: 3\n"
            ),
            "factors[1].levels[1]: unknown key &#x27;wieght&#x27;",
        ),
        (lambda text: LAUGHS + text, "line 1: anchors and aliases (&amp; and *) are not allowed"),
    ],
    ids=["tier-0", "points-per-fte", "long-name", "smallint", "unknown-key", "aliases"],
)
def test_the_yaml_editor_refuses_a_model_that_would_break_the_service(
    world: World, edit: Callable[[str], str], message: str
) -> None:
    definition = edit(complexity.default_model_text())
    response = client_for(world.pat).post(
        reverse("complexity_model_edit"), {"definition": definition, "change_note": "Hostile"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ModelVersion.objects.count() == 1


def test_republishing_the_same_content_is_refused(world: World) -> None:
    current = ModelVersion.current()
    # Comments and layout are not content: this is the same model.
    same = "# Tidied up\n" + current.definition.replace(
        "name: caseload default model", "name: 'caseload default model'"
    )
    with pytest.raises(ActionRefused, match="same model as version 1, the current one"):
        actions.publish_model_version(by=world.pat, definition=same, change_note="Again")
    page = (
        client_for(world.pat)
        .post(
            reverse("complexity_model_edit"),
            {"definition": current.definition, "change_note": "Again"},
        )
        .content.decode()
    )
    assert "This is the same model as version 1" in page
    assert ModelVersion.objects.count() == 1
    assert not ChangeEvent.objects.filter(action=ChangeAction.COMPLEXITY_MODEL_PUBLISHED).exists()


# -- the form-based editor --------------------------------------------------------------------


def editor_data(model: complexity.ComplexityModel, **changes: str) -> dict[str, str]:
    """What the form-based editor posts for this model, with some fields changed."""
    data = {
        "model-name": model.name,
        "model-change_note": "Edited in the forms",
        "factors-TOTAL_FORMS": str(len(model.factors)),
        "factors-INITIAL_FORMS": str(len(model.factors)),
        "tiers-TOTAL_FORMS": str(len(model.tiers)),
        "tiers-INITIAL_FORMS": str(len(model.tiers)),
    }
    for index, factor in enumerate(model.factors):
        data |= {
            f"factors-{index}-{key}": str(value)
            for key, value in FactorForm.initial_for(factor).items()
        }
    for index, band in enumerate(model.tiers):
        initial = TierForm.initial_for(band)
        data |= {f"tiers-{index}-{key}": str(initial[key]) for key in initial if key != "roles"}
    data |= changes
    return data


def post_editor(client: Client, data: dict[str, str], model: complexity.ComplexityModel) -> str:
    roles = {f"tiers-{index}-roles": sorted(band.roles) for index, band in enumerate(model.tiers)}
    response = client.post(reverse("complexity_model_edit_form"), {**data, **roles})
    return response["Location"] if response.status_code == 302 else response.content.decode()


def test_the_form_editor_publishes_the_same_validated_model(world: World) -> None:
    model = ModelVersion.current().model
    client = client_for(world.pat)
    page = client.get(reverse("complexity_model_edit_form")).content.decode()
    assert 'value="Serious or escalating risk' not in page  # descriptors are in text areas
    assert "Serious or escalating risk of harm" in page
    assert 'name="factors-0-key" value="risk"' in page
    result = post_editor(
        client,
        editor_data(model, **{"factors-0-name": "Risk of harm", "tiers-2-points": "9"}),
        model,
    )
    assert result == reverse("complexity_model")
    version = ModelVersion.current()
    assert version.number == 2
    expected = dataclasses.replace(
        model,
        factors=(dataclasses.replace(model.factors[0], name="Risk of harm"), *model.factors[1:]),
        tiers=(*model.tiers[:2], dataclasses.replace(model.tiers[2], points=9)),
    )
    assert version.model == expected
    assert complexity.loads(version.definition) == expected
    event = ChangeEvent.objects.get(action=ChangeAction.COMPLEXITY_MODEL_PUBLISHED)
    assert event.changes["model_version"] == [1, 2]


def test_the_form_editor_refuses_the_same_content(world: World) -> None:
    model = ModelVersion.current().model
    page = post_editor(client_for(world.pat), editor_data(model), model)
    assert "This is the same model as version 1" in page
    assert ModelVersion.objects.count() == 1


def test_the_form_editor_adds_and_removes_rows_server_side(world: World) -> None:
    model = ModelVersion.current().model
    client = client_for(world.pat)
    page = post_editor(client, {**editor_data(model), "add": "factor"}, model)
    assert 'name="factors-6-key"' in page  # a seventh, empty, factor row
    assert "There is a problem" not in page
    assert ModelVersion.objects.count() == 1
    # A row added and left empty is no factor.
    data = editor_data(model, **{"factors-TOTAL_FORMS": "7", "tiers-2-points": "9"})
    assert post_editor(client, data, model) == reverse("complexity_model")
    assert ModelVersion.current().model.factors == model.factors
    # Removing the sixth factor lowers the totals to 5-15: the last tier must end at 15.
    model = ModelVersion.current().model
    data = editor_data(model, **{"factors-5-DELETE": "on", "tiers-2-maximum": "15"})
    data |= {"tiers-0-minimum": "5", "tiers-0-maximum": "8", "tiers-1-minimum": "9"}
    data |= {"tiers-1-maximum": "12", "tiers-2-minimum": "13"}
    assert post_editor(client, data, model) == reverse("complexity_model")
    published = ModelVersion.current().model
    assert [factor.key for factor in published.factors] == [f.key for f in model.factors[:5]]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tiers-0-tier": "0"}, "The tier must be 1 or more"),
        ({"tiers-2-points": "32768"}, "The points must be 1,000 or less"),
        ({"tiers-1-minimum": "²"}, "The lowest total must be a whole number"),
        ({"factors-1-key": "breadth of need"}, "factors[2].key: &#x27;breadth of need&#x27;"),
        ({"tiers-1-minimum": "11"}, "tiers[2].minimum: Totals 10-10 fall in no tier"),
        ({"factors-0-label_1": ""}, "Enter the level 1 label"),
        ({"model-name": "n" * 121}, "Ensure this value has at most 120 characters"),
        ({"factors-TOTAL_FORMS": "100000"}, "Please submit at most 30 forms"),
    ],
    ids=["tier-0", "smallint", "superscript", "key", "gap", "blank-label", "name", "rows"],
)
def test_the_form_editor_refuses_what_the_engine_refuses_saying_where(
    world: World, changes: dict[str, str], message: str
) -> None:
    model = ModelVersion.current().model
    page = post_editor(client_for(world.pat), editor_data(model, **changes), model)
    assert "There is a problem" in page
    assert message in page
    assert ModelVersion.objects.count() == 1


# -- cases on an earlier version, and re-scoring them in bulk ----------------------------------


def test_the_list_shows_open_cases_on_an_earlier_version_to_the_publisher(
    world: World, django_assert_max_num_queries: Any
) -> None:
    colins = AssessmentFactory.create(case=world.case_held_by_colin, assessed_by=world.colin)
    publish_with_tier_three_points(world, 9)
    client = client_for(world.pat)
    url = reverse("complexity_outdated")
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert "2 open cases are still scored under an earlier version" in page
    assert escape(world.person_of_priya.full_name) in page
    assert escape(colins.case.person.full_name) in page
    # The list grows with the cases, not its queries.
    for _ in range(5):
        AssessmentFactory.create(
            case=allocated_case(world.priya_practitioner),
            assessed_by=world.priya,
            model_version=ModelVersion.objects.get(number=1),
        )
    with django_assert_max_num_queries(12):
        assert "7 open cases" in client.get(url).content.decode()
    # The administrator publishes models but sees no one's records.
    admins = client_for(world.ada).get(url).content.decode()
    assert escape(world.person_of_priya.full_name) not in admins
    assert "Every open case you can see is scored under version 2" in admins


def test_bulk_rescore_is_a_job_writing_one_change_per_case(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    AssessmentFactory.create(case=world.case_held_by_colin, assessed_by=world.colin)
    closed = AssessmentFactory.create(case=world.case_closed_north, assessed_by=world.priya)
    publish_with_tier_three_points(world, 9)
    client = client_for(world.pat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("complexity_rescore_all"))
    job = started_job(response)
    assert job_result(response) == reverse("complexity_outdated")
    assert job.summary == "Re-scored 2 cases under version 2."
    for case in (world.case_held_by_priya, world.case_held_by_colin):
        current = Assessment.objects.get(case=case, is_current=True)
        assert (current.model_version.number, current.rationales["risk"]) == (
            2,
            "Synthetic reason",
        )
    events = ChangeEvent.objects.filter(action=ChangeAction.COMPLEXITY_RESCORED)
    assert sorted(event.case_id for event in events) == sorted(
        [world.case_held_by_priya.pk, world.case_held_by_colin.pk]
    )
    assert {event.user_id for event in events} == {world.pat.pk}
    closed.refresh_from_db()
    assert (closed.is_current, closed.model_version.number) == (True, 1)
    assert "Every open case you can see" in client.get(job.result_url).content.decode()


def test_bulk_rescore_leaves_cases_whose_factors_changed_and_says_so(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    definition = complexity.default_model_text().replace("key: engagement", "key: network")
    actions.publish_model_version(by=world.pat, definition=definition, change_note="Renamed")
    page = client_for(world.pat).get(reverse("complexity_outdated")).content.decode()
    assert "No: different factors, score again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.pat).post(reverse("complexity_rescore_all"))
    assert started_job(response).summary == (
        "Re-scored 0 cases under version 2. 1 not: The current model has different factors: "
        "score the case again instead."
    )
    assert (
        Assessment.objects.get(case=world.case_held_by_priya, is_current=True).model_version.number
        == 1
    )


def test_bulk_rescore_refuses_closed_cases_and_other_roles(world: World) -> None:
    publish_with_tier_three_points(world, 9)
    AssessmentFactory.create(
        case=world.case_closed_north,
        assessed_by=world.priya,
        model_version=ModelVersion.objects.get(number=1),
    )
    with pytest.raises(ActionRefused, match="already been closed"):
        actions.rescore_under_current_model(by=world.pat, case=world.case_closed_north)
    for user in (world.priya, world.mona, world.dee):
        with pytest.raises(ActionRefused, match="Only those who publish the model"):
            actions.rescore_under_current_model(by=user, case=world.case_held_by_priya)
    # The administrator publishes models but may see no case.
    with pytest.raises(ActionRefused, match="You cannot change this case"):
        actions.rescore_under_current_model(by=world.ada, case=world.case_held_by_priya)
    assert not ChangeEvent.objects.filter(action=ChangeAction.COMPLEXITY_RESCORED).exists()


def test_rescoring_under_a_new_version_prefills_the_earlier_rationales(world: World) -> None:
    case = world.case_held_by_priya
    actions.assess_case(
        by=world.priya, case=case, scores=HIGH, rationales={"risk": "Falls at night, lives alone"}
    )
    publish_with_tier_three_points(world, 9)
    page = client_for(world.priya).get(reverse("case_score", args=[case.pk])).content.decode()
    assert "Falls at night, lives alone</textarea>" in page
    # The scores were chosen against the earlier descriptors: the scorer chooses again.
    assert "checked" not in page


def test_the_form_editor_links_each_rows_error_to_its_field(world: World) -> None:
    model = ModelVersion.current().model
    page = post_editor(client_for(world.pat), editor_data(model, **{"tiers-1-tier": "0"}), model)
    # Rows' fields carry the formset's prefix: the error is announced with the right field.
    assert 'href="#id_tiers-1-tier"' in page
    assert 'id="id_tiers-1-tier-error"' in page
    assert 'aria-describedby="id_tiers-1-tier-error"' in page


def test_the_form_editor_puts_the_engines_refusal_of_the_name_on_the_name(world: World) -> None:
    model = ModelVersion.current().model
    page = post_editor(
        client_for(world.pat), editor_data(model, **{"model-name": "caseload\x1bmodel"}), model
    )
    assert 'id="id_model-name-error"' in page
    assert "name: contains a control character" in page


def test_a_bulk_rescore_asked_before_a_newer_version_fails_saying_why(world: World) -> None:
    job = record_job(
        by=world.pat,
        kind="complexity_rescore",
        title="Re-score cases under version 1",
        parameters={"version": 1},
    )
    publish_with_tier_three_points(world, 9)
    tasks.execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error_message.startswith("Version 2 was published after this was asked for")
    assert not ChangeEvent.objects.filter(action=ChangeAction.COMPLEXITY_RESCORED).exists()
