"""The OR-Tools backend: insertion start, guided local search, and a fleet-minimisation phase.

1. **Construction + GLS** (Voudouris & Tsang 1999, guided local search) from a parallel cheapest
   insertion start (``PATH_CHEAPEST_ARC`` finds nothing on tight Solomon instances), with a large
   fixed cost per vehicle.
2. **Route elimination** (``objective="vehicles"``): GLS alone rarely removes a vehicle, so the
   fleet is cut one vehicle at a time: the shortest route is emptied, the fleet capped at one
   vehicle fewer, every stop made optional at a penalty, and GLS re-inserts the orphans starting
   from the remaining routes. The cut is kept only if every stop is served.
3. **Distance polish** with the fleet capped at the best vehicle count.

The wall clock is split between the phases and each OR-Tools call gets only the time left before
the deadline (minus a margin for building the model), so the whole call ends within
``time_limit_s``. In deterministic mode every phase also stops after a fixed number of solutions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.routing.ortools_model import SearchResult, guarded_search
from groupbuy_ml.routing.plan import Plan, build_plan
from groupbuy_ml.routing.problem import Problem
from groupbuy_ml.routing.stopping import AnyOf, MaxRuntime, StoppingCriterion

OBJECTIVES = ("vehicles", "distance", "cost")


@dataclass(frozen=True)
class OrToolsSettings:
    """Knobs of :func:`solve_ortools` (the defaults are the benchmarked configuration).

    Attributes:
        first_solution: an OR-Tools ``FirstSolutionStrategy`` name.
        metaheuristic: an OR-Tools ``LocalSearchMetaheuristic`` name.
        construction_share: share of the time limit for construction + first GLS.
        elimination_share: time of one route-elimination attempt, as a share of the limit.
        elimination_tries: routes tried (shortest first) before giving up on cutting one more.
        polish_share: share of the limit kept for the final distance polish.
        margin_s: seconds kept free before the deadline for timing and checking the plan; the
            margin used is ``margin_s + 1% of the limit + 0.2 ms per stop``.
        scale: integer scaling of distances and times.
        default_parameters: plain OR-Tools (default search parameters, one phase): the baseline.
        guard_above_stops: from this many stops on, each search runs in a forked child killed
            at the deadline (OR-Tools' construction can overrun its own limit on big inputs).
    """

    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    construction_share: float = 0.2
    elimination_share: float = 0.08
    elimination_tries: int = 2
    polish_share: float = 0.25
    margin_s: float = 0.05
    scale: int = 1000
    default_parameters: bool = False
    guard_above_stops: int = 400
    extra: dict = field(default_factory=dict)


def solve_ortools(
    problem: Problem,
    time_limit_s: float,
    *,
    objective: str = "vehicles",
    deterministic: bool = False,
    solution_budget: int = 2000,
    allow_drop: bool = False,
    drop_penalty: float | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
    stopping: StoppingCriterion | None = None,
    settings: OrToolsSettings | None = None,
) -> Plan:
    """Solve ``problem`` with OR-Tools within ``time_limit_s`` seconds of wall clock.

    Args:
        objective: ``"vehicles"`` (fewest vehicles, then distance), ``"distance"``, or
            ``"cost"`` (vehicle types' fixed cost + cost per distance).
        deterministic: stop each phase after ``solution_budget`` solutions (same input, same
            plan) instead of when its time share runs out; ``time_limit_s`` remains a hard cap.
        allow_drop: let stops be left out at ``drop_penalty`` (distance units; default: ten
            times the longest arc) instead of failing; see :func:`diagnosis.drop_report`.
        initial_routes: start from these routes (stop positions per vehicle).
    """
    if objective not in OBJECTIVES:
        raise ConfigError(f"unknown objective {objective!r}; use one of {list(OBJECTIVES)}")
    if time_limit_s <= 0:
        raise ConfigError(f"time_limit_s must be > 0; got {time_limit_s}")
    s = settings or OrToolsSettings()
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s - safety_margin(time_limit_s, problem.num_stops, s.margin_s)
    hard = None
    if problem.num_stops >= s.guard_above_stops:
        # Big inputs: searches run in a child killed at ``hard``; OR-Tools is asked to stop 10%
        # earlier, since it overruns its limit by up to a second or so on thousands of stops.
        hard = t0 + time_limit_s - s.margin_s - 3e-4 * problem.num_stops
        deadline -= 0.1 * time_limit_s
    longest = float(problem.distance.max()) or 1.0
    fixed = int(longest * s.scale * (problem.num_stops + 1)) if objective == "vehicles" else 0
    penalty = None
    if allow_drop:
        penalty = int((drop_penalty if drop_penalty is not None else 10 * longest) * s.scale)
        penalty += fixed  # dropping must never be a way to save a vehicle
    cost_factors = None
    if objective == "cost":
        cost_factors = [max(1, round(problem.vehicle_type_of(v).cost_per_distance * 100))
                        for v in range(problem.num_vehicles)]
        fixed = 0
    common = dict(first_solution=s.first_solution, metaheuristic=s.metaheuristic, scale=s.scale,
                  default_parameters=s.default_parameters, cost_per_distance=cost_factors)
    budget = solution_budget if deterministic else None
    run_search = partial(guarded_search, hard_deadline=hard)
    single = s.default_parameters or objective != "vehicles"
    share = 1.0 if single else s.construction_share
    # Construction may use all the time it needs to find a first plan (big instances), but stops
    # at the first solution after its share of the limit (deterministic: after its budget).
    criteria = [c for c in (None if deterministic else MaxRuntime(time_limit_s * share),
                            stopping) if c is not None]
    first = run_search(problem, time_limit_s=_left(deadline, deadline - time.perf_counter()),
                       stopping=AnyOf(criteria) if criteria else None,
                       vehicle_fixed_cost=fixed if objective != "cost" else
                       _type_fixed_cost(problem, s.scale), drop_penalty=penalty,
                       initial_routes=initial_routes, solution_limit=budget, **common)
    log = [("construction", first)]
    best = first
    if not single and first.routes is not None:
        best = _eliminate(problem, best, deadline, time_limit_s, s, budget, penalty, log,
                          common | {"hard_deadline": hard, "stopping": stopping})
        vehicles = sum(1 for r in best.routes if r)
        if vehicles:  # OR-Tools aborts the process on a model with no vehicle (all dropped)
            best = _polish(problem, best, vehicles, deadline, budget, penalty, stopping, log,
                           run_search, common)
    wall = time.perf_counter() - t0
    stats = {
        "backend": "ortools-plain" if s.default_parameters else "ortools",
        "objective": objective, "time_limit_s": time_limit_s, "wall_s": round(wall, 3),
        "overshoot_s": round(max(0.0, wall - time_limit_s), 3), "deterministic": deterministic,
        "phases": [{"phase": name, "seconds": round(r.seconds, 3), "solutions": r.solutions,
                    "vehicles": None if r.routes is None else sum(1 for x in r.routes if x)}
                   for name, r in log],
        "found": best.routes is not None,
    }
    if best.routes is None:
        return build_plan(problem, [], dropped=range(1, problem.num_stops + 1),
                          stats=stats | {"status": "no solution found within the time limit"})
    routes = [(v, r) for v, r in enumerate(best.routes) if r]
    return build_plan(problem, routes, dropped=best.dropped, stats=stats | {"status": "ok"})


def _eliminate(problem: Problem, best: SearchResult, deadline: float, limit: float,
               s: OrToolsSettings, budget: int | None, penalty: int | None,
               log: list, common: dict) -> SearchResult:
    """Cut one vehicle at a time while every stop stays served (see the module docstring)."""
    longest = float(problem.distance.max()) or 1.0
    cut_penalty = int(100 * longest * s.scale)
    polish_reserve = limit * s.polish_share
    while True:
        routes = sorted((r for r in best.routes if r), key=len)
        if len(routes) <= 1:
            return best
        success = False
        for k in range(min(s.elimination_tries, len(routes))):
            slot = min(limit * s.elimination_share, deadline - time.perf_counter() - polish_reserve)
            if slot < 0.05 * limit or slot <= 0.02:
                return best
            kept = routes[:k] + routes[k + 1:]
            trial = guarded_search(problem, time_limit_s=slot, num_vehicles=len(kept),
                               drop_penalty=cut_penalty if penalty is None else penalty,
                               initial_routes=kept, solution_limit=budget, **common)
            log.append((f"eliminate->{len(kept)}", trial))
            if trial.routes is not None and not trial.dropped:
                best, success = trial, True
                break
        if not success:
            return best


def safety_margin(time_limit_s: float, num_stops: int, base_s: float = 0.05) -> float:
    """Seconds kept free before a deadline (OR-Tools stops a little late; the plan is timed and
    checked after the search)."""
    return base_s + 0.01 * time_limit_s + 2e-4 * num_stops


def _left(deadline: float, wanted: float) -> float:
    return max(0.01, min(wanted, deadline - time.perf_counter()))


def _type_fixed_cost(problem: Problem, scale: int) -> list[int]:
    """Each vehicle's fixed cost in the units of the arc costs (distance x scale x 100)."""
    return [int(round(problem.vehicle_type_of(v).fixed_cost * scale * 100))
            for v in range(problem.num_vehicles)]


def _polish(problem: Problem, best: SearchResult, vehicles: int, deadline: float,
            budget: int | None, penalty: int, stopping: StoppingCriterion | None,
            log: list[tuple[str, SearchResult]], run_search: Callable[..., SearchResult],
            common: dict[str, Any]) -> SearchResult:
    """Distance polish with the fleet fixed at the ``vehicles`` the routes use."""
    polish = run_search(problem, time_limit_s=_left(deadline, deadline - time.perf_counter()),
                        num_vehicles=vehicles, drop_penalty=penalty,
                        initial_routes=[r for r in best.routes if r], solution_limit=budget,
                        stopping=stopping, **common)
    log.append(("polish", polish))
    if polish.routes is not None and len(polish.dropped) <= len(best.dropped):
        return polish
    return best
