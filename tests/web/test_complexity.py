"""Scoring cases, overriding tiers, and versioning the model, through the product."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.complexity import actions
from caseload.complexity.models import Assessment, ModelVersion
from caseload.web.errors import ActionRefused
from caseload_engine import complexity
from tests.conftest import World, client_for
from tests.factories import PractitionerFactory, allocated_case

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
    definition = ModelVersion.current().definition.replace("points: 8", f"points: {points}")
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
