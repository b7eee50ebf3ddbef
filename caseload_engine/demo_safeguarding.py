"""A demo council's year of safeguarding concerns and enquiries, with the national mix.

Pure: from a DemoCouncil and a seed, the same records every time. The rates follow the
England 2024-25 Safeguarding Adults Collection: about 4,200 concerns and 1,200 Section 42
enquiries a year for a large council (13,600 requests for support a year), scaled to the
council's requests; the shares of types, locations, sources, results and Making Safeguarding
Personal answers are the national ones, rounded.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from caseload_engine import safeguarding_reference as ref
from caseload_engine.dates import add_working_days
from caseload_engine.demo import DemoCouncil
from caseload_engine.reference import CASE_HOLDING_ROLES, SWE_REGISTERED_ROLES

# A large council's concerns per request for support (4,200 of 13,600), and the share of
# concerns that become a Section 42 enquiry (1,200 of 4,200) or another enquiry.
CONCERNS_PER_REQUEST: Final = 4200 / 13600
SECTION_42_SHARE: Final = 1200 / 4200
OTHER_ENQUIRY_SHARE: Final = 0.05

# SG2a shares of concluded Section 42 enquiries (a concern may have more than one type).
TYPE_WEIGHTS: Final[dict[str, float]] = {
    "neglect_and_acts_of_omission": 32,
    "physical": 21,
    "psychological": 14,
    "financial_or_material": 14,
    "self_neglect": 9,
    "organisational": 5,
    "domestic_abuse": 3,
    "sexual": 2,
    "sexual_exploitation": 0.5,
    "discriminatory": 0.3,
    "modern_slavery": 0.2,
}
SECOND_TYPE_SHARE: Final = 0.25
LOCATION_WEIGHTS: Final[dict[str, float]] = {
    "own_home": 50,
    "care_home_residential": 18,
    "care_home_nursing": 12,
    "in_the_community": 6,
    "hospital_acute": 4,
    "in_a_community_service": 4,
    "hospital_mental_health": 2,
    "hospital_community": 1,
    "other": 3,
}
SOURCE_WEIGHTS: Final[dict[str, float]] = {
    "other_known": 55,
    "service_provider": 38,
    "other_unknown": 7,
}
CONCERN_SOURCE_WEIGHTS: Final[dict[str, float]] = {
    "health": 30,
    "care_provider": 25,
    "police": 12,
    "family_friend": 10,
    "social_care": 10,
    "self": 4,
    "housing": 5,
    "other": 4,
}
ROUTE_WEIGHTS: Final[dict[str, float]] = {
    "online_form": 35,
    "email": 25,
    "phone": 25,
    "multi_agency_hub": 12,
    "in_person": 3,
}
# SG2c: where risk was identified (or not ruled out), it was reduced or removed in about 90%.
RESULT_WEIGHTS: Final[dict[str, float]] = {
    "risk_identified_action": 68,
    "risk_identified_no_action": 3,
    "inconclusive_action": 10,
    "inconclusive_no_action": 2,
    "no_risk_action": 7,
    "no_risk_no_action": 6,
    "ceased_at_request": 4,
}
RISK_OUTCOME_WEIGHTS: Final[dict[str, float]] = {"reduced": 67, "removed": 23, "remains": 10}
# SG4a: about 80% asked; of those who expressed outcomes, most achieved them fully.
MSP_ASKED_WEIGHTS: Final[dict[str, float]] = {
    "asked_expressed": 66,
    "asked_none_expressed": 14,
    "not_asked": 12,
    "dont_know": 4,
    "not_recorded": 4,
}
MSP_ACHIEVED_WEIGHTS: Final[dict[str, float]] = {"fully": 67, "partially": 28, "not": 5}
LACKED_CAPACITY_SHARE: Final = 0.3
SUPPORT_WEIGHTS: Final[dict[str, float]] = {"advocate": 25, "family": 50, "friend": 5, "none": 20}
SEX_WEIGHTS: Final[dict[str, float]] = {"female": 58, "male": 41, "unknown": 1}
ETHNICITY_WEIGHTS: Final[dict[str, float]] = {
    "white": 83,
    "asian": 6,
    "black": 3,
    "mixed": 2,
    "other": 1,
    "refused": 1,
    "not_known": 4,
}
# Working days from the enquiry's start to each step, as the demo's teams manage them.
STRATEGY_DAYS: Final = (1, 8)
OUTCOMES_DAYS: Final = (0, 6)
PLAN_DAYS: Final = (5, 25)
CONCLUSION_DAYS: Final = (20, 90)
SIGN_OFF_DAYS: Final = (1, 7)
OUTCOMES_WORDS: Final = (
    "Synthetic: I want to feel safe in my own home.",
    "Synthetic: I want my money back and to choose who helps me with it.",
    "Synthetic: I want to stay where I live, with better care.",
    "Synthetic: I want it to stop, and nobody else to go through it.",
)
NOT_ASKED_REASONS: Final = (
    "Synthetic: the person was too unwell to be asked at the start.",
    "Synthetic: the person could not be contacted; family were consulted.",
)
NFA_REASONS: Final = (
    "Synthetic: no care and support needs; advice given.",
    "Synthetic: able to protect themselves; agreed a plan with the person.",
    "Synthetic: the concern was about a quality issue, passed to contracts.",
)


@dataclass(frozen=True, slots=True)
class DemoEnquiry:
    kind: str  # "section_42" or "other"
    lead_key: str | None
    started_on: date
    strategy_on: date | None
    outcomes_on: date | None
    msp_asked: str
    desired_outcomes: str
    not_asked_reason: str
    lacked_capacity: bool | None
    support: str
    plan_agreed_on: date | None
    concluded_on: date | None
    action_and_result: str
    risk_outcome: str
    msp_achieved: str
    signed_off_on: date | None


@dataclass(frozen=True, slots=True)
class DemoConcern:
    person_index: int
    team_key: str
    received_at: datetime
    source: str
    route: str
    types_of_risk: tuple[str, ...]
    location_of_risk: str
    source_of_risk: str
    decision: str
    decided_on: date | None
    reason: str
    criteria: tuple[bool, bool, bool]
    enquiry: DemoEnquiry | None


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def person_profiles(count: int, *, seed: int) -> list[tuple[str, str]]:
    """The SAC's sex and ethnicity of each demo person, in the national mix."""
    rng = random.Random(f"{seed}-people")
    return [(_pick(rng, SEX_WEIGHTS), _pick(rng, ETHNICITY_WEIGHTS)) for _ in range(count)]


