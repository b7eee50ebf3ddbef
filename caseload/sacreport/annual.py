"""The safeguarding section of the principal social worker's annual report: the period's
headline figures in words, and the SAC tables they come from (small numbers suppressed, as the
report may be published)."""

from __future__ import annotations

from datetime import date

from caseload.sacreport import records
from caseload.ui.report import ReportSection, ReportTable, count_of, long_date
from caseload_engine import sac

TABLES = ("enquiries_started", "msp_asked", "msp_achieved", "risk_outcome")


def _share(count: int, whole: int) -> str:
    return "none to count" if whole == 0 else f"{round(100 * count / whole)}%"


def _cell(table: sac.Table, row: str) -> int:
    return dict(table.rows)[row][0]


def annual_section(*, start: date, end: date) -> ReportSection:
    """The annual report's safeguarding section for start to end, both days included."""
    period = sac.Period(start, end)
    concerns = records.concern_records(year=period)
    built = {
        table.key: table
        for table in sac.tables(
            enquiries=records.enquiry_records(year=period), concerns=concerns, year=period
        )
    }
    decided = [c for c in concerns if c.decision]
    section_42 = sum(c.decision == "section_42" for c in decided)
    started = built["enquiries_started"]
    asked_table = built["msp_asked"]
    concluded = _cell(asked_table, sac.TOTAL)
    asked = _cell(asked_table, "Yes, they were asked and outcomes were expressed") + _cell(
        asked_table, "Yes, they were asked but no outcomes were expressed"
    )
    achieved_table = built["msp_achieved"]
    expressed = _cell(achieved_table, sac.TOTAL)
    achieved = _cell(achieved_table, "Fully achieved") + _cell(achieved_table, "Partially achieved")
    outcome_table = built["risk_outcome"]
    outcomes = _cell(outcome_table, sac.TOTAL) - _cell(outcome_table, sac.NOT_RECORDED)
    reduced = _cell(outcome_table, "Risk reduced") + _cell(outcome_table, "Risk removed")
    section_42_started = _cell(started, "Section 42 enquiry")
    other_started = _cell(started, "Other enquiry")
    paragraphs = [
        f"From {long_date(start)} to {long_date(end)} the council received "
        f"{count_of(len(concerns), 'safeguarding concern', 'safeguarding concerns')} and started "
        f"{count_of(section_42_started, 'Section 42 enquiry', 'Section 42 enquiries')} and "
        f"{count_of(other_started, 'other enquiry', 'other enquiries')}. Of "
        f"the concerns decided, {_share(section_42, len(decided))} led to a Section 42 enquiry.",
        f"{count_of(concluded, 'Section 42 enquiry was', 'Section 42 enquiries were')} concluded. "
        "Making Safeguarding Personal: the person was asked their desired outcomes in "
        f"{_share(asked, concluded)}; where they expressed outcomes, these were fully or partly "
        f"achieved in {_share(achieved, expressed)}.",
        "Where a risk was identified, or could not be ruled out, and action was taken, the risk "
        f"was reduced or removed in {_share(reduced, outcomes)} of the enquiries with an "
        "outcome recorded.",
        "In the tables, counts from 1 to 4, and counts that would let one be worked out, are "
        "shown as *, as in the published Safeguarding Adults Collection.",
    ]
    tables: list[ReportTable] = []
    for key in TABLES:
        shown = sac.publish(built[key])
        tables.append(
            {
                "caption": shown.title,
                "headers": [shown.row_heading, *shown.columns],
                "rows": [[label, *(str(cell) for cell in cells)] for label, cells in shown.rows],
            }
        )
    return {
        "title": "Safeguarding adults and Making Safeguarding Personal",
        "paragraphs": paragraphs,
        "tables": tables,
    }
