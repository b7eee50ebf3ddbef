"""The demo council's learning and feedback: a practice framework most practitioners have
acknowledged, a year of incidents and near misses (the serious ones reviewed, with
recommendations done, open and overdue), learning briefs read by most, feedback on every team
each month (some anonymous, some quotable, a few picked), and the PSW's direct practice.
Written in bulk."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from caseload.accounts.models import AccessRole, User
from caseload.learning.models import (
    CONTRIBUTING_FACTORS,
    BriefReading,
    DirectPractice,
    DirectPracticeKind,
    Feedback,
    FeedbackAbout,
    FeedbackChannel,
    FeedbackKind,
    FrameworkAcknowledgement,
    FrameworkVersion,
    Incident,
    IncidentKind,
    LearningBrief,
    LearningReview,
    OutcomesMet,
    Recommendation,
)
from caseload.register.models import Allocation, Practitioner

MONTHS = 12
FEEDBACK_PER_TEAM_MONTH = (1, 6)
ACKNOWLEDGED_SHARE = 0.75
READ_SHARE = 0.65
COMMENTS = (
    "She listened and explained every step.",
    "I felt my views mattered in the plan.",
    "It took a long time to hear back after the first call.",
    "He made sure my daughter could be there.",
    "The assessment felt rushed.",
    "Clear, kind and honest about what could happen next.",
)
BETTER = ("Ring back when you say you will.", "Fewer changes of worker.", "")
BRIEFS = (
    ("Hospital discharge on a Friday", "Check the care package starts before the person leaves."),
    ("Hearing the person's voice", "Record the person's own words about what matters to them."),
    ("Self-neglect and engagement", "Keep trying different ways to engage; record each one."),
    ("Lone working on first visits", "Share the visit plan and check in afterwards."),
)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def load_demo_learning(*, as_of: date, seed: int) -> int:
    """Writes it all; returns the number of feedback items."""
    psw = User.objects.filter(access_role=AccessRole.PRINCIPAL_SOCIAL_WORKER).order_by("pk").first()
    if psw is None:
        return 0
    rng = random.Random(seed + 15)  # noqa: S311 - synthetic data
    staff = list(
        Practitioner.objects.filter(user__isnull=False, team__isnull=False, left_on=None)
        .order_by("pk")
        .values_list("user_id", "team_id", "user__access_role")
    )
    managers = {team: user for user, team, role in staff if role == AccessRole.TEAM_MANAGER}
    _framework(psw, staff, as_of=as_of, rng=rng)
    _incidents(psw, staff, managers, as_of=as_of, rng=rng)
    _briefs(psw, staff, as_of=as_of, rng=rng)
    count = _feedback(managers, as_of=as_of, rng=rng)
    DirectPractice.objects.bulk_create(
        DirectPractice(
            psw=psw,
            kind=rng.choice(DirectPracticeKind.values),
            on=as_of - timedelta(days=rng.randint(1, 365)),
            hours=Decimal(rng.choice((1, 2, 3, 4))) + Decimal("0.5") * rng.randint(0, 1),
            team_id=rng.choice(list(managers)) if managers else None,
            recorded_at=_at(as_of),
        )
        for _ in range(30)
    )
    return count


def _framework(
    psw: User, staff: list[tuple[int, int, str]], *, as_of: date, rng: random.Random
) -> None:
    version = FrameworkVersion.objects.create(
        number=1,
        vision=(
            "People live the lives they choose, safely, with the right support at the right time."
        ),
        values="Strengths first; the person's own words; honesty about risk; working together.",
        practice_model=(
            "Strengths-based, relationship-based practice under the Care Act 2014 and Making "
            "Safeguarding Personal, with reflective supervision and the levels of practice."
        ),
        desired_outcomes="Outcomes the person names are met; fewer hand-offs; timely reviews.",
        evidence="SCIE strengths-based approaches; Think Local Act Personal; our own audits.",
        contributors_practitioners="Practice forum (24 practitioners, all teams)",
        contributors_people="Experts by experience group (9 members)",
        contributors_partners="Carers' centre; NHS community trust; advocacy service",
        published_at=_at(as_of - timedelta(days=200)),
        published_by=psw,
    )
    FrameworkAcknowledgement.objects.bulk_create(
        FrameworkAcknowledgement(
            version=version, user_id=user, at=_at(as_of - timedelta(days=rng.randint(1, 190)))
        )
        for user, _, role in staff
        if role in (AccessRole.PRACTITIONER, AccessRole.TEAM_MANAGER)
        and rng.random() < ACKNOWLEDGED_SHARE
    )


def _incidents(
    psw: User,
    staff: list[tuple[int, int, str]],
    managers: dict[int, int],
    *,
    as_of: date,
    rng: random.Random,
) -> None:
    incidents = Incident.objects.bulk_create(
        Incident(
            team_id=team,
            kind=rng.choice(IncidentKind.values),
            occurred_on=(day := as_of - timedelta(days=rng.randint(7, 365))),
            what_happened="A planned visit did not happen and nobody noticed for three days.",
            immediate_actions="Visited the next morning; the person was safe.",
            who_was_told="The team manager and the person's family.",
            grade=rng.choices((1, 2, 3, 4), (40, 35, 20, 5))[0],
            recorded_by_id=manager,
            recorded_at=_at(day + timedelta(days=1)),
        )
        for team, manager in managers.items()
        for _ in range(rng.randint(2, 6))
    )
    serious = [i for i in incidents if i.grade >= 3]
    reviews = LearningReview.objects.bulk_create(
        LearningReview(
            incident=incident,
            terms="How visits are planned and followed up when a worker is away.",
            lead=psw,
            commissioned_by=psw,
            commissioned_at=_at(incident.occurred_on + timedelta(days=7)),
            contributing_factors=sorted(rng.sample(list(CONTRIBUTING_FACTORS), 3)),
            findings="The visit list lived in one worker's diary; cover was not arranged.",
            sar_reference="SAR 2026/03" if incident.grade == 4 else "",
            sar_url="https://example.org/safeguarding-board/sar-2026-03"
            if incident.grade == 4
            else "",
            completed_at=_at(incident.occurred_on + timedelta(days=60))
            if (as_of - incident.occurred_on).days > 60
            else None,
        )
        for incident in serious
    )
    owners = [user for user, _, _ in staff]
    recommendations = []
    for review in reviews:
        for _ in range(rng.randint(1, 3)):
            due = review.commissioned_at.date() + timedelta(days=rng.randint(30, 120))
            done = due < as_of and rng.random() < 0.7
            recommendations.append(
                Recommendation(
                    review=review,
                    text="Keep the team's visit list in the shared diary, with cover named.",
                    owner_id=managers.get(review.incident.team_id) or rng.choice(owners),
                    due_on=due,
                    done_at=_at(due - timedelta(days=rng.randint(-10, 10))) if done else None,
                    done_by=psw if done else None,
                    done_note="Done and checked in team meeting." if done else "",
                )
            )
    Recommendation.objects.bulk_create(recommendations)


def _briefs(
    psw: User, staff: list[tuple[int, int, str]], *, as_of: date, rng: random.Random
) -> None:
    briefs = LearningBrief.objects.bulk_create(
        LearningBrief(
            title=title,
            summary=summary,
            published_at=_at(as_of - timedelta(days=30 + 80 * n)),
            published_by=psw,
        )
        for n, (title, summary) in enumerate(BRIEFS)
    )
    BriefReading.objects.bulk_create(
        BriefReading(brief=brief, user_id=user, read_at=brief.published_at + timedelta(days=3))
        for brief in briefs
        for user, _, _ in staff
        if rng.random() < READ_SHARE
    )


def _feedback(managers: dict[int, int], *, as_of: date, rng: random.Random) -> int:
    held = list(
        Allocation.objects.filter(case__team_id__in=list(managers))
        .order_by("pk")
        .values_list("case_id", "case__team_id", "practitioner_id")[:5000]
    )
    if not held:
        return 0
    by_team: dict[int, list[tuple[int, int]]] = {}
    for case, team, practitioner in held:
        by_team.setdefault(team, []).append((case, practitioner))
    rows = []
    for team, cases in by_team.items():
        for month in range(MONTHS):
            for _ in range(rng.randint(*FEEDBACK_PER_TEAM_MONTH)):
                case, practitioner = rng.choice(cases)
                kind = rng.choices(FeedbackKind.values, (70, 20, 10))[0]
                quotable = rng.random() < 0.4
                rows.append(
                    Feedback(
                        case_id=case,
                        practitioner_id=practitioner,
                        team_id=team,
                        about=rng.choice(FeedbackAbout.values),
                        kind=kind,
                        channel=rng.choice(FeedbackChannel.values),
                        received_on=(
                            day := as_of - timedelta(days=30 * month + rng.randint(0, 29))
                        ),
                        listened_to=rng.random() < 0.82,
                        outcomes_met=rng.choices(OutcomesMet.values, (60, 30, 10))[0],
                        could_be_better=rng.choice(BETTER),
                        comments=rng.choice(COMMENTS),
                        anonymous=rng.random() < 0.25,
                        may_quote=quotable,
                        picked_for_report=quotable and rng.random() < 0.1,
                        recorded_by_id=managers[team],
                        created_at=_at(day),
                    )
                )
    Feedback.objects.bulk_create(rows)
    return len(rows)
