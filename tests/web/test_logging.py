"""What a refused request writes to the log."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils.log import configure_logging

from tests.conftest import World, client_for


@pytest.fixture
def log_output(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Everything the configured handlers print: logging set up afresh from the settings, as
    at start-up, with standard error captured (earlier tests may have set it up otherwise)."""
    output = io.StringIO()
    monkeypatch.setattr(sys, "stderr", output)
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    yield output
    monkeypatch.undo()
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


# Django's own handlers print only in debug: the duplicate showed there.
@override_settings(DEBUG=True)
def test_a_refused_page_logs_one_line_without_a_traceback(
    world: World, log_output: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    response = client_for(world.ada).get(reverse("person_list"))

    assert response.status_code == 403
    lines = log_output.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "Forbidden (Permission denied): /people/" in lines[0]
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.exc_info is None


def test_a_server_error_keeps_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.error("Internal Server Error: /x/", exc_info=True, extra={"status_code": 500})

    [record] = caplog.records
    assert record.exc_info is not None
