"""The demo's weight tables: read from the data file, checked, and shared with the benchmark."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caseload_engine import demo_tables
from caseload_engine.allocation import instances
from caseload_engine.reference import SERVICE_AREA_CHOICES


def test_specialism_chances_follow_role_and_service_area_in_the_files_order() -> None:
    assert demo_tables.specialism_chances("advanced", "mental_health") == {
        "amhp": 0.45,
        "bia": 0.35,
        "practice_educator": 0.15,
        "mca_lead": 0.15,
        "safeguarding_lead": 0.15,
    }
    assert list(demo_tables.specialism_chances("experienced", "older_people")) == [
        "bia",
        "practice_educator",
    ]
    assert demo_tables.specialism_chances("experienced", "review") == {"practice_educator": 0.15}
    assert demo_tables.specialism_chances("principal_social_worker", None) == {
        "practice_educator": 1.0
    }
    assert demo_tables.specialism_chances("assistant", "mental_health") == {}


def test_every_per_area_table_covers_the_service_areas() -> None:
    areas = {code for code, _ in SERVICE_AREA_CHOICES}
    for table in (
        demo_tables.TIER_MIX,
        demo_tables.PRIMARY_SUPPORT_REASONS,
        demo_tables.ROUTES_OF_ACCESS,
        demo_tables.REQUEST_SOURCES,
        demo_tables.AGE_BANDS,
    ):
        assert set(table) == areas
    for bands in demo_tables.AGE_BANDS.values():
        assert sum(share for share, *_ in bands) == pytest.approx(1.0)


def test_the_benchmark_draws_from_the_demos_tables() -> None:
    intake = instances.weekly_intake(practitioners=120, cases=200)
    roles = {code for code, _ in demo_tables.CASE_HOLDER_ROLES}
    ftes = {Decimal(code) for code, _ in demo_tables.FTE}
    assert {p.role for p in intake.practitioners} <= roles
    assert {p.fte for p in intake.practitioners} <= ftes
