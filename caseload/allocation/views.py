"""The allocation meeting: the waiting list, the engine's proposal, the manager's decision;
and what if a practitioner is away."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.accounts.permissions import Permission, filter_by_team, has_permission
from caseload.allocation import actions
from caseload.allocation import jobs as allocation_jobs
from caseload.allocation.access import get_handover_for_user, get_proposal_for_user
from caseload.allocation.forms import DecisionForm
from caseload.allocation.inputs import meeting_cases
from caseload.allocation.models import AllocationDecision, AllocationProposal, Handover
from caseload.allocation.proposals import (
    ProposalRow,
    capacity_elsewhere,
    decided_choices,
    loads,
    planned_handovers_of,
    proposed_choices,
    rows_of,
    staff_of,
    staleness,
)
from caseload.audit import log
from caseload.register import access
from caseload.register.models import Case, Team
from caseload.ui.forms import GovukDateField, GovukForm, days_from_today, today
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, paginate, posted
from caseload_engine import reference

SORTS = {
    "waiting": ("opened_at", "pk"),
    "priority": ("priority", "opened_at", "pk"),
    "tier": ("-current_tier", "priority", "opened_at", "pk"),
}
# The waiting list's columns after the person: label, the sort it offers, the direction that
# sort shows the column in (for aria-sort and the arrow), and whether numeric.
COLUMNS = (
    ("Tier", "tier", "descending", False),
    ("Points", "", "", True),
    ("Priority", "priority", "ascending", True),
    ("Days waiting", "waiting", "descending", True),
)
SORT_LABELS = {
    "waiting": "longest waiting first",
    "priority": "highest priority first",
    "tier": "highest tier first",
}


def _team_for_manager(request: AuthedRequest, pk: int) -> Any:
    team = access.get_team_for_user(request.user, pk)
    if not has_permission(request.user, Permission.MANAGE_TEAM_ALLOCATION, team=team):
        raise PermissionDenied
    return team


@require_permission(Permission.MANAGE_TEAM_ALLOCATION)
def meeting(request: AuthedRequest, pk: int) -> HttpResponse:
    team = _team_for_manager(request, pk)
    sort = request.GET.get("sort", "priority")
    sort = sort if sort in SORTS else "priority"
    cases = meeting_cases(team).order_by(*SORTS[sort])
    page = paginate(request, cases)
    log.record_allocation_meeting_viewed(
        request.user, team_id=team.pk, person_ids=[case.person_id for case in page]
    )
    context = {
        "team": team,
        "page": page,
        "sort": sort,
        "sort_label": SORT_LABELS[sort],
        "columns": [
            {
                "label": label,
                "sort": key,
                "direction": direction,
                "numeric": numeric,
                "current": key == sort,
            }
            for label, key, direction, numeric in COLUMNS
        ],
        "query": f"sort={sort}",
    }
    if request.htmx:
        # The table alone; its live region says how the list is now sorted.
        return render(request, "allocation/_waiting_cases.html", context)
    context["recent"] = AllocationProposal.objects.filter(team=team).select_related(
        "created_by", "decision"
    )[:5]
    return render(request, "allocation/meeting.html", context)


@require_permission(Permission.MANAGE_TEAM_ALLOCATION)
@require_POST
def propose(request: AuthedRequest, pk: int) -> HttpResponse:
    team = _team_for_manager(request, pk)
    # Solved by a worker: the job page shows its progress, then goes on to the proposal.
    job = allocation_jobs.start_proposal(by=request.user, team=team)
    return redirect("job_detail", pk=job.pk)


class WhatIfForm(GovukForm):
    # A what-if plans the coming year: a date further off is a typing slip.
    away_from = GovukDateField(
        label="First day away",
        help_text="The first day they will not be working, like 1 12 2026",
        earliest=today,
        latest=days_from_today(365),
    )
    reason = forms.ChoiceField(
        label="Why will they be away?",
        choices=reference.ABSENCE_REASON_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why they will be away"},
    )
    away_until = GovukDateField(
        label="Last day away",
        required=False,
        help_text="Leave blank if not known, or if they are leaving",
        earliest=today,
        latest=days_from_today(2 * 365),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        away_from, away_until = cleaned.get("away_from"), cleaned.get("away_until")
        if cleaned.get("reason") == "leaving" and away_until:
            self.add_error("away_until", "Leave the last day blank: they are leaving")
        elif away_from and away_until and away_until < away_from:
            self.add_error("away_until", "The last day away must be the same as or after the first")
        return cleaned


@require_permission(Permission.MANAGE_TEAM_ALLOCATION)
@require_http_methods(["GET", "POST"])
def what_if(request: AuthedRequest, pk: int) -> HttpResponse:
    practitioner = access.get_practitioner_for_user(request.user, pk)
    if practitioner.team_id is None or not has_permission(
        request.user, Permission.MANAGE_TEAM_ALLOCATION, team=practitioner.team_id
    ):
        raise PermissionDenied
    log.record_what_if_viewed(
        request.user, practitioner_id=practitioner.pk, team_id=practitioner.team_id
    )
    form = WhatIfForm(posted(request), initial={"away_from": timezone.localdate()})
    if form.is_valid():
        try:
            job = allocation_jobs.start_what_if(
                by=request.user,
                practitioner=practitioner,
                away_from=form.cleaned_data["away_from"],
                reason=form.cleaned_data["reason"],
                away_until=form.cleaned_data["away_until"],
            )
        except ActionRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            return redirect("job_detail", pk=job.pk)
    return render(request, "allocation/what_if.html", {"practitioner": practitioner, "form": form})


def _capacity_bars(
    proposal: AllocationProposal, chosen: dict[str, str | None]
) -> list[dict[str, Any]]:
    """Each practitioner's load before and after the choices (as proposed, or as decided)."""
    staff = staff_of(proposal)
    unavailable = proposal.inputs.get("unavailable", {})
    return [
        {
            "name": staff[pid]["name"],
            "role": staff[pid]["role"],
            # Proposals recorded before the reasons were kept say only "unavailable".
            "unavailable": unavailable.get(pid, "unavailable")
            if not staff[pid]["available"]
            else "",
            "before": before,
            "after": after,
        }
        for pid, (before, after) in loads(proposal, chosen).items()
    ]


