"""The supervision policy: the engine's defaults until the PSW publishes a version; each
version checked by the engine's rules, never republished unchanged; where a practitioner stands
by the policy in force, as the engine (and so the spreadsheet command) works it out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.supervision import actions
from caseload.supervision.models import PolicyVersion
from caseload.supervision.policies import book_on, default_book, policy_for, standing_of
from caseload.web.errors import ActionRefused
from caseload_engine import supervision as rules
from tests.conftest import World, client_for
from tests.factories import PractitionerFactory
from tests.supervision_factories import SessionFactory

EDIT = "supervision_policy_edit"


def _form(**more: str) -> dict[str, str]:
    """The editor's fields for the default policies, unchanged, with a note."""
    data = {
        "policy-asye-label": "Newly qualified (ASYE)",
        "policy-asye-minimum_minutes": "90",
        "policy-asye-step_1_interval": "week",
        "policy-asye-step_1_until": "6",
        "policy-asye-step_1_unit": "weeks",
        "policy-asye-step_2_interval": "fortnight",
        "policy-asye-step_2_until": "6",
        "policy-asye-step_2_unit": "months",
        "policy-asye-step_3_interval": "month",
        "policy-monthly-label": "At least monthly",
        "policy-monthly-minimum_minutes": "90",
        "policy-monthly-step_1_interval": "month",
        "note": "Our own policy",
    }
    data |= {f"roles-{role}": key for role, key in default_book().roles.items()}
    return data | more


def _content(**changes: Any) -> dict[str, Any]:
    content = default_book().as_content()
    for policy in content["policies"]:
        policy.update(changes.get(policy["key"], {}))
    return content


def test_with_no_version_the_engine_defaults_apply(world: World) -> None:
    asye = PractitionerFactory.create(team=world.team_north, role="asye")
    assert policy_for(asye) == rules.ASYE_POLICY
    assert policy_for(world.priya_practitioner) == rules.MONTHLY_POLICY
    page = client_for(world.priya).get(reverse("supervision_policy")).content.decode()
    assert "no version has been published" in page
    assert "Weekly for the first 6 weeks" in page


def test_the_psw_publishes_a_version_through_the_editor(world: World) -> None:
    client = client_for(world.pat)
    assert client.get(reverse(EDIT)).status_code == 200
    response = client.post(reverse(EDIT), _form(**{"policy-monthly-minimum_minutes": "60"}))
    assert response.status_code == 302
    version = PolicyVersion.objects.get()
    assert (version.number, version.published_by, version.note) == (1, world.pat, "Our own policy")
    assert policy_for(world.priya_practitioner).minimum_minutes == 60
    event = ChangeEvent.objects.get(action=ChangeAction.SUPERVISION_POLICY_PUBLISHED)
    assert event.changes == {"policy_version": [None, 1]}


def test_the_same_policy_is_not_published_again(world: World) -> None:
    response = client_for(world.pat).post(reverse(EDIT), _form())
    assert "the policy in force already" in response.content.decode()
    assert not PolicyVersion.objects.exists()
    actions.publish_policy(
        by=world.pat, content=_content(monthly={"minimum_minutes": 60}), note="x"
    )
    with pytest.raises(ActionRefused, match="in force already"):
        actions.publish_policy(
            by=world.pat, content=_content(monthly={"minimum_minutes": 60}), note="again"
        )


def test_a_role_moved_to_another_policy(world: World) -> None:
    content = default_book().as_content()
    content["roles"]["asye"] = "monthly"
    actions.publish_policy(by=world.pat, content=content, note="ASYEs monthly")
    asye = PractitionerFactory.create(team=world.team_north, role="asye")
    assert policy_for(asye).key == "monthly"
    # The day before it was published, the defaults were in force.
    assert policy_for(asye, on=timezone.localdate() - timedelta(days=1)).key == "asye"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # The engine's checks, through the editor.
        ("policy-asye-step_2_until", "1", "Step 2 must end later than step 1"),
        ("policy-asye-step_3_until", "12", "the last, so it must have no end"),
        ("policy-monthly-step_1_interval", "", "A policy has 1 to 10 steps"),
        # The form's own.
        ("policy-asye-minimum_minutes", "99999999999999999999", "600 or less"),
        ("policy-asye-minimum_minutes", "0", "at least 1"),
        ("policy-asye-step_1_until", "-3", "at least 1"),
        ("policy-asye-step_1_interval", "daily", "Select a valid choice"),
        ("policy-asye-label", "\u202eevil", "direction of text"),
        ("roles-asye", "nonexistent", "Choose one of the policies"),
        ("note", "", "Say what changed"),
    ],
)
def test_a_policy_the_rules_refuse_is_a_form_error(
    world: World, field: str, value: str, message: str
) -> None:
    response = client_for(world.pat).post(reverse(EDIT), _form(**{field: value}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("mona", 403), ("dee", 403), ("priya", 403)])
