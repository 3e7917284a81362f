"""Check a plan against its problem: every stop once, capacity, time windows, shifts, fleet.

The rules are those of the VRPTW as defined by Solomon (1987). The validator recomputes times
from the routes itself, so it does not trust a solver's reported schedule.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from groupbuy_ml.routing.plan import Plan, schedule
from groupbuy_ml.routing.problem import Problem

TOLERANCE = 1e-6


@dataclass(frozen=True)
class FeasibilityReport:
    """What is wrong with a plan (``violations`` empty when it is feasible)."""

    violations: tuple[str, ...]

    @property
    def is_feasible(self) -> bool:
        return not self.violations

    def __bool__(self) -> bool:
        return self.is_feasible

    def __str__(self) -> str:
        return "feasible" if self.is_feasible else "; ".join(self.violations)


def check_plan(problem: Problem, plan: Plan, tol: float = TOLERANCE) -> FeasibilityReport:
    """Validate ``plan`` on ``problem``.

    Checks: each stop is visited exactly once or listed as dropped; no depot inside a route;
    each vehicle number exists and is used at most once; chilled stops ride refrigerated
    vehicles; load <= capacity; service starts no
    later than ``due_time``; the vehicle is back by its shift end.
    """
    ids = problem.stops["stop_id"].tolist()
    due = problem.array("due_time")
    problems: list[str] = []
    seen = Counter(s for r in plan.routes for s in r.stops)
    seen.update(plan.dropped)
    for pos in range(1, problem.num_stops + 1):
        if seen[pos] == 0:
            problems.append(f"stop {ids[pos]!r} is not visited")
        elif seen[pos] > 1:
            problems.append(f"stop {ids[pos]!r} is visited {seen[pos]} times")
    extra = sorted(s for s in seen if not 1 <= s <= problem.num_stops)
    if extra:
        problems.append(f"routes name positions {extra} that are not stops "
                        f"(1..{problem.num_stops})")
        return FeasibilityReport(tuple(problems))
    vehicles = Counter(r.vehicle for r in plan.routes)
    for v, n in vehicles.items():
        if not 0 <= v < problem.num_vehicles:
            problems.append(f"vehicle {v} does not exist (fleet of {problem.num_vehicles})")
        elif n > 1:
            problems.append(f"vehicle {v} drives {n} routes")
    if problems:
        return FeasibilityReport(tuple(problems))
    chilled = problem.chilled
    for route in plan.routes:
        timed = schedule(problem, route.vehicle, route.stops)
        vt = problem.vehicle_type_of(route.vehicle)
        cap = vt.capacity
        if not vt.refrigerated:
            warm = [ids[s] for s in route.stops if chilled[s]]
            if warm:
                problems.append(f"vehicle {route.vehicle}: not refrigerated but serves chilled "
                                f"stop(s) {warm[:5]}")
        if timed.load > cap + tol:
            problems.append(f"vehicle {route.vehicle}: load {timed.load:g} exceeds "
                            f"capacity {cap:g}")
        for s, start in zip(timed.stops, timed.start, strict=True):
            if start > due[s] + tol:
                problems.append(f"vehicle {route.vehicle}: stop {ids[s]!r} served at {start:.3f}, "
                                f"after its due_time {due[s]:g}")
        _, shift_end = problem.shift(route.vehicle)
        if timed.end > shift_end + tol:
            problems.append(f"vehicle {route.vehicle}: back at the depot at {timed.end:.3f}, "
                            f"after the shift end {shift_end:g}")
    return FeasibilityReport(tuple(problems))
