"""The main pages under concurrent simulated users: gunicorn and PostgreSQL, `council` demo.

    .venv/bin/python bench/web_load.py [--server postgres://postgres@127.0.0.1:5432]
        [--database bench_web] [--reuse] [--users 50] [--runs 3] [--seconds 60] [--workers N]

Loads the council demo (some 35,000 people, 40,800 cases) into a fresh database (with --reuse,
keeps one already loaded), migrates, collects the static files, and serves it with gunicorn
under the production settings, over plain HTTP on 127.0.0.1. Then locust (bench/web_locustfile.py)
runs the users headless, 70% practitioners, 20% team managers, 10% the principal social worker
and directors, each signed in through the real form, the code step included: the setup gives
the load accounts a password and the managers and leaders an authenticator (TOTP) device. Each
user waits 1-3 s between pages, as a person reading them would (--wait 0 0: none, to find
the most the server answers). Every run starts counting once
all users have signed in and counts for --seconds.

Prints, per page: requests, median, 95th and 99th percentiles, max and failures over all runs;
overall (pages only) 95th percentile and requests per second, with their spread over the runs;
and each page's 95th percentile against the baseline measured in the same runs: /health/, which
every user also asks for now and then, so that the ratio leaves out queueing that every request
shares. The issue's target: 95th percentile of the pages under 300 ms. JSON in bench/out/.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 300
HEALTH = "/health/"
LOCUSTFILE = ROOT / "bench" / "web_locustfile.py"
OUT = ROOT / "bench" / "out"
PASSWORD = "bench-load-password-2026"  # noqa: S105 - synthetic accounts in a throwaway database
SEED = 2026
QUIET_WAIT_S = 15 * 60
QUIET_CHECK_S = 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="bench_web")
    parser.add_argument("--reuse", action="store_true", help="keep the database if loaded")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--wait",
        type=float,
        nargs=2,
        default=[1.0, 3.0],
        metavar=("MIN", "MAX"),
        help="seconds each user waits between pages (0 0: as fast as the server answers)",
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--no-wait", action="store_true", help="don't wait for a quiet machine")
    args = parser.parse_args()

    database_url = on_database(args.server, args.database)
    args.port = args.port or free_port()
    env = production_env(database_url, args.port)
    os.environ.update(env)
    prepare_database(args.server, args.database, reuse=args.reuse)
    plan = make_plan(args.users)
    workdir = Path(tempfile.mkdtemp(prefix="caseload-web-load-"))
    plan_path = workdir / "plan.json"
    plan_path.write_text(json.dumps(plan))

    if not args.no_wait:
        wait_for_quiet()
    OUT.mkdir(exist_ok=True)
    runs: list[dict[str, Any]] = []
    with gunicorn(env, args.port, args.workers, workdir):
        for number in range(1, args.runs + 1):
            reset_sign_in_state()
            result = run_locust(args, plan_path, workdir / f"run{number}.json")
            runs.append(result)
            summary = run_summary(result)
            print(
                f"run {number}: p95 {summary['p95']:.0f} ms, {summary['rps']:.1f} requests/s "
                f"(pages), {summary['failures']} failures",
                flush=True,
            )
    report = make_report(args, runs)
    print_report(report)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = OUT / f"web_load-{stamp}.json"
    target.write_text(json.dumps(report, indent=2))
    print(f"\nwritten: {target.relative_to(ROOT)}")
    return 0


def on_database(server: str, name: str) -> str:
    """The server's URL (with or without a database in it) on database `name`."""
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def free_port() -> int:
    # A port no server holds now, so that the health check can only reach ours.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_env(database_url: str, port: int) -> dict[str, str]:
    """The production settings, over plain HTTP on this machine (no TLS proxy in front)."""
    return {
        "DJANGO_SETTINGS_MODULE": "caseload.settings",
        "DATABASE_URL": database_url,
        "CASELOAD_DEBUG": "false",
        "CASELOAD_SECRET_KEY": secrets.token_urlsafe(64),
        "CASELOAD_ALLOWED_HOSTS": "127.0.0.1",
        "CASELOAD_SECURE_SSL_REDIRECT": "false",
        "CASELOAD_SECURE_COOKIES": "false",
        "CASELOAD_HSTS_SECONDS": "0",
        "CASELOAD_STATIC_MANIFEST": "true",
        "CASELOAD_BASE_URL": f"http://127.0.0.1:{port}",
        "CASELOAD_LOG_LEVEL": "WARNING",
    }


