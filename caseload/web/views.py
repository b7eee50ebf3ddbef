from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from caseload.web.navigation import start_page
from caseload.web.requests import AuthedRequest


def home(request: AuthedRequest) -> HttpResponse:
    """The user's start page (their caseload, their team, every team), if they have one."""
    url = start_page(request.user)
    if url is not None:
        return redirect(url)
    return render(request, "web/home.html")
