"""Breaking the glass: opening the record of someone with no case the user may see.

The user gives a reason, which the access log keeps (caseload.audit.log.record_glass_broken);
the record then opens for GLASS_BROKEN_FOR in that session only. Who may do it is the
permissions module's `break_glass` (docs/permissions.md says who and why).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.http import HttpRequest
from django.utils import timezone

from caseload.audit.models import BreakGlassReason
from caseload.ui.forms import GovukForm

GLASS_BROKEN_FOR = timedelta(hours=1)
# The largest id a (big) integer column holds.
LARGEST_ID = 2**63 - 1
_SESSION_KEY = "glass_broken"


class BreakGlassForm(GovukForm):
    reason = forms.ChoiceField(
        label="Why do you need to open this record?",
        choices=BreakGlassReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you need to open this record"},
    )
    detail = forms.CharField(
        label="Say what you need it for",
        help_text="This is kept in the access log with your name. Write what you need, not "
        "details of the person.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say what you need the record for",
            "max_length": "Say what you need the record for in 500 characters or fewer",
        },
    )

    def clean_detail(self) -> str:
        detail: str = self.cleaned_data["detail"].strip()
        if not detail:
            raise forms.ValidationError("Say what you need the record for")
        return detail


def _grants(request: HttpRequest) -> dict[str, str]:
    grants = request.session.get(_SESSION_KEY, {})
    return grants if isinstance(grants, dict) else {}


def glass_broken(request: HttpRequest) -> set[int]:
    """The people whose records this session opened by breaking the glass, still in time."""
    now = timezone.now()
    return {
        int(person_id)
        for person_id, until in _grants(request).items()
        if datetime.fromisoformat(until) > now
    }


def break_glass(request: HttpRequest, person_id: int) -> None:
    now = timezone.now()
    grants = {
        person: until
        for person, until in _grants(request).items()
        if datetime.fromisoformat(until) > now
    }
    grants[str(person_id)] = (now + GLASS_BROKEN_FOR).isoformat()
    request.session[_SESSION_KEY] = grants