def concerns_per_year(council: DemoCouncil) -> int:
    requests = sum(
        1 for c in council.cases if c.received_at.date() > council.as_of - timedelta(days=365)
    )
    return round(requests * CONCERNS_PER_REQUEST)


def _criteria(rng: random.Random, decision: str) -> tuple[bool, bool, bool]:
    if decision == ref.SECTION_42:
        return (True, True, True)
    unmet = rng.randrange(3)
    return (unmet != 0, unmet != 1, unmet != 2)


def _enquiry(
    rng: random.Random, *, kind: str, lead_key: str | None, started_on: date, as_of: date
) -> DemoEnquiry:
    def step(days: tuple[int, int]) -> date | None:
        day = add_working_days(started_on, rng.randint(*days))
        return day if day <= as_of else None

    msp_asked = _pick(rng, MSP_ASKED_WEIGHTS)
    expressed = msp_asked == ref.MSP_ASKED_EXPRESSED
    outcomes_on = step(OUTCOMES_DAYS)
    concluded_on = step(CONCLUSION_DAYS) if outcomes_on is not None else None
    result = _pick(rng, RESULT_WEIGHTS) if concluded_on is not None else ""
    risk_outcome = ""
    if result in ref.RESULTS_WITH_RISK or (result == "ceased_at_request" and rng.random() < 0.5):
        risk_outcome = _pick(rng, RISK_OUTCOME_WEIGHTS)
    signed_off_on = None
    if concluded_on is not None:
        day = add_working_days(concluded_on, rng.randint(*SIGN_OFF_DAYS))
        signed_off_on = day if day <= as_of else None
    lacked = rng.random() < LACKED_CAPACITY_SHARE
    return DemoEnquiry(
        kind=kind,
        lead_key=lead_key,
        started_on=started_on,
        strategy_on=step(STRATEGY_DAYS) if rng.random() < 0.8 else None,
        outcomes_on=outcomes_on,
        msp_asked=msp_asked if outcomes_on is not None else "",
        desired_outcomes=rng.choice(OUTCOMES_WORDS) if expressed and outcomes_on else "",
        not_asked_reason=rng.choice(NOT_ASKED_REASONS) if not expressed and outcomes_on else "",
        lacked_capacity=lacked if outcomes_on is not None else None,
        support=_pick(rng, SUPPORT_WEIGHTS) if lacked and outcomes_on is not None else "",
        plan_agreed_on=step(PLAN_DAYS),
        concluded_on=concluded_on,
        action_and_result=result,
        risk_outcome=risk_outcome,
        msp_achieved=_pick(rng, MSP_ACHIEVED_WEIGHTS) if expressed and concluded_on else "",
        signed_off_on=signed_off_on,
    )


