"""Case file audit tools: sections of questions (graded, yes/no, free text) with guidance, read
from YAML and validated, so that a council's own tool is checked exactly as the shipped one.

Grades are the inspectorate's four, held as numbers so that two graders can be compared
(exact agreement, or within one grade).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any, Final

import yaml

from caseload_engine.complexity import ModelError, strict_yaml

MAX_SECTIONS = 20
MAX_QUESTIONS = 100
MAX_TEXT = 500
MAX_GUIDANCE = 2000
MAX_KEY = 40
# The audit form's own fields: no question may take their names.
RESERVED_KEYS = frozenset({"grade", "summary", "actions"})

OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE = 4, 3, 2, 1
GRADE_LABELS: Final[dict[int, str]] = {
    OUTSTANDING: "Outstanding",
    GOOD: "Good",
    REQUIRES_IMPROVEMENT: "Requires improvement",
    INADEQUATE: "Inadequate",
}
GRADES: Final = tuple(GRADE_LABELS)


class ToolError(ValueError):
    """The tool cannot be used; the message starts with the key (path) that is wrong."""


class Kind(StrEnum):
    GRADED = "graded"
    YES_NO = "yes_no"
    FREE_TEXT = "free_text"


YES_NO_ANSWERS: Final[dict[str, str]] = {"yes": "Yes", "no": "No", "n/a": "Not applicable"}


@dataclass(frozen=True)
class Question:
    key: str
    kind: Kind
    text: str
    guidance: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Tool:
    name: str
    sections: tuple[Section, ...]

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def section_of(self, question_key: str) -> Section:
        for section in self.sections:
            if any(q.key == question_key for q in section.questions):
                return section
        raise KeyError(question_key)


_TOOL_KEYS = ("name", "sections")
_SECTION_KEYS = ("key", "title", "questions")
_QUESTION_KEYS = ("key", "kind", "text", "guidance")


def _at(where: str, message: str) -> ToolError:
    return ToolError(f"{where}: {message}")


def _entry(
    value: object, where: str, keys: Sequence[str], required: Sequence[str]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _at(where, f"must be a mapping with the keys {', '.join(keys)}")
    for key in value:
        if key not in keys:
            raise _at(where, f"unknown key '{key}' (the keys are {', '.join(keys)})")
    for key in required:
        if key not in value:
            raise _at(where, f"missing '{key}'")
    return value


def _text(entry: Mapping[str, Any], key: str, where: str, *, limit: int = MAX_TEXT) -> str:
    value = entry[key]
    if not isinstance(value, str):
        raise _at(f"{where}.{key}", f"must be text (in quotes if need be), not {value!r:.40}")
    if not value.strip():
        raise _at(f"{where}.{key}", "must not be empty")
    if len(value) > limit:
        raise _at(f"{where}.{key}", f"is {len(value)} characters long; at most {limit}")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise _at(f"{where}.{key}", "holds control characters")
    return value.strip()


def _key(entry: Mapping[str, Any], where: str) -> str:
    key = _text(entry, "key", where, limit=MAX_KEY)
    if not key.isascii() or not all(c.isalnum() or c == "_" for c in key) or key[0].isdigit():
        raise _at(
            f"{where}.key", f"'{key}' must be letters, digits and _, not starting with a digit"
        )
    return key


def _list(entry: Mapping[str, Any], key: str, where: str, most: int) -> list[object]:
    items = entry[key]
    if not isinstance(items, list) or not items:
        raise _at(f"{where}.{key}", "must be a list of at least one entry")
    if len(items) > most:
        raise _at(f"{where}.{key}", f"{len(items)} entries; at most {most}")
    return items


def from_dict(data: object) -> Tool:
    """A tool from plain data; every refusal names where (e.g. `sections[2].questions[1].kind`).
    Unknown keys are refused, so that a misspelt one is not silently ignored."""
    top = _entry(data, "the tool", _TOOL_KEYS, _TOOL_KEYS)
    sections: list[Section] = []
    seen: set[str] = set()
    total = 0
    for s_index, raw_section in enumerate(_list(top, "sections", "the tool", MAX_SECTIONS), 1):
        where = f"sections[{s_index}]"
        entry = _entry(raw_section, where, _SECTION_KEYS, _SECTION_KEYS)
        questions: list[Question] = []
        for q_index, raw in enumerate(_list(entry, "questions", where, MAX_QUESTIONS), 1):
            q_where = f"{where}.questions[{q_index}]"
            q = _entry(raw, q_where, _QUESTION_KEYS, ("key", "kind", "text"))
            key = _key(q, q_where)
            if key in seen:
                raise _at(f"{q_where}.key", f"'{key}' is used twice")
            if key in RESERVED_KEYS:
                raise _at(f"{q_where}.key", f"'{key}' is reserved; choose another key")
            seen.add(key)
            kind = q["kind"]
            if kind not in Kind.__members__.values():
                raise _at(
                    f"{q_where}.kind", f"{kind!r:.40} is not one of {', '.join(k for k in Kind)}"
                )
            guidance = _text(q, "guidance", q_where, limit=MAX_GUIDANCE) if "guidance" in q else ""
            questions.append(
                Question(
                    key=key, kind=Kind(kind), text=_text(q, "text", q_where), guidance=guidance
                )
            )
        total += len(questions)
        section_key = _key(entry, where)
        if section_key in seen:
            raise _at(f"{where}.key", f"'{section_key}' is used twice")
        seen.add(section_key)
        sections.append(
            Section(key=section_key, title=_text(entry, "title", where), questions=tuple(questions))
        )
    if total > MAX_QUESTIONS:
        raise _at("the tool", f"{total} questions; at most {MAX_QUESTIONS}")
    if not any(q.kind is Kind.GRADED for s in sections for q in s.questions):
        raise _at("the tool", "needs at least one graded question")
    return Tool(name=_text(top, "name", "the tool"), sections=tuple(sections))


def loads(text: str) -> Tool:
    """A tool from YAML text, through the strict loader (no anchors or aliases, no key twice)."""
    try:
        data = strict_yaml(text, noun="audit tool")
    except ModelError as error:
        raise ToolError(str(error)) from None
    return from_dict(data)


def to_dict(tool: Tool) -> dict[str, Any]:
    return {
        "name": tool.name,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "questions": [
                    {
                        "key": q.key,
                        "kind": q.kind.value,
                        "text": q.text,
                        **({"guidance": q.guidance} if q.guidance else {}),
                    }
                    for q in s.questions
                ],
            }
            for s in tool.sections
        ],
    }


def dumps(tool: Tool) -> str:
    return yaml.safe_dump(to_dict(tool), sort_keys=False, allow_unicode=True, width=96)


def default_tool_text() -> str:
    return resources.files("caseload_engine").joinpath("data/audit_tool.yaml").read_text("utf-8")


def default_tool() -> Tool:
    return loads(default_tool_text())


def check_answers(tool: Tool, answers: Mapping[str, object]) -> dict[str, object]:
    """The answers to keep: a grade (1-4) for each graded question, yes / no / n/a for each
    yes-no one, and text (may be empty) for free text. Raises ToolError naming the question."""
    kept: dict[str, object] = {}
    for question in tool.questions:
        value = answers.get(question.key)
        if question.kind is Kind.GRADED:
            if isinstance(value, bool) or value not in GRADES:
                raise ToolError(f"{question.key}: choose a grade for “{question.text}”")
            kept[question.key] = value
        elif question.kind is Kind.YES_NO:
            if value not in YES_NO_ANSWERS:
                raise ToolError(f"{question.key}: answer “{question.text}”")
            kept[question.key] = value
        else:
            kept[question.key] = str(value or "").strip()
    unknown = sorted(set(answers) - {q.key for q in tool.questions})
    if unknown:
        raise ToolError(f"{unknown[0]}: not a question of this tool")
    return kept


@dataclass(frozen=True)
class Agreement:
    """How often a moderator's grade agreed with the auditor's."""

    moderated: int
    exact: int
    within_one: int

    @property
    def exact_percent(self) -> int | None:
        return round(100 * self.exact / self.moderated) if self.moderated else None

    @property
    def within_one_percent(self) -> int | None:
        return round(100 * self.within_one / self.moderated) if self.moderated else None


def agreement(pairs: Sequence[tuple[int, int]]) -> Agreement:
    """(auditor's grade, moderator's grade) pairs: how many agree exactly and within one grade
    (exact agreement counts as within one)."""
    for pair in pairs:
        if any(isinstance(g, bool) or g not in GRADES for g in pair):
            raise ToolError(f"Not a pair of grades 1-4: {pair!r:.40}")
    return Agreement(
        moderated=len(pairs),
        exact=sum(1 for a, m in pairs if a == m),
        within_one=sum(1 for a, m in pairs if abs(a - m) <= 1),
    )
