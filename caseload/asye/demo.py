"""The demo council's ASYEs at different stages, from their start in post: every review due so
far held, but for one overdue; and a social worker who passed their ASYE last year."""

from __future__ import annotations

from datetime import date, timedelta

from caseload.accounts.models import User
from caseload.asye.models import Programme, ProgrammeStatus, Review
from caseload.register.models import Practitioner
from caseload_engine import asye
from caseload_engine.reference import Role

# Who assesses an ASYE in the demo: an experienced colleague in the team, else its manager.
ASSESSOR_ROLES = (Role.ADVANCED, Role.EXPERIENCED, Role.TEAM_MANAGER)
COMPLETED_DAYS_AGO = 400


def _assessors(teams: set[int]) -> dict[int, User]:
    """Each team's assessor: its first practitioner by ASSESSOR_ROLES, then by name."""
    found: dict[int, tuple[int, User]] = {}
    candidates = Practitioner.objects.filter(
        team_id__in=teams, role__in=ASSESSOR_ROLES, user__isnull=False, left_on__isnull=True
    ).select_related("user")
    for practitioner in candidates:
        rank = ASSESSOR_ROLES.index(Role(practitioner.role))
        team_id = practitioner.team_id
        if practitioner.user is None or team_id is None:
            continue
        if team_id not in found or rank < found[team_id][0]:
            found[team_id] = (rank, practitioner.user)
    return {team_id: user for team_id, (_, user) in found.items()}


def _evidence(choices: tuple[tuple[str, str], ...], months: int) -> dict[str, str]:
    return {
        code: f"Evidence at {months} months against {label.lower()}." for code, label in choices
    }


def load_demo_programmes(*, as_of: date, created_by: User) -> int:
    """A programme for every ASYE in the demo council (from their start in post), with the
    reviews due before `as_of` held, but for one overdue. How many programmes."""
    staff = list(
        Practitioner.objects.filter(
            role__in=[Role.ASYE, Role.SOCIAL_WORKER], team__isnull=False, left_on__isnull=True
        ).order_by("-start_date", "pk")
    )
    assessors = _assessors({p.team_id for p in staff if p.team_id is not None})
    staff = [p for p in staff if p.team_id in assessors]
    asyes = [p for p in staff if p.role == Role.ASYE]
    # The newest social worker: newly qualified the year before.
    completed = next((p for p in staff if p.role == Role.SOCIAL_WORKER), None)
    reviews: list[Review] = []
    overdue_left = False
    for practitioner in [*asyes, *([completed] if completed else [])]:
        starts_on = (
            as_of - timedelta(days=COMPLETED_DAYS_AGO)
            if practitioner is completed
            else practitioner.start_date or as_of
        )
        assessor = assessors[practitioner.team_id or 0]
        due = [m for m in asye.REVIEW_MONTHS if asye.due_on(starts_on, m) < as_of]
        if due and not overdue_left and practitioner is not completed:
            due, overdue_left = due[:-1], True  # the latest review due is not held yet
        passed = practitioner is completed and len(due) == len(asye.REVIEW_MONTHS)
        programme = Programme.objects.create(
            practitioner=practitioner,
            starts_on=starts_on,
            assessor=assessor,
            created_by=created_by,
            status=ProgrammeStatus.COMPLETED if passed else ProgrammeStatus.ACTIVE,
            ended_on=asye.due_on(starts_on, asye.FINAL_REVIEW) if passed else None,
            outcome="pass" if passed else "",
        )
        for months in due:
            held_on = asye.due_on(starts_on, months)
            final = months == asye.FINAL_REVIEW
            reviews.append(
                Review(
                    programme=programme,
                    months=months,
                    due_on=held_on,
                    held_on=held_on,
                    outcome="pass" if final else ("some_concerns" if months == 6 else "on_track"),
                    pcf_evidence=_evidence(asye.PCF_DOMAINS, months),
                    kss_evidence=_evidence(asye.KSS_ADULTS, months),
                    assessor_comments="Progressing as expected for this stage of the year.",
                    asye_comments="",
                    recorded_by=assessor,
                )
            )
    Review.objects.bulk_create(reviews)
    return len(asyes) + (completed is not None)
