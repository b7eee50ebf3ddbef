"""Headless Chromium (Debian's, never a downloaded one) against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