def _staying(proposal: AllocationProposal, count: int) -> str:
    """A what-if's cases nobody takes, said plainly: they stay with whoever is away."""
    if not count or proposal.away_practitioner is None or proposal.away_from is None:
        return ""
    return (
        f"{count} case{'' if count == 1 else 's'} stay{'s' if count == 1 else ''} with "
        f"{proposal.away_practitioner.full_name}, who is away from "
        f"{proposal.away_from.day} {proposal.away_from:%b}."
    )


def _decided_rows(proposal: AllocationProposal, rows: list[ProposalRow]) -> list[dict[str, Any]]:
    """What the manager chose for each case, beside what was proposed, with the reason."""
    staff = staff_of(proposal)
    entries = {str(entry["case_id"]): entry for entry in proposal.decision.decisions}
    decided = []
    for row in rows:
        entry = entries.get(str(row.case_id), {})
        chosen = str(entry["chosen"]) if entry.get("accepted") and entry.get("chosen") else None
        decided.append(
            {
                "chosen": staff.get(chosen or ""),
                "overridden": chosen is not None and chosen != row.proposed,
                "reason": entry.get("reason", ""),
            }
        )
    return decided


@require_permission(Permission.VIEW_ALLOCATION_PROPOSALS)
@require_http_methods(["GET", "POST"])
def proposal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk)
    decided = hasattr(proposal, "decision")
    can_decide = not decided and has_permission(
        request.user, Permission.MANAGE_TEAM_ALLOCATION, team=proposal.team_id
    )
    if request.method == "POST" and not can_decide:
        raise PermissionDenied
    rows = rows_of(proposal)
    form = DecisionForm(posted(request), proposal=proposal, rows=rows) if can_decide else None
    if form is not None and form.is_valid():
        try:
            decision = actions.decide(
                by=request.user,
                proposal=proposal,
                choices=form.choices(),
                past_capacity=form.confirmed_past_capacity(),
            )
        except ActionRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            saved = "Handovers planned." if decision.handovers.exists() else "Allocations saved."
            if proposal.away_practitioner is not None:
                saved += f" {proposal.away_practitioner.full_name}'s absence is recorded."
                left = sum(not choice.accept for choice in form.choices())
                staying = _staying(proposal, left + len(proposal.inputs["unscored_case_ids"]))
                saved += f" {staying}" if staying else ""
            messages.success(request, saved)
            return redirect("allocation_proposal", pk=proposal.pk)
    unscored = list(
        Case.objects.select_related("person").filter(pk__in=proposal.inputs["unscored_case_ids"])
    )
    # Only an open proposal can be stale: a decided one is the record of what was decided.
    stale = staleness(proposal) if not decided else None
    log.record_proposal_viewed(
        request.user,
        team_id=proposal.team_id,
        practitioner_id=proposal.away_practitioner_id,
        person_ids=[row.case.person_id for row in rows if row.case is not None]
        + [case.person_id for case in unscored]
        + [case.person_id for case in (stale.joined if stale else ())],
    )
    staff = staff_of(proposal)
    staying = ""
    if proposal.away_practitioner is not None:
        unallocated = (
            [entry for entry in proposal.decision.decisions if not entry["accepted"]]
            if decided
            else [row for row in rows if row.proposed is None]
        )
        staying = _staying(proposal, len(unallocated) + len(unscored))
    shown = [
        {
            "row": row,
            "proposed": staff.get(row.proposed or ""),
            "alternative": staff.get(row.item["alternative_id"] or ""),
            "fields": form.bound_row(row) if form is not None else None,
        }
        for row in rows
    ]
    if decided:
        for item, decision_row in zip(shown, _decided_rows(proposal, rows), strict=True):
            item["decision"] = decision_row
    return render(
        request,
        "allocation/proposal.html",
        {
            "proposal": proposal,
            "rows": shown,
            "bars": _capacity_bars(
                proposal, decided_choices(proposal) if decided else proposed_choices(proposal)
            ),
            "unscored": unscored,
            "decided": decided,
            "decision": proposal.decision if decided else None,
            "planned_handovers": proposal.decision.handovers.count() if decided else 0,
            "can_decide": can_decide,
            "form": form,
            "stale": stale,
            "staying": staying,
            "may_look_elsewhere": any(row.proposed is None for row in rows)
            and has_permission(
                request.user, Permission.MANAGE_TEAM_ALLOCATION, team=proposal.team_id
            ),
            "conflicts": planned_handovers_of(proposal) if can_decide else [],
        },
    )


