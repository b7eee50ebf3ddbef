"""A user's notifications: the list, and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from caseload.notifications import actions
from caseload.notifications.access import get_notification_for_user, notifications_for
from caseload.web.requests import AuthedRequest, paginate


@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, notifications_for(request.user))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "any_unread": any(not n.is_read for n in page)},
    )


def _back_to_list(request: AuthedRequest) -> HttpResponse:
    response = redirect("notification_list")
    page = request.POST.get("page", "")
    if page.isascii() and page.isdigit():
        response["Location"] += f"?page={page}"
    return response


@require_POST
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    actions.mark_read(by=request.user, notification=notification)
    return _back_to_list(request)


@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    count = actions.mark_all_read(by=request.user)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read.")
    return _back_to_list(request)
