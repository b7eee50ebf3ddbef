"""The logs in words: each change event as a sentence, each access-log entry as a line.

The logs hold ids; names come from a Directory, looked up in bulk (one query per kind of record
for a whole page of events). Audit sits below the register and cannot ask it for names itself,
so the register hands in its directory when the apps start (`use_directory`). Users' names
come from accounts, below audit. An id that no longer resolves is said to be deleted: a person
erased from the register is "a deleted person" in every sentence that named them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.utils import dateformat

from caseload.accounts.models import User
from caseload.audit.changes import NOT_RECORDED
from caseload.audit.models import (
    AccessAction,
    AccessLogEntry,
    AccessLogSubject,
    ChangeAction,
    ChangeEvent,
)
from caseload_engine import asye, reference
from caseload_engine import safeguarding_reference as sg


class Directory(Protocol):
    """Names for the ids in the logs, as the viewer may see them. A mapping leaves out an id that
    no longer exists; someone the viewer may not see is named by id ("person 12")."""

    def people(self, ids: Collection[int]) -> Mapping[int, str]: ...

    def practitioners(self, ids: Collection[int]) -> Mapping[int, str]: ...

    def teams(self, ids: Collection[int]) -> Mapping[int, str]: ...

    def person_id_for(self, identifier: str) -> int | None:
        """The person a register id, NHS number or council person id names, if any."""
        ...


DirectoryFactory = Callable[[User], Directory]
_factory: list[DirectoryFactory] = []


def use_directory(factory: DirectoryFactory) -> None:
    """Called once, by the register's app config, with how to build a viewer's directory."""
    _factory[:] = [factory]


def directory_for(viewer: User) -> Directory:
    if not _factory:
        raise ImproperlyConfigured("No audit directory: the register app is not installed")
    return _factory[0](viewer)


@dataclass(frozen=True)
class PeopleByIdOnly:
    """A directory that names no one supported, only their ids: for exports, which leave the
    service. Staff and teams keep their names."""

    directory: Directory

    def people(self, ids: Collection[int]) -> Mapping[int, str]:
        return {person_id: f"person {person_id}" for person_id in ids}

    def practitioners(self, ids: Collection[int]) -> Mapping[int, str]:
        return self.directory.practitioners(ids)

    def teams(self, ids: Collection[int]) -> Mapping[int, str]:
        return self.directory.teams(ids)

    def person_id_for(self, identifier: str) -> int | None:
        return self.directory.person_id_for(identifier)


def user_names(ids: Collection[int]) -> dict[int, str]:
    return {
        user.pk: user.get_full_name() or user.username
        for user in User.objects.filter(pk__in=ids).only("username", "first_name", "last_name")
    }


@dataclass
class Names:
    """The names for one page of log rows, fetched in bulk."""

    users: Mapping[int, str] = field(default_factory=dict)
    people: Mapping[int, str] = field(default_factory=dict)
    practitioners: Mapping[int, str] = field(default_factory=dict)
    teams: Mapping[int, str] = field(default_factory=dict)

    @classmethod
    def fetch(
        cls,
        directory: Directory,
        *,
        users: Iterable[int | None] = (),
        people: Iterable[int | None] = (),
        practitioners: Iterable[int | None] = (),
        teams: Iterable[int | None] = (),
    ) -> Names:
        def look_up(
            values: Iterable[int | None], names: Callable[[set[int]], Mapping[int, str]]
        ) -> Mapping[int, str]:
            ids = {value for value in values if isinstance(value, int)}
            return names(ids) if ids else {}

        return cls(
            users=look_up(users, user_names),
            people=look_up(people, directory.people),
            practitioners=look_up(practitioners, directory.practitioners),
            teams=look_up(teams, directory.teams),
        )

    def user(self, user_id: int) -> str:
        return self.users.get(user_id, "a deleted user")

    def person(self, person_id: int | None) -> str:
        if person_id is None:
            return "someone"
        return self.people.get(person_id, "a deleted person")

    def practitioner(self, practitioner_id: Any) -> str:
        if not isinstance(practitioner_id, int):
            return "nobody"
        return self.practitioners.get(practitioner_id, "a deleted practitioner")

    def team(self, team_id: int | None) -> str:
        if team_id is None:
            return "a team"
        return self.teams.get(team_id, "a deleted team")


# -- change events ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    at: datetime
    who: str
    text: str
    event: ChangeEvent


def _old(event: ChangeEvent, name: str) -> Any:
    return event.changes.get(name, [None, None])[0]


def _new(event: ChangeEvent, name: str) -> Any:
    return event.changes.get(name, [None, None])[1]


def _words(code: Any) -> str:
    """A status or state code as words: awaiting_allocation -> awaiting allocation."""
    return str(code).replace("_", " ")


def _day(value: Any) -> str:
    if not value:
        return "a day not known"
    return dateformat.format(date.fromisoformat(str(value)), "j M Y")


def _value(value: Any) -> str:
    if value is None or value == "":
        return "nothing"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "nothing"
    return str(value)


def _model_name(label: Any) -> str:
    try:
        return str(apps.get_model(str(label))._meta.verbose_name)
    except (LookupError, ValueError):
        return str(label)


def _field_changes(event: ChangeEvent) -> str:
    return "; ".join(
        f"{name.replace('_', ' ')} {NOT_RECORDED}"
        if new == NOT_RECORDED
        else f"{name.replace('_', ' ')} from {_value(old)} to {_value(new)}"
        for name, (old, new) in event.changes.items()
    )


def _was_holder(event: ChangeEvent, names: Names) -> str:
    previous = _old(event, "holder")
    return f" (was {names.practitioner(previous)})" if previous else ""


def _tier_was(event: ChangeEvent) -> str:
    previous = _old(event, "tier")
    return f" (was tier {previous})" if previous is not None else " (first score)"


def _handover(event: ChangeEvent, names: Names) -> str:
    return (
        f"the handover of case {event.case_id} from "
        f"{names.practitioner(event.from_practitioner_id)} to "
        f"{names.practitioner(event.practitioner_id)}"
    )


def _closed(event: ChangeEvent, names: Names) -> str:
    outcome = reference.label(reference.EVENT_OUTCOME_CHOICES, str(_new(event, "outcome")))
    text = f"closed case {event.case_id} with the outcome “{outcome}”"
    if event.from_practitioner_id is not None:
        text += f"; {names.practitioner(event.from_practitioner_id)} stopped holding it"
    if event.detail.get("death_recorded"):
        text += "; the date of death was recorded"
    return text


def _from_holder(event: ChangeEvent, names: Names) -> str:
    if event.from_practitioner_id is None:
        return ""
    return f" from {names.practitioner(event.from_practitioner_id)}"


def _absence(event: ChangeEvent, names: Names) -> str:
    reason = reference.label(reference.ABSENCE_REASON_CHOICES, str(_new(event, "reason")))
    until = _new(event, "ends_on")
    return (
        f"recorded {names.practitioner(event.practitioner_id)} as away ({reason.lower()}) from "
        f"{_day(_new(event, 'starts_on'))}" + (f" to {_day(until)}" if until else ", end not known")
    )


def _establishment(event: ChangeEvent, names: Names) -> str:
    role = reference.label(reference.ROLE_CHOICES, str(event.detail.get("role")))
    previous = _old(event, "funded_fte")
    return (
        f"set the establishment of {names.team(event.team_id)} to {_new(event, 'funded_fte')} "
        f"FTE for the role “{role}” from {_day(event.detail.get('effective_from'))}"
        + (f" (was {previous} FTE)" if previous is not None else "")
    )


def _proposed(event: ChangeEvent, names: Names) -> str:
    if event.practitioner_id is not None:
        return (
            f"asked where {names.practitioner(event.practitioner_id)}'s cases would go while "
            "they are away"
        )
    return f"asked for an allocation proposal for {names.team(event.team_id)}"


def _escalated(event: ChangeEvent, names: Names) -> str:
    count = len(event.detail.get("case_ids", []))
    return (
        f"raised {count} case{'' if count == 1 else 's'} nobody in {names.team(event.team_id)} "
        "could take with the principal social worker"
    )


def _decided(event: ChangeEvent, names: Names) -> str:
    accepted = event.detail.get("accepted", 0)
    of = accepted + event.detail.get("declined", 0)
    return (
        f"decided allocation proposal {event.detail.get('proposal_id')} for "
        f"{names.team(event.team_id)}: accepted {accepted} of {of}"
        + "".join(
            f", taking {names.practitioner(pid)} past capacity knowingly"
            for pid in event.detail.get("past_capacity_confirmed", [])
        )
    )


def _asye_review(event: ChangeEvent, names: Names) -> str:
    months = _new(event, "months")
    outcome = _new(event, "outcome")
    label = reference.label(asye.outcome_choices(int(months or 0)), str(outcome))
    which = asye.review_name(int(months or 0))
    return (
        f"recorded the ASYE {which} of {names.practitioner(event.practitioner_id)}, held on "
        f"{_day(_new(event, 'held_on'))}: {label.lower()}"
    )


def _supervision(event: ChangeEvent, names: Names) -> str:
    return (
        f"the record of {names.practitioner(event.practitioner_id)}'s supervision of "
        f"{_day(event.detail.get('held_on'))}"
    )


def _counted(*counts: tuple[str, str, int]) -> list[str]:
    """ "2 actions added", "1 case taken off": each count that is not zero."""
    return [
        f"{count} {noun}{'' if count == 1 else 's'} {verb}" for noun, verb, count in counts if count
    ]


def _supervision_changed(event: ChangeEvent, names: Names) -> str:
    # Free text is never logged, only that it changed.
    parts = [_field_changes(event)] if event.changes else []
    parts += [f"{name.replace('_', ' ')} changed" for name in event.detail.get("text_changed", [])]
    parts += _counted(
        ("case", "added", len(event.detail.get("cases_added", []))),
        ("case", "taken off", len(event.detail.get("cases_removed", []))),
        ("action", "added", int(event.detail.get("actions_added", 0))),
        ("action", "changed", len(event.detail.get("actions_changed", []))),
        ("action", "removed", len(event.detail.get("actions_removed", []))),
    )
    return f"changed {_supervision(event, names)}" + (f": {'; '.join(parts)}" if parts else "")


def _signed(event: ChangeEvent, names: Names) -> str:
    return f"signed {_supervision(event, names)} as {event.detail.get('as', 'supervisor')}"


def _sign_off_level(event: ChangeEvent) -> str:
    level = event.detail.get("level")
    return "a senior manager" if level == "senior_manager" else "a team manager"


def _decision(event: ChangeEvent) -> str:
    return f"decision {event.detail.get('decision_id')} on case {event.case_id}"


def _asye_comments(event: ChangeEvent, names: Names) -> str:
    # The comments themselves stay on the review: the log says only that they were given.
    verb = "changed" if event.detail.get("changed") else "added"
    which = asye.review_name(int(event.detail.get("months", 0)))
    return (
        f"{verb} their comments on the ASYE {which} of {names.practitioner(event.practitioner_id)}"
    )


def _admin(event: ChangeEvent, verb: str) -> str:
    what = f"{_model_name(event.detail.get('model'))} “{event.detail.get('object', '')}”"
    changed = _field_changes(event)
    return f"{verb} {what} in administration" + (f": {changed}" if changed else "")


Phrase = Callable[[ChangeEvent, Names], str]

# What the person did, after their name: one entry per action (a test holds us to it).
PHRASES: dict[ChangeAction, Phrase] = {
    ChangeAction.PERSON_ADDED: lambda e, n: f"added {n.person(e.person_id)} to the register",
    ChangeAction.REFERRAL_RECORDED: lambda e, n: (
        f"recorded a request for support for {n.person(e.person_id)} with "
        f"{n.team(e.team_id)}, as case {e.case_id}"
    ),
    ChangeAction.CASE_SCREENED: lambda e, n: (
        f"screened case {e.case_id}: it is now {_words(_new(e, 'status'))}"
    ),
    ChangeAction.CASE_CLOSED: _closed,
    ChangeAction.CASE_PRIORITY_SET: lambda e, n: (
        f"changed the priority of case {e.case_id} from {_old(e, 'priority')} to "
        f"{_new(e, 'priority')}"
    ),
    ChangeAction.TEAM_WORKLOAD_LEVELS_SET: lambda e, n: (
        f"changed the safe level of {n.team(e.team_id)} from "
        f"{_old(e, 'safe_utilisation_percent')}% to {_new(e, 'safe_utilisation_percent')}% "
        "of capacity"
    ),
    ChangeAction.TEAM_REVIEW_INTERVAL_SET: lambda e, n: (
        f"changed the review interval of {n.team(e.team_id)} from "
        f"{_old(e, 'review_interval_months')} to {_new(e, 'review_interval_months')} months"
    ),
    ChangeAction.CONTACT_RECORDED: lambda e, n: (
        f"recorded a {_words(e.detail.get('kind'))} on {_day(e.detail.get('occurred_on'))} "
        f"for case {e.case_id}"
    ),
    ChangeAction.CASE_HANDED_BACK: lambda e, n: (
        f"handed case {e.case_id} back to {n.team(e.team_id)}"
        f"{_from_holder(e, n)}: next review by {_day(_new(e, 'next_review_on'))}"
    ),
    ChangeAction.CASE_REVIEW_RECORDED: lambda e, n: (
        f"recorded a review of case {e.case_id} on {_day(_new(e, 'last_reviewed_on'))}: "
        f"next review by {_day(_new(e, 'next_review_on'))}"
    ),
    ChangeAction.CASE_REVIEW_DUE: lambda e, n: (
        f"put case {e.case_id} on the waiting list for allocation: its review is due by "
        f"{_day(e.detail.get('next_review_on'))}"
    ),
    ChangeAction.COMPLEXITY_ASSESSED: lambda e, n: (
        f"scored case {e.case_id} at tier {_new(e, 'tier')}{_tier_was(e)}"
    ),
    ChangeAction.COMPLEXITY_RESCORED: lambda e, n: (
        f"re-scored case {e.case_id} under model version {_new(e, 'model_version')} at tier "
        f"{_new(e, 'tier')}{_tier_was(e)}"
    ),
    ChangeAction.COMPLEXITY_TIER_OVERRIDDEN: lambda e, n: (
        f"overrode the tier of case {e.case_id} from {_old(e, 'tier')} to {_new(e, 'tier')}"
    ),
    ChangeAction.COMPLEXITY_MODEL_PUBLISHED: lambda e, n: (
        f"published version {_new(e, 'model_version')} of the complexity model"
    ),
    ChangeAction.ALLOCATION_PROPOSED: _proposed,
    ChangeAction.ALLOCATION_ESCALATED: _escalated,
    ChangeAction.ALLOCATION_DECIDED: _decided,
    ChangeAction.CASE_ALLOCATED: lambda e, n: (
        f"allocated case {e.case_id} to {n.practitioner(e.practitioner_id)}{_was_holder(e, n)}"
    ),
    ChangeAction.ABSENCE_RECORDED: _absence,
    ChangeAction.HANDOVER_PLANNED: lambda e, n: (
        f"planned {_handover(e, n)} on {_day(e.detail.get('due_on'))}"
    ),
    ChangeAction.HANDOVER_CARRIED_OUT: lambda e, n: f"carried out {_handover(e, n)}",
    ChangeAction.HANDOVER_CANCELLED: lambda e, n: f"cancelled {_handover(e, n)}",
    ChangeAction.HANDOVER_LAPSED: lambda e, n: (
        f"let {_handover(e, n)} lapse: the case had been closed or had moved"
    ),
    ChangeAction.ASYE_PROGRAMME_STARTED: lambda e, n: (
        f"started the ASYE programme of {n.practitioner(e.practitioner_id)} on "
        f"{_day(_new(e, 'starts_on'))}, assessed by {n.user(_new(e, 'assessor'))}"
    ),
    ChangeAction.ASYE_REVIEW_RECORDED: _asye_review,
    ChangeAction.SUPERVISION_RECORDED: lambda e, n: (
        f"recorded {n.practitioner(e.practitioner_id)}'s supervision of "
        f"{_day(e.detail.get('held_on'))}"
    ),
    ChangeAction.SUPERVISION_CHANGED: _supervision_changed,
    ChangeAction.SUPERVISION_SIGNED: _signed,
    ChangeAction.SUPERVISION_COMMENTED: lambda e, n: f"commented on {_supervision(e, n)}",
    ChangeAction.SUPERVISION_ADDENDUM_ADDED: lambda e, n: (
        f"added an addendum to {_supervision(e, n)}"
    ),
    ChangeAction.SUPERVISION_AGREEMENT_MADE: lambda e, n: (
        f"made a supervision agreement for {n.practitioner(e.practitioner_id)} from "
        f"{_day(_new(e, 'starts_on'))}"
    ),
    ChangeAction.SUPERVISION_AGREEMENT_SIGNED: lambda e, n: (
        f"signed {n.practitioner(e.practitioner_id)}'s supervision agreement as "
        f"{e.detail.get('as', 'supervisor')}"
    ),
    ChangeAction.SUPERVISION_ACTION_DONE: lambda e, n: (
        f"marked done an action from {_supervision(e, n)}"
    ),
    ChangeAction.CONTINGENCY_PLAN_RECORDED: lambda e, n: (
        f"recorded version {_new(e, 'plan_version')} of the contingency plan of {n.team(e.team_id)}"
    ),
    ChangeAction.SUPERVISION_POLICY_PUBLISHED: lambda e, n: (
        f"published version {_new(e, 'policy_version')} of the supervision policy"
    ),
    ChangeAction.DECISION_RECORDED: lambda e, n: (
        f"recorded {_decision(e)} ({_words(_new(e, 'kind'))})"
        + (f", correcting decision {e.detail['corrects']}" if e.detail.get("corrects") else "")
    ),
    ChangeAction.SIGN_OFF_REQUESTED: lambda e, n: (
        f"asked {_sign_off_level(e)} to sign off {_decision(e)}"
    ),
    ChangeAction.SIGN_OFF_APPROVED: lambda e, n: f"signed off {_decision(e)}",
    ChangeAction.SIGN_OFF_RETURNED: lambda e, n: f"returned {_decision(e)} with comments",
    ChangeAction.DELEGATION_SCHEME_PUBLISHED: lambda e, n: (
        f"published version {_new(e, 'scheme_version')} of the delegation scheme"
    ),
    ChangeAction.PRACTICE_ESCALATION_RAISED: lambda e, n: (
        f"escalated case {e.case_id} to the principal social worker as {_words(_new(e, 'nature'))}"
    ),
    ChangeAction.PRACTICE_ESCALATION_ADVISED: lambda e, n: (
        f"recorded advice on the escalation of case {e.case_id}"
    ),
    ChangeAction.PRACTICE_ESCALATION_REFERRED: lambda e, n: (
        f"took the escalation of case {e.case_id} to the director"
    ),
    ChangeAction.PRACTICE_ESCALATION_DECIDED: lambda e, n: (
        f"recorded the director's decision on the escalation of case {e.case_id}"
    ),
    ChangeAction.ASYE_COMMENTS_RECORDED: _asye_comments,
    ChangeAction.ESTABLISHMENT_SET: _establishment,
    ChangeAction.SAFE_WORKING_LEVEL_AGREED: lambda e, n: (
        f"recorded the safe working level of {n.team(e.team_id)} agreed on "
        f"{_day(_new(e, 'agreed_on'))}: amber from {_new(e, 'amber_percent')}%, red above "
        f"{_new(e, 'red_percent')}% of capacity"
    ),
    ChangeAction.EXTRA_HOURS_RECORDED: lambda e, n: (
        f"recorded {_new(e, 'hours')} extra hours worked by "
        f"{n.practitioner(e.practitioner_id)} on {_day(_new(e, 'worked_on'))}"
    ),
    # The concern and the answer stay on the concern: the log says only that they were given.
    ChangeAction.WORKLOAD_CONCERN_RAISED: lambda e, n: (
        f"raised workload concern {e.detail.get('concern_id')} for "
        f"{n.practitioner(e.practitioner_id)}"
    ),
    ChangeAction.WORKLOAD_CONCERN_ANSWERED: lambda e, n: (
        f"answered workload concern {e.detail.get('concern_id')} of "
        f"{n.practitioner(e.practitioner_id)}"
    ),
    ChangeAction.WORKLOAD_CONCERN_ESCALATED: lambda e, n: (
        f"escalated workload concern {e.detail.get('concern_id')} of "
        f"{n.practitioner(e.practitioner_id)} to the principal social worker: "
        + (
            "over the red level for two weeks"
            if e.detail.get("over_red")
            else "not answered in 5 working days"
        )
    ),
    ChangeAction.SURVEY_ROUND_OPENED: lambda e, n: (
        f"opened round {_new(e, 'survey_round')} of the workload survey, from "
        f"{_day(_new(e, 'opens_on'))} to {_day(_new(e, 'closes_on'))}"
    ),
    ChangeAction.SURVEY_ANSWERED: lambda e, n: (
        f"answered round {_new(e, 'survey_round')} of the workload survey"
    ),
    ChangeAction.HEALTH_CHECK_PUBLISHED: lambda e, n: (
        f"published the Health Check as on {_day(_new(e, 'as_of'))}"
    ),
    # Safeguarding: the records are more restricted than the case, so a sentence names the
    # concern or enquiry by id, never the person.
    ChangeAction.SAFEGUARDING_CONCERN_RECORDED: lambda e, n: (
        f"recorded safeguarding concern {e.detail.get('concern_id')} for {n.team(e.team_id)}"
    ),
    ChangeAction.SAFEGUARDING_CONCERN_DECIDED: lambda e, n: (
        f"decided safeguarding concern {e.detail.get('concern_id')}: "
        f"{reference.label(sg.CONCERN_DECISION_CHOICES, _new(e, 'decision')).lower()}"
    ),
    ChangeAction.SAFEGUARDING_LEAD_CHOSEN: lambda e, n: (
        f"chose {n.practitioner(e.practitioner_id)} to lead enquiry {e.detail.get('enquiry_id')}"
    ),
    ChangeAction.SAFEGUARDING_ENQUIRY_RECORDED: lambda e, n: (
        f"recorded the {_words(e.detail.get('part'))} of enquiry {e.detail.get('enquiry_id')}"
    ),
    ChangeAction.SAFEGUARDING_ENQUIRY_CONCLUDED: lambda e, n: (
        f"concluded enquiry {e.detail.get('enquiry_id')}: "
        f"{reference.label(sg.ACTION_AND_RESULT_CHOICES, _new(e, 'action_and_result')).lower()}"
    ),
    ChangeAction.SAFEGUARDING_CLOSURE_SIGNED_OFF: lambda e, n: (
        f"signed off the closure of enquiry {e.detail.get('enquiry_id')}"
    ),
    ChangeAction.SAFEGUARDING_CLOSURE_RETURNED: lambda e, n: (
        f"returned the closure of enquiry {e.detail.get('enquiry_id')} with comments"
    ),
    ChangeAction.SAFEGUARDING_TARGETS_PUBLISHED: lambda e, n: (
        f"published version {e.detail.get('targets_version')} of the safeguarding targets"
    ),
    # Learning and feedback: free text stays on the record; the log names ids and codes.
    ChangeAction.INCIDENT_RECORDED: lambda e, n: (
        f"recorded {_words(_new(e, 'kind'))} {_new(e, 'incident')} in {n.team(e.team_id)}, "
        f"graded {_new(e, 'grade')}"
    ),
    ChangeAction.LEARNING_REVIEW_COMMISSIONED: lambda e, n: (
        f"commissioned learning review {_new(e, 'review')} of incident {_new(e, 'incident')}"
    ),
    ChangeAction.LEARNING_REVIEW_UPDATED: lambda e, n: (
        f"updated learning review {e.detail.get('review')}"
        + (" and marked it complete" if _new(e, "completed") else "")
    ),
    ChangeAction.RECOMMENDATION_ADDED: lambda e, n: (
        f"added recommendation {_new(e, 'recommendation')} to learning review "
        f"{e.detail.get('review')}, due {_day(_new(e, 'due_on'))}"
    ),
    ChangeAction.RECOMMENDATION_DONE: lambda e, n: (
        f"marked recommendation {e.detail.get('recommendation')} done"
    ),
    ChangeAction.LEARNING_BRIEF_PUBLISHED: lambda e, n: (
        f"published learning brief {_new(e, 'brief')}"
    ),
    ChangeAction.LEARNING_BRIEF_READ: lambda e, n: (
        f"confirmed reading learning brief {e.detail.get('brief')}"
    ),
    ChangeAction.FEEDBACK_RECORDED: lambda e, n: (
        f"recorded {_words(_new(e, 'kind'))} {_new(e, 'feedback')} about case {e.case_id}"
    ),
    ChangeAction.FEEDBACK_LINK_MADE: lambda e, n: (
        f"made feedback link {_new(e, 'link')} for case {e.case_id}"
    ),
    # Nobody signs in to answer a link: the event is its maker's, saying it was answered.
    ChangeAction.FEEDBACK_RECEIVED: lambda e, n: (
        f"received feedback {_new(e, 'feedback')} through their feedback link "
        f"{e.detail.get('link')}"
    ),
    ChangeAction.FEEDBACK_QUOTE_PICKED: lambda e, n: (
        f"{'picked' if _new(e, 'picked_for_report') else 'unpicked'} feedback "
        f"{e.detail.get('feedback')} as a quotation for the annual report"
    ),
    ChangeAction.PRACTICE_FRAMEWORK_PUBLISHED: lambda e, n: (
        f"published version {_new(e, 'version')} of the practice framework"
    ),
    ChangeAction.PRACTICE_FRAMEWORK_ACKNOWLEDGED: lambda e, n: (
        f"acknowledged version {e.detail.get('version')} of the practice framework"
    ),
    ChangeAction.DIRECT_PRACTICE_RECORDED: lambda e, n: (
        f"recorded {_new(e, 'hours')} hours of {_words(_new(e, 'kind'))} on {_day(_new(e, 'on'))}"
    ),
    ChangeAction.ANNUAL_REPORT_DRAFTED: lambda e, n: (
        f"drafted annual report {_new(e, 'report')} for {_day(_new(e, 'start'))} to "
        f"{_day(_new(e, 'end'))}"
    ),
    ChangeAction.ANNUAL_REPORT_EDITED: lambda e, n: (
        f"edited section {e.detail.get('section')} of annual report {e.detail.get('report')}"
    ),
    ChangeAction.ANNUAL_REPORT_PUBLISHED: lambda e, n: (
        f"published version {_new(e, 'version')} of annual report {e.detail.get('report')}"
    ),
    ChangeAction.INCIDENT_REGRADED: lambda e, n: (
        f"changed the seriousness of incident {e.detail.get('incident')} in {n.team(e.team_id)} "
        f"from {_old(e, 'grade')} to {_new(e, 'grade')}"
    ),
    ChangeAction.ANNUAL_REPORT_REBUILT: lambda e, n: (
        f"rebuilt the draft annual report {e.detail.get('report')} from the data, "
        f"{_new(e, 'sections_changed')} sections changed"
    ),
    ChangeAction.ANNUAL_REPORT_DELETED: lambda e, n: (
        f"deleted the draft annual report {_old(e, 'report')}"
    ),
    ChangeAction.SAFEGUARDING_RISK_REVISED: lambda e, n: (
        f"revised the risk recorded on safeguarding concern {e.detail.get('concern_id')} to what "
        f"enquiry {e.detail.get('enquiry_id')} found"
    ),
    ChangeAction.ADMIN_ADDED: lambda e, n: _admin(e, "added"),
    ChangeAction.ADMIN_CHANGED: lambda e, n: _admin(e, "changed"),
    ChangeAction.ADMIN_DELETED: lambda e, n: _admin(e, "deleted"),
    ChangeAction.PRACTITIONER_ROLE_CHANGED: lambda e, n: (
        f"changed the role of {n.practitioner(e.practitioner_id)} from "
        f"{_role(_old(e, 'role'))} to {_role(_new(e, 'role'))} from "
        f"{_day(e.detail.get('effective_from'))}"
    ),
    ChangeAction.SUPERVISION_POLICY_RENAMED: lambda e, n: (
        f"renamed the supervision policy key {_old(e, 'key')} to {_new(e, 'key')} in version "
        f"{_new(e, 'policy_version')} of the supervision policy"
    ),
    ChangeAction.WORKFORCE_PLAN_SAVED: lambda e, n: (
        f"saved workforce plan {_new(e, 'workforce_plan')} as “{_new(e, 'name')}”"
    ),
    ChangeAction.WORKFORCE_PLAN_RENAMED: lambda e, n: (
        f"renamed workforce plan {e.detail.get('workforce_plan')} from "
        f"“{_old(e, 'name')}” to “{_new(e, 'name')}”"
    ),
    ChangeAction.WORKFORCE_PLAN_DELETED: lambda e, n: (
        f"deleted workforce plan {e.detail.get('workforce_plan')} (“{_old(e, 'name')}”)"
    ),
    ChangeAction.AUDIT_TOOL_PUBLISHED: lambda e, n: (
        f"published version {_new(e, 'tool_version')} of the case file audit tool"
    ),
    ChangeAction.CASE_AUDIT_ASSIGNED: lambda e, n: (
        f"assigned the audit of case {e.case_id} ({n.practitioner(e.practitioner_id)}'s) "
        f"to {n.user(_new(e, 'auditor'))}"
    ),
    ChangeAction.CASE_AUDIT_COMPLETED: lambda e, n: (
        f"completed the audit of case {e.case_id}, graded {_words(_new(e, 'grade'))}"
    ),
    ChangeAction.CASE_AUDIT_RESPONDED: lambda e, n: f"responded to the audit of case {e.case_id}",
    ChangeAction.CASE_AUDIT_MODERATED: lambda e, n: (
        f"moderated the audit of case {e.case_id}: {_words(_old(e, 'grade'))} re-graded "
        f"{_words(_new(e, 'grade'))}"
    ),
    ChangeAction.CASE_AUDIT_ACTION_DONE: lambda e, n: (
        f"marked done an action from the audit of case {e.case_id}"
    ),
    ChangeAction.AUDIT_MODERATOR_APPOINTED: lambda e, n: (
        f"named {n.user(_new(e, 'moderator'))} a moderator of case file audits"
    ),
    ChangeAction.AUDIT_MODERATOR_REMOVED: lambda e, n: (
        f"removed {n.user(_old(e, 'moderator'))} from the moderators of case file audits"
    ),
    ChangeAction.AUDIT_MODERATION_SHARE_SET: lambda e, n: (
        f"set the share of case file audits to moderate from {_old(e, 'percent')}% to "
        f"{_new(e, 'percent')}%"
    ),
}


def _role(code: Any) -> str:
    return dict(reference.ROLE_CHOICES).get(str(code), _words(code))


def _who(event: ChangeEvent, names: Names) -> str:
    if event.detail.get("daily_run"):
        return f"The daily run (for {names.user(event.user_id)})"
    return names.user(event.user_id)


def change_names(events: Sequence[ChangeEvent], directory: Directory) -> Names:
    return Names.fetch(
        directory,
        users=[
            *(event.user_id for event in events),
            *(_new(event, "assessor") for event in events),
            *(_new(event, "moderator") for event in events),
            *(_old(event, "moderator") for event in events),
        ],
        people=(event.person_id for event in events),
        practitioners=[
            *(event.practitioner_id for event in events),
            *(event.from_practitioner_id for event in events),
            *(_old(event, "holder") for event in events),
            *(pid for event in events for pid in event.detail.get("past_capacity_confirmed", [])),
        ],
        teams=(event.team_id for event in events),
    )


def describe_changes(events: Sequence[ChangeEvent], directory: Directory) -> list[ChangeLine]:
    """Each event as a sentence, e.g. "Mona Patel changed the priority of case 123 from 2 to
    1", with every name looked up for the whole list at once."""
    names = change_names(events, directory)
    lines = []
    for event in events:
        who = _who(event, names)
        lines.append(
            ChangeLine(
                at=event.at,
                who=who,
                text=f"{who} {PHRASES[ChangeAction(event.action)](event, names)}",
                event=event,
            )
        )
    return lines


