"""One OR-Tools routing search on a :class:`~groupbuy_ml.routing.problem.Problem`.

OR-Tools needs integer arcs: distances are multiplied by ``scale`` and rounded, travel plus
service times are multiplied by ``scale`` and rounded *up* and windows' due times rounded *down*,
so that an integer-feasible route is feasible in real numbers too. True distances are recomputed
from the routes afterwards (:func:`groupbuy_ml.routing.plan.build_plan`).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from groupbuy_ml.routing.problem import Problem
from groupbuy_ml.routing.stopping import StoppingCriterion

FIRST_SOLUTIONS = routing_enums_pb2.FirstSolutionStrategy
METAHEURISTICS = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True)
class SearchResult:
    """Routes (stop positions per vehicle) and dropped stops of one search, or nothing found."""

    routes: list[list[int]] | None
    dropped: list[int]
    seconds: float
    solutions: int


def integer_arcs(problem: Problem, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """(distance, time) integer matrices; time[i, j] includes the service time at ``i``."""
    dist = np.rint(problem.distance * scale).astype(np.int64)
    service = problem.array("service_time")
    # Subtract a hair before rounding up so that exact integers are not pushed up by noise.
    times = np.ceil((problem.duration + service[:, None]) * scale - 1e-7).astype(np.int64)
    return dist, times


def run_search(
    problem: Problem,
    *,
    time_limit_s: float,
    num_vehicles: int | None = None,
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION",
    metaheuristic: str = "GUIDED_LOCAL_SEARCH",
    vehicle_fixed_cost: int | Sequence[int] = 0,
    cost_per_distance: Sequence[int] | None = None,
    drop_penalty: int | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
    solution_limit: int | None = None,
    stopping: StoppingCriterion | None = None,
    scale: int = 1000,
    default_parameters: bool = False,
    gls_lambda: float | None = None,
) -> SearchResult:
    """Build the routing model and search once.

    Args:
        num_vehicles: vehicles to use (default: the whole fleet; types are trimmed in order).
        vehicle_fixed_cost: added per used vehicle, in scaled distance units (one number, or
            one per vehicle).
        cost_per_distance: integer arc-cost multiplier per vehicle (``objective="cost"``).
        drop_penalty: when given, every stop may be left out at this (scaled) penalty.
        initial_routes: start the search from these routes (stop positions, one list per
            vehicle, at most ``num_vehicles``); stops not in them start unassigned.
        solution_limit: stop after this many solutions (deterministic budget).
        default_parameters: use OR-Tools' default search parameters (the plain baseline).
        gls_lambda: guided local search penalty coefficient (OR-Tools default 0.1).
    """
    t0 = time.perf_counter()
    sub = problem if num_vehicles is None else problem.subproblem(
        range(1, problem.num_stops + 1), vehicles=num_vehicles, name=problem.name)
    n, nv = len(sub.stops), sub.num_vehicles
    dist, times = integer_arcs(sub, scale)
    manager = pywrapcp.RoutingIndexManager(n, nv, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist_cb = routing.RegisterTransitMatrix(dist.tolist())
    if cost_per_distance is None:
        routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
    else:
        for v, factor in enumerate(cost_per_distance[:nv]):
            scaled = routing.RegisterTransitMatrix((dist * int(factor)).tolist())
            routing.SetArcCostEvaluatorOfVehicle(scaled, v)
    if isinstance(vehicle_fixed_cost, Sequence):
        for v, cost in enumerate(vehicle_fixed_cost[:nv]):
            routing.SetFixedCostOfVehicle(int(cost), v)
    elif vehicle_fixed_cost:
        routing.SetFixedCostOfAllVehicles(int(vehicle_fixed_cost))
    _add_load(routing, manager, sub)
    _add_time(routing, manager, sub, times, scale)
    _add_cold_chain(routing, manager, sub)
    if drop_penalty is not None:
        for node in range(1, n):
            routing.AddDisjunction([manager.NodeToIndex(node)], int(drop_penalty))
    params = pywrapcp.DefaultRoutingSearchParameters()
    if not default_parameters:
        params.first_solution_strategy = getattr(FIRST_SOLUTIONS, first_solution)
        params.local_search_metaheuristic = getattr(METAHEURISTICS, metaheuristic)
        if gls_lambda is not None:
            params.guided_local_search_lambda_coefficient = gls_lambda
    if solution_limit is not None:
        params.solution_limit = int(solution_limit)
    remaining = time_limit_s - (time.perf_counter() - t0)
    params.time_limit.FromMilliseconds(max(1, int(remaining * 1000)))
    counter = _Monitor(routing, stopping)
    routing.AddAtSolutionCallback(counter)
    if initial_routes is not None:
        routing.CloseModelWithParameters(params)
        start = routing.ReadAssignmentFromRoutes(
            [list(r) for r in initial_routes] + [[]] * (nv - len(initial_routes)), True)
        solution = (routing.SolveFromAssignmentWithParameters(start, params)
                    if start is not None else routing.SolveWithParameters(params))
    else:
        solution = routing.SolveWithParameters(params)
    seconds = time.perf_counter() - t0
    if solution is None:
        return SearchResult(None, [], seconds, counter.solutions)
    routes, dropped = [], []
    for v in range(nv):
        index, route = routing.Start(v), []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    for node in range(1, n):
        index = manager.NodeToIndex(node)
        if solution.Value(routing.NextVar(index)) == index:
            dropped.append(node)
    return SearchResult(routes, dropped, seconds, counter.solutions)


def guarded_search(problem: Problem, hard_deadline: float | None, **kwargs: object
                   ) -> SearchResult:
    """:func:`run_search`, killed at ``hard_deadline`` (``time.perf_counter()`` value) if still
    running.

    OR-Tools checks its time limit between moves; on thousands of stops its construction
    heuristics can run past it. With a hard deadline the search runs in a forked child that is
    killed on time (the phase then returns nothing). ``None`` runs in this process.
    """
    if hard_deadline is None:
        return run_search(problem, **kwargs)
    t0 = time.perf_counter()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child_search, args=(send, problem, kwargs), daemon=True)
    child.start()
    send.close()
    result = None
    if receive.poll(max(0.0, hard_deadline - time.perf_counter())):
        try:
            result = receive.recv()
        except EOFError:  # the child died (out of memory, crash): no result for this phase
            result = None
    if child.is_alive():
        child.kill()
    child.join()
    receive.close()
    return result or SearchResult(None, [], time.perf_counter() - t0, 0)


def _child_search(send: object, problem: Problem, kwargs: dict) -> None:
    send.send(run_search(problem, **kwargs))
    send.close()


class _Monitor:
    """Counts solutions and asks the solver to finish when a stopping criterion fires."""

    def __init__(self, routing: pywrapcp.RoutingModel, stopping: StoppingCriterion | None):
        self.routing, self.stopping, self.solutions = routing, stopping, 0
        self.best = math.inf
        if stopping is not None:
            stopping.reset()

    def __call__(self) -> None:
        self.solutions += 1
        if self.stopping is None:
            return
        self.best = min(self.best, self.routing.CostVar().Max())
        if self.stopping(self.best):
            self.routing.solver().FinishCurrentSearch()


def _add_load(routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager,
              problem: Problem) -> None:
    demand = problem.array("demand")
    caps = [problem.vehicle_type_of(v).capacity for v in range(problem.num_vehicles)]
    factor = 1 if np.allclose(demand, np.round(demand)) and all(
        float(c).is_integer() for c in caps) else 1000
    demand_int = np.ceil(demand * factor - 1e-9).astype(np.int64).tolist()
    cb = routing.RegisterUnaryTransitVector(demand_int)
    routing.AddDimensionWithVehicleCapacity(
        cb, 0, [int(math.floor(c * factor + 1e-9)) for c in caps], True, "load")


def _add_cold_chain(routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager,
                    problem: Problem) -> None:
    """Chilled stops may only be served by refrigerated vehicles."""
    chilled = problem.chilled
    if not chilled.any():
        return
    allowed = [-1, *problem.refrigerated_vehicles()]  # -1: unassigned (a dropped stop)
    for node in np.flatnonzero(chilled):
        routing.VehicleVar(manager.NodeToIndex(int(node))).SetValues(allowed)


def _add_time(routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager,
              problem: Problem, times: np.ndarray, scale: int) -> None:
    ready = np.ceil(problem.array("ready_time") * scale - 1e-7).astype(np.int64)
    due = np.floor(problem.array("due_time") * scale + 1e-7).astype(np.int64)
    # A window narrower than one time unit holds no integer: keep its rounded-up start (the
    # feasibility check on real times still judges the plan).
    due = np.maximum(due, ready)
    shifts = [problem.shift(v) for v in range(problem.num_vehicles)]
    horizon = int(max(int(due.max()), *(math.floor(e * scale) for _, e in shifts)))
    cb = routing.RegisterTransitMatrix(times.tolist())
    routing.AddDimension(cb, horizon, horizon, False, "time")
    dim = routing.GetDimensionOrDie("time")
    for node in range(1, len(problem.stops)):
        dim.CumulVar(manager.NodeToIndex(node)).SetRange(int(ready[node]), int(due[node]))
    for v, (start, end) in enumerate(shifts):
        lo, hi = math.ceil(start * scale - 1e-7), math.floor(end * scale + 1e-7)
        dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        dim.CumulVar(routing.End(v)).SetRange(lo, hi)
