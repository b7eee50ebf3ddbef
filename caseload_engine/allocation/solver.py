"""The CP-SAT model of one allocation group, with cases counted by type.

`criteria` defines the objective; this module solves it for one group whose cases come as
types of interchangeable cases. Variables: n[type, practitioner], how many cases of the type go
to the practitioner; k[type, practitioner], how many of those return to their previous
practitioner; U, the group's highest per-mille utilisation; e[practitioner, tenth], the spread
penalty's parts. Points are integers (tenths of a point).

The objective's terms are solved in three batches, each keeping the terms before it at least as
good as achieved: work and continuity; the highest utilisation; spread and qualification.
Within a batch the terms are one objective with exact lexicographic weights; a batch whose
weights would grow past `_WEIGHT_LIMIT` is split (larger weights made the solver far slower).
The first batch starts from the better of a greedy solution (continuity first, then the lowest
utilisation) and the caller's baseline; a batch whose terms the solution in hand already takes
to their trivial bounds (everything allocated, every case back with its previous practitioner,
nobody above the highest utilisation before allocation) needs no solver call.

Beyond the model, what makes the later rounds quick (issue 10, "Allocation at real team sizes"):
- once work is settled, the types of each priority whose every case is allocated are merged
  by points and eligible practitioners (`GroupSolver._merge`): the later terms never see a
  case's priority, and the solver no longer proves one optimum per way of swapping them;
- continuity starts from the solution in hand with as many cases back with their previous
  practitioner as fit without changing a load (`_back_with_previous`, a minimum-cost flow);
- the highest utilisation is searched below the value in hand with each practitioner's room
  in whole steps of their cases' points (`_GroupModel.below_highest`), which the linear
  relaxation lacks; where that room cannot take the work kept, no search is needed;
- where the work kept fills every practitioner's room to its last whole step, every load is
  fixed (`GroupSolver._pin_loads`): the highest utilisation, the spread and the
  qualification term follow from the loads and need no search, and continuity is searched
  with the loads held (a rebalance's spread rounds: 38-41 solver calls down to 9-16);
- before the work is searched, each practitioner in turn takes the cases that do most for the
  work and then continuity (`_GroupModel.best_responses`, a knapsack each); where that places
  as many points as a flow through who may hold what into rooms filled to their last whole
  step can (`_GroupModel.most_placed`), the work is proven without a search (a rebalance: 22
  of 38 teams), and continuity starts from a solution that kept it in view.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow
from ortools.sat.python import cp_model

from caseload_engine.allocation.criteria import (
    PERMILLE,
    PRIORITIES,
    SPREAD_BANDS,
    scaled_spread_penalty,
)

_WEIGHT_LIMIT = 2**40
# Work and continuity; the highest utilisation; spread and qualification (indices of terms).
_BATCHES = ((0, 1, 2, 3), (4,), (5, 6))
_LAST_WORK_TERM = 2  # terms 0-2: the work of priorities 1-3
_CONTINUITY = 3
_HIGHEST = 4  # the term of the highest utilisation
_QUICK_SPREAD = 0.02  # deterministic seconds


@dataclass(frozen=True)
class CaseType:
    weight: int  # points of each case
    priority: int
    count: int
    eligible: tuple[int, ...]  # the group's practitioners who may hold these cases
    returning: tuple[tuple[int, int], ...]  # (practitioner, cases they held before)


@dataclass(frozen=True)
class Group:
    capacity: tuple[int, ...]  # per practitioner of the group
    current: tuple[int, ...]
    rank: tuple[int, ...]  # qualification rank
    types: tuple[CaseType, ...]
    # Another proposal to start from if better: per type, per eligible practitioner in order.
    baseline: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class Solved:
    counts: tuple[tuple[int, ...], ...]  # per type, per eligible practitioner in its order
    optimal: bool
    gaps: dict[str, float]  # stage -> relative gap to the proven bound


@dataclass(frozen=True, eq=False)
class _Cell:
    """n[type, practitioner]: how many cases of the type the practitioner takes. Each cell is
    one object of one model, so it hashes by identity: hashing its fields, the solver's
    variable among them, took a sixth of the rebalance's Python time (profiled)."""

    kind: int
    position: int  # in the type's eligible list
    practitioner: int
    var: cp_model.IntVar
    upper: int


@dataclass(frozen=True)
class _Term:
    stage: str
    expression: cp_model.LinearExpr
    low: int  # bounds that hold for every solution
    high: int
    maximise: bool

    @property
    def span(self) -> int:
        return self.high - self.low

    @property
    def best(self) -> int:
        return self.high if self.maximise else self.low

    def gain(self) -> cp_model.LinearExpr:
        """The term as a quantity to maximise in 0..span."""
        if self.maximise:
            return self.expression - self.low
        return self.high - self.expression

    def gain_of(self, value: int) -> int:
        return value - self.low if self.maximise else self.high - value

    def value_of(self, gain: int) -> int:
        return self.low + gain if self.maximise else self.high - gain


