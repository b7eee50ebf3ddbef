"""How one app shows its content on another app's page without the page importing it.

A page names a slot (`{% panels "case_detail" case=case %}`); an app registers, from its
AppConfig.ready(), a panel for that slot: a template and a function that gives the template
its values from the request and the page's objects (or None to show nothing). A list page
asks for its slot's extra columns the same way (`with_columns`, `{% for column in columns %}`).

Slots in use: case_detail, case_allocation_history, team_detail, team_caseloads, escalation_list,
practitioner_actions, practitioner_detail, practitioner_caseload, supervision_agenda (panels);
practitioner_caseload, team_caseloads (columns).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

PanelValues = Callable[..., Mapping[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    values: PanelValues  # (request, **page objects) -> the template's values, or None
    order: int = 100


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    annotate: Callable[[QuerySet[Any]], QuerySet[Any]]
    cell: Callable[[Any], object]  # the row's cell text (or safe HTML, e.g. a tag)
    numeric: bool = False
    order: int = 100
    # Once over the rows read, for what SQL cannot work out (a capacity from the model).
    prepare: Callable[[Sequence[Any]], None] | None = None


# Keyed by name within each slot, so that registering twice (a second ready()) replaces.
_PANELS: dict[str, dict[str, Panel]] = {}
_COLUMNS: dict[str, dict[str, Column]] = {}


def register_panel(slot: str, panel: Panel) -> None:
    _PANELS.setdefault(slot, {})[panel.name] = panel


def register_column(slot: str, column: Column) -> None:
    _COLUMNS.setdefault(slot, {})[column.name] = column


def panels_for(
    slot: str, request: HttpRequest, **objects: Any
) -> list[tuple[str, Mapping[str, Any]]]:
    """Each panel to show in the slot: its template and values."""
    shown = []
    for panel in sorted(_PANELS.get(slot, {}).values(), key=lambda p: p.order):
        values = panel.values(request, **objects)
        if values is not None:
            shown.append((panel.template, values))
    return shown


def columns_for(slot: str) -> list[Column]:
    return sorted(_COLUMNS.get(slot, {}).values(), key=lambda c: c.order)


def with_columns(slot: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The list's rows with what the slot's columns need annotated on them."""
    for column in columns_for(slot):
        queryset = column.annotate(queryset)
    return queryset


def prepare_rows(slot: str, rows: Sequence[Any]) -> Sequence[Any]:
    """The rows of a list already read (a page of it), made ready for the slot's columns."""
    for column in columns_for(slot):
        if column.prepare is not None:
            column.prepare(rows)
    return rows
