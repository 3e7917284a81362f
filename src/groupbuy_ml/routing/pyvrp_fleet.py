"""The default backend ``pyvrp-fleet``: fleet minimisation by route elimination, then distance.

The literature scores VRPTW hierarchically: fewest vehicles first, then distance. PyVRP's
iterated local search (Wouda, Lan & Kool 2024) with a vehicle fixed cost larger than any route
minimises both at once, but it rarely gives up a route once each route is well packed. As in the
route-elimination phase of Nagata & Bräysy (2009, "A powerful route minimization heuristic for
the vehicle routing problem with time windows", Oper. Res. Lett. 37:333-338) and PyVRP's own
``pyvrp.minimise_fleet``, the search here runs in two phases:

1. **Fleet** (``fleet_share`` of the limit): from a first feasible solution, repeatedly empty the
   route with the fewest stops, cap the fleet one lower, and let the ILS re-insert the removed
   stops (PyVRP's local search inserts unplanned clients; time-window and load violations are
   penalised) until it finds a feasible solution. Stops at the capacity lower bound
   (total demand / capacity), or when an attempt runs out of the phase's time.
2. **Distance** (the rest): the ILS from the best phase-1 solution with the fleet capped at the
   smallest feasible count (the vehicle fixed cost stays, so fewer is still better).

Only for the problems it fits: ``objective="vehicles"``, one vehicle type in use, every stop
required. Otherwise it runs plain PyVRP and says so in ``plan.stats["fleet_phase"]``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import pyvrp
from pyvrp.IteratedLocalSearch import IteratedLocalSearch
from pyvrp.PenaltyManager import PenaltyManager
from pyvrp.search import LocalSearch, PerturbationManager, compute_neighbours
from pyvrp.solve import SolveParams
from pyvrp.stop import FirstFeasible, MaxIterations, MultipleCriteria

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.routing.ortools_solver import safety_margin
from groupbuy_ml.routing.plan import Plan
from groupbuy_ml.routing.problem import Problem
from groupbuy_ml.routing.pyvrp_solver import plan_from_solution, problem_data, solve_pyvrp


def fleet_phase_skip_reason(problem: Problem, objective: str, allow_drop: bool) -> str | None:
    """Why the fleet phase does not apply to this request (``None`` when it does)."""
    if objective != "vehicles":
        return f"objective={objective!r} (the fleet phase minimises vehicles first)"
    if allow_drop:
        return "allow_drop=True (stops are optional, so fewer vehicles could drop stops)"
    if sum(1 for vt in problem.vehicle_types if vt.count > 0) != 1:
        return "several vehicle types (the fixed vehicle cost ranks them instead)"
    return None


def solve_pyvrp_fleet(
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
    fleet_share: float = 0.6,
    warm_share: float = 0.25,
    scale: int = 1000,
    margin_s: float = 0.05,
) -> Plan:
    """Route elimination for ``fleet_share`` of ``time_limit_s``, then PyVRP on distance.

    Args:
        fleet_share: share of the limit (or of ``solution_budget`` iterations when
            ``deterministic``) given to the fleet phase, in (0, 1).
        warm_share: share of the fleet phase for its first, plain PyVRP attempt.
        initial_routes: a starting solution (stop positions per route) for the fleet phase.

    Other arguments as :func:`~groupbuy_ml.routing.pyvrp_solver.solve_pyvrp`.
    """
    if not 0 < fleet_share < 1:
        raise ConfigError(f"fleet_share must be in (0, 1); got {fleet_share}")
    reason = fleet_phase_skip_reason(problem, objective, allow_drop)
    if reason is not None:
        plan = solve_pyvrp(problem, time_limit_s, objective=objective, seed=seed,
                           deterministic=deterministic, solution_budget=solution_budget,
                           allow_drop=allow_drop, drop_penalty=drop_penalty,
                           initial_routes=initial_routes, scale=scale, margin_s=margin_s)
        plan.stats.update(backend="pyvrp-fleet", fleet_phase=f"skipped: {reason}")
        return plan
    t0 = time.perf_counter()
    data = problem_data(problem, objective, scale)
    deadline = t0 + time_limit_s - safety_margin(time_limit_s, problem.num_stops, margin_s)
    fleet_end = t0 + fleet_share * (deadline - t0)
    init = None
    if initial_routes:
        init = pyvrp.Solution(data, [[s - 1 for s in r] for r in initial_routes if r])
    fleet_iterations = max(1, int(fleet_share * solution_budget)) if deterministic else None
    best, log = eliminate_routes(data, fleet_end, seed, init, fleet_iterations, warm_share)
    iterations = sum(a["iterations"] for a in log)
    if best is None:  # no feasible solution at all within the fleet phase: keep searching
        data_final, start = data, None
    else:
        fleet = data.vehicle_type(0).replace(num_available=best.num_routes())
        data_final, start = data.replace(vehicle_types=[fleet]), best
    stop = _stop(deadline, None if not deterministic else
                 max(1, solution_budget - iterations), first_feasible=False)
    result = run_ils(data_final, stop, seed, _rebuild(data_final, start))
    final = result.best
    if best is not None and not final.is_feasible():
        final = _rebuild(data_final, best)  # the ILS keeps its best; never worse than phase 1
    first = log[0]["routes"] if log and log[0]["feasible"] else None
    summary = (f"{first}->{best.num_routes()} vehicles (lower bound {lower_bound(data)}) in "
               f"{fleet_end - t0:.1f} s, {len(log)} attempts" if best is not None and first
               else "no feasible solution in the fleet phase")
    stats = {"backend": "pyvrp-fleet", "objective": objective, "seed": seed,
             "time_limit_s": time_limit_s, "deterministic": deterministic,
             "iterations": iterations + result.num_iterations, "fleet_phase": summary,
             "fleet_attempts": log, "fleet_share": fleet_share}
    return plan_from_solution(problem, final, stats, t0)


def eliminate_routes(data: pyvrp.ProblemData, until: float, seed: int,
                     init: pyvrp.Solution | None = None, iterations: int | None = None,
                     warm_share: float = 0.25) -> tuple[pyvrp.Solution | None, list[dict]]:
    """Best feasible solution with the fewest routes found before ``until`` (perf_counter).

    The first attempt is plain PyVRP (vehicle fixed cost, whole fleet) for ``warm_share`` of the
    time. Each later attempt caps the fleet one below the best feasible solution's route count,
    starts from that solution without its route of fewest stops, and stops at the first
    feasible solution.
    """
    warm_until = time.perf_counter() + warm_share * max(0.0, until - time.perf_counter())
    log: list[dict] = []
    bound = lower_bound(data)
    fleet = data.vehicle_type(0)
    best: pyvrp.Solution | None = None
    cap = fleet.num_available
    left_iterations = iterations
    while time.perf_counter() < until and (left_iterations is None or left_iterations > 0):
        attempt = data.replace(vehicle_types=[fleet.replace(num_available=cap)])
        start = _rebuild(attempt, best, drop_smallest=True) if best is not None else (
            _rebuild(attempt, init) if init is not None and init.num_routes() <= cap else None)
        began = time.perf_counter()
        first = best is None
        stop = _stop(warm_until if first else until,
                     None if left_iterations is None else
                     max(1, int(warm_share * left_iterations)) if first else left_iterations,
                     first_feasible=not first)
        result = run_ils(attempt, stop, seed, start)
        found = result.best
        log.append({"cap": cap, "routes": found.num_routes(), "feasible": found.is_feasible(),
                    "iterations": result.num_iterations,
                    "seconds": round(time.perf_counter() - began, 3)})
        if left_iterations is not None:
            left_iterations -= max(1, result.num_iterations)
        if not found.is_feasible():
            break
        best = found
        if best.num_routes() <= bound:
            break
        cap = best.num_routes() - 1
    return best, log


def run_ils(data: pyvrp.ProblemData, stop, seed: int,
            init: pyvrp.Solution | None = None) -> pyvrp.Result:
    """``pyvrp.solve`` with default parameters, except that a given (possibly incomplete)
    starting solution is first completed by an exhaustive local search at maximum penalties, as
    ``pyvrp.solve`` does for its random start: started as is, an incomplete solution's low cost
    would make the late-acceptance criterion reject every complete candidate."""
    params = SolveParams()
    rng = pyvrp.RandomNumberGenerator(seed=seed)
    ls = LocalSearch(data, rng, compute_neighbours(data, params.neighbourhood),
                     PerturbationManager(params.perturbation))
    for op in params.operators:
        if op.supports(data):
            ls.add_operator(op(data))
    pm = PenaltyManager(params.penalty.midpoint_penalties(data), params.penalty)
    start = init if init is not None else pyvrp.Solution.make_random(data, rng)
    start = ls(start, pm.max_cost_evaluator(), exhaustive=True)
    algo = IteratedLocalSearch(data, pm, ls, start, params.ils)
    return algo.run(stop, collect_stats=False, display=False)


def lower_bound(data: pyvrp.ProblemData) -> int:
    """Vehicles needed by load alone: total delivery / capacity, rounded up."""
    capacity = data.vehicle_type(0).capacity[0]
    demand = sum(c.delivery[0] for c in data.clients())
    return max(1, math.ceil(demand / max(capacity, 1)))


def _rebuild(data: pyvrp.ProblemData, solution: pyvrp.Solution | None,
             drop_smallest: bool = False) -> pyvrp.Solution | None:
    """``solution``'s routes as a solution of ``data`` (without its route of fewest stops)."""
    if solution is None:
        return None
    routes = [[a.idx for a in r if a.is_client()] for r in solution.routes()]
    if drop_smallest and routes:
        routes.remove(min(routes, key=len))
    return pyvrp.Solution(data, [r for r in routes if r])


def _stop(until: float, iterations: int | None, first_feasible: bool = True):
    """Stop at ``until`` (perf_counter), after ``iterations`` and/or at the first feasible."""
    criteria: list = [Deadline(until)]
    if iterations is not None:
        criteria.append(MaxIterations(iterations))
    if first_feasible:
        criteria.append(FirstFeasible())
    return MultipleCriteria(criteria)



class Deadline:
    """A PyVRP stopping criterion: stop at the absolute time ``until`` (``perf_counter``).

    ``pyvrp.stop.MaxRuntime`` starts counting at its first call, after the solver's set-up
    (neighbour lists, the first local search), so several runs in a row would drift past the
    deadline of the whole solve."""

    def __init__(self, until: float) -> None:
        self.until = until

    def __call__(self, best_cost: float) -> bool:
        return time.perf_counter() >= self.until
