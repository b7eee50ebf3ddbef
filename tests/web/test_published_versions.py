"""The settings published in versions share one rule: until someone publishes, the shipped
defaults are recorded as version 1 the first time they are needed, once; after that the
newest version is the one in force."""

from __future__ import annotations

import pytest

from caseload.audit.versions import PublishedVersion
from caseload.audits.models import ToolVersion
from caseload.complexity.models import ModelVersion
from caseload.decisions.models import DelegationScheme
from caseload.safeguarding.models import Targets

pytestmark = pytest.mark.django_db

VERSIONED = [ModelVersion, ToolVersion, DelegationScheme, Targets]


@pytest.mark.parametrize("model", VERSIONED, ids=lambda m: m.__name__)
def test_the_shipped_defaults_are_recorded_once_as_version_1(
    model: type[PublishedVersion],
) -> None:
    model._default_manager.all().delete()
    first = model.current()
    again = model.current()
    assert (first.number, again.pk) == (1, first.pk)
    assert model._default_manager.count() == 1
    assert first.change_note == model.shipped_defaults()["change_note"]
    assert first.created_by is None


@pytest.mark.parametrize("model", VERSIONED, ids=lambda m: m.__name__)
def test_the_newest_version_is_in_force(model: type[PublishedVersion]) -> None:
    first = model.current()
    newer = model._default_manager.create(
        **{**model.shipped_defaults(), "number": first.number + 1, "change_note": "newer"}
    )
    assert model.current().pk == newer.pk
