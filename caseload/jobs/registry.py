"""The kinds of background job. Each app registers its own (the allocation proposal, the daily
run; later forecasts, simulations, reports) with `@job_kind("key")`, and the one task that runs
every job (`caseload.jobs.tasks.run_job`) looks the kind up here.

A kind's runner gets the job (who started it, its parameters: ids and dates only) and a way to
report progress; it reads what it needs afresh, does the work, and returns what it produced. To
fail with a message for the user it raises `ActionRefused`; anything else is logged with its
traceback and the user is told only that it went wrong."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from caseload.jobs.models import Job

# Percent done (0-100) and what is happening now, in words for the user.
ReportProgress = Callable[[int, str], None]


@dataclass(frozen=True)
class Outcome:
    """What a job produced: a sentence, and a page in the site to see it on."""

    summary: str = ""
    url: str = ""
    label: str = ""


Runner = Callable[["Job", ReportProgress], Outcome]


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str
    run: Runner
    # When done, the job page sends the user straight on to what the job produced.
    redirect_when_done: bool
    # Run once a day by `caseload daily` (cron), for the day, by nobody in particular.
    daily: bool


_KINDS: dict[str, JobKind] = {}


def job_kind(
    key: str, *, label: str, redirect_when_done: bool = False, daily: bool = False
) -> Callable[[Runner], Runner]:
    """Register the decorated function as the runner of jobs of this kind. A daily kind's job
    has the day as its one parameter, `{"on": "2026-12-01"}`."""

    def register(run: Runner) -> Runner:
        known = _KINDS.get(key)
        if known is not None and known.run is not run:
            raise ImproperlyConfigured(f"Two kinds of job are registered as {key!r}")
        _KINDS[key] = JobKind(
            key=key, label=label, run=run, redirect_when_done=redirect_when_done, daily=daily
        )
        return run

    return register


def find(key: str) -> JobKind | None:
    return _KINDS.get(key)


def daily() -> list[JobKind]:
    """The daily kinds, in the order their apps registered them."""
    return [kind for kind in _KINDS.values() if kind.daily]
