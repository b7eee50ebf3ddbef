"""The supervision policy in force: which policy applies to each role, and where a practitioner
stands against it. The rules themselves are the engine's (caseload_engine.supervision), shared
with the `caseload supervision` command.

A PolicyVersion's content, as JSON:

    {"roles": {"<Role value>": "<policy key>", ...},        every role, once
     "policies": [<caseload_engine.supervision.policy_as_mapping>, ...]}

With no version published, the engine's defaults apply (`default_policy_for`). A version is in
force from the day it was published; a practitioner's history is judged day by day by the
version in force on each day (`history_until`, the engine's PolicyHistory).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from caseload.register.models import (
    Absence,
    Practitioner,
    RoleChanges,
    role_changes_of,
    role_on,
)
from caseload.supervision.models import PolicyVersion, Session
from caseload_engine import supervision as rules
from caseload_engine.reference import ROLE_LABELS, Role


@dataclass(frozen=True)
class PolicyBook:
    """The policies of one version (or the defaults), and which applies to each role."""

    roles: Mapping[str, str]
    policies: Mapping[str, rules.Policy]
    version: PolicyVersion | None = None

    def for_role(self, role: str) -> rules.Policy:
        return self.policies[self.roles[role]]

    def for_practitioner(self, practitioner: Practitioner) -> rules.Policy:
        return self.for_role(practitioner.role)

    def as_content(self) -> dict[str, Any]:
        return {
            "roles": {role.value: self.roles[role.value] for role in Role},
            # In key order, so that the same policies are the same content.
            "policies": [rules.policy_as_mapping(self.policies[k]) for k in sorted(self.policies)],
        }

    def rows(self) -> list[dict[str, Any]]:
        """Each role, its label and its policy, for display."""
        return [
            {"role": role.value, "label": ROLE_LABELS[role], "policy": self.for_role(role.value)}
            for role in Role
        ]


def default_book() -> PolicyBook:
    return PolicyBook(
        roles={role.value: rules.default_policy_for(role.value, asye=False).key for role in Role},
        policies=dict(rules.DEFAULT_POLICIES),
    )


def parse_content(content: object) -> PolicyBook:
    """A version's content, checked: every policy by the engine's own checks, every role given
    exactly one known policy. Raises rules.PolicyError listing every problem."""
    if not isinstance(content, Mapping) or set(content) != {"roles", "policies"}:
        raise rules.PolicyError(["The policy must give the roles and the policies"])
    problems: list[str] = []
    policies: dict[str, rules.Policy] = {}
    refused: set[object] = set()
    raw_policies = content["policies"]
    if not isinstance(raw_policies, list) or not raw_policies:
        raise rules.PolicyError(["Give at least one policy"])
    for number, raw in enumerate(raw_policies, start=1):
        try:
            policy = rules.parse_policy(raw)
        except rules.PolicyError as error:
            name = raw.get("label") if isinstance(raw, Mapping) else None
            problems += [f"{name or f'Policy {number}'}: {p}" for p in error.problems]
            refused.add(raw.get("key") if isinstance(raw, Mapping) else None)
            continue
        if policy.key in policies:
            problems.append(f"Two policies have the key {policy.key!r}")
        policies[policy.key] = policy
    roles = content["roles"]
    if not isinstance(roles, Mapping):
        raise rules.PolicyError(["Give each role a policy"])
    known_roles = {role.value for role in Role}
    problems += [f"Unknown role {str(role)!r}" for role in roles if role not in known_roles]
    for role in Role:
        key = roles.get(role.value)
        if key is None:
            problems.append(f"Choose a policy for {ROLE_LABELS[role]}")
        elif key not in policies and key not in refused:
            problems.append(f"{ROLE_LABELS[role]}: there is no policy {str(key)!r}")
    if problems:
        raise rules.PolicyError(problems)
    return PolicyBook(roles={r.value: str(roles[r.value]) for r in Role}, policies=policies)


def book_on(day: date | None = None) -> PolicyBook:
    """The policies in force on the day (today by default): the newest version published by
    then, or the defaults. One query, for any number of practitioners."""
    on = day or timezone.localdate()
    version = (
        PolicyVersion.objects.filter(published_at__date__lte=on)
        .select_related("published_by")
        .order_by("-number")
        .first()
    )
    if version is None:
        return default_book()
    book = parse_content(version.content)
    return PolicyBook(roles=book.roles, policies=book.policies, version=version)


@dataclass(frozen=True)
class BookHistory:
    """Every version published by a day, each from the day it was published, with the defaults
    before the first."""

    books: tuple[tuple[date, PolicyBook], ...]

    def for_role(self, role: str) -> rules.PolicyHistory:
        """The role's policy over time, for the engine."""
        return rules.PolicyHistory(tuple((day, book.for_role(role)) for day, book in self.books))

    def for_roles(self, changes: RoleChanges, *, default: str) -> rules.PolicyHistory:
        """The policy over time of a practitioner whose role changed (`changes`, in order of
        their days; `default` with none): on each day, the policy the version in force gives
        the role held that day."""
        days = sorted({day for day, _ in self.books} | {day for day, _ in changes})
        return rules.PolicyHistory(
            tuple(
                (day, self._book_on(day).for_role(role_on(changes, day, default=default)))
                for day in days
            )
        )

    def _book_on(self, day: date) -> PolicyBook:
        index = bisect_right(self.books, day, key=lambda version: version[0])
        return self.books[max(index - 1, 0)][1]


def history_until(day: date | None = None) -> BookHistory:
    """Every version published by the day (today by default): one query, for any number of
    practitioners. A version is in force from its publication's local day, like `book_on`."""
    on = day or timezone.localdate()
    books = [(date.min, default_book())]
    for version in PolicyVersion.objects.filter(published_at__date__lte=on).order_by(
        "published_at", "number"
    ):
        book = parse_content(version.content)
        books.append(
            (
                timezone.localdate(version.published_at),
                PolicyBook(roles=book.roles, policies=book.policies, version=version),
            )
        )
    return BookHistory(tuple(books))


def policy_for(practitioner: Practitioner, *, on: date | None = None) -> rules.Policy:
    """The policy that applies to the practitioner on the day (today by default)."""
    return book_on(on).for_practitioner(practitioner)


def standing_of(practitioner: Practitioner, *, on: date | None = None) -> rules.Standing:
    """Where the practitioner stands on the day, by the engine's rules, from every supervision
    session and absence recorded for them, each day judged by the policy in force on it for the
    role they held on it."""
    day = on or timezone.localdate()
    changes = role_changes_of([practitioner.pk])[practitioner.pk]
    policy = history_until(day).for_roles(changes, default=practitioner.role)
    sessions = [
        rules.Session(on=held_on, minutes=minutes)
        for held_on, minutes in Session.objects.filter(supervisee=practitioner).values_list(
            "held_on", "minutes"
        )
    ]
    absences = [
        rules.Absence(starts_on=starts_on, ends_on=ends_on)
        for starts_on, ends_on in Absence.objects.filter(practitioner=practitioner).values_list(
            "starts_on", "ends_on"
        )
    ]
    return rules.standing(
        policy, started=practitioner.start_date, sessions=sessions, absences=absences, on=day
    )
