"""Demo council load time, the weekly forecast job, and page times at council size, on a
throwaway SQLite database.

    .venv/bin/python bench/demo_load.py [--size council]

Prints absolute times and ratios against baselines measured in the same run: loading against
generating the same council in memory, and each page against the simplest list page.
The issue's target: the `council` size loads in under a minute.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="council", choices=["small", "council", "large"])
    parser.add_argument("--repeat", type=int, default=5, help="requests per page")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="caseload-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("CASELOAD_DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from caseload.accounts.models import User
    from caseload.annualreport.models import AnnualReport
    from caseload.audits.models import Audit, AuditStatus
    from caseload.demand.jobs import make_forecasts
    from caseload.demo_loader import load_demo_council
    from caseload.planning.models import WorkforcePlan
    from caseload.register.models import Case
    from caseload.safeguarding.models import Enquiry
    from caseload.supervision.models import Session
    from caseload_engine import demo, sac

    settings.ALLOWED_HOSTS.append("testserver")
    call_command("migrate", verbosity=0)
    as_of = timezone.localdate()

    started = time.perf_counter()
    council = demo.generate(args.size, seed=2026, as_of=as_of)
    generate_s = time.perf_counter() - started
    del council

    started = time.perf_counter()
    loaded = load_demo_council(size=args.size, seed=2026, as_of=as_of, password="bench-password")
    load_s = time.perf_counter() - started
    # The loader's objects stay alive in this process (a web worker never holds them): kept
    # out of the collector's way, so that its full passes over them are not counted as page time.
    gc.collect()
    gc.freeze()
    print(
        f"{args.size}: {loaded.teams} teams, {loaded.practitioners} practitioners, "
        f"{loaded.people} people, {loaded.cases} cases"
    )
    print(f"generate in memory (baseline) {generate_s:6.2f} s")
    print(f"generate + load into SQLite   {load_s:6.2f} s  = {load_s / generate_s:4.1f}x baseline")
    print(f"target: under 60 s -> {'met' if load_s < 60 else 'MISSED'}")

    started = time.perf_counter()
    forecast_teams = make_forecasts(on=as_of, refresh=True)
    forecast_s = time.perf_counter() - started
    print(f"forecasts (the weekly job): {forecast_teams} teams in {forecast_s:.1f} s")

    manager = User.objects.get(username="manager").practitioner
    practitioner = User.objects.get(username="practitioner").practitioner
    # The practitioner's case with the most contacts: the case page's longest log.
    contacted_case = (
        Case.objects.filter(allocations__practitioner=practitioner, allocations__ended_at=None)
        .annotate(logged=Count("contacts"))
        .latest("logged", "pk")
    )
    # The practitioner's session with the most case discussions: the session page's worst case.
    session = (
        Session.objects.filter(supervisee=practitioner)
        .annotate(discussed=Count("discussions"))
        .latest("discussed", "held_on", "pk")
    )
    # A completed audit with its answers: the audit and moderation pages' fullest case.
    audit = Audit.objects.filter(status=AuditStatus.COMPLETED).latest("pk")
    # The enquiry with the most strategy records; last financial year's SAC return; the
    # published annual report, the fullest.
    enquiry = Enquiry.objects.annotate(held=Count("strategy_records")).latest("held", "pk")
    sac_year = str(sac.year_of(as_of - timedelta(days=365)))
    report = AnnualReport.objects.latest("pk")
    pages = [
        ("director", "get", "/people/", None),
        ("director", "get", "/teams/", None),
        ("manager", "get", f"/teams/{manager.team_id}/", None),
        ("manager", "get", f"/teams/{manager.team_id}/waiting/", None),
        ("practitioner", "get", f"/practitioners/{practitioner.pk}/", None),
        ("practitioner", "get", "/people/", None),
        ("manager", "post", "/people/", {"q": "smith"}),
        ("director", "post", "/people/", {"q": "smith"}),
        ("manager", "get", f"/supervision/teams/{manager.team_id}/overdue/", None),
        ("psw", "get", "/supervision/compliance/", None),
        ("psw", "get", "/supervision/compliance/", {"by": "role", "months": "24"}),
        ("director", "get", "/supervision/compliance.csv", {"months": "24"}),
        ("practitioner", "get", f"/supervision/practitioners/{practitioner.pk}/", None),
        ("manager", "get", f"/supervision/practitioners/{practitioner.pk}/", None),
        ("practitioner", "get", f"/supervision/sessions/{session.pk}/", None),
        ("manager", "get", f"/supervision/sessions/{session.pk}/", None),
        ("practitioner", "get", "/supervision/actions/", None),
        ("manager", "get", "/supervision/actions/", None),
        ("psw", "get", "/supervision/policy/", None),
        ("practitioner", "get", f"/teams/{practitioner.team_id}/workload/", None),
        ("manager", "get", f"/teams/{manager.team_id}/workload/", None),
        ("manager", "get", f"/teams/{manager.team_id}/workload/", {"sort": "-utilisation"}),
        ("psw", "get", "/workload/escalations/", None),
        ("manager", "get", f"/teams/{manager.team_id}/cases/", {"show": "overdue"}),
        ("practitioner", "get", f"/cases/{contacted_case.pk}/", None),
        ("practitioner", "get", "/demand/", None),
        ("manager", "get", "/demand/", {"weeks": "104"}),
        ("psw", "get", "/demand/", None),
        ("psw", "get", "/demand/", {"team": str(manager.team_id)}),
        ("director", "get", "/demand/", {"weeks": "104"}),
        ("manager", "get", "/resource/", None),
        ("director", "get", "/resource/", None),
        ("psw", "get", "/health-check/", None),
        ("director", "get", "/health-check/", None),
        ("psw", "get", "/health-check/survey-rounds/", None),
        ("practitioner", "get", "/workload-survey/", None),
        ("director", "get", "/planning/", None),
        ("psw", "get", f"/planning/plans/{WorkforcePlan.objects.get().pk}/", None),
        ("psw", "get", "/audits/", None),
        ("psw", "get", "/audits/sample/", None),
        ("psw", "get", "/audits/sample/", {"month": f"{as_of:%Y-%m}", "tier": "3"}),
        ("psw", "get", "/audits/results/", None),
        ("psw", "get", "/audits/moderation/", None),
        ("director", "get", "/audits/results/", None),
        ("practitioner", "get", "/audits/", None),
        ("psw", "get", f"/audits/{audit.pk}/", None),
        ("psw", "get", f"/audits/{audit.pk}/moderate/", None),
        ("manager", "get", f"/supervision/practitioners/{practitioner.pk}/record/", None),
        ("manager", "get", "/safeguarding/concerns/", None),
        ("safeguarding", "get", "/safeguarding/enquiries/", None),
        ("safeguarding", "get", f"/safeguarding/enquiries/{enquiry.pk}/", None),
        ("safeguarding", "get", "/safeguarding/overdue/", None),
        ("safeguarding", "get", "/safeguarding-return/", None),
        ("psw", "get", "/safeguarding-return/", {"year": sac_year, "counts": "raw"}),
        ("psw", "get", "/safeguarding-quality/", None),
        ("psw", "get", "/incidents/", None),
        ("psw", "get", "/recommendations/", None),
        ("practitioner", "get", "/learning-briefs/", None),
        ("psw", "get", "/feedback/", None),
        ("psw", "get", "/learning/figures/", None),
        ("psw", "get", "/practice-framework/", None),
        ("psw", "get", "/annual-report/", None),
        ("psw", "get", f"/annual-report/{report.pk}/", None),
    ]
    timings: list[tuple[float, float]] = []
    for username, method, url, data in pages:
        client = Client()
        client.force_login(User.objects.get(username=username))
        samples = []
        # The first request warms the caches and is not counted.
        for _ in range(args.repeat + 1):
            t0 = time.perf_counter()
            response = getattr(client, method)(url, data or {})
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, (url, response.status_code)
        timings.append((statistics.median(samples[1:]), max(samples[1:])))
    baseline = timings[0][0]
    print(
        f"\npage median and slowest of {args.repeat} requests "
        "(baseline: director's people list; target: under 300 ms)"
    )
    for (username, method, url, data), (median, slowest) in zip(pages, timings, strict=True):
        label = f"{username} {method.upper()} {url}" + (f" {data}" if data else "")
        print(
            f"  {label:<64} {median * 1000:7.1f} ms = {median / baseline:5.1f}x baseline, "
            f"slowest {slowest * 1000:7.1f} ms"
        )
    slowest_page = max(slowest for _, slowest in timings)
    print(f"slowest request: {slowest_page * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
