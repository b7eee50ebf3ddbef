"""The demo council's decisions, sign-offs and escalations."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from caseload.accounts.models import User
from caseload.decisions.models import Decision, PracticeEscalation, SignOffRequest
from caseload.demo_loader import load_demo_council
from tests.conftest import client_for


@pytest.mark.django_db
def test_the_demo_has_sign_offs_in_every_state_and_an_escalation_decided_by_the_director() -> None:
    load_demo_council(size="small", seed=7, as_of=date(2026, 11, 20), password="pw-demo-12345")
    assert Decision.objects.count() == 6
    states = set(SignOffRequest.objects.values_list("state", flat=True))
    assert states == {"open", "approved", "returned"}
    assert set(PracticeEscalation.objects.values_list("state", flat=True)) == {
        "with_psw",
        "advised",
        "decided",
    }
    manager = client_for(User.objects.get(username="manager"))
    listed = manager.get(reverse("sign_off_list")).content.decode()
    # The safeguarding decision has waited three days.
    assert "3\xa0days" in listed
    psw_list = client_for(User.objects.get(username="psw")).get(reverse("escalation_list"))
    assert "2\xa0days" in psw_list.content.decode()
