"""The team workload table's rows, their order (`?sort=`, so that a sorted view can be shared
and needs no script), and the app's navigation entry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission, has_permission
from caseload.complexity.load import Load
from caseload.register.models import Practitioner, Team
from caseload.web.navigation import NavEntry, register_nav
from caseload.web.panels import Column, Panel, register_column, register_panel
from caseload.workload import access
from caseload.workload.figures import PractitionerLoad
from caseload.workload.levels import Light, levels_in_force, light_of

SortKey = Callable[[PractitionerLoad], Any]


@dataclass(frozen=True)
class SortColumn:
    key: str
    header: str
    value: SortKey
    numeric: bool = True


_LIGHT_ORDER = {"green": 0, "amber": 1, "red": 2}

COLUMNS: Sequence[SortColumn] = (
    SortColumn("name", "Name", lambda r: (r.name.casefold(), r.practitioner_id), numeric=False),
    SortColumn("cases", "Cases", lambda r: r.cases),
    SortColumn("points", "Points of capacity", lambda r: (r.points, r.capacity)),
    SortColumn(
        "utilisation",
        "Utilisation",
        # Points held without capacity sort above any percentage.
        lambda r: (_LIGHT_ORDER[r.light.value], r.percent if r.percent is not None else 10**6),
    ),
    SortColumn("extra_hours", "Extra hours, 4 weeks", lambda r: r.extra_hours),
    SortColumn(
        "reviews",
        "Reviews overdue, due in 28 days",
        lambda r: (r.ages.reviews_overdue, r.ages.reviews_due),
    ),
    SortColumn(
        "contact",
        "Cases by last contact",
        # The cases longest without contact first: none recorded, then over 90 days, ...
        lambda r: tuple(reversed(r.ages.contact)),
    ),
)
_BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "-utilisation"


def parse_sort(raw: str) -> tuple[str, bool]:
    """The column asked for and whether descending; anything unknown is the default."""
    key = raw.removeprefix("-")
    if key not in _BY_KEY:
        return parse_sort(DEFAULT_SORT)
    return key, raw.startswith("-")


def sorted_rows(rows: Sequence[PractitionerLoad], raw: str) -> list[PractitionerLoad]:
    key, descending = parse_sort(raw)
    column = _BY_KEY[key]
    # Ties keep name order, whichever way the column goes.
    by_name = sorted(rows, key=_BY_KEY["name"].value)
    return sorted(by_name, key=column.value, reverse=descending)


def headers(raw: str) -> dict[str, dict[str, Any]]:
    """Each column's header, by key: its link to sort by it (the other way when it is the
    current one) and its aria-sort."""
    key, descending = parse_sort(raw)
    shown = {}
    for column in COLUMNS:
        current = column.key == key
        # A first click sorts numbers from the largest, names from A.
        first_descending = column.numeric
        next_descending = (not descending) if current else first_descending
        shown[column.key] = {
            "header": column.header,
            "numeric": column.numeric,
            "sort": ("-" if next_descending else "") + column.key,
            "aria_sort": ("descending" if descending else "ascending") if current else "none",
        }
    return shown


def bar_width(percent: int | None) -> int:
    """The bar's share of the cell: utilisation up to 150%, the far end meaning "or more"."""
    if percent is None:
        return 100
    return max(0, min(100, round(Decimal(percent) * 2 / 3)))


def _nav_url(user: User) -> str | None:
    return reverse("workload_home")


def level_panel(request: HttpRequest, *, team: Team) -> dict[str, Any]:
    """On the team page, above its caseloads: the safe working level in force."""
    return {
        "team": team,
        "level": levels_in_force([team.pk])[team.pk],
        "can_set_levels": has_permission(
            request.user, Permission.SET_TEAM_WORKLOAD_LEVELS, team=team
        ),
    }


def escalations_panel(request: HttpRequest) -> dict[str, Any] | None:
    """On the principal social worker's list of escalations: the workload concerns escalated
    and still unanswered, counted, with a link to them."""
    user = request.user
    if not isinstance(user, User) or not has_permission(user, Permission.VIEW_WORKLOAD_ESCALATIONS):
        return None
    return {
        "workload_escalations": access.concerns_visible_to(user)
        .filter(answered_at__isnull=True, escalated_at__isnull=False)
        .count()
    }


def _attach_lights(practitioners: Sequence[Practitioner]) -> None:
    """Each case holder's traffic light, from the load the complexity column prepared."""
    levels = levels_in_force({p.team_id for p in practitioners if p.team_id is not None})
    for practitioner in practitioners:
        load: Load | None = getattr(practitioner, "load", None)
        practitioner.workload_light = (  # type: ignore[attr-defined]
            light_of(load, levels[practitioner.team_id])
            if load is not None and practitioner.team_id is not None
            else None
        )


def _light_cell(practitioner: Practitioner) -> str:
    light: Light | None = practitioner.workload_light  # type: ignore[attr-defined]
    if light is Light.RED:
        return format_html('<strong class="govuk-tag govuk-tag--red">{}</strong>', light.label)
    if light is Light.AMBER:
        return format_html('<strong class="govuk-tag govuk-tag--yellow">{}</strong>', light.label)
    return "\N{EN DASH}" if light is None else light.label


def _unchanged(queryset: QuerySet[Practitioner]) -> QuerySet[Practitioner]:
    return queryset


def contribute() -> None:
    register_nav(NavEntry("Workload", 520, Permission.VIEW_TEAM_WORKLOAD, _nav_url))
    register_panel(
        "team_caseloads", Panel("safe_level", "workload/_team_level_panel.html", level_panel)
    )
    register_panel(
        "escalation_list",
        Panel("workload", "workload/_escalations_panel.html", escalations_panel),
    )
    register_column(
        "team_caseloads",
        # Reads the load that complexity's "load" column (order 100) prepares.
        Column(
            "safe_level",
            "Safe working level",
            _unchanged,
            _light_cell,
            order=120,
            prepare=_attach_lights,
        ),
    )