class _GroupModel:
    """The model of one group, and the objective's terms evaluated on any counts."""

    def __init__(self, group: Group) -> None:
        self.group = group
        self.model = cp_model.CpModel()
        model = self.model
        free = [cap - cur for cap, cur in zip(group.capacity, group.current, strict=True)]
        self.cells: list[_Cell] = []
        self.received: list[list[_Cell]] = [[] for _ in group.capacity]
        for t, kind in enumerate(group.types):
            row = []
            for position, p in enumerate(kind.eligible):
                upper = min(kind.count, max(0, free[p]) // kind.weight)
                if upper > 0:
                    cell = _Cell(t, position, p, model.new_int_var(0, upper, ""), upper)
                    row.append(cell)
                    self.received[p].append(cell)
            if row:
                model.add(cp_model.LinearExpr.sum([cell.var for cell in row]) <= kind.count)
            self.cells.extend(row)
        # Capacity in units of the points' common divisor, rounded down: the same constraint,
        # but its linear relaxation no longer counts room too small for any case.
        unit = math.gcd(*(kind.weight for kind in group.types))
        for p, cells in enumerate(self.received):
            if cells:
                model.add(
                    cp_model.LinearExpr.weighted_sum(
                        [cell.var for cell in cells],
                        [group.types[cell.kind].weight // unit for cell in cells],
                    )
                    <= free[p] // unit
                )
        # k[type, practitioner] <= n[type, practitioner] and <= the cases returning to them.
        self.returning: list[tuple[_Cell, int, cp_model.IntVar]] = []
        by_place = {(cell.kind, cell.practitioner): cell for cell in self.cells}
        for t, kind in enumerate(group.types):
            for p, held_before in kind.returning:
                place = by_place.get((t, p))
                if place is not None:
                    k = model.new_int_var(0, min(held_before, place.upper), "")
                    model.add(k <= place.var)
                    self.returning.append((place, held_before, k))
        # Per cell, how many of its cases the practitioner held before.
        self.held = {cell: held_before for cell, held_before, _ in self.returning}
        self.terms = [
            *self._work_terms(),
            _Term(
                "continuity",
                cp_model.LinearExpr.sum([k for *_, k in self.returning]),
                0,
                sum(min(held_before, cell.upper) for cell, held_before, _ in self.returning),
                maximise=True,
            ),
            *self._balance_terms(),
            self._qualification_term(),
        ]

    def filled_room(self, p: int, priorities: Sequence[int] = PRIORITIES) -> int:
        """The most points cases of these priorities can add to the practitioner's load:
        whole cases fill their room only in steps of the common divisor of their points."""
        weights = [
            self.group.types[cell.kind].weight
            for cell in self.received[p]
            if self.group.types[cell.kind].priority in priorities
        ]
        if not weights:
            return 0
        unit = math.gcd(*weights)
        return (self.group.capacity[p] - self.group.current[p]) // unit * unit

    def at_room_bounds(
        self, run: Sequence[int], values: Sequence[int], settled: Mapping[int, int]
    ) -> bool:
        """Whether the values take every term of a run of work terms as far as the rooms
        allow, given the terms before the run as settled: then no allocation keeping those
        does better, and the run needs no search (see `most_placed`)."""
        if run[-1] > _LAST_WORK_TERM:
            return False
        before = sum(settled.get(j, values[j]) for j in range(run[0]))
        for i in run:
            if before + values[i] != self.most_placed(PRIORITIES[: i + 1]):
                return False
            before += values[i]
        return True

    def most_placed(self, priorities: Sequence[int]) -> int:
        """At most how many points of these priorities any allocation places: a maximum flow
        from each type (its cases' points) through its cells (as many cases as fit) to each
        practitioner (their room filled to its last whole step of these priorities' points,
        `filled_room`). Cases split here as they never do, so it bounds every allocation;
        where the work in hand meets it, the work is proven without a search. The sum of the
        rooms alone ignores who may hold what: the council rebalance proves 22 of its 38
        teams' work this way against 20 with it, and a team whose best responses were
        already optimal took CP-SAT 1.2 s to prove it (seed 2035)."""
        group = self.group
        person = len(group.types)  # node of practitioner p: person + p
        source, sink = person + len(group.capacity), person + len(group.capacity) + 1
        flow = max_flow.SimpleMaxFlow()
        for t, kind in enumerate(group.types):
            if kind.priority in priorities:
                flow.add_arc_with_capacity(source, t, kind.weight * kind.count)
        for cell in self.cells:
            kind = group.types[cell.kind]
            if kind.priority in priorities:
                flow.add_arc_with_capacity(
                    cell.kind, person + cell.practitioner, kind.weight * cell.upper
                )
        for p in range(len(group.capacity)):
            flow.add_arc_with_capacity(person + p, sink, self.filled_room(p, priorities))
        if flow.solve(source, sink) != flow.OPTIMAL:
            raise RuntimeError("The points any allocation places could not be bounded")
        return int(flow.optimal_flow())

    def best_responses(self, counts: Mapping[_Cell, int]) -> dict[_Cell, int]:
        """The counts improved practitioner by practitioner: each in turn takes the cases
        that do most for the group's work, priority by priority, then for continuity, of
        the cases they hold and those nobody holds (a knapsack, solved exactly). The work,
        priority by priority, never falls, nor continuity unless the work rises. Greedy
        leaves a point or two of some rooms unfilled that only moves of several cases fill;
        filled, the work of most rebalance teams is at its room bound (`at_room_bounds`) and
        needs no search."""
        found = dict(counts)
        left = [kind.count for kind in self.group.types]
        for cell, count in found.items():
            left[cell.kind] -= count
        for _ in range(2):
            changed = False
            for p in range(len(self.received)):
                changed |= self._best_response(p, found, left)
            if not changed:
                break
        return found

    def _best_response(self, p: int, found: dict[_Cell, int], left: list[int]) -> bool:
        group, cells = self.group, self.received[p]
        if not cells:
            return False
        unit = math.gcd(*(group.types[cell.kind].weight for cell in cells))
        room = (group.capacity[p] - group.current[p]) // unit
        held = self.held
        # One case's worth: its points at its priority's place, then one if it returns here.
        work_scale = room * unit + 1
        continuity_scale = sum(held.get(cell, 0) for cell in cells) + 1
        if work_scale ** len(PRIORITIES) * continuity_scale >= 2**62:
            return False  # a room so large its worths would overflow: left to the search
        best = np.zeros(room + 1, dtype=np.int64)  # the most worth within each room
        steps: list[tuple[_Cell, int, int, npt.NDArray[np.bool_]]] = []
        for cell in cells:
            kind = group.types[cell.kind]
            available = min(left[cell.kind] + found.get(cell, 0), cell.upper)
            returning = min(held.get(cell, 0), available)
            size = kind.weight // unit
            worth = kind.weight * work_scale ** (PRIORITIES[-1] - kind.priority)
            for copies, bonus in ((returning, 1), (available - returning, 0)):
                piece = 1
                while copies:  # in pieces of 1, 2, 4, ... cases: any count is a sum of them
                    taken = min(piece, copies)
                    copies -= taken
                    piece *= 2
                    if taken * size > room:
                        continue
                    gain = taken * (worth * continuity_scale + bonus)
                    shifted = best[: room + 1 - taken * size] + gain
                    better = np.zeros(room + 1, dtype=np.bool_)
                    better[taken * size :] = shifted > best[taken * size :]
                    best[taken * size :] = np.maximum(best[taken * size :], shifted)
                    steps.append((cell, taken, taken * size, better))
        chosen = dict.fromkeys(cells, 0)
        spare = room
        for cell, taken, size, better in reversed(steps):
            if better[spare]:
                chosen[cell] += taken
                spare -= size
        if all(chosen[cell] == found.get(cell, 0) for cell in cells):
            return False
        for cell in cells:
            left[cell.kind] += found.get(cell, 0) - chosen[cell]
            found[cell] = chosen[cell]
        return True

    def added(self, p: int) -> cp_model.LinearExpr:
        cells = self.received[p]
        weights = [self.group.types[cell.kind].weight for cell in cells]
        return cp_model.LinearExpr.weighted_sum([cell.var for cell in cells], weights)

    def _most(self, cells: Sequence[_Cell], weigh: Mapping[int, int] | None = None) -> int:
        """The most the cells can add up to, weighted per type by points (times `weigh` of
        the heaviest practitioner, if given), each type's cases counted once."""
        most = 0
        for t, kind in enumerate(self.group.types):
            own = [cell for cell in cells if cell.kind == t]
            if own:
                factor = max(weigh[cell.practitioner] for cell in own) if weigh else 1
                cases = min(kind.count, sum(cell.upper for cell in own))
                most += kind.weight * factor * cases
        return most

    def _work_terms(self) -> list[_Term]:
        terms = []
        for priority in (1, 2, 3):
            cells = [c for c in self.cells if self.group.types[c.kind].priority == priority]
            expression = cp_model.LinearExpr.weighted_sum(
                [c.var for c in cells], [self.group.types[c.kind].weight for c in cells]
            )
            terms.append(_Term("work", expression, 0, self._most(cells), maximise=True))
        return terms

    def _balance_terms(self) -> list[_Term]:
        """The highest per-mille utilisation U, then the spread penalty (see `criteria`)."""
        group, model = self.group, self.model
        measured = [p for p, cap in enumerate(group.capacity) if cap > 0]
        self.floor_u = max(
            (_permille(group.current[p], group.capacity[p]) for p in measured), default=0
        )
        receivers = [p for p in measured if self.received[p]]
        ceiling_u = max(self.floor_u, PERMILLE) if receivers else self.floor_u
        highest = model.new_int_var(self.floor_u, ceiling_u, "")
        self.highest = highest
        # (practitioner, tenth, e): e >= 10 x load - tenth x capacity, for the spread penalty.
        self.excesses: list[tuple[int, int, cp_model.IntVar]] = []
        least = most = sum(
            scaled_spread_penalty(group.current[p], group.capacity[p])
            for p in measured
            if not self.received[p]
        )
        penalties: list[cp_model.LinearExpr] = [cp_model.LinearExpr.constant(least)]
        for p in receivers:
            cap, current = group.capacity[p], group.current[p]
            load = current + self.added(p)
            model.add(PERMILLE * load <= highest * cap)
            # Tenths the current load has passed always count; the others need a variable each.
            passed = max(0, (SPREAD_BANDS * current - 1) // cap)
            penalties.append(passed * SPREAD_BANDS * load - cap * passed * (passed + 1) // 2)
            for tenth in range(passed + 1, SPREAD_BANDS):
                excess = model.new_int_var(0, (SPREAD_BANDS - tenth) * cap, "")
                model.add(excess >= SPREAD_BANDS * load - tenth * cap)
                self.excesses.append((p, tenth, excess))
                penalties.append(cp_model.LinearExpr.sum([excess]))
            least += scaled_spread_penalty(current, cap)
            most += scaled_spread_penalty(cap, cap)
        return [
            _Term(
                "highest_utilisation",
                cp_model.LinearExpr.sum([highest]),
                self.floor_u,
                ceiling_u,
                maximise=False,
            ),
            _Term("spread", cp_model.LinearExpr.sum(penalties), least, most, maximise=False),
        ]

    def _qualification_term(self) -> _Term:
        """Points times the qualification rank of the practitioner holding them."""
        group = self.group
        expression = cp_model.LinearExpr.weighted_sum(
            [c.var for c in self.cells],
            [group.types[c.kind].weight * group.rank[c.practitioner] for c in self.cells],
        )
        most = self._most(self.cells, dict(enumerate(group.rank)))
        return _Term("least_qualified", expression, 0, most, maximise=False)

    def below_highest(self, highest: int, least: int) -> cp_model.CpModel | None:
        """A copy of the model (objective included) holding the highest utilisation below
        `highest`, each practitioner's room cut to the most their cases' common divisor of
        points can fill under it; None if that room all told is less than `least`, the
        points any allocation adds. Whole cases fill a practitioner's room in steps of that
        divisor: the model's linear relaxation, which lets cases be split, proved a team of
        12 at 994 per mille at most where no allocation stays below 1000, and 20 s of search
        did not close the gap; with the room in whole steps its relaxation is infeasible."""
        group = self.group
        ceiling = highest - 1
        rooms = []  # (cells, their points, the common divisor, room in steps of it)
        for p, cells in enumerate(self.received):
            if cells:
                weights = [group.types[cell.kind].weight for cell in cells]
                unit = math.gcd(*weights)
                room = (ceiling * group.capacity[p] // PERMILLE - group.current[p]) // unit
                rooms.append((cells, weights, unit, room))
        if sum(unit * room for *_, unit, room in rooms) < least:
            return None
        trial = self.model.clone()

        def var(each: cp_model.IntVar) -> cp_model.IntVar:
            return trial.get_int_var_from_proto_index(each.index)

        trial.add(var(self.highest) <= ceiling)
        for cells, weights, unit, room in rooms:
            trial.add(
                cp_model.LinearExpr.weighted_sum(
                    [var(cell.var) for cell in cells], [weight // unit for weight in weights]
                )
                <= room
            )
        return trial

    def loads(self, counts: Mapping[_Cell, int]) -> list[int]:
        """Each practitioner's load (points) with these counts allocated."""
        load = list(self.group.current)
        for cell, count in counts.items():
            load[cell.practitioner] += self.group.types[cell.kind].weight * count
        return load

    def values(self, counts: Mapping[_Cell, int]) -> list[int]:
        """Every term's value for these counts, continuity taken at its best for them."""
        group = self.group
        work = dict.fromkeys((1, 2, 3), 0)
        load = self.loads(counts)
        rank = 0
        for cell, count in counts.items():
            weight = group.types[cell.kind].weight
            work[group.types[cell.kind].priority] += weight * count
            rank += weight * group.rank[cell.practitioner] * count
        continuity = sum(min(held, counts.get(cell, 0)) for cell, held, _ in self.returning)
        measured = [p for p, cap in enumerate(group.capacity) if cap > 0]
        highest = max((_permille(load[p], group.capacity[p]) for p in measured), default=0)
        spread = sum(scaled_spread_penalty(load[p], group.capacity[p]) for p in measured)
        return [work[1], work[2], work[3], continuity, highest, spread, rank]

    def greedy(self) -> dict[_Cell, int]:
        """A good first solution. Priority by priority: first cases back with their previous
        practitioner where they have room, the smallest first (continuity counts cases), then
        the others, the biggest first (to fill up), each to the eligible practitioner with room
        and the lowest utilisation."""
        group = self.group
        load = list(group.current)
        counts: dict[_Cell, int] = {}
        left = [kind.count for kind in group.types]

        def give(cell: _Cell, cases: int) -> None:
            counts[cell] = counts.get(cell, 0) + cases
            load[cell.practitioner] += cases * group.types[cell.kind].weight
            left[cell.kind] -= cases

        def room(cell: _Cell) -> int:
            free = group.capacity[cell.practitioner] - load[cell.practitioner]
            return free // group.types[cell.kind].weight

        by_type: dict[int, list[_Cell]] = {}
        for cell in self.cells:
            by_type.setdefault(cell.kind, []).append(cell)
        smallest_first = sorted(self.returning, key=lambda item: group.types[item[0].kind].weight)
        biggest_first = sorted(by_type, key=lambda t: -group.types[t].weight)
        for priority in (1, 2, 3):
            for cell, held_before, _ in smallest_first:
                if group.types[cell.kind].priority == priority:
                    give(cell, max(0, min(held_before, left[cell.kind], room(cell))))
            for t in biggest_first:
                if group.types[t].priority != priority:
                    continue
                while left[t]:
                    fits = [cell for cell in by_type[t] if room(cell) > 0]
                    if not fits:
                        break
                    give(
                        min(
                            fits,
                            key=lambda c: load[c.practitioner] / group.capacity[c.practitioner],
                        ),
                        1,
                    )
        return counts


@dataclass(frozen=True)
class _Attempt:
    """A round's last try: each term's gain; for a solver run, the lexicographic weights and
    the proven bound on the weighted sum of gains (none when at the trivial bound)."""

    achieved: list[int]
    weights: list[int] | None = None
    bound: int | None = None

    @property
    def proven(self) -> bool:
        if self.weights is None or self.bound is None:
            return True  # at the trivial bound
        return self.bound == sum(w * a for w, a in zip(self.weights, self.achieved, strict=True))


class GroupSolver:
    """One group's model and the best solution in hand, improved one round at a time. Round r
    solves the group's run of terms that begins with term r (if it has one), keeping every
    earlier term as achieved; a caller can so take every group through a round before any
    starts the next, and a short time limit costs only the least important terms. A round is
    tried (`try_round`), again if time allows while not proven, then settled (`settle_round`)."""

    def __init__(self, group: Group) -> None:
        self._built = _GroupModel(group)
        # The model the rounds solve: `_built`, or once the work is settled, its merger (see
        # `_merge`). The solution in hand is always in `_built`'s cells.
        self._active = self._built
        self._merger: _Merger | None = None
        self._merge_tried = False
        self._loads_pinned = False
        self._settled: dict[int, int] = {}  # term -> the value it is kept at least as good as
        terms = self._built.terms
        self._runs = {run[0]: run for batch in _BATCHES for run in _split(terms, batch)}
        self._solver = cp_model.CpSolver()
        self._solver.parameters.num_workers = 1  # deterministic
        # In presolve, probing costs more than it finds here.
        self._solver.parameters.cp_model_probing_level = 0
        self._runs_done = 0
        self._attempt: _Attempt | None = None
        self._gaps: dict[str, float] = {}
        self._optimal = True
        self._counts = self._built.greedy()
        if group.baseline:
            other = {cell: group.baseline[cell.kind][cell.position] for cell in self._built.cells}
            # The better in work (priority by priority), then continuity.
            if self._built.values(other)[:4] > self._built.values(self._counts)[:4]:
                self._counts = other

    @property
    def rounds(self) -> frozenset[int]:
        return frozenset(self._runs)

    def try_round(self, first_term: int, *, time_limit_s: float | None = None) -> bool:
        """Search the run of terms beginning with `first_term`, if the group has one, from the
        best solution in hand. Whether the run is settled: proven optimal, or at its trivial
        bound. Until `settle_round`, it may be tried again with more time."""
        run = self._runs.get(first_term)
        if run is None:
            return True
        if run[0] > _LAST_WORK_TERM and not self._merge_tried:
            self._merge_tried = True
            self._merge()
            self._loads_pinned = self._pin_loads()
        built, solver = self._active, self._solver
        model, terms = built.model, built.terms
        counts = self._counts if self._merger is None else self._merger.merged(self._counts)
        values = built.values(counts)
        if (
            self._runs_done == 0
            and self._attempt is None
            and any(values[i] != terms[i].best for i in range(_LAST_WORK_TERM + 1))
        ):
            counts = self._counts = built.best_responses(counts)
            values = built.values(counts)
        if (
            all(values[i] == terms[i].best for i in run)
            or (self._loads_pinned and run[0] >= _HIGHEST)
            or built.at_room_bounds(run, values, self._settled)
        ):
            self._attempt = _Attempt([terms[i].gain_of(values[i]) for i in run])
            return True
        if _CONTINUITY in run and self._attempt is None:
            counts = _back_with_previous(built, counts)
            self._counts = counts if self._merger is None else self._merger.split(counts)
        _hint(built, counts)
        weights = _lexicographic_weights([terms[i] for i in run])
        # Presolve once turned a team's first stage from 0.4 s into 34 s, and without it the
        # search starts from the hint at once. Once the work is settled, though, it fixes much
        # of the model (most loads follow from the work kept) and halves the continuity stage,
        # the slowest, and it proves hard spreads sooner (without it, one of four intakes in
        # teams of 30 took 4.4-4.8 s against 1.1-1.4 s). In the highest utilisation's round it
        # costs more than it saves: a rebalance's 38 such rounds took 0.60-0.70 s of wall time
        # without it against 1.05-1.06 s with it (seed 2026, load average 5), the 40 random
        # teams' 0.51-0.57 s against 0.77-0.82 s.
        solver.parameters.cp_model_presolve = self._runs_done > 0 and run != [_HIGHEST]
        # The fuller linear relaxation proves the work stage's bound where the default one
        # searched for seconds (a rebalance's work stages, seed 2027: 1.48 deterministic
        # seconds in all, 0.29 with it), and in the spread's round it cut the deterministic
        # time over 40 random teams by a sixth (21.8 to 18.1 s, some teams slower). In the
        # continuity and highest utilisation rounds it sped up some teams and slowed others
        # as much.
        fuller = terms[run[0]].stage in ("work", "spread")
        solver.parameters.linearization_level = 2 if fuller else 1
        model.maximize(cp_model.LinearExpr.weighted_sum([terms[i].gain() for i in run], weights))
        if time_limit_s is not None:
            solver.parameters.max_time_in_seconds = max(time_limit_s, 0.001)
        trial: cp_model.CpModel | None = model
        probing = run == [_HIGHEST]
        if probing:
            # Whatever is allocated, at least the work kept is: points in all.
            least = sum(self._settled.get(i, 0) for i in range(_LAST_WORK_TERM + 1))
            trial = built.below_highest(values[_HIGHEST], least)
        if trial is None:
            status = cp_model.INFEASIBLE
        elif terms[run[0]].stage == "spread" and self._attempt is None:
            status = self._quick_then_presolved(built, time_limit_s)
        else:
            status = solver.solve(trial)
        if probing and status == cp_model.INFEASIBLE:  # nothing beats the solution in hand
            achieved = [terms[i].gain_of(values[i]) for i in run]
            bound = sum(w * a for w, a in zip(weights, achieved, strict=True))
        elif status in (cp_model.MODEL_INVALID, cp_model.INFEASIBLE):
            raise RuntimeError(f"The allocation model is {solver.status_name(status)}")
        elif status == cp_model.UNKNOWN:  # out of time: keep the solution in hand
            achieved = [terms[i].gain_of(values[i]) for i in run]
            bound = sum(w * terms[i].span for w, i in zip(weights, run, strict=True))
        else:
            found = {cell: solver.value(cell.var) for cell in built.cells}
            self._counts = found if self._merger is None else self._merger.split(found)
            achieved = [solver.value(terms[i].gain()) for i in run]
            bound = sum(w * a for w, a in zip(weights, achieved, strict=True))
            if status != cp_model.OPTIMAL:
                bound = max(bound, math.floor(solver.best_objective_bound + 1e-6))
        # An earlier try is of this round: a round is settled before the next is tried.
        earlier = self._attempt
        if earlier is not None and earlier.bound is not None:
            bound = min(bound, earlier.bound)  # every try's bound holds
        self._attempt = _Attempt(achieved, weights, bound)
        return self._attempt.proven

    def _quick_then_presolved(
        self, built: _GroupModel, time_limit_s: float | None
    ) -> cp_model.CpSolverStatus:
        """The spread's round: first briefly without presolve, which proves most groups'
        spread at once, then, if not proven, with presolve from the best solution found.
        Presolve costs more than the search in most rounds (a rebalance's 38 spread rounds:
        2.2-2.5 s of wall time with it, 1.7-2.2 s this way; 40 random teams: median
        0.07-0.09 s to 0.05 s, 95th percentile 0.65-0.70 s to 0.42-0.47 s; load average 5),
        but without it one of four intakes in teams of 30 took 4.4-4.8 s against 1.1-1.4 s."""
        solver = self._solver
        solver.parameters.cp_model_presolve = False
        solver.parameters.max_deterministic_time = _QUICK_SPREAD
        status = solver.solve(built.model)
        solver.parameters.cp_model_presolve = True
        solver.parameters.max_deterministic_time = math.inf
        if status == cp_model.OPTIMAL:
            return status
        if status == cp_model.FEASIBLE:
            _hint(built, {cell: solver.value(cell.var) for cell in built.cells})
        if time_limit_s is not None:
            solver.parameters.max_time_in_seconds = max(time_limit_s - solver.wall_time, 0.001)
        return solver.solve(built.model)

    def settle_round(self, first_term: int) -> None:
        """Keep the run's terms at least as good as its last try achieved, from now on."""
        run = self._runs.get(first_term)
        attempt = self._attempt
        if run is None or attempt is None:
            return
        terms = self._active.terms
        self._optimal = self._optimal and attempt.proven
        if attempt.weights is not None and attempt.bound is not None:
            runs = [terms[i] for i in run]
            for stage, gap in _gaps(runs, attempt.weights, attempt.achieved, attempt.bound):
                self._gaps[stage] = max(self._gaps.get(stage, 0.0), gap)
        self._runs_done += 1
        self._attempt = None
        # Small separate constraints, where one on the weighted sum would mix coefficients of
        # wildly different sizes.
        for i, gain in zip(run, attempt.achieved, strict=True):
            self._active.model.add(terms[i].gain() >= gain)
            self._settled[i] = terms[i].value_of(gain)

    def _merge(self) -> None:
        """Once every work term is settled, solve on in a model where the types of each
        priority whose every case is now allocated are merged by points and eligible
        practitioners (`_merged_group`), if that leaves fewer types. The rounds after work
        depend on each practitioner's load and which practitioners hold which points, not on
        the priority of the cases: cases of such types are interchangeable from here on, and
        the model by type left the solver to prove the same optimum again for every way of
        swapping them (a team of 17 with 62 waiting: its spread never proven in 20 s)."""
        group, terms = self._built.group, self._built.terms
        complete = {
            priority
            for i, priority in enumerate(PRIORITIES)
            if self._settled.get(i, terms[i].low)
            == sum(kind.weight * kind.count for kind in group.types if kind.priority == priority)
        }
        merged, origin = _merged_group(group, complete)
        if len(merged.types) == len(group.types):
            return
        active = _GroupModel(merged)
        runs = {run[0]: run for batch in _BATCHES for run in _split(active.terms, batch)}
        later = (run for first, run in self._runs.items() if first > _LAST_WORK_TERM)
        if any(runs.get(run[0]) != run for run in later):
            return  # the lexicographic weights would split differently: keep to the model
        merger = _Merger(self._built, active, origin, complete)
        # Everything settled so far, as the merged model measures it: every case of a merged
        # type allocated, the work of the other priorities and continuity as kept.
        for cell_type, kind in enumerate(merged.types):
            if cell_type in merger.merged_types:
                cells = [cell.var for cell in active.cells if cell.kind == cell_type]
                active.model.add(cp_model.LinearExpr.sum(cells) == kind.count)
        for i, value in self._settled.items():
            if i > _LAST_WORK_TERM or PRIORITIES[i] not in complete:
                active.model.add(active.terms[i].expression >= value)
        self._active, self._merger = active, merger

    def _pin_loads(self) -> bool:
        """Whether the work kept fixes every practitioner's load, and if so, hold each load
        there in the model. Whole cases fill a practitioner's room only in steps of the
        common divisor of the points they may take; when the work kept fills every room to
        its last whole step, every allocation keeping that work gives each practitioner
        exactly that load. The highest utilisation, the spread and the qualification term
        follow from the loads, so their rounds need no search, and continuity searches
        with the loads fixed."""
        built = self._built
        added = [
            load - current
            for load, current in zip(built.loads(self._counts), built.group.current, strict=True)
        ]
        if any(added[p] != built.filled_room(p) for p in range(len(added))):
            return False
        active = self._active
        for p, cells in enumerate(active.received):
            if cells:
                active.model.add(active.added(p) == added[p])
        return True

    def solved(self) -> Solved:
        per_type = [[0] * len(kind.eligible) for kind in self._built.group.types]
        for cell, count in self._counts.items():
            per_type[cell.kind][cell.position] = count
        return Solved(tuple(tuple(row) for row in per_type), self._optimal, self._gaps)


def _merged_group(group: Group, complete: set[int]) -> tuple[Group, list[int]]:
    """The group with the types of the complete priorities merged by points and eligible
    practitioners (their returning cases added up), the other types as they are; and for
    each of the group's types, the merged type it went into. A merged type takes the
    priority of its first type, which only the work terms see, and they are settled."""
    merged: list[CaseType] = []
    origin: list[int] = []
    where: dict[tuple[int, tuple[int, ...]], int] = {}
    for kind in group.types:
        key = (kind.weight, kind.eligible)
        if kind.priority not in complete or key not in where:
            if kind.priority in complete:
                where[key] = len(merged)
            origin.append(len(merged))
            merged.append(kind)
            continue
        m = where[key]
        origin.append(m)
        returning: dict[int, int] = dict(merged[m].returning)
        for p, held_before in kind.returning:
            returning[p] = returning.get(p, 0) + held_before
        merged[m] = CaseType(
            weight=kind.weight,
            priority=merged[m].priority,
            count=merged[m].count + kind.count,
            eligible=kind.eligible,
            returning=tuple(sorted(returning.items())),
        )
    return Group(group.capacity, group.current, group.rank, tuple(merged)), origin


class _Merger:
    """Counts between a group's model and the model of its merged group. Every case of a
    merged type is allocated (its priority is complete), so any practitioner's count of a
    merged type can be split into counts of its types: first each type's cases returning to
    the practitioner, then any, as every type has the same eligible practitioners. The split
    keeps every load, and continuity at the merged model's min(cases returning, count)."""

    def __init__(
        self, built: _GroupModel, merged: _GroupModel, origin: Sequence[int], complete: set[int]
    ) -> None:
        self._built, self._origin = built, origin
        self._members: dict[int, list[int]] = {}
        for t, m in enumerate(origin):
            self._members.setdefault(m, []).append(t)
        # The merged types of the complete priorities: every one of their cases is allocated.
        self.merged_types = frozenset(
            m for m, kind in enumerate(merged.group.types) if kind.priority in complete
        )
        self._returning = [dict(kind.returning) for kind in built.group.types]
        self._original = {(cell.kind, cell.practitioner): cell for cell in built.cells}
        self._merged_cell = {(cell.kind, cell.practitioner): cell for cell in merged.cells}

    def merged(self, counts: Mapping[_Cell, int]) -> dict[_Cell, int]:
        found: dict[_Cell, int] = {}
        for cell, count in counts.items():
            if count:
                place = self._merged_cell[(self._origin[cell.kind], cell.practitioner)]
                found[place] = found.get(place, 0) + count
        return found

    def split(self, counts: Mapping[_Cell, int]) -> dict[_Cell, int]:
        types = self._built.group.types
        found: dict[_Cell, int] = {}
        by_type: dict[int, list[tuple[int, int]]] = {}
        for cell, count in counts.items():
            if count:
                by_type.setdefault(cell.kind, []).append((cell.practitioner, count))
        for m, held in by_type.items():
            kinds = self._members[m]
            supply = {t: types[t].count for t in kinds}
            wanted = dict(held)
            for returning_only in (True, False):
                for p in wanted:
                    for t in kinds:
                        cases = min(wanted[p], supply[t])
                        if returning_only:
                            cases = min(cases, self._returning[t].get(p, 0))
                        if cases:
                            place = self._original[(t, p)]
                            found[place] = found.get(place, 0) + cases
                            supply[t] -= cases
                            wanted[p] -= cases
            if any(wanted.values()):
                raise RuntimeError("A merged type's counts do not split into its types")
        return found


def _back_with_previous(built: _GroupModel, counts: Mapping[_Cell, int]) -> dict[_Cell, int]:
    """The counts with as many cases back with their previous practitioner as can be without
    changing how many cases of each type are allocated, or how many cases of each weight
    each practitioner holds: so every load, and every other term, stays as it is. For each
    weight, a transportation problem solved as a minimum-cost flow, each case back with its
    previous practitioner earning one. The work round does not look at continuity when it
    is a round of its own: a rebalance team's continuity round started from 46 cases back
    where 95 were possible and spent a second finding its way there."""
    group = built.group
    held = built.held
    by_weight: dict[int, list[_Cell]] = {}
    for cell in built.cells:
        by_weight.setdefault(group.types[cell.kind].weight, []).append(cell)
    found = dict(counts)
    for cells in by_weight.values():
        if not any(cell in held for cell in cells):
            continue
        kinds = {kind: node for node, kind in enumerate(dict.fromkeys(c.kind for c in cells))}
        people = {
            p: len(kinds) + i for i, p in enumerate(dict.fromkeys(c.practitioner for c in cells))
        }
        flow = min_cost_flow.SimpleMinCostFlow()
        arcs: list[tuple[_Cell, int]] = []
        for cell in cells:
            back = min(held.get(cell, 0), cell.upper)
            for capacity, cost in ((back, -1), (cell.upper - back, 0)):
                if capacity:
                    arc = flow.add_arc_with_capacity_and_unit_cost(
                        kinds[cell.kind], people[cell.practitioner], capacity, cost
                    )
                    arcs.append((cell, arc))
        for cell in cells:
            count = counts.get(cell, 0)
            flow.set_node_supply(kinds[cell.kind], flow.supply(kinds[cell.kind]) + count)
            flow.set_node_supply(
                people[cell.practitioner], flow.supply(people[cell.practitioner]) - count
            )
        # The counts in hand are a flow meeting every supply, so an optimal one exists.
        if flow.solve() != flow.OPTIMAL:
            raise RuntimeError("The cases of one weight could not be rearranged")
        for cell in cells:
            found[cell] = 0
        for cell, arc in arcs:
            found[cell] += flow.flow(arc)
    return found


def _hint(built: _GroupModel, counts: Mapping[_Cell, int]) -> None:
    """Every variable's value for these counts: a complete hint, which the solver takes as its
    first solution at once (an incomplete one it must first complete by search). Written to
    the model's message in one go: a call per variable took an eighth of the rebalance's Python
    time (profiled)."""
    group = built.group
    load = built.loads(counts)
    variables, values = [], []
    for cell in built.cells:
        variables.append(cell.var.index)
        values.append(counts.get(cell, 0))
    for cell, held_before, k in built.returning:
        variables.append(k.index)
        values.append(min(held_before, counts.get(cell, 0)))
    variables.append(built.highest.index)
    values.append(built.values(counts)[_HIGHEST])
    for p, tenth, excess in built.excesses:
        variables.append(excess.index)
        values.append(max(0, SPREAD_BANDS * load[p] - tenth * group.capacity[p]))
    built.model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in OR-Tools 9.15
    hint = built.model.proto.solution_hint
    hint.vars.extend(variables)
    hint.values.extend(values)


def _permille(load: int, capacity: int) -> int:
    return -(-PERMILLE * load // capacity)


def _split(terms: Sequence[_Term], batch: Sequence[int]) -> list[list[int]]:
    """The batch's non-constant terms in runs whose exact weights stay within the limit."""
    runs: list[list[int]] = []
    size = _WEIGHT_LIMIT + 1
    for i in batch:
        span = terms[i].span
        if span == 0:
            continue
        if size * (span + 1) > _WEIGHT_LIMIT:
            runs.append([])
            size = 1
        runs[-1].append(i)
        size *= span + 1
    return runs


def _lexicographic_weights(run: Sequence[_Term]) -> list[int]:
    """Weights making the weighted sum of the terms' gains order them lexicographically: each
    weight exceeds the most all later terms together can gain."""
    weights = [1] * len(run)
    for i in range(len(run) - 2, -1, -1):
        weights[i] = weights[i + 1] * (run[i + 1].span + 1)
    return weights


def _gaps(
    run: Sequence[_Term], weights: Sequence[int], achieved: Sequence[int], bound: int
) -> list[tuple[str, float]]:
    """Each term's relative gap, given the terms before it as achieved: the bound on the
    weighted sum, less what the earlier terms achieved, bounds what this term can gain. The gap
    is the difference over the larger of value and bound, so at most 1."""
    gaps = []
    left = bound
    for term, weight, gain in zip(run, weights, achieved, strict=True):
        best = min(term.span, left // weight)
        value = term.low + gain if term.maximise else term.high - gain
        limit = term.low + best if term.maximise else term.high - best
        gaps.append((term.stage, (best - gain) / max(1, abs(value), abs(limit))))
        left -= weight * gain
    return gaps
