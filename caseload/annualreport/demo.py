"""The demo council's annual report: last financial year's, drafted from the demo's data and
published, through the actions (so the change log has it too)."""

from __future__ import annotations

from datetime import date

from caseload.accounts.models import AccessRole, User
from caseload.annualreport import actions


def load_demo_report(*, as_of: date) -> None:
    psw = User.objects.filter(access_role=AccessRole.PRINCIPAL_SOCIAL_WORKER).order_by("pk").first()
    if psw is None:
        return
    year = as_of.year - (1 if as_of.month >= 4 else 2)
    draft = actions.draft_report(
        by=psw,
        title=f"Principal social worker's annual report {year}/{str(year + 1)[2:]}",
        start=date(year, 4, 1),
        end=date(year + 1, 3, 31),
    )
    actions.publish_report(by=psw, report=draft)
