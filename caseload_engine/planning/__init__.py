"""Workforce planning (issue 13): how many practitioners of each role a council needs.

A scenario (scenario.py) gives demand by tier, case durations, the roles with their FTE and
capacity, attrition and recruitment, and a service level. From it: the steady state by
Little's law (steady.py), time to allocation for the given staffing by a discrete-event
simulation over replications (simulate.py), and the least-cost staffing that meets the service
level (search.py); report.py puts them together. Pure Python and numpy: no Django.
"""

from caseload_engine.planning.report import (
    TABLE_COLUMNS,
    Plan,
    as_json,
    make_plan,
    table_rows,
    text_lines,
)
from caseload_engine.planning.scenario import Scenario, ScenarioError, from_dict, loads, read_file
from caseload_engine.planning.search import Staffing, search_staffing
from caseload_engine.planning.simulate import Estimate, Replications, simulate

__all__ = [
    "TABLE_COLUMNS",
    "Estimate",
    "Plan",
    "Replications",
    "Scenario",
    "ScenarioError",
    "Staffing",
    "as_json",
    "from_dict",
    "loads",
    "make_plan",
    "read_file",
    "search_staffing",
    "simulate",
    "table_rows",
    "text_lines",
]
