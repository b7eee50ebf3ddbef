"""Changes to learning and feedback: incidents, reviews, recommendations, briefs, feedback and
its links, the practice framework and the PSW's direct practice.

As everywhere: atomic, keyword-only, the acting user, rows rechecked under a lock, and a
ChangeEvent in the same transaction. Free text is never written to the change log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.audit.changes import record_change
from caseload.audit.models import ChangeAction
from caseload.learning.figures import brief_readers
from caseload.learning.models import (
    CONTRIBUTING_FACTORS,
    HOURS_MAX,
    BriefReading,
    DirectPractice,
    DirectPracticeKind,
    Feedback,
    FeedbackAbout,
    FeedbackChannel,
    FeedbackKind,
    FeedbackLink,
    FrameworkAcknowledgement,
    FrameworkVersion,
    Grade,
    GradeChange,
    Incident,
    IncidentKind,
    LearningBrief,
    LearningReview,
    LinkAttempt,
    OutcomesMet,
    Recommendation,
)
from caseload.notifications.actions import notify
from caseload.notifications.models import NotificationKind
from caseload.register.access import cases_visible_to
from caseload.register.models import Allocation, Case, Practitioner, Team
from caseload.web.errors import ActionRefused

# How long a feedback link may be answered, and how many tries an address gets in a window.
LINK_DAYS = 28
ATTEMPTS_PER_WINDOW = 20
ATTEMPT_WINDOW = timedelta(minutes=10)


def _require(user: User, permission: Permission, message: str, *, team: Team | None = None) -> None:
    if not has_permission(user, permission, team=team):
        raise ActionRefused(message)


def _said(text: str, message: str, field: str) -> str:
    if not text.strip():
        raise ActionRefused(message, field=field)
    return text.strip()


@dataclass(frozen=True)
class IncidentDetails:
    team: Team
    kind: str
    occurred_on: date
    what_happened: str
    immediate_actions: str
    who_was_told: str
    grade: int
    case: Case | None = None


@transaction.atomic
def record_incident(*, by: User, details: IncidentDetails) -> Incident:
    _require(
        by,
        Permission.RECORD_INCIDENTS,
        "You cannot record incidents for this team",
        team=details.team,
    )
    if details.kind not in IncidentKind.values:
        raise ActionRefused("Choose whether it was an incident or a near miss", field="kind")
    if details.grade not in Grade.values:
        raise ActionRefused("Choose how serious it was", field="grade")
    if details.occurred_on > timezone.localdate():
        raise ActionRefused("The day it happened cannot be in the future", field="occurred_on")
    if details.case is not None and (
        details.case.team_id != details.team.pk
        or not cases_visible_to(by).filter(pk=details.case.pk).exists()
    ):
        raise ActionRefused(
            f"Case {details.case.pk} is not one of the team's cases you may see", field="case"
        )
    incident = Incident.objects.create(
        team=details.team,
        case=details.case,
        kind=details.kind,
        occurred_on=details.occurred_on,
        what_happened=_said(details.what_happened, "Say what happened", "what_happened"),
        immediate_actions=_said(
            details.immediate_actions, "Say what was done straight away", "immediate_actions"
        ),
        who_was_told=_said(details.who_was_told, "Say who was told", "who_was_told"),
        grade=details.grade,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    record_change(
        by=by,
        action=ChangeAction.INCIDENT_RECORDED,
        team_id=details.team.pk,
        case_id=details.case.pk if details.case else None,
        person_id=details.case.person_id if details.case else None,
        changes={
            "incident": (None, incident.pk),
            "kind": (None, incident.kind),
            "grade": (None, incident.grade),
            "occurred_on": (None, incident.occurred_on.isoformat()),
        },
    )
    return incident


@transaction.atomic
def regrade_incident(*, by: User, incident: Incident, grade: int, reason: str) -> GradeChange:
    """The seriousness changed as more became known (by the PSW), with the reason kept."""
    _require(by, Permission.MANAGE_LEARNING, "Only the principal social worker regrades incidents")
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if grade not in Grade.values:
        raise ActionRefused("Choose how serious it was", field="grade")
    if grade == locked.grade:
        raise ActionRefused("Choose a different seriousness from the one recorded", field="grade")
    change = GradeChange.objects.create(
        incident=locked,
        old_grade=locked.grade,
        new_grade=grade,
        reason=_said(reason, "Say why the seriousness changed", "reason"),
        changed_by=by,
        changed_at=timezone.now(),
    )
    locked.grade = grade
    locked.save(update_fields=["grade"])
    record_change(
        by=by,
        action=ChangeAction.INCIDENT_REGRADED,
        team_id=locked.team_id,
        case_id=locked.case_id,
        changes={"grade": (change.old_grade, grade)},
        detail={"incident": locked.pk, "grade_change": change.pk},
    )
    return change


@transaction.atomic
def commission_review(*, by: User, incident: Incident, lead: User, terms: str) -> LearningReview:
    _require(by, Permission.MANAGE_LEARNING, "Only the principal social worker commissions reviews")
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if LearningReview.objects.filter(incident=locked).exists():
        raise ActionRefused("A learning review of this incident is already commissioned")
    if not lead.is_active:
        raise ActionRefused("Choose someone who still works here to lead it", field="lead")
    review = LearningReview.objects.create(
        incident=locked,
        lead=lead,
        terms=_said(terms, "Say what the review is to look at", "terms"),
        commissioned_by=by,
        commissioned_at=timezone.now(),
    )
    record_change(
        by=by,
        action=ChangeAction.LEARNING_REVIEW_COMMISSIONED,
        team_id=locked.team_id,
        case_id=locked.case_id,
        changes={
            "review": (None, review.pk),
            "incident": (None, locked.pk),
            "lead": (None, lead.pk),
        },
    )
    return review


def _may_write_review(user: User, review: LearningReview) -> bool:
    return has_permission(user, Permission.MANAGE_LEARNING) or review.lead_id == user.pk


@dataclass(frozen=True)
class ReviewDetails:
    contributing_factors: Sequence[str]
    findings: str
    sar_reference: str = ""
    sar_url: str = ""
    complete: bool = False


@transaction.atomic
def update_review(*, by: User, review: LearningReview, details: ReviewDetails) -> LearningReview:
    """Findings and contributing factors (by the lead or the PSW), the SAR link, completion."""
    locked = LearningReview.objects.select_for_update().get(pk=review.pk)
    if not _may_write_review(by, locked):
        raise ActionRefused("Only the review's lead or the principal social worker changes it")
    unknown = [f for f in details.contributing_factors if f not in CONTRIBUTING_FACTORS]
    if unknown:
        raise ActionRefused(
            "Choose contributing factors from the list", field="contributing_factors"
        )
    if details.complete and not details.findings.strip():
        raise ActionRefused(
            "Record the findings before marking the review complete", field="findings"
        )
    if details.sar_url and not details.sar_url.startswith(("https://", "http://")):
        raise ActionRefused("Give the SAR's web address, starting https://", field="sar_url")
    before = {
        "contributing_factors": list(locked.contributing_factors),
        "sar_reference": locked.sar_reference,
        "completed": locked.completed_at is not None,
    }
    locked.contributing_factors = sorted(set(details.contributing_factors))
    locked.findings = details.findings.strip()
    locked.sar_reference = details.sar_reference.strip()
    locked.sar_url = details.sar_url.strip()
    if details.complete and locked.completed_at is None:
        locked.completed_at = timezone.now()
    elif not details.complete:
        locked.completed_at = None
    locked.save(
        update_fields=[
            "contributing_factors",
            "findings",
            "sar_reference",
            "sar_url",
            "completed_at",
        ]
    )
    record_change(
        by=by,
        action=ChangeAction.LEARNING_REVIEW_UPDATED,
        changes={
            "contributing_factors": (before["contributing_factors"], locked.contributing_factors),
            "sar_reference": (before["sar_reference"], locked.sar_reference),
            "completed": (before["completed"], locked.completed_at is not None),
            # Free text: that it changed, never what it says.
            "findings": ("(text)", "(text changed)"),
        },
        detail={"review": locked.pk},
    )
    return locked


@transaction.atomic
def add_recommendation(
    *, by: User, review: LearningReview, text: str, owner: User, due_on: date
) -> Recommendation:
    locked = LearningReview.objects.select_for_update().get(pk=review.pk)
    if not _may_write_review(by, locked):
        raise ActionRefused("Only the review's lead or the principal social worker adds these")
    if not owner.is_active or owner.access_role == "administrator":
        raise ActionRefused("Choose an owner who works with the service", field="owner")
    if due_on < timezone.localdate():
        raise ActionRefused("The due date cannot be in the past", field="due_on")
    recommendation = Recommendation.objects.create(
        review=locked,
        text=_said(text, "Say what is recommended", "text"),
        owner=owner,
        due_on=due_on,
    )
    record_change(
        by=by,
        action=ChangeAction.RECOMMENDATION_ADDED,
        changes={
            "recommendation": (None, recommendation.pk),
            "owner": (None, owner.pk),
            "due_on": (None, due_on.isoformat()),
        },
        detail={"review": locked.pk},
    )
    return recommendation


@transaction.atomic
def complete_recommendation(
    *, by: User, recommendation: Recommendation, note: str
) -> Recommendation:
    locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if locked.owner_id != by.pk and not has_permission(by, Permission.MANAGE_LEARNING):
        raise ActionRefused("Only the recommendation's owner or the PSW marks it done")
    if locked.done_at is not None:
        raise ActionRefused("This recommendation is already done")
    locked.done_note = _said(note, "Say what was done", "note")
    locked.done_at = timezone.now()
    locked.done_by = by
    locked.save(update_fields=["done_note", "done_at", "done_by"])
    record_change(
        by=by,
        action=ChangeAction.RECOMMENDATION_DONE,
        changes={"done": (False, True)},
        detail={"recommendation": locked.pk, "review": locked.review_id},
    )
    return locked


@transaction.atomic
def publish_brief(
    *, by: User, title: str, summary: str, review: LearningReview | None = None
) -> LearningBrief:
    _require(by, Permission.MANAGE_LEARNING, "Only the principal social worker publishes briefs")
    brief = LearningBrief.objects.create(
        review=review,
        title=_said(title, "Give the brief a title", "title"),
        summary=_said(summary, "Say what practitioners should learn", "summary"),
        published_at=timezone.now(),
        published_by=by,
    )
    record_change(
        by=by,
        action=ChangeAction.LEARNING_BRIEF_PUBLISHED,
        changes={"brief": (None, brief.pk)},
        detail={"review": review.pk if review else None},
    )
    _tell_readers(brief)
    return brief


def _tell_readers(brief: LearningBrief) -> None:
    """Every practitioner the brief is for (those whose reading counts in the read rates) is
    told once; the title is emailed, so it says only that a brief is out."""
    link = reverse("learning_briefs") + f"#brief-{brief.pk}"
    for reader in User.objects.filter(pk__in=brief_readers(on=timezone.localdate())):
        notify(
            recipient=reader,
            kind=NotificationKind.LEARNING_BRIEF_PUBLISHED,
            title="A learning brief is published for you to read",
            body=brief.title,
            link=link,
            once=f"learning_brief:{brief.pk}",
        )


@transaction.atomic
def confirm_brief_read(*, by: User, brief: LearningBrief) -> BriefReading:
    _require(by, Permission.READ_LEARNING_BRIEFS, "You cannot read learning briefs")
    known = BriefReading.objects.filter(brief=brief, user=by).first()
    if known is not None:
        return known
    try:
        with transaction.atomic():
            reading = BriefReading.objects.create(brief=brief, user=by, read_at=timezone.now())
    except IntegrityError:
        # A second click that raced the first: the first counts.
        return BriefReading.objects.get(brief=brief, user=by)
    record_change(by=by, action=ChangeAction.LEARNING_BRIEF_READ, detail={"brief": brief.pk})
    return reading


def practitioner_of(case: Case) -> Practitioner | None:
    """Whom feedback on a case is about: the worker who holds it, else who held it last."""
    allocations = Allocation.objects.filter(case=case).select_related("practitioner")
    chosen = (
        allocations.filter(ended_at__isnull=True).first()
        or allocations.order_by("-started_at", "-pk").first()
    )
    return chosen.practitioner if chosen is not None else None


@dataclass(frozen=True)
class FeedbackAnswers:
    listened_to: bool | None
    outcomes_met: str
    could_be_better: str = ""
    comments: str = ""
    anonymous: bool = False
    may_quote: bool = False


def _check_answers(answers: FeedbackAnswers) -> None:
    if answers.outcomes_met not in [*OutcomesMet.values, ""]:
        raise ActionRefused("Choose whether the outcomes were met", field="outcomes_met")


def _lock_case_for_feedback(by: User, case: Case) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not has_permission(by, Permission.RECORD_FEEDBACK, team=locked.team_id):
        raise ActionRefused(f"Case {case.pk} is not one of your team's cases", field="case")
    return locked


@transaction.atomic
def record_feedback(
    *,
    by: User,
    case: Case,
    about: str,
    kind: str,
    channel: str,
    received_on: date,
    answers: FeedbackAnswers,
) -> Feedback:
    """Feedback, a compliment or a complaint typed in by staff."""
    locked = _lock_case_for_feedback(by, case)
    if about not in FeedbackAbout.values:
        raise ActionRefused("Choose what the feedback is about", field="about")
    if kind not in FeedbackKind.values:
        raise ActionRefused("Choose feedback, compliment or complaint", field="kind")
    if channel not in FeedbackChannel.values or channel == FeedbackChannel.LINK:
        raise ActionRefused("Choose how it was given", field="channel")
    if received_on > timezone.localdate():
        raise ActionRefused("The day it was received cannot be in the future", field="received_on")
    _check_answers(answers)
    practitioner = practitioner_of(locked)
    feedback = Feedback.objects.create(
        case=locked,
        practitioner=practitioner,
        team_id=locked.team_id,
        about=about,
        kind=kind,
        channel=channel,
        received_on=received_on,
        listened_to=answers.listened_to,
        outcomes_met=answers.outcomes_met,
        could_be_better=answers.could_be_better.strip(),
        comments=answers.comments.strip(),
        anonymous=answers.anonymous,
        may_quote=answers.may_quote,
        recorded_by=by,
        created_at=timezone.now(),
    )
    record_change(
        by=by,
        action=ChangeAction.FEEDBACK_RECORDED,
        case_id=locked.pk,
        person_id=locked.person_id,
        team_id=locked.team_id,
        practitioner_id=practitioner.pk if practitioner else None,
        changes={"feedback": (None, feedback.pk), "kind": (None, kind), "about": (None, about)},
    )
    return feedback


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def make_feedback_link(*, by: User, case: Case, about: str) -> tuple[FeedbackLink, str]:
    """A new link, and its token (shown once: only its hash is kept)."""
    locked = _lock_case_for_feedback(by, case)
    if about not in FeedbackAbout.values:
        raise ActionRefused("Choose what the feedback is about", field="about")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    practitioner = practitioner_of(locked)
    link = FeedbackLink.objects.create(
        token_hash=token_hash(token),
        case=locked,
        practitioner=practitioner,
        team_id=locked.team_id,
        about=about,
        created_by=by,
        created_at=now,
        expires_at=now + timedelta(days=LINK_DAYS),
    )
    record_change(
        by=by,
        action=ChangeAction.FEEDBACK_LINK_MADE,
        case_id=locked.pk,
        person_id=locked.person_id,
        team_id=locked.team_id,
        changes={"link": (None, link.pk)},
    )
    return link, token


def _address_hash(address: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def allow_attempt(address: str | None) -> bool:
    """Count a request for a link's page from this address; False once it has made too many
    in the window (guessing tokens). Old attempts are cleared as it goes."""
    now = timezone.now()
    key = _address_hash(address or "unknown")
    LinkAttempt.objects.filter(at__lt=now - ATTEMPT_WINDOW).delete()
    recent = LinkAttempt.objects.filter(address_hash=key, at__gte=now - ATTEMPT_WINDOW).count()
    if recent >= ATTEMPTS_PER_WINDOW:
        return False
    LinkAttempt.objects.create(address_hash=key, at=now)
    return True


def open_link(token: str) -> FeedbackLink | None:
    """The link the token opens: None when unknown, used or expired (all look the same)."""
    if len(token) > 100:
        return None
    return FeedbackLink.objects.filter(
        token_hash=token_hash(token), feedback__isnull=True, expires_at__gt=timezone.now()
    ).first()


@transaction.atomic
def answer_link(*, token: str, answers: FeedbackAnswers) -> Feedback:
    found = open_link(token)
    if found is None:
        raise ActionRefused("This link has been used or has expired")
    link = (
        FeedbackLink.objects.select_for_update()
        .select_related("created_by", "case")
        .get(pk=found.pk)
    )
    if link.feedback_id is not None:
        raise ActionRefused("This link has been used or has expired")
    _check_answers(answers)
    feedback = Feedback.objects.create(
        case_id=link.case_id,
        practitioner_id=link.practitioner_id,
        team_id=link.team_id,
        about=link.about,
        kind=FeedbackKind.FEEDBACK,
        channel=FeedbackChannel.LINK,
        received_on=timezone.localdate(),
        listened_to=answers.listened_to,
        outcomes_met=answers.outcomes_met,
        could_be_better=answers.could_be_better.strip(),
        comments=answers.comments.strip(),
        anonymous=answers.anonymous,
        may_quote=answers.may_quote,
        created_at=timezone.now(),
    )
    link.feedback = feedback
    link.save(update_fields=["feedback"])
    record_change(
        by=link.created_by,
        action=ChangeAction.FEEDBACK_RECEIVED,
        case_id=link.case_id,
        person_id=link.case.person_id,
        team_id=link.team_id,
        practitioner_id=link.practitioner_id,
        changes={"feedback": (None, feedback.pk)},
        detail={"link": link.pk},
    )
    return feedback


@transaction.atomic
def pick_quotation(*, by: User, feedback: Feedback, picked: bool) -> Feedback:
    _require(by, Permission.MANAGE_LEARNING, "Only the principal social worker picks quotations")
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if picked and not locked.may_quote:
        raise ActionRefused("The person did not agree to be quoted")
    before = locked.picked_for_report
    locked.picked_for_report = picked
    locked.save(update_fields=["picked_for_report"])
    record_change(
        by=by,
        action=ChangeAction.FEEDBACK_QUOTE_PICKED,
        case_id=locked.case_id,
        team_id=locked.team_id,
        changes={"picked_for_report": (before, picked)},
        detail={"feedback": locked.pk},
    )
    return locked


@dataclass(frozen=True)
class FrameworkDetails:
    vision: str
    values: str
    practice_model: str
    desired_outcomes: str
    evidence: str
    contributors_practitioners: str = ""
    contributors_people: str = ""
    contributors_partners: str = ""


@transaction.atomic
def publish_framework(*, by: User, details: FrameworkDetails) -> FrameworkVersion:
    _require(
        by,
        Permission.EDIT_PRACTICE_FRAMEWORK,
        "Only the principal social worker publishes the practice framework",
    )
    for name in ("vision", "values", "practice_model", "desired_outcomes", "evidence"):
        _said(getattr(details, name), f"Write the {name.replace('_', ' ')}", name)
    # Serialised through the last version's row; the unique number catches a race without one.
    last = FrameworkVersion.objects.select_for_update().order_by("-number").first()
    number = (last.number if last else 0) + 1
    try:
        with transaction.atomic():
            version = FrameworkVersion.objects.create(
                number=number,
                **{k: v.strip() for k, v in details.__dict__.items()},
                published_at=timezone.now(),
                published_by=by,
            )
    except IntegrityError:
        raise ActionRefused(
            "Someone published a version just now: open the framework again"
        ) from None
    record_change(
        by=by, action=ChangeAction.PRACTICE_FRAMEWORK_PUBLISHED, changes={"version": (None, number)}
    )
    return version


def current_framework() -> FrameworkVersion | None:
    return FrameworkVersion.objects.order_by("-number").first()


@transaction.atomic
def acknowledge_framework(*, by: User, version: FrameworkVersion) -> FrameworkAcknowledgement:
    _require(by, Permission.ACKNOWLEDGE_PRACTICE_FRAMEWORK, "You cannot acknowledge the framework")
    known = FrameworkAcknowledgement.objects.filter(version=version, user=by).first()
    if known is not None:
        return known
    latest = FrameworkVersion.objects.aggregate(n=Max("number"))["n"]
    if version.number != latest:
        raise ActionRefused("A newer version has been published: acknowledge that one")
    try:
        with transaction.atomic():
            done = FrameworkAcknowledgement.objects.create(
                version=version, user=by, at=timezone.now()
            )
    except IntegrityError:
        return FrameworkAcknowledgement.objects.get(version=version, user=by)
    record_change(
        by=by,
        action=ChangeAction.PRACTICE_FRAMEWORK_ACKNOWLEDGED,
        detail={"version": version.number},
    )
    return done


@transaction.atomic
def record_direct_practice(
    *, by: User, kind: str, on: date, hours: Decimal, team: Team | None, note: str
) -> DirectPractice:
    _require(by, Permission.RECORD_DIRECT_PRACTICE, "Only the principal social worker records this")
    if kind not in DirectPracticeKind.values:
        raise ActionRefused("Choose the kind of practice", field="kind")
    if on > timezone.localdate():
        raise ActionRefused("The day cannot be in the future", field="on")
    if not Decimal(0) < hours <= HOURS_MAX:
        raise ActionRefused(f"Enter hours above 0 and up to {HOURS_MAX}", field="hours")
    practice = DirectPractice.objects.create(
        psw=by,
        kind=kind,
        on=on,
        hours=hours,
        team=team,
        note=note.strip(),
        recorded_at=timezone.now(),
    )
    record_change(
        by=by,
        action=ChangeAction.DIRECT_PRACTICE_RECORDED,
        team_id=team.pk if team else None,
        changes={"kind": (None, kind), "on": (None, on.isoformat()), "hours": (None, str(hours))},
    )
    return practice
