"""What each role may do: the one place that says so.

Views (`caseload.web.decorators.require_permission`), templates (`user|can:"..."`), actions
(which refuse with ActionRefused) and the register's access checks all ask `has_permission`
or `scope_of`; none of them compares a user's role.

A permission is either about a team (`team_scoped`: a role holds it in the user's own team,
or in every team) or not (it is simply held). The user's own team is their practitioner
record's team.

Which records a user may see stays with each app's `access.py` (a practitioner sees the cases
they hold, say); those functions decide what to show from these permissions.

To add a role: add it to `AccessRole` and give it a `RoleDefinition` in `ROLES`, here, then
run `caseload manage makemigrations accounts` (the database's check constraints on
`access_role` follow the list) and regenerate docs/permissions.md
(`python -m caseload.accounts.permissions > docs/permissions.md`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    # Any signed-in user or the anonymous one (a template asks about whoever is there).
    AnyUser: TypeAlias = AbstractBaseUser | AnonymousUser


class Permission(StrEnum):
    VIEW_TEAM = "view_team"
    VIEW_TEAM_CASELOADS = "view_team_caseloads"
    VIEW_OWN_CASELOAD = "view_own_caseload"
    SEARCH_PEOPLE = "search_people"
    VIEW_PERSON_DETAIL = "view_person_detail"
    BREAK_GLASS = "break_glass"
    RECORD_REFERRAL = "record_referral"
    UPDATE_CASE = "update_case"
    SCORE_CASE = "score_case"
    OVERRIDE_TIER = "override_tier"
    MANAGE_TEAM_ALLOCATION = "manage_team_allocation"
    VIEW_ALLOCATION_PROPOSALS = "view_allocation_proposals"
    SET_TEAM_WORKLOAD_LEVELS = "set_team_workload_levels"
    VIEW_ACCESS_HISTORY = "view_access_history"
    VIEW_CHANGE_HISTORY = "view_change_history"
    VIEW_COMPLEXITY_MODEL = "view_complexity_model"
    EDIT_COMPLEXITY_MODEL = "edit_complexity_model"
    VIEW_ASYE_PROGRAMMES = "view_asye_programmes"
    MANAGE_ASYE_PROGRAMMES = "manage_asye_programmes"
    VIEW_AUDIT_LOG = "view_audit_log"
    EXPORT_AUDIT_LOG = "export_audit_log"
    VIEW_OWN_SUPERVISION = "view_own_supervision"
    RECORD_SUPERVISION = "record_supervision"
    VIEW_SUPERVISION_POLICY = "view_supervision_policy"
    EDIT_SUPERVISION_POLICY = "edit_supervision_policy"
    VIEW_SUPERVISION_OVERDUE = "view_supervision_overdue"
    VIEW_SUPERVISION_COMPLIANCE = "view_supervision_compliance"
    ADMINISTER = "administer"
    RECORD_DECISIONS = "record_decisions"
    SIGN_OFF_DECISIONS = "sign_off_decisions"
    SIGN_OFF_SENIOR_DECISIONS = "sign_off_senior_decisions"
    VIEW_DELEGATION_SCHEME = "view_delegation_scheme"
    EDIT_DELEGATION_SCHEME = "edit_delegation_scheme"
    VIEW_PRACTICE_ESCALATIONS = "view_practice_escalations"
    ADVISE_ON_ESCALATIONS = "advise_on_escalations"
    DECIDE_ESCALATIONS = "decide_escalations"
    VIEW_RESOURCE = "view_resource"
    MANAGE_ESTABLISHMENT = "manage_establishment"
    VIEW_DEMAND = "view_demand"
    RECORD_CONTINGENCY_PLAN = "record_contingency_plan"
    RUN_FORECASTS = "run_forecasts"
    VIEW_TEAM_WORKLOAD = "view_team_workload"
    RECORD_EXTRA_HOURS = "record_extra_hours"
    RAISE_WORKLOAD_CONCERN = "raise_workload_concern"
    ANSWER_WORKLOAD_CONCERNS = "answer_workload_concerns"
    VIEW_WORKLOAD_ESCALATIONS = "view_workload_escalations"
    VIEW_HEALTH_CHECK = "view_health_check"
    MANAGE_HEALTH_CHECK = "manage_health_check"
    ANSWER_WORKLOAD_SURVEY = "answer_workload_survey"
    VIEW_WORKFORCE_PLANS = "view_workforce_plans"
    RUN_WORKFORCE_PLANS = "run_workforce_plans"
    VIEW_AUDIT_TOOL = "view_audit_tool"
    EDIT_AUDIT_TOOL = "edit_audit_tool"
    MANAGE_CASE_AUDITS = "manage_case_audits"
    VIEW_OWN_CASE_AUDITS = "view_own_case_audits"
    VIEW_AUDIT_RESULTS = "view_audit_results"
    VIEW_SAFEGUARDING = "view_safeguarding"
    RECORD_SAFEGUARDING_CONCERN = "record_safeguarding_concern"
    MANAGE_SAFEGUARDING = "manage_safeguarding"
    RECORD_SAFEGUARDING_ENQUIRY = "record_safeguarding_enquiry"
    VIEW_SAFEGUARDING_OVERDUE = "view_safeguarding_overdue"
    EDIT_SAFEGUARDING_TARGETS = "edit_safeguarding_targets"
    VIEW_SAFEGUARDING_RETURN = "view_safeguarding_return"
    VIEW_SAFEGUARDING_QUALITY = "view_safeguarding_quality"
    RECORD_INCIDENTS = "record_incidents"
    VIEW_INCIDENTS = "view_incidents"
    MANAGE_LEARNING = "manage_learning"
    READ_LEARNING_BRIEFS = "read_learning_briefs"
    RECORD_FEEDBACK = "record_feedback"
    VIEW_OWN_FEEDBACK = "view_own_feedback"
    VIEW_LEARNING_FIGURES = "view_learning_figures"
    VIEW_PRACTICE_FRAMEWORK = "view_practice_framework"
    ACKNOWLEDGE_PRACTICE_FRAMEWORK = "acknowledge_practice_framework"
    EDIT_PRACTICE_FRAMEWORK = "edit_practice_framework"
    RECORD_DIRECT_PRACTICE = "record_direct_practice"
    EDIT_ANNUAL_REPORT = "edit_annual_report"
    VIEW_ANNUAL_REPORT = "view_annual_report"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]

    @property
    def team_scoped(self) -> bool:
        return self in _TEAM_SCOPED


_DESCRIPTIONS: Mapping[Permission, str] = {
    Permission.VIEW_TEAM: "See the team, its waiting list and the people waiting on it",
    Permission.VIEW_TEAM_CASELOADS: (
        "See the team's practitioners and caseloads, and every case of the team, open or closed"
    ),
    Permission.VIEW_OWN_CASELOAD: "See the cases allocated to you, and your own page",
    Permission.SEARCH_PEOPLE: "Browse and search the people the user may see",
    Permission.VIEW_PERSON_DETAIL: (
        "On a person's page, see the cases the user may see, who held them, their history and "
        "who viewed the record (without it: the person's cases counted by team and status)"
    ),
    Permission.BREAK_GLASS: (
        "Open the record of someone with no case the user may see, giving a reason that is "
        "recorded in the access log (for an hour, in that session)"
    ),
    Permission.RECORD_REFERRAL: "Record a request for support for the team",
    Permission.UPDATE_CASE: "Screen, prioritise and close the team's cases",
    Permission.SCORE_CASE: "Score, and re-score, the complexity of the team's cases",
    Permission.OVERRIDE_TIER: "Set a case's tier by professional judgement, with the reason",
    Permission.MANAGE_TEAM_ALLOCATION: (
        "Run the team's allocation meeting: propose, decide, plan for absence, settle handovers"
    ),
    Permission.VIEW_ALLOCATION_PROPOSALS: "Read the team's allocation proposals and decisions",
    Permission.SET_TEAM_WORKLOAD_LEVELS: (
        "Set the team's workload levels: the share of capacity above which a caseload is flagged"
    ),
    Permission.VIEW_ACCESS_HISTORY: "See who has viewed a record of the team",
    Permission.VIEW_CHANGE_HISTORY: (
        "See a record's change history (on the records the user may see)"
    ),
    Permission.VIEW_COMPLEXITY_MODEL: "Read the complexity model and its versions",
    Permission.EDIT_COMPLEXITY_MODEL: (
        "Publish a new version of the complexity model, and re-score in bulk the cases "
        "(that the user may see) still scored under an earlier one"
    ),
    Permission.VIEW_ASYE_PROGRAMMES: (
        "See the team's ASYE programmes: assessors, progression reviews and their evidence "
        "(without it, an ASYE sees their own and an assessor those they assess)"
    ),
    Permission.MANAGE_ASYE_PROGRAMMES: (
        "Start the team's ASYE programmes, choosing the assessor, and record their progression "
        "reviews (an assessor records those of the ASYEs they assess without it)"
    ),
    Permission.VIEW_AUDIT_LOG: "Read the organisation's access and change logs",
    Permission.EXPORT_AUDIT_LOG: "Export the access and change logs",
    Permission.VIEW_OWN_SUPERVISION: (
        "See your own supervision: your agreement, your records and the actions you own"
    ),
    Permission.RECORD_SUPERVISION: (
        "Supervise the team's practitioners: record, sign and add to their supervision, make "
        "their agreements, and read their supervision records"
    ),
    Permission.VIEW_SUPERVISION_POLICY: "Read the supervision policy and its versions",
    Permission.EDIT_SUPERVISION_POLICY: "Publish a new version of the supervision policy",
    Permission.VIEW_SUPERVISION_OVERDUE: (
        "See who in the team is overdue for supervision: their next due date, days overdue and "
        "last counting session"
    ),
    Permission.VIEW_SUPERVISION_COMPLIANCE: (
        "See supervision compliance by team, role and month, as counts with no names, and "
        "download it"
    ),
    Permission.ADMINISTER: "Use the Django admin: users, teams, practitioners, configuration",
    Permission.RECORD_DECISIONS: (
        "Record decisions on the team's cases the user may see, ask for their sign-off, and "
        "escalate a case to the principal social worker"
    ),
    Permission.SIGN_OFF_DECISIONS: (
        "Approve, or return with comments, decisions on the team's cases that the delegation "
        "scheme gives to a team manager (never one's own)"
    ),
    Permission.SIGN_OFF_SENIOR_DECISIONS: (
        "Approve, or return, decisions the delegation scheme gives to a senior manager"
    ),
    Permission.VIEW_DELEGATION_SCHEME: "Read the delegation scheme and its versions",
    Permission.EDIT_DELEGATION_SCHEME: (
        "Publish a new version of the delegation scheme: which decisions need whose sign-off"
    ),
    Permission.VIEW_PRACTICE_ESCALATIONS: (
        "See the open practice escalations (complex or controversial cases) and their age"
    ),
    Permission.ADVISE_ON_ESCALATIONS: (
        "Record advice on a practice escalation, or take it to the director"
    ),
    Permission.DECIDE_ESCALATIONS: "Record the director's decision on an escalation taken to them",
    Permission.VIEW_RESOURCE: (
        "See the team's resource: its establishment against staff in post, vacancies, agency "
        "cover, specialisms, ASYEs, absence, and who has a registration to renew soon"
    ),
    Permission.MANAGE_ESTABLISHMENT: (
        "Set any team's establishment: the funded posts (FTE) per role, from a day"
    ),
    Permission.VIEW_DEMAND: (
        "See the team's demand as counts: requests, waiting times, the forecast, and capacity "
        "against demand with the contingency plan (no one is named)"
    ),
    Permission.RECORD_CONTINGENCY_PLAN: (
        "Record the team's contingency plan for when demand exceeds capacity"
    ),
    Permission.RUN_FORECASTS: "Make the forecasts of requests again now, rather than next week",
    Permission.VIEW_TEAM_WORKLOAD: (
        "See the team's workload table: with `view_team_caseloads`, every practitioner's row; "
        "without it, the user's own row and the team's totals and averages"
    ),
    Permission.RECORD_EXTRA_HOURS: "Record the extra hours you worked beyond your contract",
    Permission.RAISE_WORKLOAD_CONCERN: "Say that your workload is unsafe (a workload concern)",
    Permission.ANSWER_WORKLOAD_CONCERNS: (
        "Read and answer the team's workload concerns, and see its practitioners' extra hours"
    ),
    Permission.VIEW_WORKLOAD_ESCALATIONS: (
        "See the workload concerns escalated because nobody answered them in 5 working days, "
        "or because a practitioner was over the red level for two weeks"
    ),
    Permission.VIEW_HEALTH_CHECK: (
        "See the Employer Standards Health Check, live and as published, as counts and averages "
        "with no names"
    ),
    Permission.MANAGE_HEALTH_CHECK: (
        "Open rounds of the practitioner workload survey and publish the Health Check"
    ),
    Permission.ANSWER_WORKLOAD_SURVEY: (
        "Answer the practitioner workload survey, once a round, anonymously"
    ),
    Permission.VIEW_WORKFORCE_PLANS: (
        "See the workforce plans: the establishment against the plan, the FTE needed by role, "
        "waiting against staffing and cost, every saved plan, and compare them"
    ),
    Permission.RUN_WORKFORCE_PLANS: (
        "Edit a workforce plan's assumptions, run plans in the background, and save, rename "
        "and delete saved plans"
    ),
    Permission.VIEW_AUDIT_TOOL: "Read the case file audit tool and its versions",
    Permission.EDIT_AUDIT_TOOL: "Publish a new version of the case file audit tool",
    Permission.MANAGE_CASE_AUDITS: (
        "Draw the monthly case file audit sample, assign auditors, read every audit and "
        "moderate them (re-grade)"
    ),
    Permission.VIEW_OWN_CASE_AUDITS: (
        "See the case file audits of your own cases and respond to them, and carry out those "
        "assigned to you (reading the case for that purpose, logged)"
    ),
    Permission.VIEW_AUDIT_RESULTS: (
        "See case file audit results by team, question and month, and moderation agreement, "
        "as counts with no names"
    ),
    Permission.VIEW_SAFEGUARDING: (
        "Read the team's safeguarding concerns and enquiries in full (without it, a user sees "
        "only that an enquiry exists, for a person whose case they hold)"
    ),
    Permission.RECORD_SAFEGUARDING_CONCERN: "Record a safeguarding concern received by the team",
    Permission.MANAGE_SAFEGUARDING: (
        "Decide the team's safeguarding concerns (Section 42 enquiry, other enquiry or no "
        "further action) and choose who leads each enquiry"
    ),
    Permission.RECORD_SAFEGUARDING_ENQUIRY: (
        "Record on the team's enquiries: desired outcomes, capacity and support, strategy "
        "discussions, the safeguarding plan and the conclusion"
    ),
    Permission.VIEW_SAFEGUARDING_OVERDUE: (
        "See the team's safeguarding concerns and enquiries that are past a target"
    ),
    Permission.EDIT_SAFEGUARDING_TARGETS: (
        "Publish a new version of the safeguarding timeliness targets"
    ),
    Permission.VIEW_SAFEGUARDING_RETURN: (
        "See and download the Safeguarding Adults Collection's tables for any year (counts "
        "only, small numbers suppressed)"
    ),
    Permission.VIEW_SAFEGUARDING_QUALITY: (
        "See the council's safeguarding quality figures by team and month, and a sample of "
        "enquiries to read"
    ),
    Permission.RECORD_INCIDENTS: (
        "Record an untoward incident or near miss in the team, and see those the user recorded"
    ),
    Permission.VIEW_INCIDENTS: "See the team's incidents and near misses",
    Permission.MANAGE_LEARNING: (
        "Grade incidents, commission learning reviews, record their findings and "
        "recommendations, publish learning briefs, and pick feedback quotations"
    ),
    Permission.READ_LEARNING_BRIEFS: "Read the published learning briefs and confirm reading them",
    Permission.RECORD_FEEDBACK: (
        "Record feedback, compliments and complaints about the team's work, send feedback "
        "links, and read the team's feedback"
    ),
    Permission.VIEW_OWN_FEEDBACK: (
        "See the feedback about your own practice (without the person's identity when they "
        "asked for anonymity)"
    ),
    Permission.VIEW_LEARNING_FIGURES: (
        "See learning and feedback as counts by team and month: feedback, briefs read, "
        "recommendations, practice framework acknowledgements (no one is named)"
    ),
    Permission.VIEW_PRACTICE_FRAMEWORK: "Read the practice framework statement and its versions",
    Permission.ACKNOWLEDGE_PRACTICE_FRAMEWORK: "Acknowledge the current practice framework",
    Permission.EDIT_PRACTICE_FRAMEWORK: "Publish a new version of the practice framework",
    Permission.RECORD_DIRECT_PRACTICE: (
        "Record the principal social worker's own direct practice (casework, co-working, "
        "practice development sessions, mentoring)"
    ),
    Permission.EDIT_ANNUAL_REPORT: (
        "Draft, edit and publish the principal social worker's annual report"
    ),
    Permission.VIEW_ANNUAL_REPORT: "Read the published annual reports and download them",
}

_TEAM_SCOPED = frozenset(
    {
        Permission.VIEW_TEAM,
        Permission.VIEW_TEAM_CASELOADS,
        Permission.RECORD_REFERRAL,
        Permission.UPDATE_CASE,
        Permission.SCORE_CASE,
        Permission.OVERRIDE_TIER,
        Permission.MANAGE_TEAM_ALLOCATION,
        Permission.VIEW_ALLOCATION_PROPOSALS,
        Permission.SET_TEAM_WORKLOAD_LEVELS,
        Permission.VIEW_ACCESS_HISTORY,
        Permission.VIEW_CHANGE_HISTORY,
        Permission.VIEW_ASYE_PROGRAMMES,
        Permission.MANAGE_ASYE_PROGRAMMES,
        Permission.RECORD_SUPERVISION,
        Permission.RECORD_DECISIONS,
        Permission.SIGN_OFF_DECISIONS,
        Permission.VIEW_SUPERVISION_OVERDUE,
        Permission.VIEW_RESOURCE,
        Permission.VIEW_DEMAND,
        Permission.RECORD_CONTINGENCY_PLAN,
        Permission.VIEW_TEAM_WORKLOAD,
        Permission.ANSWER_WORKLOAD_CONCERNS,
        Permission.VIEW_SAFEGUARDING,
        Permission.RECORD_SAFEGUARDING_CONCERN,
        Permission.MANAGE_SAFEGUARDING,
        Permission.RECORD_SAFEGUARDING_ENQUIRY,
        Permission.VIEW_SAFEGUARDING_OVERDUE,
        Permission.RECORD_INCIDENTS,
        Permission.VIEW_INCIDENTS,
        Permission.RECORD_FEEDBACK,
    }
)


class Scope(Enum):
    """Where a role holds a permission. A permission not about a team is held EVERYWHERE."""

    OWN_TEAM = "own team"
    EVERYWHERE = "every team"


class AccessRole(models.TextChoices):
    """What a user may see and do. A job title lives on the Practitioner record instead."""

    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    PRINCIPAL_SOCIAL_WORKER = "principal_social_worker", "Principal social worker"
    DIRECTOR = "director", "Director or senior manager"
    ADMINISTRATOR = "administrator", "Administrator"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"


@dataclass(frozen=True)
class RoleDefinition:
    description: str
    own_team: frozenset[Permission] = field(default_factory=frozenset)
    every_team: frozenset[Permission] = field(default_factory=frozenset)
    unscoped: frozenset[Permission] = field(default_factory=frozenset)

    def grants(self) -> dict[Permission, Scope]:
        return {
            **{p: Scope.OWN_TEAM for p in self.own_team},
            **{p: Scope.EVERYWHERE for p in self.every_team | self.unscoped},
        }


def _role(
    description: str,
    *,
    own_team: Iterable[Permission] = (),
    every_team: Iterable[Permission] = (),
    unscoped: Iterable[Permission] = (),
) -> RoleDefinition:
    return RoleDefinition(
        description, frozenset(own_team), frozenset(every_team), frozenset(unscoped)
    )


P = Permission
ROLES: Mapping[AccessRole, RoleDefinition] = {
    AccessRole.PRACTITIONER: _role(
        "Works their own caseload and their team's waiting list.",
        own_team=[
            P.VIEW_TEAM,
            P.RECORD_REFERRAL,
            P.UPDATE_CASE,
            P.SCORE_CASE,
            P.VIEW_CHANGE_HISTORY,
            P.RECORD_DECISIONS,
            P.VIEW_DEMAND,
            P.VIEW_TEAM_WORKLOAD,
            P.VIEW_SAFEGUARDING,
            P.RECORD_SAFEGUARDING_CONCERN,
            P.RECORD_SAFEGUARDING_ENQUIRY,
            P.RECORD_INCIDENTS,
        ],
        unscoped=[
            P.VIEW_OWN_CASELOAD,
            P.RECORD_EXTRA_HOURS,
            P.RAISE_WORKLOAD_CONCERN,
            P.SEARCH_PEOPLE,
            P.VIEW_PERSON_DETAIL,
            P.BREAK_GLASS,
            P.VIEW_COMPLEXITY_MODEL,
            P.VIEW_OWN_SUPERVISION,
            P.VIEW_SUPERVISION_POLICY,
            P.VIEW_DELEGATION_SCHEME,
            P.ANSWER_WORKLOAD_SURVEY,
            P.READ_LEARNING_BRIEFS,
            P.VIEW_OWN_FEEDBACK,
            P.VIEW_PRACTICE_FRAMEWORK,
            P.ACKNOWLEDGE_PRACTICE_FRAMEWORK,
            P.VIEW_AUDIT_TOOL,
            P.VIEW_OWN_CASE_AUDITS,
        ],
    ),
    AccessRole.TEAM_MANAGER: _role(
        "Runs one team: its caseloads, its allocation meeting, and tier overrides.",
        own_team=[
            P.VIEW_TEAM,
            P.VIEW_TEAM_CASELOADS,
            P.RECORD_REFERRAL,
            P.UPDATE_CASE,
            P.SCORE_CASE,
            P.OVERRIDE_TIER,
            P.MANAGE_TEAM_ALLOCATION,
            P.VIEW_ALLOCATION_PROPOSALS,
            P.SET_TEAM_WORKLOAD_LEVELS,
            P.VIEW_ACCESS_HISTORY,
            P.VIEW_CHANGE_HISTORY,
            P.VIEW_ASYE_PROGRAMMES,
            P.MANAGE_ASYE_PROGRAMMES,
            P.RECORD_SUPERVISION,
            P.RECORD_DECISIONS,
            P.SIGN_OFF_DECISIONS,
            P.VIEW_SUPERVISION_OVERDUE,
            P.VIEW_RESOURCE,
            P.VIEW_DEMAND,
            P.RECORD_CONTINGENCY_PLAN,
            P.VIEW_TEAM_WORKLOAD,
            P.ANSWER_WORKLOAD_CONCERNS,
            P.VIEW_SAFEGUARDING,
            P.RECORD_SAFEGUARDING_CONCERN,
            P.MANAGE_SAFEGUARDING,
            P.RECORD_SAFEGUARDING_ENQUIRY,
            P.VIEW_SAFEGUARDING_OVERDUE,
            P.RECORD_INCIDENTS,
            P.VIEW_INCIDENTS,
            P.RECORD_FEEDBACK,
        ],
        unscoped=[
            P.RECORD_EXTRA_HOURS,
            P.SEARCH_PEOPLE,
            P.VIEW_PERSON_DETAIL,
            P.BREAK_GLASS,
            P.VIEW_COMPLEXITY_MODEL,
            P.VIEW_OWN_SUPERVISION,
            P.VIEW_SUPERVISION_POLICY,
            P.VIEW_DELEGATION_SCHEME,
            P.READ_LEARNING_BRIEFS,
            P.VIEW_OWN_FEEDBACK,
            P.VIEW_PRACTICE_FRAMEWORK,
            P.ACKNOWLEDGE_PRACTICE_FRAMEWORK,
            P.VIEW_AUDIT_TOOL,
            P.VIEW_OWN_CASE_AUDITS,
            P.VIEW_AUDIT_RESULTS,
        ],
    ),
    AccessRole.PRINCIPAL_SOCIAL_WORKER: _role(
        "Oversees practice in every team; owns the complexity model, the delegation scheme and "
        "the audit; advises on escalated cases.",
        every_team=[
            P.VIEW_TEAM,
            P.VIEW_TEAM_CASELOADS,
            P.VIEW_ALLOCATION_PROPOSALS,
            P.VIEW_ACCESS_HISTORY,
            P.VIEW_CHANGE_HISTORY,
            P.VIEW_ASYE_PROGRAMMES,
            P.RECORD_SUPERVISION,
            P.VIEW_SUPERVISION_OVERDUE,
            P.VIEW_RESOURCE,
            P.VIEW_DEMAND,
            P.RECORD_CONTINGENCY_PLAN,
            P.VIEW_TEAM_WORKLOAD,
            P.ANSWER_WORKLOAD_CONCERNS,
            P.VIEW_SAFEGUARDING,
            P.VIEW_SAFEGUARDING_OVERDUE,
            P.RECORD_INCIDENTS,
            P.VIEW_INCIDENTS,
            P.RECORD_FEEDBACK,
        ],
        unscoped=[
            P.VIEW_WORKLOAD_ESCALATIONS,
            P.SEARCH_PEOPLE,
            P.VIEW_PERSON_DETAIL,
            P.VIEW_COMPLEXITY_MODEL,
            P.EDIT_COMPLEXITY_MODEL,
            P.RUN_FORECASTS,
            P.VIEW_AUDIT_LOG,
            P.EXPORT_AUDIT_LOG,
            P.VIEW_OWN_SUPERVISION,
            P.VIEW_SUPERVISION_POLICY,
            P.EDIT_SUPERVISION_POLICY,
            P.VIEW_DELEGATION_SCHEME,
            P.EDIT_DELEGATION_SCHEME,
            P.VIEW_PRACTICE_ESCALATIONS,
            P.ADVISE_ON_ESCALATIONS,
            P.VIEW_SUPERVISION_COMPLIANCE,
            P.VIEW_HEALTH_CHECK,
            P.MANAGE_HEALTH_CHECK,
            P.MANAGE_ESTABLISHMENT,
            P.VIEW_WORKFORCE_PLANS,
            P.RUN_WORKFORCE_PLANS,
            P.VIEW_AUDIT_TOOL,
            P.EDIT_AUDIT_TOOL,
            P.MANAGE_CASE_AUDITS,
            P.VIEW_OWN_CASE_AUDITS,
            P.VIEW_AUDIT_RESULTS,
            P.EDIT_SAFEGUARDING_TARGETS,
            P.VIEW_SAFEGUARDING_RETURN,
            P.VIEW_SAFEGUARDING_QUALITY,
            P.MANAGE_LEARNING,
            P.READ_LEARNING_BRIEFS,
            P.VIEW_LEARNING_FIGURES,
            P.VIEW_PRACTICE_FRAMEWORK,
            P.EDIT_PRACTICE_FRAMEWORK,
            P.RECORD_DIRECT_PRACTICE,
            P.EDIT_ANNUAL_REPORT,
            P.VIEW_ANNUAL_REPORT,
        ],
    ),
    AccessRole.DIRECTOR: _role(
        "Sees every team, read-only; signs off the decisions kept for a senior manager and "
        "decides the escalations the principal social worker brings.",
        every_team=[
            P.VIEW_TEAM,
            P.VIEW_TEAM_CASELOADS,
            P.VIEW_ALLOCATION_PROPOSALS,
            P.VIEW_ACCESS_HISTORY,
            P.VIEW_CHANGE_HISTORY,
            P.SIGN_OFF_DECISIONS,
            P.VIEW_RESOURCE,
            P.VIEW_DEMAND,
            P.VIEW_TEAM_WORKLOAD,
        ],
        unscoped=[
            P.VIEW_WORKLOAD_ESCALATIONS,
            P.SEARCH_PEOPLE,
            P.VIEW_COMPLEXITY_MODEL,
            P.SIGN_OFF_SENIOR_DECISIONS,
            P.VIEW_DELEGATION_SCHEME,
            P.VIEW_PRACTICE_ESCALATIONS,
            P.DECIDE_ESCALATIONS,
            P.VIEW_SUPERVISION_POLICY,
            P.VIEW_SUPERVISION_COMPLIANCE,
            P.VIEW_HEALTH_CHECK,
            P.MANAGE_ESTABLISHMENT,
            P.VIEW_WORKFORCE_PLANS,
            P.RUN_WORKFORCE_PLANS,
            P.READ_LEARNING_BRIEFS,
            P.VIEW_LEARNING_FIGURES,
            P.VIEW_PRACTICE_FRAMEWORK,
            P.VIEW_ANNUAL_REPORT,
            P.VIEW_AUDIT_TOOL,
            P.VIEW_AUDIT_RESULTS,
        ],
    ),
    AccessRole.ADMINISTRATOR: _role(
        "Manages users, teams, practitioners and configuration; sees no one's records.",
        unscoped=[
            P.VIEW_COMPLEXITY_MODEL,
            P.EDIT_COMPLEXITY_MODEL,
            P.VIEW_AUDIT_LOG,
            P.EXPORT_AUDIT_LOG,
            P.ADMINISTER,
        ],
    ),
    AccessRole.SAFEGUARDING_LEAD: _role(
        "Leads safeguarding adults for the council: sees every team's concerns and enquiries, "
        "decides concerns, chooses enquiry leads, follows up what is overdue and sets the "
        "targets.",
        every_team=[
            P.VIEW_SAFEGUARDING,
            P.RECORD_SAFEGUARDING_CONCERN,
            P.MANAGE_SAFEGUARDING,
            P.RECORD_SAFEGUARDING_ENQUIRY,
            P.VIEW_SAFEGUARDING_OVERDUE,
        ],
        unscoped=[
            P.VIEW_COMPLEXITY_MODEL,
            P.VIEW_DELEGATION_SCHEME,
            P.EDIT_SAFEGUARDING_TARGETS,
            P.VIEW_SAFEGUARDING_RETURN,
            P.VIEW_SAFEGUARDING_QUALITY,
        ],
    ),
}
del P


def _check(roles: Mapping[AccessRole, RoleDefinition]) -> dict[str, dict[Permission, Scope]]:
    """Every role defined once, and each permission granted in a way that means something."""
    if set(_DESCRIPTIONS) != set(Permission):
        raise ImproperlyConfigured("Every permission needs a description")
    if set(roles) != set(AccessRole):
        raise ImproperlyConfigured(f"Roles without a definition: {set(AccessRole) - set(roles)}")
    for role, definition in roles.items():
        if definition.own_team & definition.every_team:
            raise ImproperlyConfigured(f"{role}: a permission granted in both scopes")
        if any(not p.team_scoped for p in definition.own_team | definition.every_team):
            raise ImproperlyConfigured(f"{role}: a permission not about a team given a scope")
        if any(p.team_scoped for p in definition.unscoped):
            raise ImproperlyConfigured(f"{role}: a team permission granted without a scope")
    return {role.value: definition.grants() for role, definition in roles.items()}


_GRANTS = _check(ROLES)


def roles_with(permission: Permission) -> list[str]:
    """The roles that hold a permission anywhere: for database constraints."""
    return [role for role, grants in _GRANTS.items() if permission in grants]


class HasPk(Protocol):
    @property
    def pk(self) -> Any: ...


def team_id_of(user: AnyUser) -> int | None:
    """The user's own team: their practitioner record's. Read through the register's reverse
    relation (cached on the user) so that accounts need not import the register."""
    practitioner = getattr(user, "practitioner", None)
    team_id: int | None = getattr(practitioner, "team_id", None)
    return team_id


def scope_of(user: AnyUser, permission: Permission) -> Scope | None:
    """Where the user holds the permission; None if nowhere (or not signed in, or inactive)."""
    if not user.is_authenticated or not user.is_active:
        return None
    return _GRANTS.get(getattr(user, "access_role", ""), {}).get(permission)


def has_permission(
    user: AnyUser, permission: Permission, *, team: HasPk | int | None = None
) -> bool:
    """Whether the user may do this; for a team permission, in that team. Without a team, a
    team permission asks whether the user holds it in some team (a view's first check, before
    it knows the record)."""
    scope = scope_of(user, permission)
    if scope is None:
        return False
    if scope is Scope.EVERYWHERE:
        return True
    own = team_id_of(user)
    if own is None:
        return False
    return team is None or own == (team if isinstance(team, int) else team.pk)


M = TypeVar("M", bound=models.Model)


def filter_by_team(
    queryset: models.QuerySet[M], user: AnyUser, permission: Permission, *, field: str = "team"
) -> models.QuerySet[M]:
    """The rows whose team (`field`, a team's id) the user holds a team permission for."""
    scope = scope_of(user, permission)
    if scope is Scope.EVERYWHERE:
        return queryset
    own = team_id_of(user)
    if scope is Scope.OWN_TEAM and own is not None:
        return queryset.filter(**{field: own})
    return queryset.none()


def markdown() -> str:
    """docs/permissions.md: the roles and what each may do."""
    roles = list(AccessRole)
    lines = [
        "# Roles and permissions",
        "",
        "Generated from `caseload/accounts/permissions.py`",
        "(`python -m caseload.accounts.permissions > docs/permissions.md`); a test fails if this",
        "file is out of date. *own team*: only in the user's own team (their practitioner",
        "record's); *every team*: in all teams; *yes*: held (the permission is not about a team).",
        "",
        "## Roles",
        "",
        *(f"- **{role.label}** (`{role.value}`): {ROLES[role].description}" for role in roles),
        "",
        "## Permissions",
        "",
        "| Permission | What it allows | " + " | ".join(role.label for role in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        cells = []
        for role in roles:
            scope = _GRANTS[role.value].get(permission)
            if scope is None:
                cells.append("")
            elif not permission.team_scoped:
                cells.append("yes")
            else:
                cells.append(scope.value)
        lines.append(
            f"| `{permission.value}` | {permission.description} | " + " | ".join(cells) + " |"
        )
    return "\n".join([*lines, "", *BREAKING_THE_GLASS]) + "\n"


# Why `break_glass` is held by whom: printed in docs/permissions.md.
BREAKING_THE_GLASS = [
    "## Breaking the glass",
    "",
    "A person's record opens to a user who may see one of their cases. Anyone else who holds",
    "`break_glass` is asked first for a reason (a choice and a sentence): it is written to the",
    "access log with the person's id, and the record then opens for an hour in that session,",
    "showing the person and their cases by team and status, without who held or viewed them.",
    "The same form answers for an id with no record behind it, so it confirms nothing before",
    "a reason is given.",
    "",
    "- Practitioners and team managers hold it: they meet people before a case reaches their",
    "  team (a duty call, a safeguarding concern, a hospital discharge).",
    "- The principal social worker does not need it: they see every team's records already.",
    "- Directors do not hold it: they see counts, never an individual's record.",
    "- Administrators do not hold it: they see no one's records.",
]


if __name__ == "__main__":
    print(markdown(), end="")