# -- access-log entries ----------------------------------------------------------------------


@dataclass(frozen=True)
class AccessLine:
    at: datetime
    who: str
    what: str
    people: list[str]
    entry: AccessLogEntry


def access_what(entry: AccessLogEntry) -> str:
    """The kind of access, and for breaking the glass the reason given, in the user's words."""
    what = entry.get_action_display()
    if entry.reason:
        what += f": {entry.get_reason_display()}, “{entry.reason_detail}”"
    return what


def describe_access(entries: Sequence[AccessLogEntry], directory: Directory) -> list[AccessLine]:
    """Each entry: when, who, what kind of access, and the people it showed. The entries'
    subjects should be prefetched."""
    subjects = {entry.pk: [s.person_id for s in entry.subjects.all()] for entry in entries}
    names = Names.fetch(
        directory,
        users=(entry.user_id for entry in entries),
        people=(person_id for ids in subjects.values() for person_id in ids),
    )
    return [
        AccessLine(
            at=entry.at,
            who=names.user(entry.user_id),
            what=access_what(entry),
            people=[names.person(person_id) for person_id in subjects[entry.pk]],
            entry=entry,
        )
        for entry in entries
    ]


@dataclass(frozen=True)
class ViewOfPerson:
    at: datetime
    who: str
    what: str


def views_of_person(
    person_id: int, *, limit: int, viewers: QuerySet[Any] | None = None
) -> list[ViewOfPerson]:
    """The latest accesses that showed the person: one indexed query, and one for the names.
    With `viewers` (user ids), only theirs, and anyone's breaking of the glass."""
    subjects_of_person = AccessLogSubject.objects.filter(person_id=person_id)
    if viewers is not None:
        subjects_of_person = subjects_of_person.filter(
            Q(entry__user_id__in=viewers) | Q(entry__action=AccessAction.BREAK_GLASS)
        )
    subjects = list(
        subjects_of_person.select_related("entry").order_by("-entry__at", "-entry_id")[:limit]
    )
    users = user_names({subject.entry.user_id for subject in subjects})
    return [
        ViewOfPerson(
            at=subject.entry.at,
            who=users.get(subject.entry.user_id, "a deleted user"),
            what=access_what(subject.entry),
        )
        for subject in subjects
    ]
