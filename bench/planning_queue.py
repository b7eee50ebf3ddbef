"""Planning every council on the task queue: `caseload plan-councils` queues one
`workforce_plan` job per council, and database task workers (`caseload manage db_worker`) run
them, as they would on any number of machines sharing the database.

    .venv/bin/python bench/planning_queue.py [--count 153] [--workers 2] [--runs 3]
        [--database-url URL]

Each run queues the councils (the worked example scaled to each council's size, 200
replications each, as bench/planning.py's --councils), starts the workers, and times from the
workers' start until every job has finished; then stops the workers. A throwaway SQLite file
by default (WAL: the workers and the queue share it); --database-url for PostgreSQL (the
database must exist and be empty: it is migrated). Prints each run's wall time and, over the
jobs, the median and worst time a plan took on its worker.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASELOAD = str(ROOT / ".venv" / "bin" / "caseload")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=153)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    args = parser.parse_args()
    url = args.database_url or (
        f"sqlite:///{Path(tempfile.mkdtemp(prefix='caseload-queue-')) / 'queue.sqlite3'}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CASELOAD_DEBUG": "true",
        "CASELOAD_SECRET_KEY": os.environ.get("CASELOAD_SECRET_KEY", "bench"),
        "CASELOAD_TASK_BACKEND": "database",
        "DJANGO_SETTINGS_MODULE": "caseload.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    # Our own commands, with fixed arguments: no untrusted input (S603).
    subprocess.run([CASELOAD, "manage", "migrate", "--verbosity", "0"], env=env, check=True)  # noqa: S603
    import django

    django.setup()
    from django.db.models import F

    from caseload.jobs.models import Job

    walls = []
    for run in range(1, args.runs + 1):
        first = (Job.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        command = [CASELOAD, "plan-councils", "--count", str(args.count)]
        subprocess.run(command, env=env, check=True)  # noqa: S603
        jobs = Job.objects.filter(pk__gte=first, kind="workforce_plan")
        started = time.perf_counter()
        workers = [
            subprocess.Popen(  # noqa: S603
                [
                    CASELOAD,
                    "manage",
                    "db_worker",
                    "--no-startup-delay",
                    "--no-reload",
                    "--verbosity",
                    "0",
                ],
                env=env,
                start_new_session=True,
            )
            for _ in range(args.workers)
        ]
        try:
            while jobs.exclude(status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]).exists():
                time.sleep(0.5)
            wall = time.perf_counter() - started
        finally:
            for worker in workers:
                os.killpg(worker.pid, signal.SIGTERM)
            for worker in workers:
                worker.wait()
        failed = jobs.filter(status=Job.Status.FAILED).count()
        each = [
            taken.total_seconds()
            for taken in jobs.annotate(taken=F("finished_at") - F("started_at")).values_list(
                "taken", flat=True
            )
        ]
        walls.append(wall)
        print(
            f"run {run}: {args.count} council plans on {args.workers} workers in {wall:.1f} s "
            f"({failed} failed); a plan took median {statistics.median(each):.2f} s, worst "
            f"{max(each):.2f} s on its worker"
        )
    print(
        f"{args.runs} runs: median {statistics.median(walls):.1f} s, worst {max(walls):.1f} s "
        f"for {args.count} plans on {args.workers} workers"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
