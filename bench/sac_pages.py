"""The SAC report and the safeguarding quality pages at council size, on a throwaway SQLite
database: the `council` demo (a year of safeguarding records at the national rate) and, with
`--extra-days`, more synthetic concerns and enquiries on top at the issue's rate for a large
council (4,200 concerns and about 1,200 Section 42 enquiries a year): twice the load, and the
two years the quality view's repeat enquiries look back over.

    .venv/bin/python bench/sac_pages.py [--repeat 7] [--extra-days 730]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CONCERNS_A_YEAR = 4200
SECTION_42_SHARE = 0.29  # 1,200 of 4,200
OTHER_SHARE = 0.07


def seed_safeguarding(days: int, rng: random.Random) -> int:
    """Concerns every day for `days` days to yesterday, decided, their enquiries concluded
    (or open, if recent): written in bulk, as a benchmark's fixture, not through the actions."""
    from django.utils import timezone

    from caseload.accounts.models import User
    from caseload.register.models import Person, Team
    from caseload.safeguarding.models import Concern, ConcernRiskType, Enquiry
    from caseload_engine import safeguarding_reference as ref
    from caseload_engine.reference import Choices

    def pick(choices: Choices) -> str:
        return rng.choice(ref.codes(choices))

    teams = list(Team.objects.values_list("pk", flat=True))
    people = list(Person.objects.values_list("pk", flat=True))
    decider = User.objects.get(username="manager")
    now = timezone.now()
    concerns = []
    for day in range(days, 0, -1):
        for _ in range(rng.randint(8, 15)):
            received = now - timedelta(days=day, minutes=rng.randint(0, 600))
            roll = rng.random()
            decision = (
                ref.SECTION_42
                if roll < SECTION_42_SHARE
                else ref.OTHER_ENQUIRY
                if roll < SECTION_42_SHARE + OTHER_SHARE
                else ref.NO_FURTHER_ACTION
            )
            met = decision == ref.SECTION_42
            concerns.append(
                Concern(
                    person_id=rng.choice(people),
                    team_id=rng.choice(teams),
                    received_at=received,
                    source=pick(ref.CONCERN_SOURCE_CHOICES),
                    route=pick(ref.CONCERN_ROUTE_CHOICES),
                    summary="Synthetic concern",
                    location_of_risk=pick(ref.LOCATION_OF_RISK_CHOICES),
                    source_of_risk=pick(ref.SOURCE_OF_RISK_CHOICES),
                    recorded_by=decider,
                    decision_due_on=timezone.localdate(received) + timedelta(days=2),
                    criterion_care_and_support_needs=True,
                    criterion_abuse_or_neglect=True,
                    criterion_unable_to_protect=met,
                    decision=decision,
                    decided_at=received + timedelta(days=rng.choice([0, 1, 2, 3, 5])),
                    decided_by=decider,
                    decision_reason="" if met else "Synthetic reason",
                )
            )
    created = Concern.objects.bulk_create(concerns, batch_size=500)  # with their keys
    ConcernRiskType.objects.bulk_create(
        [
            ConcernRiskType(concern=c, code=code)
            for c in created
            for code in rng.sample(ref.codes(ref.TYPE_OF_RISK_CHOICES), rng.choice([1, 1, 2]))
        ],
        batch_size=1000,
    )
    enquiries = []
    for concern in created:
        if concern.decision == ref.NO_FURTHER_ACTION:
            continue
        started = timezone.localdate(concern.decided_at)
        concluded = started + timedelta(days=rng.randint(10, 120))
        done = concluded < timezone.localdate()
        asked = rng.choice(
            ref.codes(ref.MSP_ASKED_CHOICES)[:3] * 3 + ref.codes(ref.MSP_ASKED_CHOICES)
        )
        result = pick(ref.ACTION_AND_RESULT_CHOICES) if done else ""
        enquiries.append(
            Enquiry(
                concern=concern,
                person_id=concern.person_id,
                team_id=concern.team_id,
                kind="section_42" if concern.decision == ref.SECTION_42 else "other",
                status="awaiting_sign_off" if done else "open",
                started_on=started,
                strategy_due_on=started + timedelta(days=7),
                outcomes_due_on=started + timedelta(days=7),
                plan_due_on=started + timedelta(days=28),
                conclusion_due_on=started + timedelta(days=84),
                msp_asked=asked,
                desired_outcomes="Synthetic outcomes" if asked == ref.MSP_ASKED_EXPRESSED else "",
                outcomes_not_asked_reason="" if asked == ref.MSP_ASKED_EXPRESSED else "Synthetic",
                lacked_capacity=rng.random() < 0.3,
                support=pick(ref.SUPPORT_CHOICES),
                concluded_on=concluded if done else None,
                action_and_result=result,
                risk_outcome=pick(ref.RISK_OUTCOME_CHOICES)
                if result in ref.RESULTS_WITH_RISK
                else "",
                msp_achieved=pick(ref.MSP_ACHIEVED_CHOICES)
                if done and asked == ref.MSP_ASKED_EXPRESSED
                else "",
            )
        )
    Enquiry.objects.bulk_create(enquiries, batch_size=500)
    return len(created)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7, help="requests per page")
    parser.add_argument(
        "--extra-days", type=int, default=0, help="days of synthetic records to add, to yesterday"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="caseload-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("CASELOAD_DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from caseload.accounts.models import User
    from caseload.demo_loader import load_demo_council
    from caseload.safeguarding.models import Concern, Enquiry
    from caseload_engine import sac

    settings.ALLOWED_HOSTS.append("testserver")
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    load_demo_council(size="council", seed=2026, as_of=today, password="bench-password")
    if args.extra_days:
        seed_safeguarding(args.extra_days, random.Random(2026))
    gc.collect()
    gc.freeze()  # the loader's objects: a web worker holds none (see bench/demo_load.py)
    print(f"{Concern.objects.count()} concerns, {Enquiry.objects.count()} enquiries")
    year = str(sac.year_of(today))
    last_year = str(sac.FinancialYear(sac.year_of(today).first - 1))
    month = f"{today:%Y-%m}"
    pages = [
        ("/safeguarding-return/", {"year": year}),
        ("/safeguarding-return/", {"year": last_year}),
        ("/safeguarding-return/download/", {"year": last_year, "format": "xlsx"}),
        ("/safeguarding-quality/", None),
        ("/safeguarding-quality/", {"month": month, "size": "20", "seed": "42"}),
    ]
    client = Client()
    client.force_login(User.objects.get(username="psw"))
    slowest_all = 0.0
    # Wall time, and this process's CPU time: on a machine shared with other work the wall
    # time includes waiting for a core, which the CPU time does not.
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for url, data in pages:
        samples, cpu = [], []
        for _ in range(args.repeat + 1):  # the first warms the caches and is not counted
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url, data or {})
            samples.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            assert response.status_code == 200, (url, response.status_code)
        median, slowest = statistics.median(samples[1:]), max(samples[1:])
        slowest_all = max(slowest_all, slowest)
        print(
            f"  {url} {data or ''}: median {median * 1000:.0f} ms, slowest "
            f"{slowest * 1000:.0f} ms; CPU median {statistics.median(cpu[1:]) * 1000:.0f} ms"
        )
    print(f"slowest request: {slowest_all * 1000:.0f} ms (target: under 300 ms)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
