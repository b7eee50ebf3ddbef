"""Changes to ASYE programmes, each in one transaction with its change-log entry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.asye.access import may_comment, may_record_review
from caseload.asye.models import Programme, ProgrammeStatus, Review
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.register.models import Practitioner
from caseload.web.errors import ActionRefused
from caseload_engine import asye
from caseload_engine.reference import Choices, Role


@transaction.atomic
def start_programme(
    *, by: User, practitioner: Practitioner, starts_on: date, assessor: User
) -> Programme:
    """An ASYE's year starts, with the assessor who will assess them."""
    locked = Practitioner.objects.select_for_update().get(pk=practitioner.pk)
    if not has_permission(by, Permission.MANAGE_ASYE_PROGRAMMES, team=locked.team_id):
        raise ActionRefused("You cannot start an ASYE programme in this team")
    if locked.role != Role.ASYE:
        raise ActionRefused(
            "Only an ASYE social worker has an ASYE programme", field="practitioner"
        )
    if assessor.pk == locked.user_id or not assessor.is_active:
        raise ActionRefused("Choose an assessor other than the ASYE", field="assessor")
    if Programme.objects.filter(practitioner=locked, status=ProgrammeStatus.ACTIVE).exists():
        raise ActionRefused("This ASYE's programme has already started", field="practitioner")
    programme = Programme.objects.create(
        practitioner=locked, starts_on=starts_on, assessor=assessor, created_by=by
    )
    record_change(
        by=by,
        action=ChangeAction.ASYE_PROGRAMME_STARTED,
        practitioner_id=locked.pk,
        team_id=locked.team_id,
        changes={"starts_on": (None, starts_on.isoformat()), "assessor": (None, assessor.pk)},
    )
    return programme


def _all_given(choices: Choices, evidence: Mapping[str, str], what: str) -> dict[str, str]:
    given = {code: evidence.get(code, "").strip() for code, _ in choices}
    missing = [label for code, label in choices if not given[code]]
    if missing or set(evidence) - set(given):
        raise ActionRefused(f"Enter the evidence against every {what}")
    return given


@transaction.atomic
def record_review(
    *,
    by: User,
    programme: Programme,
    months: int,
    held_on: date,
    outcome: str,
    pcf_evidence: Mapping[str, str],
    kss_evidence: Mapping[str, str],
    assessor_comments: str,
) -> Review:
    """A progression review as held, recorded all at once. The reviews are recorded in order;
    a final assessment of pass or fail ends the programme; an extension keeps it going to the
    extension review, which ends it either way."""
    locked = (
        Programme.objects.select_for_update(of=("self",))
        .select_related("practitioner")
        .get(pk=programme.pk)
    )
    if not may_record_review(by, locked):
        raise ActionRefused("You cannot record this ASYE's reviews")
    if not locked.is_active:
        raise ActionRefused("This ASYE programme has ended")
    upcoming = asye.next_review(locked.schedule(timezone.localdate()))
    if upcoming is None or months != upcoming.months:
        raise ActionRefused("Record the programme's next review", field="months")
    if not locked.starts_on <= held_on <= timezone.localdate():
        raise ActionRefused(
            "The review must have been held between the programme's start and today",
            field="held_on",
        )
    if outcome not in dict(asye.outcome_choices(months)):
        raise ActionRefused("Choose an outcome for this review", field="outcome")
    if not assessor_comments.strip():
        raise ActionRefused("Enter the assessor's comments", field="assessor_comments")
    review = Review.objects.create(
        programme=locked,
        months=months,
        due_on=asye.due_on(locked.starts_on, months),
        held_on=held_on,
        outcome=outcome,
        pcf_evidence=_all_given(asye.PCF_DOMAINS, pcf_evidence, "PCF domain"),
        kss_evidence=_all_given(asye.KSS_ADULTS, kss_evidence, "KSS statement"),
        assessor_comments=assessor_comments.strip(),
        recorded_by=by,
    )
    changes: dict[str, tuple[object, object]] = {
        "months": (None, months),
        "held_on": (None, held_on.isoformat()),
        "outcome": (None, outcome),
    }
    if outcome in asye.ENDING_OUTCOMES:
        locked.status, locked.ended_on, locked.outcome = ProgrammeStatus.COMPLETED, held_on, outcome
        locked.save(update_fields=["status", "ended_on", "outcome"])
        changes["status"] = (ProgrammeStatus.ACTIVE.value, ProgrammeStatus.COMPLETED.value)
    record_change(
        by=by,
        action=ChangeAction.ASYE_REVIEW_RECORDED,
        practitioner_id=locked.practitioner_id,
        team_id=locked.practitioner.team_id,
        changes=changes,
        detail={"programme_id": locked.pk, "review_id": review.pk},
    )
    return review


@transaction.atomic
def record_asye_comments(*, by: User, review: Review, comments: str) -> Review:
    """The ASYE's own comments on a review the assessor recorded: added, or changed while
    still open."""
    locked = (
        Review.objects.select_for_update(of=("self",))
        .select_related("programme__practitioner")
        .get(pk=review.pk)
    )
    practitioner = locked.programme.practitioner
    if not by.is_active or practitioner.user_id != by.pk:
        raise ActionRefused("Only the ASYE comments on their own reviews")
    latest = max(locked.programme.reviews.values_list("months", flat=True))
    if not may_comment(locked, latest_months=latest):
        raise ActionRefused("Comments on this review can no longer be changed")
    text = comments.strip()
    if not text:
        raise ActionRefused("Enter your comments", field="asye_comments")
    changed = bool(locked.asye_comments)
    locked.asye_comments = text
    locked.save(update_fields=["asye_comments"])
    record_change(
        by=by,
        action=ChangeAction.ASYE_COMMENTS_RECORDED,
        practitioner_id=practitioner.pk,
        team_id=practitioner.team_id,
        detail={
            "programme_id": locked.programme_id,
            "review_id": locked.pk,
            "months": locked.months,
            "changed": changed,
        },
    )
    return locked
