"""The audit tool's form editor: the same engine reader as the YAML editor, its refusals on
the field they name, rows added and removed, and the version published."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caseload.audits.models import ToolVersion
from tests.conftest import World, client_for


@pytest.fixture(name="world")
def _world(shared_world: World) -> World:
    return shared_world


URL = "audits_tool_edit_form"


def _posted(world: World, **changes: Any) -> dict[str, str]:
    """The editor's form as the page gives it, with `changes` over it."""
    page = client_for(world.pat).get(reverse(URL))
    data: dict[str, str] = {}
    questions = page.context["questions"]
    for bound in (page.context["details"], questions.management_form, *questions.forms):
        for field in bound:
            value = field.value()
            data[field.html_name] = "" if value is None else str(value)
    data["tool-change_note"] = "Synthetic change"
    return data | {k: str(v) for k, v in changes.items()}


def test_a_reworded_question_is_published_as_the_next_version(world: World) -> None:
    before = ToolVersion.current()
    data = _posted(world, **{"questions-0-text": "Synthetic reworded question"})
    response = client_for(world.pat).post(reverse(URL), data)
    assert response.status_code == 302
    after = ToolVersion.current()
    assert after.number == before.number + 1
    assert after.tool.questions[0].text == "Synthetic reworded question"


def test_an_unchanged_tool_is_refused(world: World) -> None:
    response = client_for(world.pat).post(reverse(URL), _posted(world))
    assert "same tool as version" in response.content.decode()


def test_the_engine_refusal_lands_on_the_field_it_names(world: World) -> None:
    second_key = _posted(world)["questions-1-key"]
    data = _posted(world, **{"questions-0-key": second_key})
    response = client_for(world.pat).post(reverse(URL), data)
    form = response.context["questions"].forms[1]
    assert "used twice" in str(form.errors["key"])
    assert "There is a problem" in response.content.decode()
    bad = _posted(world, **{"questions-0-key": "not a key!"})
    errors = client_for(world.pat).post(reverse(URL), bad).context["questions"].forms[0].errors
    assert set(errors) == {"key"}
    unknown = _posted(world, **{"questions-0-kind": "essay"})
    errors = client_for(world.pat).post(reverse(URL), unknown).context["questions"].forms[0].errors
    assert set(errors) == {"kind"}


def test_a_question_is_added_and_one_removed(world: World) -> None:
    data = _posted(world, add="question")
    response = client_for(world.pat).post(reverse(URL), data)
    questions = response.context["questions"]
    count = len(ToolVersion.current().tool.questions)
    assert len(questions.forms) == count + 1
    new = count
    data = _posted(
        world,
        **{
            "questions-TOTAL_FORMS": count + 1,
            f"questions-{new}-section_key": "synthetic",
            f"questions-{new}-section_title": "Synthetic section",
            f"questions-{new}-key": "synthetic_question",
            f"questions-{new}-kind": "yes_no",
            f"questions-{new}-text": "Synthetic question",
            "questions-0-DELETE": "on",
        },
    )
    assert client_for(world.pat).post(reverse(URL), data).status_code == 302
    tool = ToolVersion.current().tool
    assert tool.sections[-1].key == "synthetic"
    assert len(tool.questions) == count


def test_other_roles_may_not_edit(world: World) -> None:
    assert client_for(world.mona).get(reverse(URL)).status_code == 403
