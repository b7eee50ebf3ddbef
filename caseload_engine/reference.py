"""Reference lists shared by the engine and the web app.

Each list is a tuple of (code, label) pairs so that it feeds Django `choices` directly and
stays importable without Django. Sources are named per list.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

Choices = tuple[tuple[str, str], ...]


class Role(StrEnum):
    """Practitioner roles. Codes match the allocation command line's `role` column."""

    ASSISTANT = "assistant"
    ASYE = "asye"
    SOCIAL_WORKER = "social_worker"
    EXPERIENCED = "experienced"
    ADVANCED = "advanced"
    OCCUPATIONAL_THERAPIST = "occupational_therapist"
    TEAM_MANAGER = "team_manager"
    PRINCIPAL_SOCIAL_WORKER = "principal_social_worker"


ROLE_LABELS: Final[dict[Role, str]] = {
    Role.ASSISTANT: "Social work assistant / care co-ordinator",
    Role.ASYE: "ASYE social worker",
    Role.SOCIAL_WORKER: "Social worker",
    Role.EXPERIENCED: "Experienced social worker",
    Role.ADVANCED: "Advanced practitioner",
    Role.OCCUPATIONAL_THERAPIST: "Occupational therapist",
    Role.TEAM_MANAGER: "Team manager",
    Role.PRINCIPAL_SOCIAL_WORKER: "Principal social worker",
}
ROLE_CHOICES: Final[Choices] = tuple((role.value, label) for role, label in ROLE_LABELS.items())

# Roles that must hold Social Work England registration (occupational therapists register
# with the HCPC instead; assistants are not registered professionals).
SWE_REGISTERED_ROLES: Final[frozenset[Role]] = frozenset(
    {
        Role.ASYE,
        Role.SOCIAL_WORKER,
        Role.EXPERIENCED,
        Role.ADVANCED,
        Role.TEAM_MANAGER,
        Role.PRINCIPAL_SOCIAL_WORKER,
    }
)
# Roles that carry a caseload.
CASE_HOLDING_ROLES: Final[frozenset[Role]] = frozenset(
    {
        Role.ASSISTANT,
        Role.ASYE,
        Role.SOCIAL_WORKER,
        Role.EXPERIENCED,
        Role.ADVANCED,
        Role.OCCUPATIONAL_THERAPIST,
    }
)

# Professional Capabilities Framework career levels (BASW).
PCF_LEVEL_CHOICES: Final[Choices] = (
    ("not_applicable", "Not applicable"),
    ("asye", "ASYE"),
    ("social_worker", "Social worker"),
    ("experienced", "Experienced social worker"),
    ("advanced", "Advanced (practitioner, educator or manager)"),
    ("strategic", "Strategic (including principal social worker)"),
)

SERVICE_AREA_CHOICES: Final[Choices] = (
    ("older_people", "Older People"),
    ("hospital_discharge", "Hospital Discharge"),
    ("learning_disability", "Learning Disability"),
    ("mental_health", "Mental Health"),
    ("transitions", "Transitions"),
    ("review", "Review"),
)

SPECIALISM_CHOICES: Final[Choices] = (
    ("bia", "Best Interests Assessor (BIA)"),
    ("amhp", "Approved Mental Health Professional (AMHP)"),
    ("mca_lead", "Mental Capacity Act lead"),
    ("practice_educator", "Practice educator"),
    ("safeguarding_lead", "Safeguarding lead"),
)

ABSENCE_REASON_CHOICES: Final[Choices] = (
    ("annual_leave", "Annual leave"),
    ("sickness", "Sickness"),
    ("training", "Training"),
    ("parental_leave", "Parental leave"),
    ("secondment", "Secondment"),
    # Leaving for good: an absence with no last day.
    ("leaving", "Leaving"),
    ("other", "Other"),
)

# Client Level Data (NHS England / DHSC, Release 1): Primary_Support_Reason.
PRIMARY_SUPPORT_REASON_CHOICES: Final[Choices] = (
    ("physical_personal_care", "Physical support: personal care support"),
    ("physical_access_mobility", "Physical support: access and mobility only"),
    ("sensory_visual", "Sensory support: support for visual impairment"),
    ("sensory_hearing", "Sensory support: support for hearing impairment"),
    ("sensory_dual", "Sensory support: support for dual impairment"),
    ("memory_cognition", "Support with memory and cognition"),
    ("learning_disability", "Learning disability support"),
    ("mental_health", "Mental health support"),
    ("social_substance_misuse", "Social support: substance misuse support"),
    ("social_asylum_seeker", "Social support: asylum seeker support"),
    ("social_isolation_other", "Social support: support for social isolation / other"),
    ("social_carer", "Social support: support to unpaid carer"),
    ("unknown", "Unknown"),
)

# Client Level Data: Request_Route_of_Access.
ROUTE_OF_ACCESS_CHOICES: Final[Choices] = (
    ("planned_entry_transition", "Planned entry (transition)"),
    ("discharge_from_hospital", "Discharge from hospital"),
    ("diversion_from_hospital", "Diversion from hospital services"),
    ("community_other", "Community / other route"),
    ("prison", "Prison"),
    ("self_funder", "Self-funder"),
    ("discharge_from_reablement", "Discharge from reablement"),
    ("transfer_from_other_la", "Transfer from other local authority"),
)

# Who made the request (local list; CLD records the route, not the referrer).
REQUEST_SOURCE_CHOICES: Final[Choices] = (
    ("self", "The person themself"),
    ("family_carer", "Family member, friend or unpaid carer"),
    ("gp", "GP"),
    ("hospital", "Hospital"),
    ("community_health", "Community health service"),
    ("care_provider", "Care provider"),
    ("police", "Police"),
    ("housing", "Housing"),
    ("other_council_service", "Other council service"),
    ("other", "Other"),
)

# Client Level Data: Event_Outcome, the outcomes with which a case can close.
EVENT_OUTCOME_CHOICES: Final[Choices] = (
    ("nfa_information_advice", "NFA: information and advice / signposting only"),
    ("nfa_support_declined", "NFA: support declined"),
    ("nfa_self_funder", "NFA: self-funder"),
    ("nfa_nhs_funded", "NFA: 100% NHS-funded care"),
    ("nfa_moved_to_other_la", "NFA: moved to another local authority"),
    ("nfa_deceased", "NFA: deceased"),
    ("nfa_other", "NFA: other"),
    (
        "progress_to_reablement",
        "Progress to reablement / short-term support to maximise independence",
    ),
    ("progress_to_support_planning", "Progress to support planning / services"),
    ("long_term_support_provided", "Long-term support provided"),
    ("short_term_support_provided", "Short-term support provided"),
    ("progress_to_end_of_life_care", "Progress to end-of-life care"),
    ("admitted_to_hospital", "Admitted to hospital"),
)
OUTCOME_DECEASED: Final = "nfa_deceased"


def label(choices: Choices, code: str) -> str:
    """The label for a code, or the code itself if the list does not hold it."""
    return dict(choices).get(code, code)
