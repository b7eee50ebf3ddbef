"""Factories for the register. Synthetic data only: NHS numbers come from the 999 range."""

from __future__ import annotations

import itertools
import time
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.accounts.models import AccessRole, User
from caseload.complexity.models import Assessment, ModelVersion
from caseload.register.models import (
    Allocation,
    Case,
    CaseStatus,
    Locality,
    Person,
    Practitioner,
    SupportRequest,
    Team,
)
from caseload_engine.identifiers import synthetic_nhs_number

_nhs_serials = itertools.count(500_000)


def next_synthetic_nhs_number() -> str:
    while True:
        number = synthetic_nhs_number(next(_nhs_serials))
        if number is not None:
            return number


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    access_role = AccessRole.PRACTITIONER
    password = factory.django.Password("correct-horse-battery")


class AuthenticatorFactory(factory.django.DjangoModelFactory[TOTPDevice]):
    """A confirmed authenticator app; authenticator_code() gives what the phone shows."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


def authenticator_code(device: TOTPDevice) -> str:
    """A code the device accepts now, as the app would show it. A time step's code works only
    once, so after one was used this gives the next step's, which the device's tolerance takes."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    while totp.t() <= device.last_t:
        totp.drift += 1
    return f"{totp.token():0{device.digits}d}"


class LocalityFactory(factory.django.DjangoModelFactory[Locality]):
    class Meta:
        model = Locality
        django_get_or_create = ("name",)

    name = "North"


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    service_area = "older_people"
    locality = factory.SubFactory(LocalityFactory, name=factory.Sequence(lambda n: f"Locality {n}"))


class PractitionerFactory(factory.django.DjangoModelFactory[Practitioner]):
    class Meta:
        model = Practitioner

    user = factory.SubFactory(UserFactory)
    given_name = factory.LazyAttribute(lambda p: p.user.first_name if p.user else "Sam")
    family_name = factory.LazyAttribute(lambda p: p.user.last_name if p.user else "Smith")
    role = "social_worker"
    pcf_level = "social_worker"
    fte = Decimal("1.00")
    team = factory.SubFactory(TeamFactory)
    swe_registration_number = factory.Sequence(lambda n: f"SW{100000 + n}")
    swe_renewal_date = date(2027, 11, 30)
    start_date = date(2020, 1, 6)


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    council_person_id = factory.Sequence(lambda n: f"P{9_000_000 + n:07d}")
    nhs_number = factory.LazyFunction(next_synthetic_nhs_number)
    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = date(1944, 5, 17)
    postcode = "ZZ1 1AA"
    primary_support_reason = "physical_personal_care"


class SupportRequestFactory(factory.django.DjangoModelFactory[SupportRequest]):
    class Meta:
        model = SupportRequest

    person = factory.SubFactory(PersonFactory)
    route_of_access = "community_other"
    source = "family_carer"
    received_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    class Meta:
        model = Case

    person = factory.SubFactory(PersonFactory)
    request = factory.SubFactory(SupportRequestFactory, person=factory.SelfAttribute("..person"))
    team = factory.SubFactory(TeamFactory)
    status = CaseStatus.AWAITING_ALLOCATION
    opened_at = factory.SelfAttribute("request.received_at")


class AllocationFactory(factory.django.DjangoModelFactory[Allocation]):
    class Meta:
        model = Allocation

    case = factory.SubFactory(CaseFactory, status=CaseStatus.ALLOCATED)
    practitioner = factory.SubFactory(
        PractitionerFactory, team=factory.SelfAttribute("..case.team")
    )
    started_at = factory.LazyAttribute(lambda a: a.case.opened_at + timedelta(days=2))


def allocated_case(practitioner: Practitioner, **kwargs: object) -> Case:
    case = CaseFactory.create(team=practitioner.team, status=CaseStatus.ALLOCATED, **kwargs)
    AllocationFactory.create(case=case, practitioner=practitioner)
    return case


class AssessmentFactory(factory.django.DjangoModelFactory[Assessment]):
    """Scored 2 on every factor of the current model: total 12, Tier 2 in the default model."""

    class Meta:
        model = Assessment

    case = factory.SubFactory(CaseFactory)
    model_version = factory.LazyFunction(ModelVersion.current)
    scores = factory.LazyAttribute(
        lambda a: {factor.key: 2 for factor in a.model_version.model.factors}
    )
    rationales = factory.LazyAttribute(lambda a: dict.fromkeys(a.scores, "Synthetic reason"))
    total = factory.LazyAttribute(lambda a: sum(a.scores.values()))
    tier = factory.LazyAttribute(lambda a: a.model_version.model.band_for_total(a.total).tier)
    points = factory.LazyAttribute(lambda a: a.model_version.model.band(a.tier).points)
    assessed_by = factory.SubFactory(UserFactory)
    assessed_at = factory.LazyFunction(timezone.now)