class CancelHandoverForm(GovukForm):
    reason = forms.CharField(
        label="Why is the handover cancelled?",
        max_length=500,
        error_messages={"required": "Say why the handover is cancelled"},
    )


def _back_to_practitioner(handover: Handover) -> HttpResponse:
    return redirect("practitioner_detail", pk=handover.from_practitioner_id)


@require_permission(Permission.MANAGE_TEAM_ALLOCATION)
@require_http_methods(["GET", "POST"])
def handover_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    handover = get_handover_for_user(request.user, pk)
    log.record_case_form(request.user, case_id=handover.case_id, person_id=handover.case.person_id)
    form = CancelHandoverForm(posted(request))
    if form.is_valid():
        try:
            actions.cancel_handover(
                by=request.user, handover=handover, reason=form.cleaned_data["reason"]
            )
        except ActionRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(
                request, f"Handover cancelled: the case stays with {handover.from_practitioner}."
            )
            return _back_to_practitioner(handover)
    return render(request, "allocation/handover_cancel.html", {"handover": handover, "form": form})


@require_permission(Permission.MANAGE_TEAM_ALLOCATION)
@require_POST
def handover_now(request: AuthedRequest, pk: int) -> HttpResponse:
    handover = get_handover_for_user(request.user, pk)
    log.record_case_form(request.user, case_id=handover.case_id, person_id=handover.case.person_id)
    try:
        moved = actions.hand_over_now(by=request.user, handover=handover)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if moved:
            messages.success(request, f"Handed over to {handover.to_practitioner}.")
        else:
            messages.error(request, "Not handed over: the case had been closed or moved meanwhile.")
    return _back_to_practitioner(handover)


class OverridesForm(GovukForm):
    """Which overrides to list: a team (of those the user may see) and a period."""

    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Every team you can see",
        error_messages={"invalid_choice": "Choose a team from the list"},
    )
    decided_from = GovukDateField(label="Decided from", required=False)
    decided_to = GovukDateField(label="Decided to", required=False)

    def __init__(
        self, data: QueryDict | None, *, teams: QuerySet[Team], initial: dict[str, Any]
    ) -> None:
        super().__init__(data, initial=initial)
        team_field = cast("forms.ModelChoiceField[Team]", self.fields["team"])
        team_field.queryset = teams

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("decided_from"), cleaned.get("decided_to")
        if start and end and end < start:
            self.add_error("decided_to", "The end of the period must be on or after its start")
        return cleaned


