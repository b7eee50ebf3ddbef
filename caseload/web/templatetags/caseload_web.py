from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from caseload.accounts.permissions import Permission, has_permission
from caseload.web.panels import Column, panels_for

register = template.Library()


@register.filter
def can(user: Any, permission: str) -> bool:
    """`{% if user|can:"edit_complexity_model" %}`: whether the user holds the permission
    (for a team permission, in some team; a page about a record asks in its view)."""
    return has_permission(user, Permission(permission))


@register.simple_tag(takes_context=True)
def panels(context: template.Context, slot: str, **objects: Any) -> SafeString:
    """Every panel the apps registered for the slot, rendered in the page's context with the
    slot's objects and the panel's own values on top (as an include would)."""
    request = context["request"]
    engine = context.template.engine if context.template is not None else None
    if engine is None:
        raise template.TemplateSyntaxError("{% panels %} renders only inside a template")
    rendered = []
    for name, values in panels_for(slot, request, **objects):
        with context.push(**{**objects, **values}):
            rendered.append(engine.get_template(name).render(context))
    # Each part was rendered by a template with autoescaping on.
    return mark_safe("".join(rendered))  # noqa: S308


@register.filter
def cell(column: Column, row: Any) -> object:
    """`{{ column|cell:row }}`: the column's text for a row of its list."""
    return column.cell(row)
