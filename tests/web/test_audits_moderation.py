"""Moderation by the PSW or the moderators they name, of a reproducible share of each month's
completed audits (every team covered), never of one's own audit or case; agreement per
moderator; and the themed audit of Section 42 enquiries closed in a period."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from caseload.audit.models import ChangeAction, ChangeEvent
from caseload.audits import actions
from caseload.audits.models import Audit, Moderator
from caseload.audits.moderation import agreement_by_moderator, chosen_for_moderation
from caseload.audits.sampling import sample_for
from caseload.cli import main
from caseload.notifications.models import Notification, NotificationKind
from caseload.register.models import Practitioner
from caseload.web.errors import ActionRefused
from caseload_engine import audit_sample
from tests.audits_factories import answers
from tests.conftest import World, client_for
from tests.factories import allocated_case
from tests.safeguarding_factories import ConcernFactory, EnquiryFactory
from tests.web.test_audits import _queries, this_month


@pytest.fixture(name="world")
def _world(shared_world: World) -> World:
    return shared_world


def _completed_by_pat(w: World, grade: int = 2, case_of: Practitioner | None = None) -> Audit:
    worker = case_of or w.colin_practitioner
    audit = actions.assign_audit(
        by=w.pat,
        case=allocated_case(worker),
        practitioner=worker,
        month=this_month(),
        auditor=w.pat,
    )
    return actions.complete_audit(
        by=w.pat, audit=audit, answers=answers(grade), grade=grade, summary="Synthetic"
    )


def test_the_psw_names_moderators_and_sets_the_share_each_recorded(world: World) -> None:
    with pytest.raises(ActionRefused, match="Only the principal social worker"):
        actions.appoint_moderator(by=world.mona, user=world.mona)
    with pytest.raises(ActionRefused, match="manager or senior practitioner"):
        actions.appoint_moderator(by=world.pat, user=world.priya)
    moderator = actions.appoint_moderator(by=world.pat, user=world.mona)
    with pytest.raises(ActionRefused, match="already a moderator"):
        actions.appoint_moderator(by=world.pat, user=world.mona)
    actions.set_moderation_share(by=world.pat, percent=25)
    for bad in (0, 101, True):
        with pytest.raises(ActionRefused, match="1 to 100"):
            actions.set_moderation_share(by=world.pat, percent=bad)
    actions.remove_moderator(by=world.pat, moderator=moderator)
    assert not Moderator.objects.exists()
    assert set(
        ChangeEvent.objects.filter(action__startswith="audit_moderat").values_list(
            "action", flat=True
        )
    ) == {
        ChangeAction.AUDIT_MODERATOR_APPOINTED,
        ChangeAction.AUDIT_MODERATION_SHARE_SET,
        ChangeAction.AUDIT_MODERATOR_REMOVED,
    }


def test_a_delegate_moderates_only_chosen_audits_and_never_their_own(world: World) -> None:
    actions.appoint_moderator(by=world.pat, user=world.mona)
    actions.set_moderation_share(by=world.pat, percent=1)
    first, second = _completed_by_pat(world), _completed_by_pat(world)
    chosen = chosen_for_moderation()
    # 1% of two audits, rounded up, in one team: one of them.
    assert len(chosen & {first.pk, second.pk}) == 1
    picked, other = (first, second) if first.pk in chosen else (second, first)
    with pytest.raises(ActionRefused, match="not one of those chosen"):
        actions.moderate(by=world.mona, audit=other, grade=2, note="")
    # She may not even see it; the chosen one she reads and moderates.
    mona = client_for(world.mona)
    assert mona.get(reverse("audits_audit_moderate", args=[other.pk])).status_code == 404
    assert mona.get(reverse("audits_audit_moderate", args=[picked.pk])).status_code == 200
    actions.moderate(by=world.mona, audit=picked, grade=3, note="Synthetic")
    # The PSW may moderate any audit but their own.
    with pytest.raises(ActionRefused, match="own audit"):
        actions.moderate(by=world.pat, audit=other, grade=2, note="")
    [row] = agreement_by_moderator(this_month(), timezone.localdate())
    assert (row.name, row.agreement.moderated, row.agreement.within_one) == (
        world.mona.get_full_name(),
        1,
        1,
    )


def test_moderators_are_told_when_named_and_when_an_audit_is_chosen_for_them(
    world: World,
) -> None:
    actions.appoint_moderator(by=world.pat, user=world.mona)
    named = Notification.objects.get(recipient=world.mona, kind=NotificationKind.CASE_AUDIT)
    assert named.link == reverse("audits_moderation")
    actions.set_moderation_share(by=world.pat, percent=100)
    audit = _completed_by_pat(world)
    assert audit.pk in chosen_for_moderation()
    chosen = Notification.objects.filter(recipient=world.mona).exclude(pk=named.pk)
    assert [n.link for n in chosen] == [reverse("audits_audit_moderate", args=[audit.pk])]
    # Not the auditor (the PSW here), who is no moderator of their own audit.
    assert not Notification.objects.filter(
        recipient=world.pat, title="A case file audit is chosen for moderation"
    ).exists()


def test_a_moderator_never_moderates_an_audit_of_their_own_case(world: World) -> None:
    actions.appoint_moderator(by=world.pat, user=world.mona)
    actions.set_moderation_share(by=world.pat, percent=100)
    mona_practitioner = Practitioner.objects.get(user=world.mona)
    audit = _completed_by_pat(world, case_of=mona_practitioner)
    assert audit.pk in chosen_for_moderation()
    with pytest.raises(ActionRefused, match="case they worked"):
        actions.moderate(by=world.mona, audit=audit, grade=2, note="")
    # And the database refuses a moderator who is the auditor or the practitioner.
    for user in (world.pat, world.mona):
        with pytest.raises(IntegrityError), transaction.atomic():
            Audit.objects.filter(pk=audit.pk).update(
                moderated_by=user, moderated_grade=2, moderated_at=timezone.now()
            )


def test_every_team_is_covered_whatever_the_share(world: World) -> None:
    north = _completed_by_pat(world)
    south_worker = Practitioner.objects.exclude(team=world.team_north).filter(user__isnull=False)[0]
    south = _completed_by_pat(world, case_of=south_worker)
    assert {north.pk, south.pk} <= chosen_for_moderation()


def test_the_moderation_page_per_user_with_constant_queries(world: World) -> None:
    actions.appoint_moderator(by=world.pat, user=world.mona)
    _completed_by_pat(world)
    url = f"{reverse('audits_moderation')}?month={this_month():%Y-%m}"
    pat_page = client_for(world.pat).get(url).content.decode()
    assert "Name moderator" in pat_page
    assert world.mona.get_full_name() in pat_page
    mona_page = client_for(world.mona).get(url).content.decode()
    assert "Audits chosen for moderation" in mona_page
    assert "Name moderator" not in mona_page
    assert "You do not moderate" in client_for(world.priya).get(url).content.decode()
    few = _queries(client_for(world.pat), url)
    for _ in range(4):
        _completed_by_pat(world)
    assert _queries(client_for(world.pat), url) == few
    bad = client_for(world.pat).post(
        reverse("audits_moderation_share"), {"percent": "\u0661\u0660\u0661"}
    )
    assert "1 to 100" in bad.content.decode()
    ok = client_for(world.pat).post(reverse("audits_moderation_share"), {"percent": "\u0662\u0660"})
    assert ok.status_code == 302


def test_the_themed_audit_of_section_42_enquiries_closed_in_a_period(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    closed_on = timezone.now()
    concern = ConcernFactory.create(
        team=world.team_north,
        person=world.person_of_priya,
        criterion_care_and_support_needs=True,
        criterion_abuse_or_neglect=True,
        criterion_unable_to_protect=True,
        decision="section_42",
        decided_at=closed_on,
        decided_by=world.mona,
    )
    enquiry = EnquiryFactory.create(concern=concern, lead=world.priya_practitioner)
    type(enquiry).objects.filter(pk=enquiry.pk).update(
        status="closed",
        msp_asked="not_asked",
        outcomes_not_asked_reason="Synthetic",
        concluded_on=closed_on.date(),
        concluded_by=world.priya,
        action_and_result="no_risk_no_action",
        signed_off_at=closed_on,
        signed_off_by=world.mona,
    )
    day = timezone.localdate()
    period = f"{day - timedelta(days=80)}..{day}"
    themed = audit_sample.make_filter("s42_closed_between", period)
    picks = sample_for(this_month(), per_team=None, filters=[themed])
    assert [p.case_id for p in picks] == [world.case_held_by_priya.pk]
    month = f"{this_month():%Y-%m}"
    command = ["audit", "sample", "--month", month, "--filter", f"s42_closed_between={period}"]
    assert main([*command, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "month": month,
        "cases": [p.as_json() for p in picks],
    }
    with pytest.raises(audit_sample.SampleError, match="YYYY-MM-DD"):
        audit_sample.make_filter("s42_closed_between", f"{day}..")
    page = client_for(world.pat).get(
        reverse("audits_sample"), {"month": f"{this_month():%Y-%m}", "s42_closed": period}
    )
    assert f"Case {world.case_held_by_priya.pk}" in page.content.decode()
    refused = client_for(world.pat).get(
        reverse("audits_sample"), {"month": f"{this_month():%Y-%m}", "s42_closed": "last week"}
    )
    assert "YYYY-MM-DD..YYYY-MM-DD" in refused.content.decode()
