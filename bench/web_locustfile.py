"""Simulated users for bench/web_load.py, one class per role: run by locust, not imported by it.

The plan (JSON, path in BENCH_PLAN) names the accounts and the records each one opens; every
simulated user takes the next account of its role, as no two may share a time-based code. Each
signs in through the real form (and the code step where the role needs it). Statistics start
once every user has signed in, so that the password hashing of the sign-ins is not counted in
the pages, and the run stops BENCH_SECONDS later; the figures go to BENCH_RESULT (JSON).
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import gevent
from django_otp.oath import totp
from locust import HttpUser, between, events, task
from locust.clients import ResponseContextManager
from locust.env import Environment

PLAN: dict[str, Any] = json.loads(Path(os.environ["BENCH_PLAN"]).read_text())
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
RESULT = Path(os.environ["BENCH_RESULT"])
WAIT = (float(os.environ["BENCH_WAIT_MIN"]), float(os.environ["BENCH_WAIT_MAX"]))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HEALTH = "/health/"

_next_account: dict[str, Iterator[int]] = {}
_signed_in = 0
_measuring: dict[str, float] = {}


def _account(role: str) -> dict[str, Any]:
    accounts: list[dict[str, Any]] = PLAN[role]
    index = next(_next_account.setdefault(role, count()))
    return accounts[index % len(accounts)]


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token in the page")
    return found.group(1)


class CaseloadUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        self.account = _account(self.role)
        self.token = self.sign_in()
        global _signed_in
        _signed_in += 1
        runner = self.environment.runner
        if runner is not None and _signed_in == runner.target_user_count:
            _start_measuring(self.environment)

    def sign_in(self) -> str:
        """Signs in through the form as a browser would; returns a CSRF token for later posts."""
        page = self.client.get("/sign-in/", name="sign-in")
        form = {"username": self.account["username"], "password": self.account["password"]}
        page = self.client.post(
            "/sign-in/", data={**form, "csrfmiddlewaretoken": _csrf(page.text)}, name="sign-in"
        )
        if "totp_key" in self.account:
            # Sign-in rotates the CSRF token: the code form carries the new one.
            code = totp(bytes.fromhex(self.account["totp_key"]), drift=0)
            page = self.client.post(
                page.url or "/sign-in/code/",
                data={"code": f"{code:06d}", "csrfmiddlewaretoken": _csrf(page.text)},
                name="sign-in code",
            )
        if page.url is None or "/sign-in/" in page.url:
            raise RuntimeError(f"{self.account['username']} could not sign in")
        return _csrf(page.text)

    def page(self, url: str, name: str, data: dict[str, str] | None = None) -> None:
        method = "POST" if data is not None else "GET"
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.token}
        with self.client.request(method, url, data=data, name=name, catch_response=True) as got:
            _check(got)

    @task(1)
    def health(self) -> None:
        """The baseline: the cheapest response, under the same load."""
        self.client.get(HEALTH, name=HEALTH)


def _check(got: ResponseContextManager) -> None:
    problem = None
    if got.status_code != 200:
        problem = f"status {got.status_code}"
    elif got.url is not None and "/sign-in/" in got.url:
        problem = "sent back to sign-in"
    if problem is not None:
        got.failure(problem)  # type: ignore[no-untyped-call]  # unannotated in locust


class Practitioner(CaseloadUser):
    role = "practitioners"

    @task(3)
    def caseload(self) -> None:
        self.page(f"/practitioners/{self.account['me']}/", "practitioner: own caseload")

    @task(2)
    def waiting(self) -> None:
        self.page(f"/teams/{self.account['team']}/waiting/", "practitioner: team waiting list")

    @task(3)
    def person(self) -> None:
        person = random.choice(self.account["people"])
        self.page(f"/people/{person}/", "practitioner: person page")

    @task(3)
    def case(self) -> None:
        self.page(f"/cases/{random.choice(self.account['cases'])}/", "practitioner: case page")

    @task(2)
    def search(self) -> None:
        name = random.choice(PLAN["surnames"])
        self.page("/people/", "practitioner: people search (POST)", {"q": name})


class TeamManager(CaseloadUser):
    role = "managers"

    @task(3)
    def team(self) -> None:
        self.page(f"/teams/{self.account['team']}/", "manager: team page")

    @task(3)
    def waiting(self) -> None:
        self.page(f"/teams/{self.account['team']}/waiting/", "manager: waiting list")

    @task(2)
    def meeting(self) -> None:
        self.page(f"/teams/{self.account['team']}/allocation/", "manager: allocation meeting")


class Leader(CaseloadUser):
    """The principal social worker and directors: every team, read-only."""

    role = "leaders"

    @task(2)
    def teams(self) -> None:
        self.page("/teams/", "psw/director: teams list")

    @task(3)
    def team(self) -> None:
        self.page(f"/teams/{random.choice(PLAN['teams'])}/", "psw/director: team page")


Practitioner.fixed_count = int(PLAN["counts"]["practitioners"])
TeamManager.fixed_count = int(PLAN["counts"]["managers"])
Leader.fixed_count = int(PLAN["counts"]["leaders"])


def _start_measuring(environment: Environment) -> None:
    environment.stats.reset_all()
    _measuring["started"] = time.time()
    runner = environment.runner
    if runner is not None:
        gevent.spawn_later(SECONDS, runner.quit)


def _write_result(environment: Environment, **_: object) -> None:
    if "started" not in _measuring:
        RESULT.write_text(json.dumps({"error": f"only {_signed_in} users signed in"}))
        return
    entries = [
        {
            "name": entry.name,
            "method": entry.method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            # Locust's histogram: milliseconds, rounded (to 10 ms above 100 ms, 100 above 1 s).
            "response_times": {str(ms): n for ms, n in sorted(entry.response_times.items())},
            "max": entry.max_response_time,
        }
        for entry in environment.stats.entries.values()
    ]
    seconds = time.time() - _measuring["started"]
    errors = [
        {"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
        for error in environment.stats.errors.values()
    ]
    RESULT.write_text(json.dumps({"seconds": seconds, "entries": entries, "errors": errors}))


events.test_stop.add_listener(_write_result)  # type: ignore[no-untyped-call]  # unannotated
