"""``solve(problem, time_limit_s, backend)``: diagnose, solve with a backend, check the plan.

Before searching, :func:`~groupbuy_ml.routing.diagnosis.diagnose` looks for stops no vehicle can
serve. Without ``allow_drop`` they raise :class:`UnservableStopsError` naming each stop and why;
with it they are left out up front (and reported in ``plan.stats["unservable"]``) while the
others may still be dropped at a penalty by the search. The returned plan is checked by
:func:`~groupbuy_ml.routing.feasibility.check_plan`; the whole call honours ``time_limit_s``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.routing.diagnosis import Unservable, diagnose
from groupbuy_ml.routing.feasibility import check_plan
from groupbuy_ml.routing.ortools_solver import OrToolsSettings, solve_ortools
from groupbuy_ml.routing.plan import Plan, build_plan
from groupbuy_ml.routing.problem import Problem
from groupbuy_ml.routing.pyvrp_fleet import solve_pyvrp_fleet
from groupbuy_ml.routing.pyvrp_solver import solve_pyvrp
from groupbuy_ml.routing.stopping import StoppingCriterion

BACKENDS = ("pyvrp-fleet", "ortools", "ortools-plain", "pyvrp")
DEFAULT_BACKEND = "pyvrp-fleet"


class UnservableStopsError(InvalidDataError):
    """Some stops cannot be served by any vehicle (see :attr:`stops`)."""

    def __init__(self, stops: Sequence[Unservable]) -> None:
        self.stops = list(stops)
        shown = "; ".join(f"stop {u.stop_id!r}: {u.reason}" for u in self.stops[:5])
        more = f" (and {len(self.stops) - 5} more)" if len(self.stops) > 5 else ""
        super().__init__(f"{len(self.stops)} stop(s) cannot be served: {shown}{more}. "
                         "Fix the input or pass allow_drop=True to plan without them.")


def solve(
    problem: Problem,
    time_limit_s: float = 10.0,
    backend: str = DEFAULT_BACKEND,
    *,
    objective: str = "vehicles",
    deterministic: bool = False,
    solution_budget: int | None = None,
    seed: int = 0,
    allow_drop: bool = False,
    drop_penalty: float | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
    stopping: StoppingCriterion | None = None,
    settings: OrToolsSettings | None = None,
    fleet_share: float = 0.6,
) -> Plan:
    """Solve a CVRPTW within ``time_limit_s`` seconds of wall clock.

    Args:
        backend: ``"pyvrp-fleet"`` (the default: PyVRP with a route-elimination fleet phase,
            :mod:`~groupbuy_ml.routing.pyvrp_fleet`), ``"ortools"`` (GLS + fleet minimisation),
            ``"ortools-plain"`` (OR-Tools default search parameters: the baseline) or ``"pyvrp"``
            (plain PyVRP ILS with a vehicle fixed cost).
        objective: ``"vehicles"`` (fewest vehicles, then distance), ``"distance"`` or ``"cost"``.
        deterministic: fixed solution/iteration budget (``solution_budget``), reproducible.
        allow_drop: leave out unservable stops and let the search drop others at a penalty.
        initial_routes: start from these routes (stop positions 1..n per vehicle).
        stopping: an extra criterion from :mod:`groupbuy_ml.routing.stopping` (OR-Tools
            backends only).
        fleet_share: share of the limit for the fleet phase of ``"pyvrp-fleet"``.

    Raises:
        ValueError: unknown backend, or a non-positive time limit.
        UnservableStopsError: some stops can never be served and ``allow_drop`` is False.
    """
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; use one of {list(BACKENDS)}")
    if not time_limit_s > 0:
        raise ConfigError(f"time_limit_s must be > 0 seconds; got {time_limit_s}")
    if stopping is not None and backend.startswith("pyvrp"):
        raise ConfigError(f"stopping= criteria run on the OR-Tools backends only; got "
                          f"backend={backend!r}: pass backend='ortools' or drop stopping")
    t0 = time.perf_counter()
    unservable = diagnose(problem)
    if unservable and not allow_drop:
        raise UnservableStopsError(unservable)
    keep = [s for s in range(1, problem.num_stops + 1)
            if s not in {u.position for u in unservable}]
    sub = problem if not unservable else problem.subproblem(keep, name=problem.name)
    if initial_routes is not None and unservable:
        where = {p: k + 1 for k, p in enumerate(keep)}
        initial_routes = [[where[s] for s in r if s in where] for r in initial_routes]
    left = time_limit_s - (time.perf_counter() - t0)
    if left <= 0.02:
        raise TimeoutError(f"diagnosis used the whole time limit ({time_limit_s} s)")
    kwargs: dict[str, Any] = dict(objective=objective, deterministic=deterministic,
                                  allow_drop=allow_drop, drop_penalty=drop_penalty,
                                  initial_routes=initial_routes)
    if solution_budget is not None:
        kwargs["solution_budget"] = solution_budget
    if backend == "pyvrp":
        plan = solve_pyvrp(sub, left, seed=seed, **kwargs)
    elif backend == "pyvrp-fleet":
        plan = solve_pyvrp_fleet(sub, left, seed=seed, fleet_share=fleet_share, **kwargs)
    else:
        cfg = settings or OrToolsSettings()
        if backend == "ortools-plain":
            cfg = OrToolsSettings(default_parameters=True)
        plan = solve_ortools(sub, left, stopping=stopping, settings=cfg, **kwargs)
    if unservable:
        plan = lift_plan(problem, plan, keep, extra_dropped=[u.position for u in unservable])
        plan.stats["unservable"] = [{"stop_id": u.stop_id, "reason": u.reason}
                                    for u in unservable]
    wall = time.perf_counter() - t0
    plan.stats.update(wall_s=round(wall, 3), time_limit_s=time_limit_s,
                      overshoot_s=round(max(0.0, wall - time_limit_s), 3))
    if plan.stats.get("found", True):
        report = check_plan(problem, plan)
        plan.stats["feasible"] = report.is_feasible
        if not report.is_feasible:
            plan.stats["violations"] = list(report.violations)
    return plan


def lift_plan(problem: Problem, plan: Plan, indices: Sequence[int],
              extra_dropped: Sequence[int] = (), vehicle_offset: int = 0) -> Plan:
    """Map a plan of ``problem.subproblem(indices)`` back to ``problem``'s positions."""
    index = np.concatenate([[0], np.asarray(indices, dtype=int)])
    routes = [(r.vehicle + vehicle_offset, [int(index[s]) for s in r.stops]) for r in plan.routes]
    dropped = [int(index[s]) for s in plan.dropped] + list(extra_dropped)
    return build_plan(problem, routes, dropped=dropped, stats=plan.stats)