def prepare_database(server: str, name: str, *, reuse: bool) -> None:
    import psycopg

    with psycopg.connect(on_database(server, "postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            admin.execute(f'CREATE DATABASE "{name}"')

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from caseload.demo_loader import load_demo_council
    from caseload.register.models import Team

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if reuse and Team.objects.exists():
        print("council demo already loaded: reused")
        return
    started = time.perf_counter()
    loaded = load_demo_council(
        size="council", seed=SEED, as_of=timezone.localdate(), password=PASSWORD
    )
    print(
        f"council demo loaded in {time.perf_counter() - started:.1f} s: {loaded.teams} teams, "
        f"{loaded.people} people, {loaded.cases} cases",
        flush=True,
    )


def make_plan(users: int) -> dict[str, Any]:
    """The load accounts, what each opens, and how many users of each role.

    Accounts get a known password and, for the roles that need the code step, a fresh
    authenticator device whose key the simulated user holds.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from caseload.accounts.models import AccessRole, User
    from caseload.register.models import Allocation, Person, Team

    managers = max(1, round(users * 0.2))
    leaders = max(1, round(users * 0.1))
    counts = {"practitioners": users - managers - leaders, "managers": managers, "leaders": leaders}
    hashed = make_password(PASSWORD)

    held: dict[int, list[tuple[int, int]]] = {}
    for practitioner_id, case_id, person_id in Allocation.objects.filter(
        ended_at__isnull=True,
        practitioner__user__access_role=AccessRole.PRACTITIONER,
        case__status="allocated",
    ).values_list("practitioner_id", "case_id", "case__person_id"):
        held.setdefault(practitioner_id, []).append((case_id, person_id))
    front_line = list(
        User.objects.filter(
            access_role=AccessRole.PRACTITIONER, practitioner__pk__in=list(held)
        ).values_list("pk", "username", "practitioner__pk", "practitioner__team_id")
    )
    front_line.sort(key=lambda row: (row[2] % 7, row[2]))  # a spread over the teams
    if len(front_line) < counts["practitioners"]:
        raise SystemExit(f"only {len(front_line)} practitioners hold cases")
    manager_rows = list(
        User.objects.filter(
            access_role=AccessRole.TEAM_MANAGER, practitioner__team__isnull=False
        ).values_list("pk", "username", "practitioner__team_id")
    )[:managers]

    with transaction.atomic():
        leader_users = list(
            User.objects.filter(
                access_role__in=[AccessRole.PRINCIPAL_SOCIAL_WORKER, AccessRole.DIRECTOR]
            ).order_by("pk")
        )
        # The demo has one principal social worker and one director; more directors for load.
        for number in range(len(leader_users), leaders):
            leader_users.append(
                User.objects.get_or_create(
                    username=f"bench-director-{number}",
                    defaults={"access_role": AccessRole.DIRECTOR, "last_name": "Bench"},
                )[0]
            )
        leader_users = leader_users[:leaders]
        practitioner_rows = front_line[: counts["practitioners"]]
        two_step = [pk for pk, _, _ in manager_rows] + [user.pk for user in leader_users]
        User.objects.filter(pk__in=[row[0] for row in practitioner_rows] + two_step).update(
            password=hashed
        )
        TOTPDevice.objects.filter(user_id__in=two_step).delete()
        devices = {
            device.user_id: device.key
            for device in TOTPDevice.objects.bulk_create(
                TOTPDevice(user_id=pk, name="Authenticator app", confirmed=True) for pk in two_step
            )
        }

    surnames = [
        name
        for name, _ in Counter(Person.objects.values_list("family_name", flat=True)).most_common(
            200
        )
    ]
    return {
        "counts": counts,
        "surnames": surnames,
        "teams": list(Team.objects.values_list("pk", flat=True)),
        "practitioners": [
            {
                "username": username,
                "password": PASSWORD,
                "me": practitioner_id,
                "team": team_id,
                "cases": [case for case, _ in held[practitioner_id]][:20],
                "people": [person for _, person in held[practitioner_id]][:20],
            }
            for _, username, practitioner_id, team_id in practitioner_rows
        ],
        "managers": [
            {"username": u, "password": PASSWORD, "totp_key": devices[pk], "team": team}
            for pk, u, team in manager_rows
        ],
        "leaders": [
            {"username": user.username, "password": PASSWORD, "totp_key": devices[user.pk]}
            for user in leader_users
        ],
    }


def reset_sign_in_state() -> None:
    """Before each run: no lockout left over, and every device takes the current time step's
    code again (a code works once, and the last run signed in with some)."""
    from axes.models import AccessAttempt, AccessFailureLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from caseload.security.models import WrongCodes

    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()
    WrongCodes.objects.all().delete()
    TOTPDevice.objects.update(last_t=-1)


def wait_for_quiet() -> None:
    """The lead may be running the test suite: the figures mean nothing while it does."""
    waited = 0
    while _busy():
        if waited >= QUIET_WAIT_S:
            print("WARNING: pytest still running after 15 minutes; measuring anyway", flush=True)
            return
        print("pytest is running; waiting for a quiet machine", flush=True)
        time.sleep(QUIET_CHECK_S)
        waited += QUIET_CHECK_S


def _busy() -> bool:
    # Fixed arguments, found on the PATH (S607).
    found = subprocess.run(
        ["pgrep", "-f", "pytest"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return bool(found.stdout.strip())


class gunicorn:
    def __init__(self, env: dict[str, str], port: int, workers: int, workdir: Path) -> None:
        self.command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "caseload.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--chdir={ROOT}",
        ]
        self.env = {**os.environ, **env}
        self.url = f"http://127.0.0.1:{port}"
        self.log = workdir / "gunicorn.log"

    def __enter__(self) -> gunicorn:
        with self.log.open("w") as log:
            # Our own interpreter's commands: no untrusted input (S603).
            self.process = subprocess.Popen(  # noqa: S603
                self.command, env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped: see {self.log}")
            try:
                with urllib.request.urlopen(self.url + HEALTH, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer within 60 s: see {self.log}")

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def run_locust(args: argparse.Namespace, plan: Path, result: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "BENCH_PLAN": str(plan),
        "BENCH_RESULT": str(result),
        "BENCH_SECONDS": str(args.seconds),
        "BENCH_WAIT_MIN": str(args.wait[0]),
        "BENCH_WAIT_MAX": str(args.wait[1]),
    }
    # The run stops itself --seconds after the last sign-in; the run time is only a backstop.
    backstop = math.ceil(args.seconds + args.users / args.spawn_rate + 120)
    command = [
        str(Path(sys.executable).with_name("locust")),
        f"--locustfile={LOCUSTFILE}",
        "--headless",
        f"--host=http://127.0.0.1:{args.port}",
        f"--users={args.users}",
        f"--spawn-rate={args.spawn_rate}",
        f"--run-time={backstop}s",
        "--loglevel=WARNING",
        "--exit-code-on-error=0",
    ]
    log = result.with_suffix(".log")
    with log.open("w") as output:
        subprocess.run(command, env=env, check=False, stdout=output, stderr=output)  # noqa: S603
    if not result.exists():
        raise SystemExit(f"locust wrote no result: see {log}")
    data: dict[str, Any] = json.loads(result.read_text())
    if "error" in data:
        raise SystemExit(f"locust run failed: {data['error']}; see {log}")
    # The sign-in requests were counted before the statistics were reset: none are left.
    data["entries"] = [entry for entry in data["entries"] if entry["requests"]]
    return data


def percentile(histogram: Counter[int], fraction: float) -> float:
    """The smallest time at or under which `fraction` of the requests took (nearest rank)."""
    total = sum(histogram.values())
    if total == 0:
        return 0.0
    rank = math.ceil(fraction * total)
    seen = 0
    for ms in sorted(histogram):
        seen += histogram[ms]
        if seen >= rank:
            return float(ms)
    return float(max(histogram))


def _histogram(entry: dict[str, Any]) -> Counter[int]:
    return Counter({int(ms): n for ms, n in entry["response_times"].items()})


def _is_page(entry: dict[str, Any]) -> bool:
    return bool(entry["name"] != HEALTH)


def run_summary(run: dict[str, Any]) -> dict[str, float]:
    pages = [entry for entry in run["entries"] if _is_page(entry)]
    histogram: Counter[int] = sum((_histogram(entry) for entry in pages), Counter())
    requests = sum(entry["requests"] for entry in pages)
    return {
        "p95": percentile(histogram, 0.95),
        "rps": requests / run["seconds"],
        "failures": sum(entry["failures"] for entry in pages),
    }


def page_row(name: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    histogram: Counter[int] = sum((_histogram(entry) for entry in entries), Counter())
    return {
        "page": name,
        "requests": sum(entry["requests"] for entry in entries),
        "median_ms": percentile(histogram, 0.5),
        "p95_ms": percentile(histogram, 0.95),
        "p99_ms": percentile(histogram, 0.99),
        "max_ms": max(entry["max"] for entry in entries),
        "failures": sum(entry["failures"] for entry in entries),
    }


def make_report(args: argparse.Namespace, runs: list[dict[str, Any]]) -> dict[str, Any]:
    by_name: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        for entry in run["entries"]:
            by_name.setdefault(entry["name"], []).append(entry)
    pages = [page_row(name, by_name[name]) for name in sorted(by_name) if name != HEALTH]
    health = page_row(HEALTH, by_name.get(HEALTH, []))
    all_pages = [entry for name in by_name if name != HEALTH for entry in by_name[name]]
    overall = page_row("all pages", all_pages)
    for row in [*pages, overall]:
        row["p95_vs_health"] = row["p95_ms"] / health["p95_ms"] if health["p95_ms"] else None
    summaries = [run_summary(run) for run in runs]
    seconds = sum(run["seconds"] for run in runs)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": {
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "runs": args.runs,
            "seconds_per_run": args.seconds,
            "gunicorn_workers": args.workers,
            "cores": os.cpu_count(),
            "wait_between_pages_s": args.wait,
            "database": "PostgreSQL, council demo",
        },
        "pages": pages,
        "health": health,
        "overall": {**overall, "rps": overall["requests"] / seconds},
        "runs": summaries,
        "spread": {
            "p95_ms": [min(s["p95"] for s in summaries), max(s["p95"] for s in summaries)],
            "rps": [min(s["rps"] for s in summaries), max(s["rps"] for s in summaries)],
        },
        "target_p95_ms": TARGET_MS,
        "met": overall["p95_ms"] < TARGET_MS and all(r["p95_ms"] < TARGET_MS for r in pages),
        "errors": [error for run in runs for error in run["errors"]],
    }


def print_report(report: dict[str, Any]) -> None:
    setup = report["setup"]
    print(
        f"\n{setup['users']} users, {setup['runs']} runs of {setup['seconds_per_run']:.0f} s, "
        f"{setup['wait_between_pages_s'][0]:g}-{setup['wait_between_pages_s'][1]:g} s between "
        f"pages, gunicorn {setup['gunicorn_workers']} workers on {setup['cores']} cores; "
        "times in ms over all runs; baseline: /health/ under the same load"
    )
    header = f"{'page':<40} {'reqs':>6} {'median':>7} {'p95':>6} {'p99':>6} {'max':>6} {'fail':>5}"
    print(f"{header} {'p95/health':>10}")
    for row in [*report["pages"], report["health"], report["overall"]]:
        ratio = row.get("p95_vs_health")
        shown = f"{ratio:9.1f}x" if ratio is not None else f"{'-':>10}"
        print(
            f"{row['page']:<40} {row['requests']:>6} {row['median_ms']:>7.0f} "
            f"{row['p95_ms']:>6.0f} {row['p99_ms']:>6.0f} {row['max_ms']:>6.0f} "
            f"{row['failures']:>5} {shown}"
        )
    spread = report["spread"]
    print(
        f"\noverall (pages): p95 {report['overall']['p95_ms']:.0f} ms, "
        f"{report['overall']['rps']:.1f} requests/s; over the runs p95 "
        f"{spread['p95_ms'][0]:.0f}-{spread['p95_ms'][1]:.0f} ms, "
        f"{spread['rps'][0]:.1f}-{spread['rps'][1]:.1f} requests/s"
    )
    verdict = "MET" if report["met"] else "MISSED"
    print(f"target: p95 under {report['target_p95_ms']} ms on every page -> {verdict}")
    for error in report["errors"]:
        print(f"  error: {error['name']}: {error['error']} x{error['occurrences']}")


if __name__ == "__main__":
    sys.exit(main())
