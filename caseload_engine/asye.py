"""The ASYE (Assessed and Supported Year in Employment) programme: its progression reviews, when
each is due, and which are overdue; the frameworks a review gathers evidence against.

Skills for Care's ASYE for adult services: reviews at 3, 6 and 9 months from the start, and the
final assessment at 12. A review's due date is the start plus that many calendar months, held
to the month's last day where the day does not exist (31 Aug + 3 months = 30 Nov).

A final assessment may extend the programme instead of passing or failing it. PRODUCT.md and the
seeds say only that the reviews fall at 3, 6, 9 and 12 months; Skills for Care's guidance lets an
employer extend the ASYE where the evidence is not yet enough (or after a long absence) without
setting one length. We decide: one extension, of EXTENSION_MONTHS, ending in an extension review
due that long after the final assessment was due (15 months from the start, so a late final
assessment does not lengthen the year further), whose outcome is pass or fail and nothing else.
The extension review is keyed by its months from the start, like the others.

The assessor records a review; the ASYE's own comments on it are theirs alone to give. They may
add or change them for COMMENT_DAYS after it was recorded, and only while it is the latest review
(once the next one is recorded, the earlier record is settled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from caseload_engine.dates import add_months
from caseload_engine.reference import Choices

REVIEW_MONTHS: Final[tuple[int, ...]] = (3, 6, 9, 12)
FINAL_REVIEW: Final[int] = 12
EXTENSION_MONTHS: Final[int] = 3
EXTENSION_REVIEW: Final[int] = FINAL_REVIEW + EXTENSION_MONTHS
# Every review a programme can have: the schedule's, and the extension review after an extension.
ALL_REVIEW_MONTHS: Final[tuple[int, ...]] = (*REVIEW_MONTHS, EXTENSION_REVIEW)
# How long after a review is recorded the ASYE may add or change their comments on it.
COMMENT_DAYS: Final[int] = 28
# How far ahead a review counts as due soon (the assessor's notice goes out from then).
DUE_SOON_DAYS: Final[int] = 14

# A progression review's outcome; the final assessment has its own.
PROGRESS_OUTCOME_CHOICES: Final[Choices] = (
    ("on_track", "On track"),
    ("some_concerns", "Some concerns"),
    ("not_on_track", "Not on track"),
)
FINAL_OUTCOME_CHOICES: Final[Choices] = (
    ("pass", "Pass"),
    ("fail", "Fail"),
    ("extended", "Extended"),
)
EXTENDED: Final[str] = "extended"
# A final assessment that ends the programme (an extension keeps it going).
ENDING_OUTCOMES: Final[frozenset[str]] = frozenset({"pass", "fail"})
# The extension review's: it ends the programme either way.
EXTENSION_OUTCOME_CHOICES: Final[Choices] = tuple(
    (code, label) for code, label in FINAL_OUTCOME_CHOICES if code in ENDING_OUTCOMES
)

# The Professional Capabilities Framework's nine domains (BASW).
PCF_DOMAINS: Final[Choices] = (
    ("professionalism", "Professionalism"),
    ("values_ethics", "Values and ethics"),
    ("diversity_equality", "Diversity and equality"),
    ("rights_justice", "Rights, justice and economic wellbeing"),
    ("knowledge", "Knowledge"),
    ("critical_reflection", "Critical reflection and analysis"),
    ("skills_interventions", "Skills and interventions"),
    ("contexts_organisations", "Contexts and organisations"),
    ("professional_leadership", "Professional leadership"),
)

# The Knowledge and Skills Statement for social workers in adult services (Department of
# Health, 2015), by its numbered sections; the ASYE is assessed against each. The codes are
# what a review's evidence is stored under, so they never change (a heading's wording may);
# a review recorded before a section was listed keeps the sections it was recorded against.
# Headings as the statement numbers them: 3 as Research in Practice's KSS mapping quotes it,
# 11 as Community Care Inform's KSS 11 page does; the others as issue 11 gives them. Section
# 10's heading could not be checked against a public source, and a heading written from memory
# is what this list replaced: it is listed by its number, so that evidence can be recorded
# against it, and the assessor reads its heading in the statement itself.
KSS_ADULTS: Final[Choices] = (
    ("role", "1. The role of social workers working with adults"),
    ("person_centred", "2. Person-centred practice"),
    ("safeguarding", "3. Safeguarding"),
    ("mental_capacity", "4. Mental capacity"),
    ("assessment_planning", "5. Effective assessments and outcome based support planning"),
    ("direct_work", "6. Direct work with individuals and families"),
    ("supervision_reflection", "7. Supervision, critical reflection and analysis"),
    ("organisational_context", "8. Organisational context"),
    ("ethics_leadership", "9. Professional ethics and leadership"),
    ("section_10", "10. Section 10 of the statement"),
    (
        "capability",
        "11. Level of capability: social worker working in an adult setting at the end of"
        " their first year in employment",
    ),
)


def outcome_choices(months: int) -> Choices:
    if months == FINAL_REVIEW:
        return FINAL_OUTCOME_CHOICES
    if months == EXTENSION_REVIEW:
        return EXTENSION_OUTCOME_CHOICES
    return PROGRESS_OUTCOME_CHOICES


def review_name(months: int) -> str:
    """How a review is named in pages, notices and the change log."""
    if months == FINAL_REVIEW:
        return "final assessment"
    if months == EXTENSION_REVIEW:
        return "extension review"
    return f"{months}-month review"


def due_on(starts_on: date, months: int) -> date:
    """The day the review `months` into the programme is due."""
    return add_months(starts_on, months)


class ReviewState(StrEnum):
    HELD = "held"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    SCHEDULED = "scheduled"


@dataclass(frozen=True)
class ScheduledReview:
    months: int
    due_on: date
    held_on: date | None
    state: ReviewState
    overdue_days: int  # days past the due date of a review not held; 0 otherwise

    @property
    def is_final(self) -> bool:
        return self.months == FINAL_REVIEW

    @property
    def name(self) -> str:
        return review_name(self.months)


def state_of(due: date, held_on: date | None, today: date) -> ReviewState:
    """Held once recorded; otherwise overdue the day after it was due, and due soon from
    DUE_SOON_DAYS before."""
    if held_on is not None:
        return ReviewState.HELD
    if today > due:
        return ReviewState.OVERDUE
    if today >= due - timedelta(days=DUE_SOON_DAYS):
        return ReviewState.DUE_SOON
    return ReviewState.SCHEDULED


def schedule(
    starts_on: date, held: Mapping[int, date], today: date, *, extended: bool = False
) -> list[ScheduledReview]:
    """Every review of a programme started on `starts_on`, with `held` the day each review
    already recorded was held (by its months), as it stands on `today`; `extended` once the
    final assessment has extended the programme, which adds the extension review."""
    reviews = []
    for months in ALL_REVIEW_MONTHS if extended else REVIEW_MONTHS:
        due = due_on(starts_on, months)
        held_on = held.get(months)
        state = state_of(due, held_on, today)
        late = (today - due).days if state is ReviewState.OVERDUE else 0
        reviews.append(ScheduledReview(months, due, held_on, state, late))
    return reviews


def next_review(reviews: list[ScheduledReview]) -> ScheduledReview | None:
    """The first review not yet held, if any."""
    return next((review for review in reviews if review.held_on is None), None)
