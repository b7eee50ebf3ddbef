"""The safeguarding adults lists: the one place their codes and labels live.

Codes follow the Safeguarding Adults Collection (SAC) categories (DHSC "SAC data return 2025 to
2026", NHS England's SG1/SG2 guidance), so the SAC report and the records export need no
mapping. Pure Python: the SAC engine imports them without Django; the web app feeds them to
`choices`.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from caseload_engine.reference import Choices

# -- the concern -------------------------------------------------------------------------------

# Who raised the concern.
CONCERN_SOURCE_CHOICES: Final[Choices] = (
    ("self", "The person themselves"),
    ("family_friend", "Family member, friend or neighbour"),
    ("health", "Health staff (GP, hospital, community health)"),
    ("police", "Police"),
    ("care_provider", "Care provider staff"),
    ("social_care", "Council social care staff"),
    ("housing", "Housing"),
    ("other", "Other (say who)"),
)
CONCERN_ROUTE_CHOICES: Final[Choices] = (
    ("phone", "Phone"),
    ("email", "Email"),
    ("online_form", "Online form"),
    ("in_person", "In person"),
    ("multi_agency_hub", "Multi-agency safeguarding hub"),
)

# SG2a: one concluded enquiry may count in several types.
TYPE_OF_RISK_CHOICES: Final[Choices] = (
    ("physical", "Physical abuse"),
    ("sexual", "Sexual abuse"),
    ("psychological", "Psychological abuse"),
    ("financial_or_material", "Financial or material abuse"),
    ("discriminatory", "Discriminatory abuse"),
    ("organisational", "Organisational abuse"),
    ("neglect_and_acts_of_omission", "Neglect and acts of omission"),
    ("domestic_abuse", "Domestic abuse"),
    ("sexual_exploitation", "Sexual exploitation"),
    ("modern_slavery", "Modern slavery"),
    ("self_neglect", "Self-neglect"),
)
# SG2b.
LOCATION_OF_RISK_CHOICES: Final[Choices] = (
    ("own_home", "Own home"),
    ("in_the_community", "In the community (excluding community services)"),
    ("in_a_community_service", "In a community service"),
    ("care_home_nursing", "Care home - nursing"),
    ("care_home_residential", "Care home - residential"),
    ("hospital_acute", "Hospital - acute"),
    ("hospital_mental_health", "Hospital - mental health"),
    ("hospital_community", "Hospital - community"),
    ("other", "Other"),
)
# SG2a/b columns.
SOURCE_OF_RISK_CHOICES: Final[Choices] = (
    ("service_provider", "Service provider"),
    ("other_known", "Other - known to individual"),
    ("other_unknown", "Other - unknown to individual"),
)

# -- the decision on a concern -----------------------------------------------------------------

SECTION_42 = "section_42"
OTHER_ENQUIRY = "other_enquiry"
NO_FURTHER_ACTION = "no_further_action"
CONCERN_DECISION_CHOICES: Final[Choices] = (
    (SECTION_42, "Section 42 enquiry"),
    (OTHER_ENQUIRY, "Other enquiry"),
    (NO_FURTHER_ACTION, "No further action"),
)
# The three statutory criteria of Care Act s42(1), recorded one by one, in this order.
CRITERIA: Final[Choices] = (
    ("care_and_support_needs", "Has needs for care and support (whether or not met)"),
    ("abuse_or_neglect", "Is experiencing, or at risk of, abuse or neglect"),
    (
        "unable_to_protect",
        "As a result of those needs, is unable to protect themselves against the abuse or "
        "neglect or the risk of it",
    ),
)

# -- the enquiry -------------------------------------------------------------------------------

ENQUIRY_KIND_CHOICES: Final[Choices] = (
    ("section_42", "Section 42 enquiry"),
    ("other", "Other enquiry"),
)
# SG4a, Making Safeguarding Personal: were the person's desired outcomes asked?
MSP_ASKED_EXPRESSED = "asked_expressed"
MSP_ASKED_CHOICES: Final[Choices] = (
    (MSP_ASKED_EXPRESSED, "Yes, they were asked and outcomes were expressed"),
    ("asked_none_expressed", "Yes, they were asked but no outcomes were expressed"),
    ("not_asked", "No, they were not asked"),
    ("dont_know", "Don't know"),
    ("not_recorded", "Not recorded"),
)
MSP_ACHIEVED_CHOICES: Final[Choices] = (
    ("fully", "Fully achieved"),
    ("partially", "Partially achieved"),
    ("not", "Not achieved"),
)
# SG2c: action taken and result.
ACTION_AND_RESULT_CHOICES: Final[Choices] = (
    ("risk_identified_action", "Risk identified and action taken"),
    ("risk_identified_no_action", "Risk identified and no action taken"),
    ("inconclusive_action", "Risk - assessment inconclusive and action taken"),
    ("inconclusive_no_action", "Risk - assessment inconclusive and no action taken"),
    ("no_risk_action", "No risk identified and action taken"),
    ("no_risk_no_action", "No risk identified and no action taken"),
    ("ceased_at_request", "Enquiry ceased at individual's request and no action taken"),
)
# Results where a risk was found (or could not be ruled out): the risk outcome is recorded.
RESULTS_WITH_RISK: Final[frozenset[str]] = frozenset(
    {
        "risk_identified_action",
        "risk_identified_no_action",
        "inconclusive_action",
        "inconclusive_no_action",
    }
)
# Results where no risk was found: there is no risk outcome.
RESULTS_WITHOUT_RISK: Final[frozenset[str]] = frozenset({"no_risk_action", "no_risk_no_action"})
# SG2e.
RISK_OUTCOME_CHOICES: Final[Choices] = (
    ("remains", "Risk remains"),
    ("reduced", "Risk reduced"),
    ("removed", "Risk removed"),
)
# SG3a: who supported the person who lacked capacity for the enquiry's decisions.
SUPPORT_CHOICES: Final[Choices] = (
    ("advocate", "An advocate"),
    ("family", "Family"),
    ("friend", "A friend"),
    ("none", "No one"),
)
STRATEGY_KIND_CHOICES: Final[Choices] = (
    ("discussion", "Strategy discussion"),
    ("meeting", "Strategy meeting"),
)

# -- the person (SG1) --------------------------------------------------------------------------

SEX_CHOICES: Final[Choices] = (
    ("male", "Male"),
    ("female", "Female"),
    ("unknown", "Unknown"),
)
ETHNICITY_CHOICES: Final[Choices] = (
    ("white", "White"),
    ("mixed", "Mixed / multiple ethnic groups"),
    ("asian", "Asian / Asian British"),
    ("black", "Black / African / Caribbean / Black British"),
    ("other", "Other ethnic group"),
    ("refused", "Refused"),
    ("not_known", "Undeclared / not known"),
)
AGE_BAND_CHOICES: Final[Choices] = (
    ("18-64", "18-64"),
    ("65-74", "65-74"),
    ("75-84", "75-84"),
    ("85-94", "85-94"),
    ("95+", "95+"),
    ("unknown", "Age unknown"),
)


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on `day`."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def age_band(date_of_birth: date | None, day: date) -> str:
    """The SAC age band of someone born on `date_of_birth`, on `day` (the enquiry's start)."""
    if date_of_birth is None or date_of_birth > day:
        return "unknown"
    age = age_on(date_of_birth, day)
    if age < 18:
        return "unknown"
    for upper, band in ((64, "18-64"), (74, "65-74"), (84, "75-84"), (94, "85-94")):
        if age <= upper:
            return band
    return "95+"


def codes(choices: Choices) -> list[str]:
    return [code for code, _ in choices]
