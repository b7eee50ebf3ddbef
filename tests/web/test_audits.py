"""Case file audits: the sample (page and command alike), an auditor who never audits their own
case, the audit completed, responded to and moderated, its actions on the supervision agenda,
the tool's versions, the results, and list pages' query counts."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload.accounts.models import User
from caseload.audit.models import AccessAction, AccessLogEntry
from caseload.audits import actions
from caseload.audits.models import Audit, AuditAction, AuditStatus, ToolVersion
from caseload.audits.results import annual_section, results
from caseload.audits.sampling import sample_for
from caseload.cli import main
from caseload.notifications.models import Notification, NotificationKind
from caseload.register.models import Allocation, Case, Practitioner
from caseload.web.errors import ActionRefused
from caseload_engine.dates import add_months
from tests.audits_factories import answers
from tests.conftest import World, client_for
from tests.factories import AllocationFactory, allocated_case


@pytest.fixture(name="world")
def _world(shared_world: World) -> World:
    return shared_world


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def assign(
    w: World, *, auditor: User | None = None, case: Case | None = None, month: date | None = None
) -> Audit:
    return actions.assign_audit(
        by=w.pat,
        case=case or w.case_held_by_priya,
        practitioner=w.priya_practitioner,
        month=month or this_month(),
        auditor=auditor or w.mona,
    )


def completed(w: World, *, auditor: User | None = None, grade: int = 2) -> Audit:
    audit = assign(w, auditor=auditor)
    return actions.complete_audit(
        by=auditor or w.mona,
        audit=audit,
        answers=answers(grade),
        grade=grade,
        summary="Synthetic summary",
        actions=["Synthetic action: offer the carer an assessment"],
    )


def test_an_auditor_never_audits_a_case_they_work(world: World) -> None:
    Practitioner.objects.filter(pk=world.priya_practitioner.pk).update(role="advanced")
    with pytest.raises(ActionRefused, match="never audits a case they worked"):
        assign(world, auditor=world.priya)


def test_nor_one_they_worked_in_the_month_audited(world: World) -> None:
    """Priya held the closed case until yesterday; Colin is named as its worker, so only the
    check of who held it in the month can refuse her."""
    Practitioner.objects.filter(pk=world.priya_practitioner.pk).update(role="advanced")
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ActionRefused, match="never audits a case they worked, now or in"):
        actions.assign_audit(
            by=world.pat,
            case=world.case_closed_north,
            practitioner=world.colin_practitioner,
            month=yesterday.replace(day=1),
            auditor=world.priya,
        )


def test_nor_one_allocated_to_them_after_it_was_assigned(world: World) -> None:
    audit = assign(world, auditor=world.mona, case=allocated_case(world.colin_practitioner))
    mona = Practitioner.objects.get(user=world.mona)
    Allocation.objects.filter(case=audit.case).update(ended_at=timezone.now())
    AllocationFactory.create(case=audit.case, practitioner=mona)
    with pytest.raises(ActionRefused, match="never audits"):
        actions.complete_audit(
            by=world.mona, audit=audit, answers=answers(), grade=3, summary="Synthetic"
        )


def test_the_database_refuses_an_auditor_who_is_the_practitioner(world: World) -> None:
    audit = assign(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Audit.objects.filter(pk=audit.pk).update(auditor=world.priya)


def test_only_a_manager_or_senior_practitioner_audits(world: World) -> None:
    with pytest.raises(ActionRefused, match="manager or senior practitioner"):
        assign(world, auditor=world.colin)
    with pytest.raises(ActionRefused, match="cannot assign"):
        actions.assign_audit(
            by=world.mona,
            case=world.case_held_by_priya,
            practitioner=world.priya_practitioner,
            month=this_month(),
            auditor=world.max,
        )


def test_the_flow_tells_each_in_turn_and_puts_actions_on_the_supervision_agenda(
    world: World,
) -> None:
    audit = assign(world)
    assert Notification.objects.filter(recipient=world.mona, kind=NotificationKind.CASE_AUDIT)
    mona = client_for(world.mona)
    page = mona.get(reverse("audits_audit_complete", args=[audit.pk]))
    assert page.status_code == 200
    assert escape(world.person_of_priya.family_name) in page.content.decode()
    read = AccessLogEntry.objects.filter(action=AccessAction.AUDIT_CASE_READ, user_id=world.mona.pk)
    assert read.get().reason_detail == f"Case file audit {audit.pk}"
    posted = {k: str(v) for k, v in answers(2).items()}
    posted |= {"grade": "2", "summary": "Synthetic summary", "actions": "Synthetic: book review\n"}
    response = mona.post(reverse("audits_audit_complete", args=[audit.pk]), posted)
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.COMPLETED
    assert audit.grade == 2
    assert Notification.objects.filter(recipient=world.priya, kind=NotificationKind.CASE_AUDIT)
    # On the supervision record form and page for Priya, as an agenda item.
    form = mona.get(reverse("supervision_record", args=[world.priya_practitioner.pk]))
    assert "Synthetic: book review" in form.content.decode()
    priya = client_for(world.priya)
    mine = priya.get(reverse("supervision_practitioner", args=[world.priya_practitioner.pk]))
    assert "Synthetic: book review" in mine.content.decode()
    response = priya.post(
        reverse("audits_audit_respond", args=[audit.pk]), {"response": "Synthetic reply"}
    )
    assert response.status_code == 302
    pat = client_for(world.pat)
    response = pat.post(reverse("audits_audit_moderate", args=[audit.pk]), {"grade": "3"})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert (audit.response, audit.moderated_grade) == ("Synthetic reply", 3)
    action = audit.actions.get()
    assert priya.post(reverse("audits_action_done", args=[action.pk])).status_code == 302
    form = mona.get(reverse("supervision_record", args=[world.priya_practitioner.pk]))
    assert "Synthetic: book review" not in form.content.decode()


def test_a_missing_answer_is_named_and_nothing_is_saved(world: World) -> None:
    audit = assign(world)
    posted = {k: str(v) for k, v in answers().items()}
    del posted["principle_prevention"]
    posted["grade"] = "9"
    response = client_for(world.mona).post(
        reverse("audits_audit_complete", args=[audit.pk]), {**posted, "summary": "\x00"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Choose a grade for “Prevention" in text
    assert "Choose the overall grade" in text
    audit.refresh_from_db()
    assert audit.status == AuditStatus.ASSIGNED


def test_only_the_auditor_completes_and_only_the_practitioner_responds(world: World) -> None:
    audit = assign(world, auditor=world.pat)
    priya = client_for(world.priya)
    assert priya.get(reverse("audits_audit_complete", args=[audit.pk])).status_code == 403
    with pytest.raises(ActionRefused, match="Only the audit's auditor"):
        actions.complete_audit(by=world.mona, audit=audit, answers={}, grade=3, summary="x")
    actions.complete_audit(
        by=world.pat, audit=audit, answers=answers(), grade=3, summary="Synthetic"
    )
    with pytest.raises(ActionRefused, match="whose case it is"):
        actions.respond(by=world.mona, audit=audit, response="Synthetic")


def test_a_moderator_does_not_moderate_their_own_audit_nor_twice(world: World) -> None:
    audit = completed(world, auditor=world.pat)
    with pytest.raises(ActionRefused, match="own audit"):
        actions.moderate(by=world.pat, audit=audit, grade=3, note="")
    with pytest.raises(ActionRefused, match="moderator they name"):
        actions.moderate(by=world.mona, audit=audit, grade=3, note="")


def test_moderation_agreement_is_reported(world: World) -> None:
    audit = completed(world, grade=2)
    actions.moderate(by=world.pat, audit=audit, grade=3, note="Synthetic")
    with pytest.raises(ActionRefused, match="already moderated"):
        actions.moderate(by=world.pat, audit=audit, grade=3, note="")
    figures = results(this_month(), timezone.localdate())
    assert (figures.agreement.moderated, figures.agreement.exact) == (1, 0)
    assert figures.agreement.within_one_percent == 100
    page = client_for(world.dee).get(reverse("audits_results"))
    assert "within one grade in 100%" in page.content.decode()


def test_the_annual_section_has_its_shape(world: World) -> None:
    completed(world, grade=2)
    section = annual_section(start=this_month() - timedelta(days=200), end=timezone.localdate())
    assert section["title"] == "Case file audits"
    assert all(isinstance(p, str) for p in section["paragraphs"])
    assert "1 case file audits were completed" in section["paragraphs"][0]
    for table in section["tables"]:
        assert set(table) == {"caption", "headers", "rows"}
        assert all(len(row) == len(table["headers"]) for row in table["rows"])
        assert all(isinstance(cell, str) for row in table["rows"] for cell in row)


def test_the_tool_is_versioned_and_an_identical_one_refused(world: World) -> None:
    current = ToolVersion.current()
    with pytest.raises(ActionRefused, match="same tool as version 1"):
        actions.publish_tool(by=world.pat, definition=current.definition, change_note="x")
    changed = current.definition.replace("Case file audit (", "Our case file audit (", 1)
    response = client_for(world.pat).post(
        reverse("audits_tool_edit"), {"definition": changed, "change_note": "Our name"}
    )
    assert response.status_code == 302
    assert ToolVersion.current().number == 2
    broken = changed.replace("kind: graded", "kind: marks", 1)
    response = client_for(world.pat).post(
        reverse("audits_tool_edit"), {"definition": broken, "change_note": "Broken"}
    )
    assert "sections[1].questions[1].kind" in response.content.decode()


def test_the_command_prints_the_sample_the_page_uses(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    month = f"{this_month():%Y-%m}"
    assert main(["audit", "sample", "--month", month, "--per-team", "1", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    picks = sample_for(this_month(), per_team=1)
    assert printed == {"month": month, "cases": [p.as_json() for p in picks]}
    assert {c["case_id"] for c in printed["cases"]} <= {
        world.case_held_by_priya.pk,
        world.case_held_by_colin.pk,
        world.case_closed_north.pk,
    }
    page = client_for(world.pat).get(reverse("audits_sample"), {"month": month, "per_team": "1"})
    assert [r["pick"] for r in page.context["rows"]] == picks


def test_a_bad_month_gives_a_message_and_a_non_zero_exit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["audit", "sample", "--month", "2026-13", "--json"]) == 2
    assert "not a month" in capsys.readouterr().err


def test_a_case_audited_lately_is_not_sampled_again(world: World) -> None:
    last_month = add_months(this_month(), -1)
    actions.assign_audit(
        by=world.pat,
        case=world.case_held_by_priya,
        practitioner=world.priya_practitioner,
        month=last_month,
        auditor=world.mona,
    )
    picks = sample_for(this_month(), per_team=10)
    assert world.case_held_by_priya.pk not in {p.case_id for p in picks}
    # The month's own audit does not change the month's sample.
    assert world.case_held_by_priya.pk in {p.case_id for p in sample_for(last_month, per_team=10)}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "2026-1"}, "YYYY-MM"),
        ({"month": "9" * 300}, "YYYY-MM"),
        ({"month": "2026-11", "per_team": "9" * 40}, "Cases per team"),
        ({"month": "2026-11", "per_team": "0"}, "Cases per team"),
        ({"month": "2026-11", "tier": "x"}, "tiers as numbers"),
    ],
)
def test_the_sample_form_refuses_bad_input_with_a_message(
    world: World, params: dict[str, str], message: str
) -> None:
    response = client_for(world.pat).get(reverse("audits_sample"), params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_assigning_from_the_page_and_refusing_what_is_not_in_the_sample(world: World) -> None:
    pat = client_for(world.pat)
    url = f"{reverse('audits_sample')}?month={this_month():%Y-%m}&per_team=5"
    response = pat.post(url, {"case": str(world.case_waiting_south.pk), "auditor": "1"})
    assert "not in the sample for this month" in response.content.decode()
    response = pat.post(
        url, {"case": str(world.case_held_by_priya.pk), "auditor": str(world.mona.pk)}
    )
    assert response.status_code == 302
    assert Audit.objects.get(case=world.case_held_by_priya).auditor == world.mona
    # Priya is not offered for her own case, nor Colin (not senior).
    page = pat.get(url)
    row = next(r for r in page.context["rows"] if r["case"].pk == world.case_held_by_colin.pk)
    offered = {value for value, _ in row["form"].fields["auditor"].choices}
    assert world.mona.pk in offered
    assert world.pat.pk in offered
    assert world.colin.pk not in offered
    assert world.priya.pk not in offered


def _queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _more_audits(w: World, n: int) -> None:
    for _ in range(n):
        case = allocated_case(w.colin_practitioner)
        audit = actions.assign_audit(
            by=w.pat,
            case=case,
            practitioner=w.colin_practitioner,
            month=this_month(),
            auditor=w.mona,
        )
        actions.complete_audit(
            by=w.mona, audit=audit, answers=answers(), grade=3, summary="Synthetic"
        )
        AuditAction.objects.create(audit=audit, description="Synthetic")


@pytest.mark.parametrize("name", ["audits", "audits_sample", "audits_results"])
def test_list_pages_take_as_many_queries_for_many_rows_as_for_few(world: World, name: str) -> None:
    pat = client_for(world.pat)
    url = reverse(name) + (
        f"?month={this_month():%Y-%m}&per_team=20" if name == "audits_sample" else ""
    )
    _more_audits(world, 1)
    few = _queries(pat, url)
    _more_audits(world, 4)
    assert _queries(pat, url) == few


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-99"}, "not a month"),
        ({"to": "x" * 500}, "YYYY-MM"),
        ({"from": "2026-11", "to": "2026-01"}, "must not be after"),
        ({"from": "2001-01", "to": "2026-01"}, "at most five years"),
    ],
)
def test_the_results_page_refuses_bad_months_with_a_message(
    world: World, params: dict[str, str], message: str
) -> None:
    response = client_for(world.dee).get(reverse("audits_results"), params)
    assert response.status_code == 200
    assert message in response.content.decode()
