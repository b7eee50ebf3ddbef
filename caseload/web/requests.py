"""The signed-in request, and what views do with it: read the submitted form, page a list,
turn a refused change into the form's error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django_htmx.middleware import HtmxDetails

from caseload.accounts.models import User
from caseload.ui.forms import GovukForm
from caseload.web.errors import ActionRefused

T = TypeVar("T")


class AuthedRequest(HttpRequest):
    """A request past the login middleware: the user is one of ours, and django-htmx has run."""

    user: User
    htmx: HtmxDetails


def paginate(request: HttpRequest, queryset: QuerySet[Any], number: int | None = None) -> Page[Any]:
    paginator = Paginator(queryset, settings.CASELOAD_PAGE_SIZE)
    return paginator.get_page(number if number is not None else request.GET.get("page"))


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, or None so that a GET shows an unbound form (an empty POST is
    still a submission, to be validated)."""
    return request.POST if request.method == "POST" else None


def attempt(form: forms.Form, change: Callable[[], T]) -> T | None:
    """Make a change for a valid form; a refusal becomes the form's error on the named field,
    or, with a link to act on, the form's own error at the top."""
    try:
        return change()
    except ActionRefused as refusal:
        if refusal.link is not None and isinstance(form, GovukForm):
            form.add_linked_error(refusal.message, refusal.link)
        else:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return None
