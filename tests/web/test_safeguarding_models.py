"""The safeguarding models' own rules, held by the database: the statutory criteria, the
reserved-function rule, and a conclusion that is complete."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from caseload_engine import safeguarding_reference as ref
from tests.factories import PractitionerFactory
from tests.safeguarding_factories import (
    ConcernFactory,
    ConcludedEnquiryFactory,
    DecidedConcernFactory,
    EnquiryFactory,
    StrategyRecordFactory,
)

pytestmark = pytest.mark.django_db


def test_factories_make_valid_records() -> None:
    concern = ConcernFactory.create(risk_types=["physical", "self_neglect"])
    assert concern.types_of_risk == ["physical", "self_neglect"]
    StrategyRecordFactory.create()
    enquiry = ConcludedEnquiryFactory.create()
    assert enquiry.concern.decision == ref.SECTION_42


@pytest.mark.parametrize("missing", [c for c, _ in ref.CRITERIA])
def test_section_42_needs_all_three_criteria(missing: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DecidedConcernFactory.create(**{f"criterion_{missing}": False})


def test_other_enquiry_refused_when_all_criteria_met() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DecidedConcernFactory.create(decision=ref.OTHER_ENQUIRY, decision_reason="Because")


def test_section_42_lead_must_be_registered() -> None:
    assistant = PractitionerFactory.create(role="assistant")
    with pytest.raises(IntegrityError), transaction.atomic():
        EnquiryFactory.create(lead=assistant, team=assistant.team)


def test_risk_found_needs_its_outcome() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ConcludedEnquiryFactory.create(risk_outcome="")
