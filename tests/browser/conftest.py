"""Headless Chromium (Debian's, never a downloaded one) against pytest-django's live server."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from pytest_django.live_server_helper import LiveServer

from caseload.accounts.models import User
from caseload.security.two_factor import authenticator_for, requires_second_factor
from tests.factories import AuthenticatorFactory, authenticator_code

# Playwright's sync API keeps an asyncio loop running in the main thread, so Django would
# refuse every ORM call made by tests and fixtures with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's services, which
# on a closed network means retries and slow start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"  # what tests/factories.py UserFactory sets
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"Browser tests need Debian's Chromium at {CHROMIUM} (`make test` installs it); "
            "Playwright never downloads a browser here"
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """Django's threaded test server, handling one request at a time.

    With in-memory SQLite every request thread uses the test's one connection, so two requests
    at once (an HTMX preview fired by a field's blur while its form is submitted) interleave
    their statements in one transaction and fail at random. Production has a connection per
    request; this makes the browser tests as deterministic as that. Connections stay threaded,
    so a browser's idle keep-alive socket never blocks the next request.
    """

    request_lock = threading.Lock()

    def set_app(self, application: WSGIApplication | None) -> None:
        assert application is not None

        def serialised(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
            with self.request_lock:
                result = application(environ, start_response)
                try:
                    # Read the whole body under the lock: a streamed response queries as it goes.
                    return [b"".join(result)]
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()

        super().set_app(serialised)


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, on the one-request-at-a-time server above."""
    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    server.thread.server_class = OneRequestAtATimeServer  # type: ignore[attr-defined]  # not in django-stubs
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """A fresh browser context (no cookies, no session) per test, aimed at the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def submit_sign_in(page: Any, username: str, password: str) -> None:
    """Fill and send the real sign-in form; leaves the page wherever the server sends it."""
    page.goto("/sign-in/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form, with a code from the user's authenticator app where their role
    needs one, and check that it worked (the sign-out button is there, the code page is not)."""
    user = User.objects.get(username=username)
    device = None
    if requires_second_factor(user):
        device = authenticator_for(user) or AuthenticatorFactory.create(user=user)
    submit_sign_in(page, username, password)
    if device is not None:
        enter_code(page, authenticator_code(device))
    page.get_by_role("button", name="Sign out").wait_for()
    assert "/sign-in/" not in page.url


def enter_code(page: Any, code: str) -> None:
    """Type a code into the code page the sign-in has reached."""
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
