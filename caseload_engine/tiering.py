"""Complexity tiers for a table of cases: one column per factor, each cell scored 1, 2 or 3.

The whole table is checked before anything is scored, so that one run tells the user every
problem to fix, by row and column; the caller writes output only when there are none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from caseload_engine.complexity import LEVELS, ComplexityModel, Factor, Scored, score
from caseload_engine.tabular import HEADER_ROW, Cell, Overlaid, Row, Table

OUTPUT_COLUMNS = ("total", "tier", "points")
_SCORES = {str(level): level for level in LEVELS}


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number; the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        return f'row {self.row}, column "{self.column}": {self.message}'


class RowErrors(ValueError):
    """Every problem found in a table, header first, then row by row, left to right."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the table")
        self.errors = tuple(errors)


@dataclass(frozen=True)
class ScoredRow:
    number: int
    scored: Scored
    values: Mapping[str, Cell]  # the row's cells, with total, tier and points filled in


def output_columns(table: Table) -> tuple[str, ...]:
    """The table's columns, then total, tier and points unless the table already has them."""
    added = [name for name in _output_names(table.columns).values() if name not in table.columns]
    return (*table.columns, *added)


def score_table(model: ComplexityModel, table: Table) -> list[ScoredRow]:
    """Every row scored under the model, or RowErrors listing all that is wrong."""
    columns, errors = _factor_columns(model, table.columns)
    checked: list[tuple[Row, dict[str, int]]] = []
    for row in table.rows:
        scores: dict[str, int] = {}
        for column, factor in columns.items():
            cell = row.values[column]
            if cell in _SCORES:
                scores[factor.key] = _SCORES[cell]
            else:
                shown = repr(cell) if cell else "blank"
                errors.append(
                    RowError(row.number, column, f"{factor.name} must be 1, 2 or 3, not {shown}")
                )
        checked.append((row, scores))
    if errors:
        raise RowErrors(errors)
    names = _output_names(table.columns)
    scored_rows = []
    for row, scores in checked:
        scored = score(model, scores)
        # Scores go back as numbers, so that a spreadsheet sums them rather than flagging text.
        numbers = {column: scores[factor.key] for column, factor in columns.items()}
        results = {"total": scored.total, "tier": scored.tier, "points": scored.points}
        filled = {names[name]: result for name, result in results.items()}
        values = Overlaid(row.values, {**numbers, **filled})
        scored_rows.append(ScoredRow(row.number, scored, values))
    return scored_rows


def _normal(name: str) -> str:
    return name.strip().casefold()


def _output_names(columns: Sequence[str]) -> dict[str, str]:
    """Where total, tier and points go: a column already named so (scoring a scored file
    again refreshes it rather than adding a second), or a new column."""
    existing = {_normal(column): column for column in columns}
    return {name: existing.get(name, name) for name in OUTPUT_COLUMNS}


def _factor_columns(
    model: ComplexityModel, columns: Sequence[str]
) -> tuple[dict[str, Factor], list[RowError]]:
    """Each factor's column, in the table's order, matched by the factor's name or key."""
    found: dict[str, Factor] = {}
    errors: list[RowError] = []
    for factor in model.factors:
        wanted = {_normal(factor.name), _normal(factor.key)}
        matches = [column for column in columns if _normal(column) in wanted]
        if not matches:
            errors.append(
                RowError(
                    HEADER_ROW,
                    factor.name,
                    f"No column for {factor.name}: add a column headed '{factor.name}'",
                )
            )
        elif len(matches) > 1:
            errors.append(
                RowError(
                    HEADER_ROW,
                    matches[1],
                    f"Columns '{matches[0]}' and '{matches[1]}' both hold {factor.name}: keep one",
                )
            )
        elif matches[0] in found:
            # One factor's name may be another's key; their scores must not mix.
            errors.append(
                RowError(
                    HEADER_ROW,
                    matches[0],
                    f"'{matches[0]}' matches two factors of the model, "
                    f"'{found[matches[0]].key}' and '{factor.key}'",
                )
            )
        else:
            found[matches[0]] = factor
    ordered = sorted(found.items(), key=lambda item: columns.index(item[0]))
    return dict(ordered), errors
