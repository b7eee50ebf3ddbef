"""The SAC tables from records: hand-worked small examples, suppression, and properties."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseload_engine import sac
from caseload_engine import safeguarding_reference as ref

YEAR = sac.financial_year("2025-26")


def enquiry(number: int, **changes: object) -> sac.EnquiryRecord:
    base = sac.EnquiryRecord(
        enquiry_id=number,
        person_id=number,
        kind="section_42",
        criteria=dict.fromkeys(sac.CRITERIA_KEYS, True),
        started_on=date(2025, 5, 1),
        concluded_on=date(2025, 7, 1),
        lead_role="social_worker",
        types_of_risk=("physical",),
        location_of_risk="own_home",
        source_of_risk="other_known",
        msp_asked="asked_expressed",
        msp_achieved="fully",
        action_and_result="risk_identified_action",
        risk_outcome="reduced",
        lacked_capacity=False,
        support=None,
        age_band="65-74",
        sex="female",
        ethnicity="white",
        primary_support_reason="physical_personal_care",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def concern(number: int, received_on: date) -> sac.ConcernRecord:
    return sac.ConcernRecord(number, number, received_on, "section_42")


def by_key(built: list[sac.Table]) -> dict[str, sac.Table]:
    return {table.key: table for table in built}


def cell(table: sac.Table, row: str, column: int = 0) -> int:
    return dict(table.rows)[row][column]


# -- the year ----------------------------------------------------------------------------------


def test_a_financial_year_runs_april_to_march() -> None:
    assert (YEAR.start, YEAR.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert str(YEAR) == "2025-26"
    assert str(sac.financial_year("2098-99")) == "2098-99"
    assert sac.year_of(date(2026, 3, 31)) == YEAR
    assert sac.year_of(date(2026, 4, 1)) == sac.financial_year("2026-27")


def test_non_ascii_digits_read_as_what_they_are() -> None:
    assert sac.financial_year("\uff12\uff10\uff12\uff15-\uff12\uff16")  # fullwidth == YEAR


@pytest.mark.parametrize(
    "text", ["2025", "2025-27", "2025/26", "25-26", "", "2025-26x", "¹2025-26"]
)
def test_other_years_are_refused_with_the_text_quoted(text: str) -> None:
    with pytest.raises(sac.RecordError, match="not a financial year like 2025-26"):
        sac.financial_year(text)


# -- hand-worked tables ------------------------------------------------------------------------


def test_a_small_year_worked_by_hand() -> None:
    records = [
        # Person 1: two Section 42 enquiries in the year, counted once, at the first.
        enquiry(1, person_id=1, age_band="65-74", started_on=date(2025, 4, 1)),
        enquiry(
            2,
            person_id=1,
            age_band="75-84",
            started_on=date(2025, 9, 1),
            concluded_on=None,
            types_of_risk=("financial_or_material", "psychological"),
        ),
        # Person 2: an other enquiry; concluded, but only Section 42 conclusions are counted.
        enquiry(3, person_id=2, kind="other", age_band="85-94", sex="male"),
        # Person 3: two types of risk, a care home, a provider, lacked capacity with an advocate.
        enquiry(
            4,
            person_id=3,
            types_of_risk=("neglect_and_acts_of_omission", "physical"),
            location_of_risk="care_home_residential",
            source_of_risk="service_provider",
            lacked_capacity=True,
            support="advocate",
            msp_asked="not_asked",
            msp_achieved=None,
            action_and_result="no_risk_no_action",
            risk_outcome=None,
        ),
        # Started last year, concluded this year: in the conclusions, not in the starts.
        enquiry(5, person_id=4, started_on=date(2025, 3, 31), concluded_on=date(2026, 3, 31)),
        # Started and concluded next year: nowhere.
        enquiry(6, person_id=5, started_on=date(2026, 4, 1), concluded_on=date(2026, 4, 2)),
    ]
    concerns = [
        concern(1, date(2025, 3, 31)),
        concern(2, date(2025, 4, 1)),
        concern(3, date(2026, 3, 31)),
    ]
    tables = by_key(sac.tables(enquiries=records, concerns=concerns, year=YEAR))
    assert cell(tables["concerns"], "Concerns received") == 2
    started = tables["enquiries_started"]
    assert cell(started, "Section 42 enquiry") == 3  # enquiries 1, 2, 4
    assert cell(started, "Other enquiry") == 1
    assert cell(started, "Total") == 4
    ages = tables["individuals_by_age_band"]
    assert dict(ages.rows)["65-74"] == (2, 0)  # persons 1 (first enquiry) and 3
    assert dict(ages.rows)["75-84"] == (0, 0)
    assert dict(ages.rows)["85-94"] == (0, 1)
    assert dict(ages.rows)["Total"] == (2, 1)
    assert dict(tables["individuals_by_sex"].rows)["Male"] == (0, 1)
    types = tables["type_of_risk"]
    # Concluded Section 42: enquiries 1, 4, 5. Columns: provider, known, unknown, total.
    assert dict(types.rows)["Physical abuse"] == (1, 2, 0, 3)
    assert dict(types.rows)["Neglect and acts of omission"] == (1, 0, 0, 1)
    assert dict(types.rows)["Financial or material abuse"] == (0, 0, 0, 0)
    assert dict(types.rows)["Concluded Section 42 enquiries"] == (1, 2, 0, 3)
    locations = tables["location_of_risk"]
    assert dict(locations.rows)["Own home"] == (0, 2, 0, 2)
    assert dict(locations.rows)["Care home - residential"] == (1, 0, 0, 1)
    assert dict(locations.rows)["Total"] == (1, 2, 0, 3)
    assert cell(tables["action_and_result"], "Risk identified and action taken") == 2
    assert cell(tables["action_and_result"], "No risk identified and no action taken") == 1
    assert cell(tables["risk_outcome"], "Risk reduced") == 2
    assert cell(tables["risk_outcome"], "Total") == 2  # not the no-risk enquiry
    assert cell(tables["msp_asked"], "No, they were not asked") == 1
    assert cell(tables["msp_achieved"], "Fully achieved") == 2
    assert cell(tables["msp_achieved"], "Total") == 2
    assert cell(tables["mental_capacity"], "Lacked capacity") == 1
    assert cell(tables["mental_capacity"], "Did not lack capacity") == 2
    assert cell(tables["support"], "An advocate") == 1
    assert cell(tables["support"], "Total") == 1


def test_unrecorded_answers_are_counted_as_not_recorded() -> None:
    records = [enquiry(1, lacked_capacity=None, action_and_result=None, risk_outcome=None)]
    tables = by_key(sac.tables(enquiries=records, concerns=[], year=YEAR))
    assert cell(tables["mental_capacity"], sac.NOT_RECORDED) == 1
    assert cell(tables["action_and_result"], sac.NOT_RECORDED) == 1


# -- suppression by hand -----------------------------------------------------------------------


def column(key: str, counts: list[int]) -> sac.Table:
    rows = [(f"r{n}", (count,)) for n, count in enumerate(counts)]
    rows.append(("Total", (sum(counts),)))
    return sac.Table(key, key, "row", ("n",), tuple(rows), column_total=True)


def shown(table: sac.Table) -> list[sac.Cell]:
    return [cells[0] for _, cells in sac.publish(table).rows]


def test_counts_from_one_to_four_are_suppressed_zeros_are_not() -> None:
    assert shown(column("a", [0, 1, 4, 5, 20])) == [0, "*", "*", 5, 20, 30]


def test_a_lone_small_count_takes_the_next_smallest_with_it() -> None:
    # 3 alone could be worked out as 40 - 12 - 25: the 12 is hidden too.
    assert shown(column("a", [3, 12, 25])) == ["*", "*", 25, 40]


def test_two_ones_would_be_known_from_their_sum_so_a_third_is_hidden() -> None:
    # Hidden 1 and 1 add to 2: two hidden cells of at least 1 each must both be 1.
    assert shown(column("a", [1, 1, 10, 30])) == ["*", "*", "*", 30, 42]


def test_a_lone_small_count_among_zeros_hides_the_total() -> None:
    assert shown(column("a", [0, 2, 0])) == [0, "*", 0, "*"]


def test_a_single_figure_table_hides_a_small_count() -> None:
    table = sac.Table("c", "c", "row", ("n",), (("Concerns received", (3,)),))
    assert shown(table) == ["*"]


def test_a_two_way_table_is_protected_in_both_directions() -> None:
    # Rows add to their totals, columns to theirs.
    grid = [[2, 10, 12], [8, 9, 17], [10, 19, 29]]
    table = sac.Table(
        "t",
        "t",
        "row",
        ("a", "b", "Total"),
        tuple((f"r{n}", tuple(row)) for n, row in enumerate(grid)),
        row_total=True,
        column_total=True,
    )
    published = [cells for _, cells in sac.publish(table).rows]
    hidden = {(r, c) for r, row in enumerate(published) for c, x in enumerate(row) if x == "*"}
    # The 2 is hidden, with its row partner and column partner, and their corner.
    assert hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
    value = {(r, c): grid[r][c] for r in range(3) for c in range(3)}
    assert not sac.derivable(table.lines(), value, hidden)


# -- properties --------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=12)


@st.composite
def grids(draw: st.DrawFn) -> sac.Table:
    height = draw(st.integers(min_value=1, max_value=5))
    width = draw(st.integers(min_value=1, max_value=4))
    parts = [[draw(counts) for _ in range(width)] for _ in range(height)]
    row_total = draw(st.booleans())
    column_total = draw(st.booleans())
    rows = [[*row, sum(row)] if row_total else row for row in parts]
    if column_total:
        rows.append([sum(col) for col in zip(*rows, strict=True)])
    names = tuple(f"c{n}" for n in range(len(rows[0])))
    return sac.Table(
        "g",
        "g",
        "row",
        names,
        tuple((f"r{n}", tuple(row)) for n, row in enumerate(rows)),
        row_total=row_total,
        column_total=column_total,
    )


@settings(max_examples=150, deadline=None)
@given(grids())
def test_no_suppressed_cell_can_be_worked_out(table: sac.Table) -> None:
    published = sac.publish(table)
    value = {(r, c): x for r, (_, cells) in enumerate(table.rows) for c, x in enumerate(cells)}
    hidden = {
        (r, c)
        for r, (_, cells) in enumerate(published.rows)
        for c, x in enumerate(cells)
        if x == sac.SUPPRESSED
    }
    # Every small count hidden; every count shown is the true one.
    assert {cell for cell, x in value.items() if 0 < x < 5} <= hidden
    for (r, c), x in value.items():
        if (r, c) not in hidden:
            assert published.rows[r][1][c] == x
    assert not sac.derivable(table.lines(), value, hidden)
    for parts, total in table.lines():
        unknown = [cell for cell in [*parts, total] if cell in hidden]
        assert len(unknown) != 1
        if unknown and total not in hidden:
            assert sum(value[cell] for cell in unknown) > len(unknown)


kinds = st.sampled_from(["section_42", "other"])
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 30))


@st.composite
def records(draw: st.DrawFn) -> sac.EnquiryRecord:
    number = draw(st.integers(min_value=1, max_value=10_000))
    started = draw(days)
    return enquiry(
        number,
        person_id=draw(st.integers(min_value=1, max_value=8)),
        kind=draw(kinds),
        started_on=started,
        concluded_on=draw(st.none() | st.dates(min_value=started, max_value=date(2026, 6, 30))),
        types_of_risk=tuple(
            draw(st.sets(st.sampled_from(ref.codes(ref.TYPE_OF_RISK_CHOICES)), max_size=3))
        ),
        location_of_risk=draw(st.sampled_from(ref.codes(ref.LOCATION_OF_RISK_CHOICES))),
        source_of_risk=draw(st.sampled_from(ref.codes(ref.SOURCE_OF_RISK_CHOICES))),
        age_band=draw(st.sampled_from(ref.codes(ref.AGE_BAND_CHOICES))),
        action_and_result=draw(st.sampled_from(ref.codes(ref.ACTION_AND_RESULT_CHOICES))),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(records(), max_size=30, unique_by=lambda r: r.enquiry_id))
def test_totals_equal_the_records_counted(enquiries: list[sac.EnquiryRecord]) -> None:
    tables = by_key(sac.tables(enquiries=enquiries, concerns=[], year=YEAR))
    started = [r for r in enquiries if YEAR.holds(r.started_on)]
    concluded = [r for r in enquiries if r.kind == "section_42" and YEAR.holds(r.concluded_on)]
    assert cell(tables["enquiries_started"], "Total") == len(started)
    for kind, position in (("section_42", 0), ("other", 1)):
        people = {r.person_id for r in started if r.kind == kind}
        for key in ("age_band", "sex", "ethnicity", "primary_support_reason"):
            assert cell(tables[f"individuals_by_{key}"], "Total", position) == len(people)
    assert cell(tables["location_of_risk"], "Total", 3) == len(concluded)
    assert cell(tables["action_and_result"], "Total") == len(concluded)
    assert cell(tables["msp_asked"], "Total") == len(concluded)
    for table in tables.values():
        for parts, total in table.lines():
            rows = [cells for _, cells in table.rows]
            assert sum(rows[r][c] for r, c in parts) == rows[total[0]][total[1]]
    # Type of risk: one count per type an enquiry holds.
    type_cells = sum(cells[3] for label, cells in tables["type_of_risk"].rows[:-1])
    assert type_cells == sum(len(r.types_of_risk) for r in concluded)


@settings(max_examples=40, deadline=None)
@given(st.lists(records(), max_size=20, unique_by=lambda r: r.enquiry_id))
def test_the_export_reads_back_to_the_same_records(enquiries: list[sac.EnquiryRecord]) -> None:
    exported = json.loads(json.dumps([r.as_json() for r in enquiries]))
    assert sac.enquiries_from_json(exported) == enquiries


def test_a_bad_record_is_refused_naming_it_and_the_field() -> None:
    good = enquiry(1).as_json()
    with pytest.raises(sac.RecordError, match="enquiry 2: msp_asked"):
        sac.enquiries_from_json([good, {**good, "msp_asked": "maybe"}])
    with pytest.raises(sac.RecordError, match="enquiry 1: no 'kind'"):
        sac.enquiries_from_json([{k: v for k, v in good.items() if k != "kind"}])
    with pytest.raises(sac.RecordError, match="enquiry 1: started_on"):
        sac.enquiries_from_json([{**good, "started_on": "2025-02-30"}])
    with pytest.raises(sac.RecordError, match="enquiry 1: enquiry_id"):
        sac.enquiries_from_json([{**good, "enquiry_id": True}])
