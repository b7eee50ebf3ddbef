"""The safeguarding reference lists and the demo's year of safeguarding: age bands, the
statutory rule in every demo concern, the national mix, determinism."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload_engine import safeguarding_reference as ref
from caseload_engine.demo import DemoCouncil, generate
from caseload_engine.demo_safeguarding import (
    CONCERNS_PER_REQUEST,
    concerns_per_year,
    generate_safeguarding,
    person_profiles,
)
from caseload_engine.reference import SWE_REGISTERED_ROLES

AS_OF = date(2026, 3, 16)


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2008, 3, 17), "unknown"),  # 17 the day before their birthday
        (date(2008, 3, 16), "18-64"),
        (date(1961, 3, 16), "65-74"),
        (date(1961, 3, 17), "18-64"),
        (date(1951, 3, 16), "75-84"),
        (date(1941, 3, 16), "85-94"),
        (date(1931, 3, 16), "95+"),
        (None, "unknown"),
    ],
)
def test_age_bands_turn_on_the_birthday(born: date | None, band: str) -> None:
    assert ref.age_band(born, AS_OF) == band


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1)))
def test_every_birth_date_has_one_known_band(born: date) -> None:
    assert ref.age_band(born, AS_OF) in ref.codes(ref.AGE_BAND_CHOICES)


@pytest.fixture(scope="module")
def council() -> DemoCouncil:
    return generate("small", seed=11, as_of=AS_OF)


def test_the_demo_is_the_same_for_the_same_seed(council: DemoCouncil) -> None:
    assert generate_safeguarding(council, seed=3) == generate_safeguarding(council, seed=3)
    assert person_profiles(5, seed=3) == person_profiles(5, seed=3)


def test_every_demo_concern_keeps_the_rules(council: DemoCouncil) -> None:
    roles = {p.key: (p.role, p.team_key) for p in council.practitioners}
    concerns = generate_safeguarding(council, seed=3)
    assert len(concerns) == concerns_per_year(council) > 0
    for c in concerns:
        assert AS_OF - timedelta(days=366) <= c.received_at.date() < AS_OF
        assert set(c.types_of_risk) <= set(ref.codes(ref.TYPE_OF_RISK_CHOICES))
        # Care Act s42(1): a Section 42 enquiry exactly when all three criteria are met.
        assert (c.decision == ref.SECTION_42) == (c.decided_on is not None and all(c.criteria))
        if c.enquiry is None:
            continue
        e = c.enquiry
        if e.lead_key is not None:
            role, team = roles[e.lead_key]
            assert team == c.team_key
            if e.kind == "section_42":
                assert role in SWE_REGISTERED_ROLES
        if e.concluded_on is not None:
            assert e.action_and_result in ref.codes(ref.ACTION_AND_RESULT_CHOICES)
            assert (e.risk_outcome != "") >= (e.action_and_result in ref.RESULTS_WITH_RISK)
            assert e.concluded_on >= e.started_on
        assert (e.msp_achieved != "") <= (e.msp_asked == ref.MSP_ASKED_EXPRESSED)


def test_a_large_councils_rate() -> None:
    # 13,600 requests a year: 4,200 concerns.
    assert round(13_600 * CONCERNS_PER_REQUEST) == 4200


def test_a_years_concerns_have_the_national_mix(council: DemoCouncil) -> None:
    # A large council's year of concerns, drawn on the small council's teams (quicker).
    concerns = generate_safeguarding(council, seed=1, count=4200)
    enquiries = [c.enquiry for c in concerns if c.enquiry is not None]
    section_42 = [e for e in enquiries if e.kind == "section_42"]
    assert 1050 <= len(section_42) <= 1350
    types = Counter(t for c in concerns for t in c.types_of_risk)
    assert types.most_common(1)[0][0] == "neglect_and_acts_of_omission"
    own_home = sum(c.location_of_risk == "own_home" for c in concerns) / len(concerns)
    assert 0.45 <= own_home <= 0.55
    concluded = [e for e in section_42 if e.action_and_result in ref.RESULTS_WITH_RISK]
    lowered = sum(e.risk_outcome in ("reduced", "removed") for e in concluded) / len(concluded)
    assert 0.85 <= lowered <= 0.95
    asked = [e for e in section_42 if e.msp_asked]
    share = sum(e.msp_asked.startswith("asked") for e in asked) / len(asked)
    assert 0.75 <= share <= 0.85
