"""Learning and feedback as counts, for the figures page and the annual report.

The small-numbers rule: feedback is reported per practitioner only when they have at least
`SMALL_NUMBER` items in the period; below that a practitioner's row says "fewer than 5" and
shows no figures, so that no single person's feedback can be picked out. Team and month counts
are shown whatever their size (a team is not a person); none names anyone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from caseload.learning.models import (
    BriefReading,
    Feedback,
    FeedbackKind,
    FrameworkAcknowledgement,
    FrameworkVersion,
    LearningBrief,
    OutcomesMet,
    Recommendation,
)
from caseload.register.models import Practitioner, Team
from caseload.ui.report import percent_of

SMALL_NUMBER = 5


@dataclass(frozen=True)
class FeedbackRow:
    label: str  # a team, or a team and month
    month: date | None
    received: int
    compliments: int
    complaints: int
    listened_percent: int | None
    outcomes_met_percent: int | None


_COUNTS = {
    "received": Count("pk"),
    "compliments": Count("pk", filter=Q(kind=FeedbackKind.COMPLIMENT)),
    "complaints": Count("pk", filter=Q(kind=FeedbackKind.COMPLAINT)),
    "listened": Count("pk", filter=Q(listened_to=True)),
    "listened_answered": Count("pk", filter=Q(listened_to__isnull=False)),
    "met": Count("pk", filter=Q(outcomes_met=OutcomesMet.YES)),
    "met_answered": Count("pk", filter=~Q(outcomes_met="")),
}


def _row(label: str, month: date | None, c: dict[str, int]) -> FeedbackRow:
    return FeedbackRow(
        label=label,
        month=month,
        received=c["received"],
        compliments=c["compliments"],
        complaints=c["complaints"],
        listened_percent=percent_of(c["listened"], c["listened_answered"]),
        outcomes_met_percent=percent_of(c["met"], c["met_answered"]),
    )


def feedback_by_team_and_month(*, start: date, end: date) -> list[FeedbackRow]:
    """One query: each team's feedback per month received, in the period."""
    names = dict(Team.objects.values_list("pk", "name"))
    rows = (
        Feedback.objects.filter(received_on__gte=start, received_on__lte=end)
        .annotate(month=TruncMonth("received_on"))
        .values("team_id", "month")
        .annotate(**_COUNTS)
        .order_by("month", "team_id")
    )
    return [_row(names.get(r["team_id"], ""), r["month"], r) for r in rows]


def feedback_totals(*, start: date, end: date) -> FeedbackRow:
    counts = Feedback.objects.filter(received_on__gte=start, received_on__lte=end).aggregate(
        **_COUNTS
    )
    return _row("All teams", None, counts)


@dataclass(frozen=True)
class PractitionerRow:
    name: str
    team: str
    received: int
    # None below the small-numbers threshold: nothing about them is shown.
    figures: FeedbackRow | None


def feedback_by_practitioner(
    *, start: date, end: date, team_ids: list[int] | None
) -> list[PractitionerRow]:
    """Per practitioner, figures only at or above SMALL_NUMBER items (one query)."""
    found = Feedback.objects.filter(
        received_on__gte=start, received_on__lte=end, practitioner__isnull=False
    )
    if team_ids is not None:
        found = found.filter(team_id__in=team_ids)
    rows = found.values("practitioner_id").annotate(**_COUNTS)
    by_id = {r["practitioner_id"]: r for r in rows}
    practitioners = Practitioner.objects.filter(pk__in=by_id).select_related("team")
    out = []
    for p in sorted(practitioners, key=lambda p: (p.family_name, p.given_name, p.pk)):
        counts = by_id[p.pk]
        shown = _row(p.full_name, None, counts) if counts["received"] >= SMALL_NUMBER else None
        out.append(
            PractitionerRow(p.full_name, p.team.name if p.team else "", counts["received"], shown)
        )
    return out


@dataclass(frozen=True)
class RateRow:
    team: str
    staff: int
    done: int
    percent: int | None


def _current_practitioners(on: date) -> QuerySet[Practitioner]:
    """Who briefs and the framework are for: practitioners in a team, signed in as themselves."""
    return Practitioner.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on),
        user__isnull=False,
        team__isnull=False,
        user__is_active=True,
    )


def brief_readers(*, on: date) -> QuerySet[Practitioner, int]:
    """The user ids a learning brief published on the day is for (as the read rates count)."""
    return _current_practitioners(on).values_list("user_id", flat=True)


def _staff_by_team(on: date) -> dict[int, list[int]]:
    """Each team's current practitioners' user ids."""
    staff: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in _current_practitioners(on).values_list("team_id", "user_id"):
        staff[team_id].append(user_id)
    return staff


def _rates(done_by_user: dict[int, int], per_user: int, *, on: date) -> list[RateRow]:
    names = dict(Team.objects.values_list("pk", "name"))
    rows = []
    for team_id, users in sorted(_staff_by_team(on).items(), key=lambda t: names.get(t[0], "")):
        done = sum(done_by_user.get(u, 0) for u in users)
        rows.append(
            RateRow(
                names.get(team_id, ""), len(users), done, percent_of(done, len(users) * per_user)
            )
        )
    return rows


def brief_read_rates(*, since: date) -> tuple[int, list[RateRow]]:
    """The briefs published since the day, and per team the share of (staff x briefs) read."""
    briefs = LearningBrief.objects.filter(published_at__date__gte=since)
    count = briefs.count()
    reads = dict(
        BriefReading.objects.filter(brief__in=briefs)
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    return count, _rates(reads, count, on=timezone.localdate())


def acknowledgement_rates(version: FrameworkVersion | None) -> list[RateRow]:
    if version is None:
        return []
    acknowledged = {
        u: 1
        for u in FrameworkAcknowledgement.objects.filter(version=version).values_list(
            "user_id", flat=True
        )
    }
    return _rates(acknowledged, 1, on=timezone.localdate())


@dataclass(frozen=True)
class RecommendationFigures:
    open: int
    overdue: int
    done_on_time: int
    done_late: int


def recommendation_figures(*, on: date) -> RecommendationFigures:
    c = Recommendation.objects.aggregate(
        open=Count("pk", filter=Q(done_at__isnull=True)),
        overdue=Count("pk", filter=Q(done_at__isnull=True, due_on__lt=on)),
        done=Count("pk", filter=Q(done_at__isnull=False)),
        done_on_time=Count("pk", filter=Q(done_at__isnull=False, done_at__date__lte=F("due_on"))),
    )
    return RecommendationFigures(
        c["open"], c["overdue"], c["done_on_time"], c["done"] - c["done_on_time"]
    )