def test_only_the_psw_edits(world: World, who: str, status: int) -> None:
    client = client_for(getattr(world, who))
    assert client.get(reverse(EDIT)).status_code == status
    assert (
        client.post(reverse(EDIT), _form(**{"policy-asye-minimum_minutes": "60"})).status_code
        == status
    )
    assert not PolicyVersion.objects.exists()
    with pytest.raises(ActionRefused):
        actions.publish_policy(
            by=getattr(world, who), content=_content(asye={"minimum_minutes": 60}), note="x"
        )


def test_the_practitioner_page_shows_the_engine_standing(world: World) -> None:
    priya = world.priya_practitioner
    held = timezone.localdate() - timedelta(days=40)
    SessionFactory.create(supervisee=priya, supervisor=world.mona, held_on=held, minutes=90)
    # Too short to count.
    SessionFactory.create(
        supervisee=priya, supervisor=world.mona, held_on=held + timedelta(days=10), minutes=45
    )
    expected = rules.standing(
        rules.MONTHLY_POLICY,
        started=priya.start_date,
        sessions=[rules.Session(held, 90), rules.Session(held + timedelta(days=10), 45)],
        on=timezone.localdate(),
    )
    assert standing_of(priya) == expected
    assert (expected.last_session, expected.sessions_too_short) == (held, 1)
    page = client_for(world.priya).get(reverse("supervision_practitioner", args=[priya.pk]))
    text = page.content.decode()
    assert expected.next_due is not None
    assert f"{expected.next_due.day} {expected.next_due:%B %Y}" in text
    assert f"Overdue by {expected.overdue_days} day" in text


def test_a_version_is_in_force_from_the_day_it_is_published(world: World) -> None:
    actions.publish_policy(
        by=world.pat, content=_content(monthly={"minimum_minutes": 30}), note="x"
    )
    assert book_on(date(2000, 1, 1)).version is None
    assert book_on().policies["monthly"].minimum_minutes == 30


def test_the_policy_page_takes_as_many_queries_for_many_versions(world: World) -> None:
    client = client_for(world.dee)
    url = reverse("supervision_policy")

    def publish(n: int) -> None:
        for minutes in range(n):
            latest = PolicyVersion.objects.order_by("-number").first()
            number = latest.number + 1 if latest is not None else 1
            actions.publish_policy(
                by=world.pat,
                content=_content(monthly={"minimum_minutes": 30 + number + minutes}),
                note=f"Change {number}",
            )

    def queries(expected_rows: int) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        assert page.count('<tr class="govuk-table__row">') == 1 + expected_rows
        return len(captured)

    publish(1)
    few = queries(1)
    publish(5)
    assert queries(6) == few


# Adding and removing a policy

FORTNIGHTLY = {
    "new-policy-new_key": "fortnightly",
    "new-policy-label": "Fortnightly",
    "new-policy-minimum_minutes": "60",
    "new-policy-step_1_interval": "fortnight",
    "new-policy-step_1_unit": "weeks",
}


def test_the_psw_adds_a_policy_and_gives_it_to_a_role(world: World) -> None:
    page = client_for(world.pat).get(reverse(EDIT)).content.decode()
    assert 'name="new-policy-new_key"' in page
    data = _form(**FORTNIGHTLY, **{"roles-assistant": "fortnightly"})
    assert client_for(world.pat).post(reverse(EDIT), data).status_code == 302
    book = book_on()
    assert book.for_role("assistant").steps == (rules.Step(interval=rules.Interval.FORTNIGHT),)
    assert (book.roles["social_worker"], sorted(book.policies)) == (
        "monthly",
        ["asye", "fortnightly", "monthly"],
    )


def test_a_policy_no_role_uses_is_removed(world: World) -> None:
    client = client_for(world.pat)
    assert client.post(reverse(EDIT), _form(**FORTNIGHTLY)).status_code == 302
    assert "fortnightly" in book_on().policies
    removal = _form(
        **{
            "policy-fortnightly-label": "Fortnightly",
            "policy-fortnightly-minimum_minutes": "60",
            "policy-fortnightly-step_1_interval": "fortnight",
            "policy-fortnightly-remove": "on",
            "note": "No fortnightly policy",
        }
    )
    assert client.post(reverse(EDIT), removal).status_code == 302
    assert sorted(book_on().policies) == ["asye", "monthly"]
    assert PolicyVersion.objects.count() == 2


@pytest.mark.parametrize(
    ("more", "message"),
    [
        # A role still uses it: the engine's check refuses it.
        ({"policy-monthly-remove": "on"}, "there is no policy &#x27;monthly&#x27;"),
        ({**FORTNIGHTLY, "new-policy-new_key": "Not a key!"}, "The key must be 1 to 40"),
        ({**FORTNIGHTLY, "new-policy-new_key": "monthly"}, "Two policies have the key"),
        ({**FORTNIGHTLY, "new-policy-new_key": ""}, "Give the new policy a key"),
        ({**FORTNIGHTLY, "new-policy-new_key": "k" * 41}, "40 characters or fewer"),
        ({**FORTNIGHTLY, "new-policy-minimum_minutes": "99999999999"}, "minutes must be"),
        ({**FORTNIGHTLY, "new-policy-step_1_interval": ""}, "1 to"),
    ],
)
def test_a_policy_added_or_removed_wrongly_is_a_form_error(
    world: World, more: dict[str, str], message: str
) -> None:
    response = client_for(world.pat).post(reverse(EDIT), _form(**more))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not PolicyVersion.objects.exists()


