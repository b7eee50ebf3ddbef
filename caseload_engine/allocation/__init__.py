"""Allocation proposals for the allocation meeting: optimal, rule-abiding and explained.

The web app and the command line code against the dataclasses and the signatures of `allocate`,
`allocate_greedy` and `eligibility`, all importable from here.

Hard rules, never broken by a proposal:
- the practitioner's role may hold the case's tier (the complexity model's tier roles), and a
  case with a reserved function goes only to a registered role;
- the practitioner has every required skill, is available, and is in the case's team unless
  cross-team allocation is switched on;
- current + new points never exceed the practitioner's capacity.

Groups. A group is a set of teams joined by eligibility: the teams, plus every case and
practitioner in them, linked whenever a case may go to a practitioner of another team (only with
cross-team allocation). Without cross-team allocation each team is its own group. Groups share
no case and no practitioner, so each is solved on its own, and the objective (`criteria`)
applies within each group.

The modules, each importing only those listed before it:
- `records`: the inputs and results (cases, practitioners, rules, proposals);
- `criteria`: the objective, its constants, and `objective` to measure any assignment;
- `explain`: the words of proposals;
- `rules`: the hard rules, and why a case may not go to someone;
- `prepare`: inputs validated and scaled, eligibility worked out, the groups;
- `results`: an assignment turned into explained proposals;
- `greedy`: the greedy baseline;
- `solver`: the CP-SAT model of one group (imports OR-Tools, so only `optimal` loads it, late);
- `optimal`: `allocate`, the optimal proposal.
Beside them: `table` reads and writes the spreadsheets of `caseload allocate`, and `instances`
builds synthetic problems for the benchmark and tests.
"""

from caseload_engine.allocation.criteria import (
    PERMILLE,
    POINTS_SCALE,
    PRIORITIES,
    SPREAD_BANDS,
    STAGES,
    Objective,
    objective,
    qualification_rank,
    scaled_spread_penalty,
    spread_penalty,
)
from caseload_engine.allocation.greedy import allocate_greedy
from caseload_engine.allocation.optimal import allocate
from caseload_engine.allocation.prepare import independent_groups
from caseload_engine.allocation.records import (
    AllocationResult,
    CaseToAllocate,
    PractitionerCapacity,
    Proposal,
    Rules,
    Utilisation,
)
from caseload_engine.allocation.rules import breaches, eligibility

__all__ = [
    "PERMILLE",
    "POINTS_SCALE",
    "PRIORITIES",
    "SPREAD_BANDS",
    "STAGES",
    "AllocationResult",
    "CaseToAllocate",
    "Objective",
    "PractitionerCapacity",
    "Proposal",
    "Rules",
    "Utilisation",
    "allocate",
    "allocate_greedy",
    "breaches",
    "eligibility",
    "independent_groups",
    "objective",
    "qualification_rank",
    "scaled_spread_penalty",
    "spread_penalty",
]
