"""Factories for supervision records. Synthetic notes only."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from caseload.supervision.models import Action, Agreement, Session, SessionKind
from tests.factories import PractitionerFactory, UserFactory


class SessionFactory(factory.django.DjangoModelFactory[Session]):
    """A 90-minute one-to-one a week ago, recorded by its supervisor, signed by nobody."""

    class Meta:
        model = Session

    supervisee = factory.SubFactory(PractitionerFactory)
    supervisor = factory.SubFactory(UserFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    minutes = 90
    kind = SessionKind.ONE_TO_ONE
    agenda = "Caseload and wellbeing"
    wellbeing = "Synthetic note: coping well"
    created_at = factory.LazyFunction(timezone.now)
    created_by = factory.SelfAttribute("supervisor")


class ActionFactory(factory.django.DjangoModelFactory[Action]):
    class Meta:
        model = Action

    session = factory.SubFactory(SessionFactory)
    description = "Book the carers' assessment"
    owner = factory.LazyAttribute(lambda a: a.session.supervisee.user)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class AgreementFactory(factory.django.DjangoModelFactory[Agreement]):
    class Meta:
        model = Agreement

    practitioner = factory.SubFactory(PractitionerFactory)
    supervisor = factory.SubFactory(UserFactory)
    frequency = "Monthly, 90 minutes"
    place = "Team office, room 2"
    if_missed = "Rebooked within two weeks"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    created_at = factory.LazyFunction(timezone.now)
    created_by = factory.SelfAttribute("supervisor")
