"""ASYE programmes and reviews for tests."""

from __future__ import annotations

from datetime import date

import factory

from caseload.asye.models import Programme, Review
from caseload_engine import asye
from caseload_engine.reference import Choices
from tests.factories import PractitionerFactory, UserFactory


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    practitioner = factory.SubFactory(PractitionerFactory, role="asye", pcf_level="asye")
    starts_on = date(2026, 8, 31)
    assessor = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("assessor")


def evidence(choices: Choices, text: str = "Seen in practice") -> dict[str, str]:
    return {code: f"{text}: {label}" for code, label in choices}


class ReviewFactory(factory.django.DjangoModelFactory[Review]):
    class Meta:
        model = Review

    programme = factory.SubFactory(ProgrammeFactory)
    months = 3
    due_on = factory.LazyAttribute(lambda r: asye.due_on(r.programme.starts_on, r.months))
    held_on = factory.SelfAttribute("due_on")
    outcome = "on_track"
    pcf_evidence = factory.LazyFunction(lambda: evidence(asye.PCF_DOMAINS))
    kss_evidence = factory.LazyFunction(lambda: evidence(asye.KSS_ADULTS))
    assessor_comments = "Steady progress."
    recorded_by = factory.SelfAttribute("programme.assessor")