def test_an_empty_new_policy_adds_none(world: World) -> None:
    # A browser posts every unit select, chosen or not.
    units = {f"new-policy-step_{n}_unit": "weeks" for n in range(1, 5)}
    data = _form(**units, **{"policy-monthly-minimum_minutes": "60"})
    assert client_for(world.pat).post(reverse(EDIT), data).status_code == 302
    assert sorted(book_on().policies) == ["asye", "monthly"]


def test_the_psw_renames_a_policy_and_its_roles_follow(world: World) -> None:
    actions.publish_policy(
        by=world.pat, content=_content(monthly={"minimum_minutes": 60}), note="Shorter sessions"
    )
    data = _form(
        **{
            "policy-monthly-minimum_minutes": "60",
            "policy-monthly-rename_to": "standard",
            "note": "A clearer key",
        }
    )
    page = client_for(world.pat).get(reverse(EDIT)).content.decode()
    assert 'name="policy-monthly-rename_to"' in page
    response = client_for(world.pat).post(reverse(EDIT), data)
    assert response.status_code == 302, response.content.decode()
    book = book_on()
    assert sorted(book.policies) == ["asye", "standard"]
    assert {role for role, key in book.roles.items() if key == "standard"} == {
        role for role, key in default_book().roles.items() if key == "monthly"
    }
    # Only the key changed: the same steps, the same minutes; the earlier version keeps its key.
    assert book.policies["standard"].minimum_minutes == 60
    first, second = PolicyVersion.objects.order_by("number")
    assert [p["key"] for p in first.content["policies"]] == ["asye", "monthly"]
    assert [p["key"] for p in second.content["policies"]] == ["asye", "standard"]
    assert standing_of(world.priya_practitioner).policy.key == "standard"
    event = ChangeEvent.objects.get(action=ChangeAction.SUPERVISION_POLICY_RENAMED)
    assert (event.user_id, event.changes) == (
        world.pat.pk,
        {"key": ["monthly", "standard"], "policy_version": [1, 2]},
    )


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ({"policy-monthly-rename_to": "asye"}, "the key &#x27;asye&#x27; is taken"),
        (
            {**FORTNIGHTLY, "policy-monthly-rename_to": "fortnightly"},
            "the key &#x27;fortnightly&#x27; is taken",
        ),
        (
            {"policy-monthly-rename_to": "both", "policy-asye-rename_to": "both"},
            "the key &#x27;both&#x27; is taken",
        ),
        ({"policy-monthly-rename_to": "Not A Key"}, "The new key must be 1 to 40"),
        ({"policy-monthly-rename_to": "-lead"}, "The new key must be 1 to 40"),
        ({"policy-monthly-rename_to": "month\u0663"}, "The new key must be 1 to 40"),
        ({"policy-monthly-rename_to": "\uff4donthly"}, "The new key must be 1 to 40"),
        ({"policy-monthly-rename_to": "mon\x00thly"}, "Null characters are not allowed"),
        ({"policy-monthly-rename_to": "mon\x1bthly"}, "The new key must be 1 to 40"),
        ({"policy-monthly-rename_to": "k" * 41}, "40 characters or fewer"),
        ({"policy-monthly-rename_to": "9" * 10_000}, "40 characters or fewer"),
    ],
)
def test_a_rename_refused_is_a_form_error(world: World, more: dict[str, str], message: str) -> None:
    response = client_for(world.pat).post(reverse(EDIT), _form(**more))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not PolicyVersion.objects.exists()
    assert not ChangeEvent.objects.exists()


def test_a_rename_to_its_own_key_is_no_change(world: World) -> None:
    response = client_for(world.pat).post(
        reverse(EDIT), _form(**{"policy-monthly-rename_to": "monthly"})
    )
    assert "the policy in force already" in response.content.decode()
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize(
    ("who", "renames", "message"),
    [
        ("pat", {"weekly": "standard"}, "no policy &#x27;weekly&#x27; to rename"),
        ("pat", {"monthly": "x" * 41}, "the new key must be"),
        ("pat", {"monthly": "asye"}, "is taken"),
        ("mona", {"monthly": "standard"}, "Your role cannot"),
    ],
)
def test_the_action_refuses_a_rename_it_cannot_make(
    world: World, who: str, renames: dict[str, str], message: str
) -> None:
    with pytest.raises(ActionRefused, match=message.replace("&#x27;", "'")):
        actions.publish_policy(
            by=getattr(world, who), content=_content(), note="Rename", renames=renames
        )
    assert not PolicyVersion.objects.exists()
