"""Workforce planning: the vectorised simulation against a straightforward SimPy model, same run.

    .venv/bin/python bench/planning.py [--scenario FILE] [--runs N] [--simpy-replications N]
        [--short N] [--councils N [--processes N]]

The scenario (default: the worked example, caseload_engine/data/plan-example.yaml) is a council
five-year plan: about 13,600 requests a year in three tiers, three roles with leavers, vacancies
and a September intake, 200 replications. Targets (issue 13): the engine's plan in at most 5 s,
at least 10 times faster than the SimPy model of the same scenario, and the two models' results
within each other's confidence intervals.

The SimPy model follows the engine's documented model event by event, one replication at a
time: a process per tier makes Poisson arrivals (thinned for seasonality and growth), each case
is an object in its tier's waiting line, each allocated case is a process that holds its points
for its duration, a process per role makes leavers and refills posts, and an allocation process
runs the rounds. It is timed over --simpy-replications (default 40, under a second each: 200
would take minutes) and its time for the scenario's replications is that, scaled; pass
--simpy-replications 200 to time it in full. The engine is timed over --runs runs (median and
worst), each a whole plan: the steady state and every replication. The same council a few
social workers short (--short) is compared too, so that agreement is checked where cases wait.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import statistics
import sys
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from caseload_engine import planning
from caseload_engine.planning import variants
from caseload_engine.planning.scenario import DAYS_IN_WEEK, WEEKS_IN_YEAR, Scenario
from caseload_engine.planning.simulate import DAYS_IN_YEAR, Estimate, Replications, weekly_rates

EXAMPLE = Path(__file__).resolve().parents[1] / "caseload_engine" / "data" / "plan-example.yaml"
TIER_MEASURES = ("open_cases", "waiting_cases", "wait_days", "p_wait", "within_target")


@dataclass
class Case:
    tier: int
    arrived: int  # the round it arrived in


@dataclass
class Replication:
    """One SimPy replication of a scenario: time is in rounds (round d is [d, d + 1); its
    allocation happens at d + 1)."""

    scenario: Scenario
    rng: np.random.Generator
    env: simpy.Environment = field(default_factory=simpy.Environment)

    def __post_init__(self) -> None:
        scenario = self.scenario
        self.per_week = DAYS_IN_WEEK * scenario.allocation_rounds_per_day
        self.warm = scenario.warm_up_weeks * self.per_week
        self.waiting: list[deque[Case]] = [deque() for _ in scenario.tiers]
        self.fte = [role.fte for role in scenario.roles]
        self.used = [0.0 for _ in scenario.roles]
        self.held = [0 for _ in scenario.tiers]
        self.held_area = [0.0 for _ in scenario.tiers]  # held cases x rounds, after warm-up
        self.last_change = 0.0
        self.waiting_seen = [0 for _ in scenario.tiers]
        self.used_seen = [0.0 for _ in scenario.roles]
        self.capacity_seen = [0.0 for _ in scenario.roles]
        self.waits: list[list[tuple[int, int | None]]] = [[] for _ in scenario.tiers]
        self.order = [
            (tier_index, role_index)
            for tier_index in sorted(
                range(len(scenario.tiers)), key=lambda index: -scenario.tiers[index].tier
            )
            for role_index in sorted(
                (
                    i
                    for i, r in enumerate(scenario.roles)
                    if scenario.tiers[tier_index].tier in r.may_hold
                ),
                key=lambda i: (
                    len(scenario.roles[i].may_hold),
                    scenario.roles[i].cost_per_point,
                    i,
                ),
            )
        ]

    def run(self) -> None:
        for index in range(len(self.scenario.tiers)):
            self.env.process(self.arrivals(index))
        for index, role in enumerate(self.scenario.roles):
            if role.leavers_per_year > 0:
                self.env.process(self.leavers(index))
            if role.september_intake > 0 or role.progresses_to is not None:
                self.env.process(self.intake(index))
        self.env.process(self.rounds())
        self.env.run(until=self.scenario.steps + 1e-6)
        for index, line in enumerate(self.waiting):
            self.waits[index].extend((case.arrived, None) for case in line)

    def rate(self, index: int, at: float) -> float:
        """New cases of the tier per round at time `at`."""
        week = np.array([at / self.per_week])
        return float(weekly_rates(self.scenario.tiers[index], week)[0]) / self.per_week

    def arrivals(self, index: int) -> simpy.events.ProcessGenerator:
        tier = self.scenario.tiers[index]
        top = max(tier.arrivals_per_week) * tier.share_becoming_cases
        top *= max(1.0, (1 + tier.growth) ** (self.scenario.weeks / WEEKS_IN_YEAR))
        top /= self.per_week
        if top <= 0:
            return
        while True:
            yield self.env.timeout(self.rng.exponential(1 / top))
            if self.rng.random() * top < self.rate(index, self.env.now):
                self.waiting[index].append(Case(index, int(self.env.now)))

    def leavers(self, index: int) -> simpy.events.ProcessGenerator:
        role = self.scenario.roles[index]
        per_round = role.leavers_per_year / WEEKS_IN_YEAR / self.per_week
        while True:
            yield self.env.timeout(self.rng.exponential(1 / per_round))
            self.fte[index] -= 1
            self.env.process(self.refill(index, role.weeks_to_fill * self.per_week))

    def refill(self, index: int, after: float) -> simpy.events.ProcessGenerator:
        yield self.env.timeout(round(after))
        self.fte[index] += 1

    def intake(self, index: int) -> simpy.events.ProcessGenerator:
        rounds_per_day = self.scenario.allocation_rounds_per_day
        first = ((9 - self.scenario.start_month) % 12 or 12) * DAYS_IN_YEAR / 12
        day = first
        role = self.scenario.roles[index]
        names = [other.role for other in self.scenario.roles]
        moving = role.fte  # those in post at the start: the last intake
        while True:
            yield self.env.timeout(int(day * rounds_per_day) - self.env.now)
            if role.progresses_to is not None:
                self.fte[index] -= moving
                self.fte[names.index(role.progresses_to)] += moving
                moving = role.september_intake
            self.fte[index] += role.september_intake
            day += DAYS_IN_YEAR

    def capacity(self, index: int) -> float:
        role = self.scenario.roles[index]
        return role.capacity_points_per_fte * max(self.fte[index], 0.0)

    def count_held(self, change: int, tier: int) -> None:
        now = min(self.env.now, self.scenario.steps)
        start = max(self.last_change, self.warm)
        if now > start:
            for index, held in enumerate(self.held):
                self.held_area[index] += held * (now - start)
        self.last_change = now
        self.held[tier] += change

    def hold(self, case: Case, role: int, points: int) -> simpy.events.ProcessGenerator:
        self.count_held(1, case.tier)
        yield self.env.timeout(self.duration(case.tier))
        self.used[role] -= points
        self.count_held(-1, case.tier)

    def duration(self, index: int) -> float:
        duration = self.scenario.tiers[index].duration_weeks
        if duration.distribution == "exponential":
            weeks = self.rng.exponential(duration.mean)
        elif duration.distribution == "lognormal":
            sigma2 = math.log1p((duration.sd / duration.mean) ** 2)
            weeks = self.rng.lognormal(math.log(duration.mean) - sigma2 / 2, math.sqrt(sigma2))
        else:
            weeks = self.rng.choice(duration.weeks) + self.rng.uniform(-0.5, 0.5) / self.per_week
        return float(max(weeks * self.per_week, 0.0))

    def rounds(self) -> simpy.events.ProcessGenerator:
        for step in range(self.scenario.steps):
            yield self.env.timeout(step + 1 - self.env.now)
            for tier_index, role_index in self.order:
                points = self.scenario.tiers[tier_index].points
                line = self.waiting[tier_index]
                while line and self.capacity(role_index) - self.used[role_index] >= points:
                    case = line.popleft()
                    self.used[role_index] += points
                    self.waits[tier_index].append((case.arrived, step))
                    self.env.process(self.hold(case, role_index, points))
            if step >= self.warm:
                for index, line in enumerate(self.waiting):
                    self.waiting_seen[index] += len(line)
                for index in range(len(self.scenario.roles)):
                    self.used_seen[index] += self.used[index]
                    self.capacity_seen[index] += self.capacity(index)

    def results(self) -> dict[str, list[float]]:
        scenario = self.scenario
        steps = scenario.steps
        measured = steps - self.warm
        target = scenario.service_level.within_days * scenario.allocation_rounds_per_day
        self.count_held(0, 0)
        found: dict[str, list[float]] = {key: [] for key in TIER_MEASURES}
        for index in range(len(scenario.tiers)):
            cases = [(a, s) for a, s in self.waits[index] if a >= self.warm]
            waited = [(s if s is not None else steps) - a for a, s in cases]
            judged = [(a, s) for a, s in cases if a < steps - target]
            on_time = sum(1 for a, s in judged if s is not None and s - a <= target)
            found["open_cases"].append(self.held_area[index] / measured)
            found["waiting_cases"].append(self.waiting_seen[index] / measured)
            rounds_per_day = scenario.allocation_rounds_per_day
            found["wait_days"].append(sum(waited) / rounds_per_day / len(cases) if cases else 0.0)
            found["p_wait"].append(sum(1 for w in waited if w > 0) / len(cases) if cases else 0.0)
            found["within_target"].append(on_time / len(judged) if judged else 1.0)
        found["utilisation"] = [
            used / capacity if capacity else 0.0
            for used, capacity in zip(self.used_seen, self.capacity_seen, strict=True)
        ]
        return found


def simpy_model(scenario: Scenario, replications: int, seed: int) -> dict[str, np.ndarray]:
    runs = []
    for replication in range(replications):
        model = Replication(scenario, np.random.default_rng([seed, replication]))
        model.run()
        runs.append(model.results())
    return {key: np.array([run[key] for run in runs]) for key in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", type=Path, default=EXAMPLE)
    parser.add_argument("--runs", type=int, default=5, help="engine runs to time")
    parser.add_argument("--simpy-replications", type=int, default=40)
    parser.add_argument(
        "--councils",
        type=int,
        default=0,
        help="also plan this many councils (153: England's), one scenario each, over "
        "--processes worker processes (default 0: not)",
    )
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--short",
        type=int,
        default=6,
        help="also compare the same council this many FTE short in its last role, where "
        "cases wait (0: not)",
    )
    args = parser.parse_args()
    scenario = planning.read_file(args.scenario)
    compare(scenario, args.scenario.name, args)
    if args.short:
        last = scenario.roles[-1]
        fewer = replace(last, fte=max(last.fte - args.short, 0))
        short = replace(scenario, roles=(*scenario.roles[:-1], fewer))
        compare(short, f"{args.scenario.name}, {args.short} {last.role} FTE short", args)
    if args.councils:
        plan_councils(scenario, args.councils, args.processes)
    return 0


def plan_councils(scenario: Scenario, count: int, processes: int) -> None:
    """Every council's plan, as the task queue's workers would run them (`caseload
    plan-councils`; bench/planning_queue.py runs them on the queue itself): the example scaled
    to each council's size (demand and establishment alike; sizes lognormal, median the
    example's), one plan a task, spread over worker processes."""
    councils = variants.councils(scenario, count)
    sizes = [
        council.tiers[0].arrivals_per_week[0] / scenario.tiers[0].arrivals_per_week[0]
        for council in councils
    ]
    started = time.perf_counter()
    with multiprocessing.Pool(processes) as pool:
        each = pool.map(_timed_plan, councils, chunksize=1)
    wall = time.perf_counter() - started
    print(
        f"\n{count} councils ({min(sizes):.2f}-{max(sizes):.2f} times the example's size), "
        f"{scenario.replications} replications each, over {processes} processes: {wall:.0f} s; "
        f"a council's plan took median {statistics.median(each):.2f} s, worst {max(each):.2f} s"
    )


