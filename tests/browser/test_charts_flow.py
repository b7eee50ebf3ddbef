"""In a real browser: the compliance page's chart is drawn by Chart.js from our own static
files under the Content Security Policy, and is redrawn at the paper's width for printing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser

# Whether any pixel of the canvas has been painted (a blank canvas is all transparent).
PAINTED = """canvas => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return true; }
  return false;
}"""


def test_the_compliance_chart_is_drawn_and_fits_the_page_when_printed(
    page: Any, world: World
) -> None:
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    sign_in(page, "pat")
    page.goto("/supervision/compliance/")
    figure = page.locator("figure[data-caseload-chart]")
    expect(figure).to_have_class("caseload-chart caseload-chart--drawn")
    canvas = figure.locator("canvas")
    expect(canvas).to_be_visible()
    assert canvas.evaluate(PAINTED)
    assert canvas.bounding_box()["height"] == pytest.approx(300, abs=2)
    expect(figure.locator(".caseload-chart__summary")).to_contain_text("Overall,")
    assert not [text for text in blocked if "Content Security Policy" in text]

    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert canvas.bounding_box()["width"] == pytest.approx(680, abs=2)
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert canvas.evaluate(PAINTED)
