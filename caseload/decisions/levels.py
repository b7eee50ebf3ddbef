"""Which sign-off a decision needs under the delegation scheme, and who may give it.

A level is a permission, never a role: a team manager's sign-off is SIGN_OFF_DECISIONS in the
case's team; a senior manager's, SIGN_OFF_SENIOR_DECISIONS (which also covers a team manager's).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, Scope, has_permission, roles_with, scope_of
from caseload.decisions.models import LEVEL_RANK, DecisionKind, DelegationScheme, SignOffLevel
from caseload.register.access import practitioner_for
from caseload.register.models import Practitioner

ASYE = "asye"


@dataclass(frozen=True)
class Requirement:
    level: SignOffLevel
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def is_asye(practitioner: Practitioner | None) -> bool:
    return practitioner is not None and ASYE in (practitioner.pcf_level, practitioner.role)


def requirement(
    scheme: DelegationScheme,
    *,
    kind: str,
    tier: int | None,
    against_wishes: bool,
    weekly_amount: Decimal | None,
    decider: Practitioner | None,
) -> Requirement:
    """The highest level any rule of the scheme asks for, with every rule that asks."""
    asks: list[tuple[str, str]] = []
    if kind == DecisionKind.CLOSING_CASE and tier == 3:
        asks.append((scheme.closing_tier3, "closing a Tier 3 case"))
    if against_wishes:
        asks.append((scheme.against_wishes, "it goes against the person's expressed wishes"))
    if kind == DecisionKind.SAFEGUARDING:
        asks.append((scheme.safeguarding, "a safeguarding decision"))
    if (
        kind == DecisionKind.FUNDING
        and weekly_amount is not None
        and weekly_amount > scheme.funding_threshold
    ):
        asks.append(
            (
                scheme.funding_above_threshold,
                f"funding above £{scheme.funding_threshold:,.2f} a week",
            )
        )
    if is_asye(decider):
        asks.append((scheme.by_asye, "decided by a practitioner in their ASYE"))
    needed = [(SignOffLevel(level), why) for level, why in asks if level]
    if not needed:
        return Requirement(SignOffLevel.NONE, ())
    top = max(needed, key=lambda pair: LEVEL_RANK[pair[0]])[0]
    return Requirement(top, tuple(why for _, why in needed))


def may_sign_off(user: User, level: str, *, team_id: int) -> bool:
    if level == SignOffLevel.SENIOR_MANAGER:
        return has_permission(user, Permission.SIGN_OFF_SENIOR_DECISIONS)
    if level == SignOffLevel.TEAM_MANAGER:
        return has_permission(user, Permission.SIGN_OFF_DECISIONS, team=team_id) or (
            has_permission(user, Permission.SIGN_OFF_SENIOR_DECISIONS)
        )
    return False


def practice_level_lines(user: User, scheme: DelegationScheme) -> list[str]:
    """What the user's level of practice and role mean for the decisions they make, in words:
    shown where a decision is recorded."""
    me = practitioner_for(user)
    lines = []
    if me is not None:
        lines.append(
            f"Your role: {me.get_role_display()}; your PCF level: {me.get_pcf_level_display()}."
        )
    if is_asye(me) and scheme.by_asye:
        lines.append(
            f"As an ASYE, every decision you record needs sign-off by "
            f"{SignOffLevel(scheme.by_asye).label.lower()}."
        )
    for field, what in (
        ("closing_tier3", "Closing a Tier 3 case"),
        ("against_wishes", "A decision against the person's expressed wishes"),
        ("safeguarding", "A safeguarding decision"),
    ):
        level = getattr(scheme, field)
        if level:
            lines.append(f"{what} needs sign-off by {SignOffLevel(level).label.lower()}.")
    if scheme.funding_above_threshold:
        lines.append(
            f"Funding above £{scheme.funding_threshold:,.2f} a week needs sign-off by "
            f"{SignOffLevel(scheme.funding_above_threshold).label.lower()}."
        )
    return lines


def senior_approvers() -> list[User]:
    """Who is told that a sign-off waits at senior level: the senior managers."""
    permission = Permission.SIGN_OFF_SENIOR_DECISIONS
    return list(User.objects.filter(access_role__in=roles_with(permission), is_active=True))


def approvers(level: str, *, team_id: int) -> list[User]:
    """Who is told that a sign-off waits for them: at team level the team's own managers (those
    who hold the permission everywhere are not told of every team's), at senior level the
    senior managers."""
    if level == SignOffLevel.SENIOR_MANAGER:
        return senior_approvers()
    permission = Permission.SIGN_OFF_DECISIONS
    candidates = User.objects.filter(
        access_role__in=roles_with(permission), is_active=True, practitioner__team_id=team_id
    ).select_related("practitioner")
    return [
        user
        for user in candidates
        if scope_of(user, permission) is Scope.OWN_TEAM
        and has_permission(user, permission, team=team_id)
    ]
