"""Security headers on the pages, and templates that need no inline script or style for them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for

TEMPLATES = Path(__file__).resolve().parents[2] / "caseload"
EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}


def test_a_signed_in_page_carries_every_security_header(world: World) -> None:
    response = client_for(world.mona).get(reverse("team_detail", args=[world.team_north.pk]))
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert response["Cache-Control"].split(", ").count("no-store") == 1
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_sign_in_page_has_the_policy_too(client: Client) -> None:
    response = client.get(reverse("login"))
    assert directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert "camera=()" in response["Permissions-Policy"]


def test_htmx_is_told_not_to_add_styles_or_evaluate_text(world: World) -> None:
    page = client_for(world.priya).get(reverse("person_list")).content.decode()
    assert '"includeIndicatorStyles": false' in page
    assert '"allowEval": false' in page


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "a <script> without src"),
    (re.compile(r"<style\b", re.IGNORECASE), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an inline event handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
]


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_no_template_needs_inline_script_or_style(template: Path) -> None:
    text = template.read_text()
    for pattern, what in INLINE:
        assert not pattern.search(text), f"{template.name} has {what}: the CSP would block it"
