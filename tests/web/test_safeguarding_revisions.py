"""Safeguarding, second part: someone new on a concern goes through the register's own checks;
the enquiry's lead revises the risk to what was found; a closure kept for a senior manager
reaches them; a strategy record is added in place by HTMX, or by its own page without it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload.audit.models import AccessAction, AccessLogEntry, ChangeAction, ChangeEvent
from caseload.decisions.models import DelegationScheme, SignOffLevel
from caseload.notifications.models import Notification, NotificationKind
from caseload.register.models import Person
from caseload.safeguarding import actions
from caseload.safeguarding.models import Concern, Enquiry, EnquiryStatus, StrategyRecord
from caseload.safeguarding.notices import send_overdue_notices
from caseload.web.errors import ActionRefused
from caseload_engine import safeguarding_reference as ref
from tests.conftest import World, client_for
from tests.safeguarding_factories import ConcernFactory

HTMX = {"HX-Request": "true"}
ALL_MET = {key: True for key, _ in ref.CRITERIA}


@pytest.fixture(name="world")
def _world(shared_world: World) -> World:
    return shared_world


def _concern_post(w: World, **person: str) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "team": w.team_north.pk,
        "given_name": "Nora",
        "family_name": "Newperson",
        "date_of_birth_day": "3",
        "date_of_birth_month": "4",
        "date_of_birth_year": "1941",
        "postcode": "ZZ1 1AA",
        "received_on_day": str(today.day),
        "received_on_month": str(today.month),
        "received_on_year": str(today.year),
        "received_time": "09:15",
        "source": "health",
        "route": "email",
        "summary": "Synthetic: unexplained bruising",
        "types_of_risk": ["physical"],
        "location_of_risk": "own_home",
        "source_of_risk": "other_known",
        **person,
    }


def _post_concern(w: World, **person: str) -> tuple[int, str]:
    response = client_for(w.priya).post(
        reverse("safeguarding_concern_new"), _concern_post(w, **person)
    )
    return response.status_code, response.content.decode()


# -- someone new: the register's own checks -------------------------------------------------


@pytest.mark.parametrize(
    "nhs_number",
    [
        "999 000 0019",  # the check digit does not match
        "99900000181",
        "999-000-00I8",
        "\u200b9990000018",  # a hidden character
    ],
)
def test_a_new_persons_nhs_number_is_checked_as_a_referrals(world: World, nhs_number: str) -> None:
    people = Person.objects.count()
    status, page = _post_concern(world, nhs_number=nhs_number)
    assert status == 200
    assert "Enter a valid NHS number" in page or "Enter an NHS number of 10 digits" in page
    assert (Person.objects.count(), Concern.objects.count()) == (people, 0)


def test_a_valid_nhs_number_is_kept_on_the_new_person_in_ascii_digits(world: World) -> None:
    # Arabic-Indic digits, read as ASCII as the register reads them.
    status, _ = _post_concern(
        world, nhs_number="\u0669\u0669\u0669 \u0660\u0660\u0660 \u0660\u0660\u0661\u0668"
    )
    assert status == 302
    assert Concern.objects.get().person.nhs_number == "9990000018"


def test_someone_elses_nhs_number_is_refused_and_access_logged(world: World) -> None:
    known = world.case_held_by_colin.person
    assert known.nhs_number
    people = Person.objects.count()
    status, page = _post_concern(world, nhs_number=known.nhs_number)
    assert status == 200
    assert "recorded for someone with a different name or date of birth" in page
    assert escape(known.full_name) not in page
    assert (Person.objects.count(), Concern.objects.count()) == (people, 0)
    entry = AccessLogEntry.objects.get(action=AccessAction.IDENTITY_CHECK_FAILED)
    assert list(entry.subjects.values_list("person_id", flat=True)) == [known.pk]


def test_the_same_nhs_number_name_and_birth_date_is_the_same_person(world: World) -> None:
    known = world.case_held_by_colin.person
    people = Person.objects.count()
    born = known.date_of_birth
    status, _ = _post_concern(
        world,
        nhs_number=known.nhs_number,
        family_name=known.family_name.upper(),
        date_of_birth_day=str(born.day),
        date_of_birth_month=str(born.month),
        date_of_birth_year=str(born.year),
    )
    assert status == 302
    assert Person.objects.count() == people
    assert Concern.objects.get().person == known


def test_a_duplicate_without_an_nhs_number_is_stopped_and_access_logged(world: World) -> None:
    known = world.case_held_by_colin.person  # a record Priya cannot open
    born = known.date_of_birth
    people = Person.objects.count()
    status, page = _post_concern(
        world,
        given_name=known.given_name.lower(),
        family_name=f" {known.family_name.upper()} ",
        date_of_birth_day=str(born.day),
        date_of_birth_month=str(born.month),
        date_of_birth_year=str(born.year),
        postcode=known.postcode.lower().replace(" ", ""),
    )
    assert status == 200
    assert "already on the register, in a record you cannot open" in page
    assert escape(known.full_name) not in page
    assert (Person.objects.count(), Concern.objects.count()) == (people, 0)
    entry = AccessLogEntry.objects.get(action=AccessAction.KNOWN_PERSON_MATCHED)
    assert list(entry.subjects.values_list("person_id", flat=True)) == [known.pk]


@pytest.mark.parametrize("postcode", ["ZZ1 1\u0391\u0391", "\uff3a", "999999999"])
def test_a_postcode_that_is_not_one_is_a_field_error(world: World, postcode: str) -> None:
    status, page = _post_concern(world, postcode=postcode)
    assert status == 200
    assert "Enter a full UK postcode" in page
    assert not Concern.objects.exists()


# -- the lead revises the risk to what the enquiry found --------------------------------------


def _enquiry(w: World) -> Enquiry:
    concern = ConcernFactory.create(
        team=w.team_north,
        person=w.person_of_priya,
        location_of_risk="own_home",
        source_of_risk="other_known",
    )
    actions.decide_concern(
        by=w.mona,
        concern=concern,
        criteria=ALL_MET,
        decision=ref.SECTION_42,
        lead=w.priya_practitioner,
    )
    return Enquiry.objects.get(concern=concern)


def _revise(w: World, enquiry: Enquiry, *, by: Any = None, **more: Any) -> Concern:
    return actions.revise_risk(
        by=by or w.priya,
        enquiry=enquiry,
        **{
            "types_of_risk": ["financial_or_material", "psychological"],
            "location_of_risk": "care_home_residential",
            "source_of_risk": "service_provider",
            **more,
        },
    )


def test_the_lead_revises_the_risk_audited_old_to_new_on_the_concern(world: World) -> None:
    enquiry = _enquiry(world)
    was = enquiry.concern.types_of_risk
    concern = _revise(world, enquiry)
    concern.refresh_from_db()
    assert (concern.types_of_risk, concern.location_of_risk, concern.source_of_risk) == (
        ["financial_or_material", "psychological"],
        "care_home_residential",
        "service_provider",
    )
    event = ChangeEvent.objects.get(action=ChangeAction.SAFEGUARDING_RISK_REVISED)
    assert event.detail == {"concern_id": concern.pk, "enquiry_id": enquiry.pk}
    assert event.person_id == concern.person_id
    assert event.changes == {
        "types_of_risk": [was, ["financial_or_material", "psychological"]],
        "location_of_risk": ["own_home", "care_home_residential"],
        "source_of_risk": ["other_known", "service_provider"],
    }
    # The same again changes nothing and records nothing.
    _revise(world, enquiry)
    assert ChangeEvent.objects.filter(action=ChangeAction.SAFEGUARDING_RISK_REVISED).count() == 1


def test_only_the_lead_revises_and_only_before_conclusion(world: World) -> None:
    enquiry = _enquiry(world)
    for who in (world.mona, world.sally, world.max):
        with pytest.raises(ActionRefused):
            _revise(world, enquiry, by=who)
    with pytest.raises(ActionRefused, match="type of risk"):
        _revise(world, enquiry, types_of_risk=[])
    with pytest.raises(ActionRefused, match="location"):
        _revise(world, enquiry, location_of_risk="the moon")
    Enquiry.objects.filter(pk=enquiry.pk).update(
        status=EnquiryStatus.AWAITING_SIGN_OFF,
        msp_asked="not_asked",
        outcomes_not_asked_reason="Synthetic",
        concluded_on=timezone.localdate(),
        action_and_result="no_risk_no_action",
        concluded_by=world.priya,
    )
    with pytest.raises(ActionRefused, match="closed to changes"):
        _revise(world, enquiry)
    assert not ChangeEvent.objects.filter(action=ChangeAction.SAFEGUARDING_RISK_REVISED).exists()


def test_the_risk_page_is_the_leads_and_refuses_what_is_not_on_the_lists(world: World) -> None:
    enquiry = _enquiry(world)
    url = reverse("safeguarding_enquiry_risk", args=[enquiry.pk])
    detail = reverse("safeguarding_enquiry", args=[enquiry.pk])
    assert url in client_for(world.priya).get(detail).content.decode()
    assert url not in client_for(world.mona).get(detail).content.decode()
    assert client_for(world.mona).get(url).status_code == 403
    client = client_for(world.priya)
    bad = client.post(url, {"types_of_risk": ["arson"], "location_of_risk": "own_home"})
    assert bad.status_code == 200
    assert "govuk-error-summary" in bad.content.decode()
    good = client.post(
        url,
        {
            "types_of_risk": ["self_neglect"],
            "location_of_risk": "own_home",
            "source_of_risk": "other_known",
        },
    )
    assert good.status_code == 302
    assert Concern.objects.get(pk=enquiry.concern_id).types_of_risk == ["self_neglect"]


# -- a closure kept for a senior manager -----------------------------------------------------


def test_a_senior_sign_off_reaches_the_director_and_only_those_awaiting_it(world: World) -> None:
    DelegationScheme.current()
    DelegationScheme.objects.update(safeguarding=SignOffLevel.SENIOR_MANAGER)
    enquiry = _enquiry(world)
    other = _enquiry(world)  # open: not awaiting sign-off
    actions.record_outcomes(
        by=world.priya,
        enquiry=enquiry,
        msp_asked="not_asked",
        desired_outcomes="",
        not_asked_reason="Synthetic: unwell",
        lacked_capacity=None,
        support="",
    )
    actions.conclude(
        by=world.priya,
        enquiry=enquiry,
        concluded_on=timezone.localdate(),
        action_and_result="no_risk_no_action",
        risk_outcome="",
        msp_achieved="",
        conclusion="Synthetic conclusion",
    )
    # Dee is told, with a link she can open.
    notice = Notification.objects.get(recipient=world.dee, kind=NotificationKind.SIGN_OFF_REQUESTED)
    url = reverse("safeguarding_sign_off", args=[enquiry.pk])
    assert notice.link == url
    dee = client_for(world.dee)
    page = dee.get(url)
    assert page.status_code == 200
    assert "Synthetic conclusion" in page.content.decode()
    entry = AccessLogEntry.objects.filter(user_id=world.dee.pk).latest("pk")
    assert entry.action == AccessAction.PERSON_FORM
    assert list(entry.subjects.values_list("person_id", flat=True)) == [enquiry.person_id]
    # Nothing else of safeguarding: not the enquiry, not another one's sign-off.
    assert dee.get(reverse("safeguarding_enquiry", args=[enquiry.pk])).status_code == 403
    assert dee.get(reverse("safeguarding_sign_off", args=[other.pk])).status_code == 404
    assert client_for(world.ada).get(url).status_code == 404
    # Past its sign-off target, the daily run tells her, not only the team's managers who
    # cannot sign it; once a day.
    late = timezone.localdate() + timedelta(days=30)
    enquiry.refresh_from_db()
    assert enquiry.sign_off_due_on is not None
    assert enquiry.sign_off_due_on < late
    send_overdue_notices(on=late)
    send_overdue_notices(on=late)
    overdue = Notification.objects.get(recipient=world.dee, kind=NotificationKind.SAFEGUARDING)
    assert overdue.link == url
    assert overdue.title == "A safeguarding closure is past its sign-off target"
    assert world.person_of_priya.family_name not in overdue.title
    response = dee.post(url, {"approve": "yes", "comments": ""})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.signed_off_by) == (EnquiryStatus.CLOSED, world.dee)
    # Signed off, it is out of her reach again.
    assert dee.get(url).status_code == 404


def test_a_team_level_sign_off_stays_out_of_the_directors_reach(world: World) -> None:
    enquiry = _enquiry(world)
    Enquiry.objects.filter(pk=enquiry.pk).update(
        status=EnquiryStatus.AWAITING_SIGN_OFF,
        msp_asked="not_asked",
        outcomes_not_asked_reason="Synthetic",
        concluded_on=timezone.localdate(),
        action_and_result="no_risk_no_action",
        concluded_by=world.priya,
        sign_off_level=SignOffLevel.TEAM_MANAGER,
    )
    url = reverse("safeguarding_sign_off", args=[enquiry.pk])
    assert client_for(world.dee).get(url).status_code == 404
    assert client_for(world.mona).get(url).status_code == 200


# -- a strategy record in place (HTMX), or by its own page -----------------------------------


def _strategy(**more: str) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "kind": "discussion",
        "held_on_day": str(today.day),
        "held_on_month": str(today.month),
        "held_on_year": str(today.year),
        "attendees": "Synthetic: police, care home manager",
        "summary": "Synthetic: visit tomorrow",
        **more,
    }


def test_a_strategy_record_by_htmx_replaces_only_the_list(world: World) -> None:
    enquiry = _enquiry(world)
    client: Client = client_for(world.priya)
    page = client.get(reverse("safeguarding_enquiry", args=[enquiry.pk])).content.decode()
    url = reverse("safeguarding_enquiry_strategy", args=[enquiry.pk])
    assert f'hx-post="{url}"' in page
    assert f'action="{url}"' in page
    assert 'id="strategy-status"' in page
    response = client.post(url, _strategy(), headers=HTMX)
    assert response.status_code == 200
    partial = response.content.decode()
    assert partial.startswith('<div id="strategy-records">')
    assert "Synthetic: visit tomorrow" in partial
    assert 'hx-swap-oob="innerHTML">Strategy discussion recorded</p>' in partial
    assert "<html" not in partial
    assert StrategyRecord.objects.filter(enquiry=enquiry).count() == 1


def test_a_refused_strategy_record_by_htmx_shows_its_errors_in_place(world: World) -> None:
    enquiry = _enquiry(world)
    url = reverse("safeguarding_enquiry_strategy", args=[enquiry.pk])
    response = client_for(world.priya).post(
        url, _strategy(attendees="", summary="Bad\x00text"), headers=HTMX
    )
    assert response.status_code == 200
    partial = response.content.decode()
    assert partial.startswith('<div id="strategy-records">')
    assert "govuk-error-summary" in partial
    assert "control or hidden formatting characters" in partial
    assert not StrategyRecord.objects.exists()


def test_without_javascript_the_same_form_posts_to_its_page_and_returns(world: World) -> None:
    enquiry = _enquiry(world)
    url = reverse("safeguarding_enquiry_strategy", args=[enquiry.pk])
    client = client_for(world.priya)
    response = client.post(url, _strategy())
    assert response.status_code == 302
    assert response["Location"] == reverse("safeguarding_enquiry", args=[enquiry.pk])
    refused = client.post(url, _strategy(attendees=""))
    assert refused.status_code == 200
    assert "<html" in refused.content.decode()
    assert StrategyRecord.objects.filter(enquiry=enquiry).count() == 1
    # Someone who may not add to the record is refused, by HTMX too.
    assert client_for(world.max).post(url, _strategy(), headers=HTMX).status_code == 404
