"""The chart component: a spec checked as it is built, and a partial holding its data as JSON
(never as markup) beside a text alternative anyone can read."""

from __future__ import annotations

import json
import re

import pytest
from django.template.loader import render_to_string

from caseload.ui.charts import ChartSpec, Series


def forecast_chart() -> ChartSpec:
    return ChartSpec(
        kind="line",
        title="Requests per week </figure><script>alert(1)</script>",
        labels=["5 Jan", "12 Jan", "19 Jan"],
        series=[
            Series("Requests", [12, None, 15]),
            Series(
                "Forecast",
                [None, 14.5, 16.0],
                lower=[None, 11.0, 12.5],
                upper=[None, 18.0, 19.5],
                band_name="80% interval",
            ),
        ],
        y_label="Requests",
        summary="Requests are forecast to rise to 16 a week by 19 January.",
    )


def test_the_partial_holds_the_data_as_json_and_the_summary_as_text() -> None:
    html = render_to_string("ui/chart.html", {"chart": forecast_chart()})
    found = re.search(r'<script type="application/json">(.*?)</script>', html, re.DOTALL)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["kind"] == "line"
    assert (data["yLabel"], data["yMax"], data["ySuffix"]) == ("Requests", None, "")
    assert data["stacked"] is False
    assert data["labels"] == ["5 Jan", "12 Jan", "19 Jan"]
    requests, predicted = data["series"]
    assert requests["values"] == [12, None, 15]
    assert requests["lower"] is None
    assert (predicted["lower"], predicted["upper"]) == ([None, 11.0, 12.5], [None, 18.0, 19.5])
    assert predicted["bandName"] == "80% interval"
    assert requests["colour"] != predicted["colour"]
    assert requests["dash"] != predicted["dash"]  # told apart in grey print too
    assert "Requests are forecast to rise to 16 a week by 19 January." in html
    assert '<canvas aria-hidden="true">' in html  # the summary and the table speak for it
    assert "data-caseload-chart" in html
    assert "<script>alert" not in html  # the title is escaped


def test_the_scripts_partial_loads_chart_js_from_our_own_static_files() -> None:
    html = render_to_string("ui/chart_scripts.html")
    assert '<script src="/static/chart.umd.min.js" defer></script>' in html
    assert '<script src="/static/caseload/charts.js" defer></script>' in html


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (Series("A", [1, 2]), "A: 2 values for 3 labels"),
        (Series("B", [1, 2, 3], lower=[0, 1, 2], upper=[1, 2]), "B: 2 values for 3 labels"),
    ],
)
def test_a_series_must_have_a_value_per_label(series: Series, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ChartSpec("line", "T", ["a", "b", "c"], [series], "y", "s")


def test_a_band_needs_both_edges_and_values_must_be_finite() -> None:
    with pytest.raises(ValueError, match="both lower and upper"):
        Series("A", [1], lower=[0])
    with pytest.raises(ValueError, match="finite"):
        Series("A", [float("nan")])
    with pytest.raises(ValueError, match="finite"):
        Series("A", [1], lower=[0], upper=[float("inf")])
