"""The manager's decision on a proposal, as a Django form: three fields per case (allocate,
to whom, why if not as proposed), each validated, and every message naming the person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms

from caseload.allocation.actions import Choice
from caseload.allocation.models import AllocationProposal
from caseload.allocation.proposals import Load, ProposalRow, loads, shown, staff_of
from caseload.ui.forms import GovukForm
from caseload.ui.templatetags.caseload_ui import role_label

REASON_MAX = 500


@dataclass(frozen=True)
class OverCapacity:
    """A practitioner the decision as submitted would take past their capacity."""

    practitioner_id: int
    name: str
    load: Load
    cases: tuple[str, ...]  # the names of the people whose cases, chosen for them, do it


def option_label(record: Mapping[str, Any], before: Load, points: Decimal) -> str:
    """A practitioner in the drop-down: role, load with the rest of the proposal, and with the
    case too (points and percent of capacity)."""
    after = Load(before.points + points, before.capacity)
    warning = ", over capacity" if after.over else ""
    return (
        f"{record['name']} ({role_label(record['role'])}): {shown(before.points)} → "
        f"{shown(after.points)} of {shown(before.capacity)} pts, "
        f"{before.percent}% → {after.percent}%{warning}"
    )


class DecisionForm(GovukForm):
    """Fields `accept_<case id>`, `practitioner_<case id>` and `reason_<case id>` for each row,
    and `confirm_over_capacity`, which a decision taking anyone past capacity needs."""

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        proposal: AllocationProposal,
        rows: list[ProposalRow],
    ) -> None:
        self.proposal = proposal
        self.rows = rows
        self.over_capacity: list[OverCapacity] = []
        self.staff = staff_of(proposal)
        proposed = {str(row.case_id): row.proposed for row in rows}
        initial: dict[str, Any] = {}
        for row in rows:
            initial[f"accept_{row.case_id}"] = row.proposed is not None
            initial[f"practitioner_{row.case_id}"] = row.proposed or ""
        super().__init__(data, initial=initial)
        # Loads with every other case as proposed: what the manager weighs each choice against.
        proposed_loads = loads(proposal, proposed)
        team = proposal.team.name
        for row in rows:
            without = {**proposed, str(row.case_id): None}
            base = loads(proposal, without) if row.proposed else proposed_loads
            # Added after GovukForm styled its fields, so given the GOV.UK classes here.
            self.fields[f"accept_{row.case_id}"] = forms.BooleanField(
                required=False,
                label=f"Allocate {row.name}'s case",
                widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
            )
            self.fields[f"practitioner_{row.case_id}"] = forms.ChoiceField(
                required=False,
                widget=forms.Select(attrs={"class": "govuk-select govuk-!-width-full"}),
                label=f"Practitioner for {row.name}",
                choices=[
                    ("", "Nobody yet"),
                    *(
                        (pid, option_label(self.staff[pid], base[pid][1], row.points))
                        for pid in row.eligible
                    ),
                ],
                error_messages={
                    "invalid_choice": f"Choose a practitioner in {team} who may take "
                    f"{row.name}'s case"
                },
            )
            self.fields[f"reason_{row.case_id}"] = forms.CharField(
                required=False,
                widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-full"}),
                max_length=REASON_MAX,
                label=f"Reason for {row.name}, if you change the proposal",
                error_messages={
                    "max_length": f"The reason for {row.name} must be {REASON_MAX} characters "
                    "or fewer"
                },
            )
        self.fields["confirm_over_capacity"] = forms.BooleanField(
            required=False,
            label="Yes, take them past their capacity",
            widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
        )

    def bound_row(self, row: ProposalRow) -> dict[str, Any]:
        """The row's three fields, for the template."""
        return {
            "accept": self[f"accept_{row.case_id}"],
            "practitioner": self[f"practitioner_{row.case_id}"],
            "reason": self[f"reason_{row.case_id}"],
            "has_errors": any(
                f"{kind}_{row.case_id}" in self.errors
                for kind in ("accept", "practitioner", "reason")
            ),
        }

    def _chosen(self) -> dict[str, str | None]:
        chosen: dict[str, str | None] = {}
        for row in self.rows:
            accept = self.cleaned_data.get(f"accept_{row.case_id}")
            practitioner = self.cleaned_data.get(f"practitioner_{row.case_id}")
            chosen[str(row.case_id)] = practitioner if accept and practitioner else None
        return chosen

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for row in self.rows:
            accept = cleaned.get(f"accept_{row.case_id}")
            practitioner = cleaned.get(f"practitioner_{row.case_id}")
            if f"practitioner_{row.case_id}" in self.errors or not accept:
                continue
            if not practitioner:
                self.add_error(
                    f"practitioner_{row.case_id}",
                    f"Choose who takes {row.name}'s case, or untick Allocate",
                )
            elif practitioner != row.proposed and not cleaned.get(f"reason_{row.case_id}"):
                self.add_error(
                    f"reason_{row.case_id}",
                    f"Give a reason for choosing {self.staff[practitioner]['name']} for "
                    f"{row.name}'s case instead of the proposal",
                )
        if not self.errors:
            self._check_capacity(cleaned)
        return cleaned

    def _check_capacity(self, cleaned: dict[str, Any]) -> None:
        """Warn, and stop, before anyone goes past capacity, unless the manager confirmed it."""
        chosen = self._chosen()
        for pid, (_, after) in loads(self.proposal, chosen).items():
            if after.over:
                self.over_capacity.append(
                    OverCapacity(
                        practitioner_id=int(pid),
                        name=self.staff[pid]["name"],
                        load=after,
                        cases=tuple(
                            row.name for row in self.rows if chosen[str(row.case_id)] == pid
                        ),
                    )
                )
        if not self.over_capacity or cleaned.get("confirm_over_capacity"):
            return
        for over in self.over_capacity:
            self.add_error(
                "confirm_over_capacity",
                f"Giving {over.name} the cases of {', '.join(over.cases)} takes them to "
                f"{over.load.percent}% of capacity "
                f"({shown(over.load.points)} of {shown(over.load.capacity)} points): "
                "confirm it, or choose someone else",
            )

    def confirmed_past_capacity(self) -> list[int]:
        """Who the manager confirmed taking past capacity (the form is valid only if confirmed)."""
        return sorted(over.practitioner_id for over in self.over_capacity)

    def choices(self) -> list[Choice]:
        chosen = self._chosen()
        return [
            Choice(
                case_id=row.case_id,
                accept=chosen[str(row.case_id)] is not None,
                practitioner_id=int(pid) if (pid := chosen[str(row.case_id)]) else None,
                reason=self.cleaned_data.get(f"reason_{row.case_id}", ""),
            )
            for row in self.rows
        ]
