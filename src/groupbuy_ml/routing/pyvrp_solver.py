"""The PyVRP backend (Wouda, Lan & Kool 2024, "PyVRP: a high-performance VRP solver package").

PyVRP 0.14 runs iterated local search on integer data. The problem is passed as a
``pyvrp.ProblemData`` with the same integer scaling as the OR-Tools backend (distances rounded,
travel + service times rounded up, due times rounded down) so that both backends solve the same
model; the plan's true distance is recomputed from the routes. ``objective="vehicles"`` puts a
fixed cost on every vehicle larger than any route's length, so fewer vehicles always win.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import pyvrp
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.routing.ortools_model import integer_arcs
from groupbuy_ml.routing.ortools_solver import safety_margin
from groupbuy_ml.routing.plan import Plan, build_plan
from groupbuy_ml.routing.problem import Problem

OBJECTIVES = ("vehicles", "distance", "cost")


def problem_data(problem: Problem, objective: str = "vehicles", scale: int = 1000,
                 allow_drop: bool = False, drop_penalty: float | None = None) -> pyvrp.ProblemData:
    """The ``pyvrp.ProblemData`` of ``problem`` (location 0 = depot, clients 1..n)."""
    dist, times = integer_arcs(problem, scale)
    service = np.rint(problem.array("service_time") * scale).astype(np.int64)
    # PyVRP adds the service time itself: pass travel-only durations (rounded up).
    travel = np.maximum(times - service[:, None], 0)
    ready = np.ceil(problem.array("ready_time") * scale - 1e-7).astype(np.int64)
    due = np.floor(problem.array("due_time") * scale + 1e-7).astype(np.int64)
    # As in the OR-Tools model: a window narrower than one time unit keeps its rounded-up start.
    due = np.maximum(due, ready)
    demand = problem.array("demand")
    factor = 1 if np.allclose(demand, np.round(demand)) else 1000
    load = np.ceil(demand * factor - 1e-9).astype(np.int64)
    longest = int(dist.max()) or 1
    prize = int((drop_penalty if drop_penalty is not None else 10 * longest / scale) * scale)
    locations = [pyvrp.Location(float(x), float(y)) for x, y in
                 zip(problem.array("x"), problem.array("y"), strict=True)]
    clients = [pyvrp.Client(location=i, delivery=[int(load[i])],
                            service_duration=int(service[i]), tw_early=int(ready[i]),
                            tw_late=int(due[i]), required=not allow_drop,
                            prize=prize if allow_drop else 0)
               for i in range(1, len(problem.stops))]
    depot = pyvrp.Depot(location=0, tw_early=int(ready[0]), tw_late=int(due[0]))
    types = []
    fixed_vehicle = longest * (problem.num_stops + 1) if objective == "vehicles" else 0
    for k, vt in enumerate(problem.vehicle_types):
        if vt.count < 1:
            continue
        first = sum(t.count for t in problem.vehicle_types[:k])
        start, end = problem.shift(first)
        # objective="cost": the same units as the OR-Tools backend (distance x scale x 100).
        fixed = int(round(vt.fixed_cost * scale * 100)) if objective == "cost" else fixed_vehicle
        unit = max(1, round(vt.cost_per_distance * 100)) if objective == "cost" else 1
        types.append(pyvrp.VehicleType(
            num_available=vt.count, capacity=[int(math.floor(vt.capacity * factor + 1e-9))],
            fixed_cost=fixed, tw_early=math.ceil(start * scale - 1e-7),
            tw_late=math.floor(end * scale + 1e-7), unit_distance_cost=unit))
    return pyvrp.ProblemData(locations=locations, clients=clients, depots=[depot],
                             vehicle_types=types, distance_matrices=[dist],
                             duration_matrices=[travel])


def solve_pyvrp(
    problem: Problem,
    time_limit_s: float,
    *,
    objective: str = "vehicles",
    seed: int = 0,
    deterministic: bool = False,
    solution_budget: int = 20000,
    allow_drop: bool = False,
    drop_penalty: float | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
    scale: int = 1000,
    margin_s: float = 0.05,
) -> Plan:
    """Solve with PyVRP's iterated local search within ``time_limit_s`` seconds.

    Args:
        deterministic: stop after ``solution_budget`` iterations (same seed, same plan);
            ``time_limit_s`` stays a hard cap.
        initial_routes: a starting solution (stop positions per route).
    """
    if objective not in OBJECTIVES:
        raise ConfigError(f"unknown objective {objective!r}; use one of {list(OBJECTIVES)}")
    t0 = time.perf_counter()
    data = problem_data(problem, objective, scale, allow_drop, drop_penalty)
    margin = safety_margin(time_limit_s, problem.num_stops, margin_s)
    left = max(0.01, time_limit_s - margin - (time.perf_counter() - t0))
    stop = MaxRuntime(left)
    if deterministic:
        stop = MultipleCriteria([MaxIterations(solution_budget), stop])
    init = None
    if initial_routes:
        # PyVRP numbers clients from 0: position p is client p - 1.
        init = pyvrp.Solution(data, [[s - 1 for s in r] for r in initial_routes if r])
    result = pyvrp.solve(data, stop=stop, seed=seed, display=False, initial_solution=init)
    stats = {"backend": "pyvrp", "objective": objective, "seed": seed,
             "time_limit_s": time_limit_s, "deterministic": deterministic,
             "iterations": result.num_iterations}
    return plan_from_solution(problem, result.best, stats, t0)


def plan_from_solution(problem: Problem, best: pyvrp.Solution, stats: dict,
                       t0: float) -> Plan:
    """The :class:`Plan` of a PyVRP solution (all stops dropped if it is infeasible)."""
    # PyVRP's vehicle numbering: vehicles of type k follow all vehicles of earlier types.
    offsets = np.cumsum([0] + [vt.count for vt in problem.vehicle_types if vt.count > 0])
    used: dict[int, int] = {}
    routes = []
    for route in best.routes():
        vt = route.vehicle_type()
        v = int(offsets[vt]) + used.get(vt, 0)
        used[vt] = used.get(vt, 0) + 1
        routes.append((v, [int(a.idx) + 1 for a in route if a.is_client()]))
    visited = {c for _, r in routes for c in r}
    dropped = [s for s in range(1, problem.num_stops + 1) if s not in visited]
    wall = time.perf_counter() - t0
    stats = {**stats, "wall_s": round(wall, 3),
             "overshoot_s": round(max(0.0, wall - stats["time_limit_s"]), 3),
             "found": best.is_feasible(),
             "status": "ok" if best.is_feasible() else "no feasible solution found"}
    if not best.is_feasible():
        return build_plan(problem, [], dropped=range(1, problem.num_stops + 1), stats=stats)
    return build_plan(problem, routes, dropped=dropped, stats=stats)