def _timed_plan(scenario: Scenario) -> float:
    started = time.perf_counter()
    planning.make_plan(scenario)
    return time.perf_counter() - started


def compare(scenario: Scenario, label: str, args: argparse.Namespace) -> None:
    print(
        f"\nScenario {label}: {scenario.weeks} weeks, {scenario.replications} "
        f"replications, {len(scenario.tiers)} tiers, {len(scenario.roles)} roles, "
        f"{sum(statistics.mean(t.arrivals_per_week) for t in scenario.tiers) * 52:,.0f} "
        "requests and "
        f"{sum(weekly_rates(t, np.zeros(1))[0] for t in scenario.tiers) * 52:,.0f} new cases a "
        "year at start"
    )
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        planning.make_plan(scenario)
        times.append(time.perf_counter() - started)
    engine_time = statistics.median(times)
    print(
        f"engine: median {engine_time:.2f} s, worst {max(times):.2f} s over {args.runs} runs "
        f"(target 5 s): {'met' if max(times) <= 5 else 'MISSED'}"
    )
    engine: Replications = planning.simulate(scenario)
    started = time.perf_counter()
    reference = simpy_model(scenario, args.simpy_replications, seed=scenario.seed + 1_000_003)
    simpy_time = time.perf_counter() - started
    scaled = simpy_time * scenario.replications / args.simpy_replications
    ratio = scaled / engine_time
    print(
        f"SimPy: {simpy_time:.1f} s for {args.simpy_replications} replications, "
        f"{scaled:.0f} s for {scenario.replications}"
        + (" (scaled)" if args.simpy_replications != scenario.replications else "")
        + f"; the engine is {ratio:.0f}x faster (target 10x): "
        + ("met" if ratio >= 10 else "MISSED")
    )
    rows = [
        (
            f"Tier {tier.tier} {measure}",
            getattr(engine, measure)[:, index],
            reference[measure][:, index],
        )
        for index, tier in enumerate(scenario.tiers)
        for measure in TIER_MEASURES
    ] + [
        (
            f"{role.role} utilisation",
            engine.utilisation[:, index],
            reference["utilisation"][:, index],
        )
        for index, role in enumerate(scenario.roles)
    ]
    agree = 0
    print(f"{'measure':<28}{'engine mean [95% CI]':>30}{'SimPy mean [95% CI]':>30}  agree")
    for name, ours, theirs in rows:
        a, b = Estimate.of(ours), Estimate.of(theirs)
        # The difference of the means within its 95% interval: the half-widths combined.
        half = math.hypot(a.high - a.mean, b.high - b.mean)
        both = abs(a.mean - b.mean) <= half
        agree += both
        print(f"{name:<28}{_shown(a):>30}{_shown(b):>30}  {'yes' if both else 'no'}")
    print(
        f"{agree} of {len(rows)} measures agree: the difference of the means within its 95% "
        "interval (expect about 1 in 20 not to, by chance)"
    )


def _shown(found: Estimate) -> str:
    return f"{found.mean:.4g} [{found.low:.4g}, {found.high:.4g}]"


if __name__ == "__main__":
    sys.exit(main())