OVERRIDES_PERIOD_DAYS = 90


def _overrides(decisions: Iterable[AllocationDecision]) -> list[dict[str, Any]]:
    """Each case a manager gave to someone other than the one proposed, newest decision first."""
    found = [
        (decision, entry)
        for decision in decisions
        for entry in decision.decisions
        if entry["accepted"] and entry["chosen"] and entry["chosen"] != entry["proposed"]
    ]
    cases = Case.objects.select_related("person").in_bulk(
        {int(entry["case_id"]) for _, entry in found}
    )
    names = {
        p["practitioner_id"]: p["name"]
        for decision, _ in found
        for p in decision.proposal.inputs["practitioners"]
    }
    return [
        {
            "decision": decision,
            "case": cases.get(int(entry["case_id"])),
            "proposed": names.get(str(entry["proposed"]), "nobody") if entry["proposed"] else None,
            "chosen": names.get(str(entry["chosen"]), ""),
            "reason": entry["reason"],
        }
        for decision, entry in found
    ]


@require_permission(Permission.VIEW_ALLOCATION_PROPOSALS)
@require_GET
def overrides(request: AuthedRequest) -> HttpResponse:
    """The overrides of proposals, with their reasons, by team and period: for the principal
    social worker (every team) and each manager (their own)."""
    teams = filter_by_team(
        Team.objects.order_by("name"),
        request.user,
        Permission.VIEW_ALLOCATION_PROPOSALS,
        field="pk",
    )
    # Without a filter asked for: every team the user may see, over the last 90 days.
    default = {"decided_from": timezone.localdate() - timedelta(days=OVERRIDES_PERIOD_DAYS)}
    asked = set(request.GET) - {"page"}
    form = OverridesForm(request.GET if asked else None, teams=teams, initial=default)
    filters = (form.cleaned_data if form.is_valid() else None) if asked else default
    rows: list[dict[str, Any]] = []
    if filters is not None:
        team = filters.get("team")
        decisions = AllocationDecision.objects.filter(
            proposal__team__in=[team] if team is not None else teams
        ).select_related("proposal__team", "decided_by")
        if filters.get("decided_from"):
            decisions = decisions.filter(decided_at__date__gte=filters["decided_from"])
        if filters.get("decided_to"):
            decisions = decisions.filter(decided_at__date__lte=filters["decided_to"])
        rows = _overrides(decisions.order_by("-decided_at", "-pk"))
    page = Paginator(rows, settings.CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    log.record_people_listed(
        request.user, person_ids=[row["case"].person_id for row in page if row["case"]]
    )
    query = request.GET.copy()
    query.pop("page", None)
    if not asked:
        start = default["decided_from"]
        query.update(
            {
                "decided_from_day": str(start.day),
                "decided_from_month": str(start.month),
                "decided_from_year": str(start.year),
            }
        )
    return render(
        request,
        "allocation/overrides.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _proposal_for_manager(request: AuthedRequest, pk: int) -> AllocationProposal:
    proposal = get_proposal_for_user(request.user, pk)
    if not has_permission(request.user, Permission.MANAGE_TEAM_ALLOCATION, team=proposal.team_id):
        raise PermissionDenied
    return proposal


@require_permission(Permission.MANAGE_TEAM_ALLOCATION)
@require_GET
def across_teams(request: AuthedRequest, pk: int) -> HttpResponse:
    """Other teams' room for the cases nobody in the team can take: a suggestion to agree with
    their managers, or to raise with the principal social worker."""
    proposal = _proposal_for_manager(request, pk)
    elsewhere = capacity_elsewhere(proposal, rows_of(proposal))
    log.record_proposal_viewed(
        request.user,
        team_id=proposal.team_id,
        practitioner_id=proposal.away_practitioner_id,
        person_ids=[item.row.case.person_id for item in elsewhere if item.row.case is not None],
    )
    return render(
        request, "allocation/across_teams.html", {"proposal": proposal, "elsewhere": elsewhere}
    )


@require_permission(Permission.MANAGE_TEAM_ALLOCATION)
@require_POST
def escalate(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = _proposal_for_manager(request, pk)
    try:
        told = actions.raise_unallocated(by=request.user, proposal=proposal)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            f"Raised with {told} principal social worker{'' if told == 1 else 's'}: they have "
            "the cases and the reasons.",
        )
    return redirect("allocation_proposal", pk=proposal.pk)
