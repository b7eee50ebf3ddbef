"""Factories for safeguarding records. Synthetic notes only.

ConcernFactory: an undecided concern received yesterday. DecidedConcernFactory: one decided to
a Section 42 enquiry (all three criteria met). EnquiryFactory: an open Section 42 enquiry led
by a registered social worker of the concern's team. ConcludedEnquiryFactory: concluded and
signed off, with every SAC field filled. `risk_types` is a list of codes:
`ConcernFactory(risk_types=["physical", "neglect_and_acts_of_omission"])`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from caseload.safeguarding.models import (
    Concern,
    ConcernRiskType,
    Enquiry,
    EnquiryKind,
    EnquiryStatus,
    StrategyRecord,
)
from caseload_engine import safeguarding_reference as ref
from tests.factories import PersonFactory, PractitionerFactory, TeamFactory, UserFactory


class ConcernFactory(factory.django.DjangoModelFactory[Concern]):
    class Meta:
        model = Concern

    person = factory.SubFactory(PersonFactory)
    team = factory.SubFactory(TeamFactory)
    received_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    source = "health"
    source_detail = "District nurse"
    route = "phone"
    summary = "Synthetic concern: bruising noticed on a visit"
    location_of_risk = "own_home"
    source_of_risk = "other_known"
    recorded_by = factory.SubFactory(UserFactory)
    decision_due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=1))

    @classmethod
    def _create(
        cls,
        model_class: type[Concern],
        *args: Any,
        risk_types: Sequence[str] = ("physical",),
        **kwargs: Any,
    ) -> Concern:
        concern: Concern = super()._create(model_class, *args, **kwargs)
        ConcernRiskType.objects.bulk_create(
            ConcernRiskType(concern=concern, code=code) for code in risk_types
        )
        return concern


class DecidedConcernFactory(ConcernFactory):
    criterion_care_and_support_needs = True
    criterion_abuse_or_neglect = True
    criterion_unable_to_protect = True
    decision = ref.SECTION_42
    decided_at = factory.LazyFunction(timezone.now)
    decided_by = factory.SubFactory(UserFactory)


class EnquiryFactory(factory.django.DjangoModelFactory[Enquiry]):
    class Meta:
        model = Enquiry

    concern = factory.SubFactory(DecidedConcernFactory)
    person = factory.SelfAttribute("concern.person")
    team = factory.SelfAttribute("concern.team")
    kind = EnquiryKind.SECTION_42
    started_on = factory.LazyFunction(timezone.localdate)
    lead = factory.SubFactory(
        PractitionerFactory, team=factory.SelfAttribute("..team"), role="social_worker"
    )
    lead_role = factory.LazyAttribute(lambda e: e.lead.role if e.lead else "")
    strategy_due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    outcomes_due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    plan_due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=28))
    conclusion_due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=84))


class ConcludedEnquiryFactory(EnquiryFactory):
    started_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    status = EnquiryStatus.CLOSED
    msp_asked = ref.MSP_ASKED_EXPRESSED
    desired_outcomes = "Synthetic: I want to feel safe at home"
    outcomes_recorded_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=29))
    lacked_capacity = False
    support = "family"
    plan = "Synthetic plan: daily checks by the home care provider"
    plan_agreed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=20))
    concluded_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=2))
    action_and_result = "risk_identified_action"
    risk_outcome = "reduced"
    msp_achieved = "fully"
    conclusion = "Synthetic conclusion"
    concluded_by = factory.SubFactory(UserFactory)
    sign_off_level = "team_manager"
    signed_off_at = factory.LazyFunction(timezone.now)
    signed_off_by = factory.SubFactory(UserFactory)


class StrategyRecordFactory(factory.django.DjangoModelFactory[StrategyRecord]):
    class Meta:
        model = StrategyRecord

    enquiry = factory.SubFactory(EnquiryFactory)
    kind = "discussion"
    held_on = factory.LazyFunction(timezone.localdate)
    attendees = "Synthetic: social worker, police, district nurse"
    summary = "Synthetic: agreed a joint visit"
    recorded_by = factory.SubFactory(UserFactory)
    recorded_at = factory.LazyFunction(timezone.now)
