"""How long the demand page takes on a loaded database, per persona and filter.

    DATABASE_URL=sqlite:////tmp/council.sqlite3 CASELOAD_SECRET_KEY=x \\
        .venv/bin/python bench/demand_pages.py [--runs 7] [--forecast]

Expects the `council` demo already loaded (`caseload demo --size council`) into that database.
With --forecast it first makes the forecasts (the weekly job) and prints how long that took.
Each page is asked for once to warm up, then --runs times, in process through Django's test
client (no network, no server): prints the median and slowest time and the query count. The
issue's target: each page under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 300
# The demo's logins, and the filters each asks with (empty: the page as it first opens).
PAGES: dict[str, list[dict[str, str]]] = {
    "practitioner": [{}],
    "manager": [{}, {"tier": "2"}, {"weeks": "104"}],
    "psw": [{}, {"team": "first"}, {"route": "discharge_from_hospital"}, {"weeks": "104"}],
    "director": [{}, {"team": "first", "tier": "3"}],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--forecast", action="store_true", help="make the forecasts first")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from caseload.accounts.models import User
    from caseload.demand.access import demand_teams_for
    from caseload.demand.jobs import make_forecasts
    from caseload.security.two_factor import authenticator_for, requires_second_factor

    setup_test_environment()
    if args.forecast:
        started = time.perf_counter()
        teams = make_forecasts(on=timezone.localdate(), refresh=True)
        print(f"forecasts: {teams} teams in {time.perf_counter() - started:.1f} s")
    worst = 0.0
    for username, queries in PAGES.items():
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        if requires_second_factor(user):
            device = authenticator_for(user) or TOTPDevice.objects.create(
                user=user, name="bench", confirmed=True
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        first_team = demand_teams_for(user).first()
        for query in queries:
            params = {
                key: str(first_team.pk) if value == "first" and first_team else value
                for key, value in query.items()
            }
            assert client.get(reverse("demand"), params).status_code == 200
            times = []
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as counted:
                    started = time.perf_counter()
                    response = client.get(reverse("demand"), params)
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            worst = max(worst, statistics.median(times))
            label = f"{username} {query or '(as it opens)'}"
            print(
                f"{label:<60} median {statistics.median(times):6.0f} ms  "
                f"max {max(times):6.0f} ms  {len(counted.captured_queries)} queries"
            )
    print(f"slowest median {worst:.0f} ms (target {TARGET_MS} ms)")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