def generate_safeguarding(
    council: DemoCouncil, *, seed: int, count: int | None = None
) -> list[DemoConcern]:
    """A year of concerns to the day before `as_of` (`count` of them, else the council's
    rate), oldest first, each about someone with a case in the team that receives it;
    enquiries led by a registered case holder of the team (Section 42) or any case holder
    (other enquiries)."""
    rng = random.Random(f"{seed}-safeguarding")
    registered: dict[str, list[str]] = defaultdict(list)
    holders: dict[str, list[str]] = defaultdict(list)
    for p in council.practitioners:
        if p.team_key is None or p.role not in CASE_HOLDING_ROLES:
            continue
        holders[p.team_key].append(p.key)
        if p.role in SWE_REGISTERED_ROLES:
            registered[p.team_key].append(p.key)
    cases: Sequence[tuple[int, str]] = [(c.person_index, c.team_key) for c in council.cases]
    if not cases:
        return []
    start = council.as_of - timedelta(days=365)
    concerns = []
    for _ in range(concerns_per_year(council) if count is None else count):
        person_index, team_key = rng.choice(cases)
        received_on = start + timedelta(days=rng.randrange(365))
        received_at = datetime.combine(
            received_on, time(rng.randint(8, 17), rng.choice((0, 15, 30, 45))), tzinfo=UTC
        )
        draw = rng.random()
        if draw < SECTION_42_SHARE and registered[team_key]:
            decision, kind, leads = ref.SECTION_42, "section_42", registered[team_key]
        elif draw < SECTION_42_SHARE + OTHER_ENQUIRY_SHARE:
            decision, kind, leads = ref.OTHER_ENQUIRY, "other", holders[team_key]
        else:
            decision, kind, leads = ref.NO_FURTHER_ACTION, "", []
        # Most decisions within 2 working days; a few later, and the last days' not yet.
        decided_on: date | None = add_working_days(received_on, rng.choice((0, 1, 1, 2, 2, 3)))
        if decided_on is not None and decided_on >= council.as_of:
            decided_on = None
        first = _pick(rng, TYPE_WEIGHTS)
        types = {first}
        if rng.random() < SECOND_TYPE_SHARE:
            types.add(_pick(rng, TYPE_WEIGHTS))
        enquiry = None
        if decided_on is not None and kind:
            enquiry = _enquiry(
                rng,
                kind=kind,
                lead_key=rng.choice(leads) if leads else None,
                started_on=decided_on,
                as_of=council.as_of - timedelta(days=1),
            )
        concerns.append(
            DemoConcern(
                person_index=person_index,
                team_key=team_key,
                received_at=received_at,
                source=_pick(rng, CONCERN_SOURCE_WEIGHTS),
                route=_pick(rng, ROUTE_WEIGHTS),
                types_of_risk=tuple(sorted(types)),
                location_of_risk=_pick(rng, LOCATION_WEIGHTS),
                source_of_risk=_pick(rng, SOURCE_WEIGHTS),
                decision=decision if decided_on is not None else "",
                decided_on=decided_on,
                reason=rng.choice(NFA_REASONS) if decision != ref.SECTION_42 else "",
                criteria=_criteria(rng, decision),
                enquiry=enquiry,
            )
        )
    concerns.sort(key=lambda c: c.received_at)
    return concerns
