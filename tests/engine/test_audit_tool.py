"""The audit tool's YAML: the default is valid and covers the Care Act duties and the six
safeguarding principles; every refusal names the key; answers and agreement are checked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload_engine import audit_tool
from caseload_engine.audit_tool import ToolError


def test_the_default_tool_covers_the_care_act_and_the_six_principles() -> None:
    tool = audit_tool.default_tool()
    keys = [s.key for s in tool.sections]
    for section in ("assessment", "eligibility", "planning", "review", "carers", "strengths"):
        assert section in keys
    assert {"msp", "principles", "framework"} <= set(keys)
    principles = [q.text.split(":")[0] for q in tool.sections[keys.index("principles")].questions]
    assert principles == [
        "Empowerment",
        "Prevention",
        "Proportionality",
        "Protection",
        "Partnership",
        "Accountability",
    ]
    assert all(q.guidance for q in tool.questions)
    assert audit_tool.loads(audit_tool.dumps(tool)) == tool


TOOL = """
name: Small
sections:
  - key: one
    title: One
    questions:
      - {key: a, kind: graded, text: A}
      - {key: b, kind: yes_no, text: B}
      - {key: c, kind: free_text, text: C}
"""


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (TOOL.replace("kind: graded", "kind: scored"), "sections[1].questions[1].kind"),
        (TOOL.replace("key: b,", "key: a,"), "sections[1].questions[2].key"),
        (TOOL.replace("title: One", "titel: One"), "sections[1]: unknown key 'titel'"),
        (TOOL.replace("text: A", "text: 42"), "sections[1].questions[1].text"),
        (TOOL.replace("key: c,", "key: grade,"), "sections[1].questions[3].key"),
        (TOOL.replace("kind: graded", "kind: yes_no"), "needs at least one graded question"),
        ("name: &x Small\nsections: *x\n", "anchors and aliases"),
        ("name: a\nname: b\n", "given twice"),
        ("- just a list", "the tool"),
    ],
)
def test_a_bad_tool_is_refused_naming_the_key(text: str, where: str) -> None:
    with pytest.raises(ToolError, match=where.replace("[", r"\[").replace("]", r"\]")):
        audit_tool.loads(text)


def test_answers_are_checked_against_the_tool() -> None:
    tool = audit_tool.loads(TOOL)
    assert audit_tool.check_answers(tool, {"a": 3, "b": "n/a", "c": " fine "}) == {
        "a": 3,
        "b": "n/a",
        "c": "fine",
    }
    for answers, key in [
        ({"a": 5, "b": "yes"}, "a"),
        ({"a": True, "b": "yes"}, "a"),
        ({"a": 2, "b": "maybe"}, "b"),
        ({"a": 2, "b": "no", "z": 1}, "z"),
    ]:
        with pytest.raises(ToolError, match=f"^{key}:"):
            audit_tool.check_answers(tool, answers)


grades = st.sampled_from(audit_tool.GRADES)


@given(st.lists(st.tuples(grades, grades), max_size=30))
def test_agreement_exact_is_within_one_and_both_are_shares(pairs: list[tuple[int, int]]) -> None:
    result = audit_tool.agreement(pairs)
    assert result.moderated == len(pairs)
    assert 0 <= result.exact <= result.within_one <= result.moderated
    assert result.exact == sum(a == m for a, m in pairs)


def test_agreement_rates() -> None:
    result = audit_tool.agreement([(3, 3), (3, 2), (4, 1), (2, 2)])
    assert (result.exact_percent, result.within_one_percent) == (50, 75)
    assert audit_tool.agreement([]).exact_percent is None
    with pytest.raises(ToolError):
        audit_tool.agreement([(0, 3)])
