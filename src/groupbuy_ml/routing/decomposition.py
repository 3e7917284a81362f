"""Large instances: cluster the stops (分单), solve clusters in parallel, improve across borders.

Clustering is either K-means on position plus the middle of the time window (stops close in
space *and* time end up together) or the sweep of Gillett & Miller (1974): stops sorted by polar
angle around the depot and cut into consecutive sectors. Each cluster is an independent CVRPTW
solved in a process pool. Routes are then sorted by the angle of their centroid and small groups
of neighbouring routes that come from different clusters are re-solved together starting from
their current routes (a border improvement in the spirit of POPMUSIC, Taillard & Voss 2002); a
group's new routes are kept only when they score better (vehicles, then distance).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from sklearn.cluster import KMeans

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.routing.plan import Plan, build_plan
from groupbuy_ml.routing.problem import Problem
from groupbuy_ml.routing.solve import lift_plan, solve

METHODS = ("kmeans", "sweep")


def cluster_stops(problem: Problem, cluster_size: int = 150, method: str = "kmeans",
                  time_weight: float = 1.0, seed: int = 0) -> list[list[int]]:
    """Stop positions (1..n) grouped into clusters of about ``cluster_size`` stops.

    Args:
        method: ``"kmeans"`` on (x, y, time_weight * speed * window middle) or ``"sweep"``.
        time_weight: weight of the time-window feature, in distance units per time unit
            relative to the travel speed (0: geography only).
    """
    if method not in METHODS:
        raise ConfigError(f"unknown clustering method {method!r}; use one of {list(METHODS)}")
    if cluster_size < 1:
        raise ConfigError(f"cluster_size must be >= 1; got {cluster_size}")
    n = problem.num_stops
    k = max(1, math.ceil(n / cluster_size))
    pos = np.arange(1, n + 1)
    x, y = problem.array("x")[1:], problem.array("y")[1:]
    if k == 1:
        return [pos.tolist()]
    if method == "sweep":
        angle = np.arctan2(y - problem.array("y")[0], x - problem.array("x")[0])
        order = pos[np.argsort(angle, kind="stable")]
        return [chunk.tolist() for chunk in np.array_split(order, k)]
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.nanmedian(problem.distance[0, 1:] / problem.duration[0, 1:])
    speed = float(speed) if np.isfinite(speed) and speed > 0 else 1.0
    middle = (problem.array("ready_time")[1:] + problem.array("due_time")[1:]) / 2
    features = np.column_stack([x, y, time_weight * speed * middle])
    labels = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(features)
    return [pos[labels == c].tolist() for c in range(k) if (labels == c).any()]


def solve_decomposed(
    problem: Problem,
    time_limit_s: float,
    *,
    cluster_size: int = 150,
    method: str = "kmeans",
    time_weight: float = 1.0,
    workers: int = 2,
    backend: str = "ortools",
    objective: str = "vehicles",
    improve_share: float = 0.3,
    border_routes: int = 4,
    allow_drop: bool = False,
    seed: int = 0,
) -> Plan:
    """Solve a large problem by clusters in parallel, then improve across cluster borders.

    The fleet must be homogeneous (one vehicle type). ``time_limit_s`` covers everything:
    clustering, the pool, and the border improvement (``improve_share`` of the limit).
    """
    t0 = time.perf_counter()
    if len(problem.vehicle_types) != 1:
        raise ConfigError("solve_decomposed needs a single vehicle type; solve mixed fleets whole")
    deadline = t0 + time_limit_s - 0.5
    clusters = cluster_stops(problem, cluster_size, method, time_weight, seed)
    rounds = math.ceil(len(clusters) / max(1, workers))
    cluster_budget = (deadline - time.perf_counter()) * (1 - improve_share) / rounds
    if cluster_budget < 0.2:
        raise ConfigError(f"time_limit_s={time_limit_s} is too short for {len(clusters)} "
                          f"clusters on {workers} workers; raise it or the cluster_size")
    jobs = [(problem.subproblem(c, vehicles=min(len(c), problem.num_vehicles)),
             cluster_budget, backend, objective, allow_drop, seed) for c in clusters]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        plans = list(pool.map(_solve_job, jobs))
        routes, dropped, origin = [], [], []
        for c, (cluster, sub_plan) in enumerate(zip(clusters, plans, strict=True)):
            lifted = lift_plan(problem, _as_plan(jobs[c][0], sub_plan), cluster)
            routes += [list(r.stops) for r in lifted.routes]
            origin += [c] * len(lifted.routes)
            dropped += list(lifted.dropped)
        cluster_wall = time.perf_counter() - t0
        before = _score(problem, routes)
        routes = _improve_borders(problem, routes, origin, pool, deadline, border_routes,
                                  backend, objective)
    if len(routes) > problem.num_vehicles:
        raise ConfigError(f"the clusters needed {len(routes)} vehicles but the fleet has "
                          f"{problem.num_vehicles}; add vehicles or use larger clusters")
    wall = time.perf_counter() - t0
    stats = {"backend": f"decomposed-{backend}", "method": method, "clusters": len(clusters),
             "cluster_size": cluster_size, "workers": workers, "time_limit_s": time_limit_s,
             "cluster_wall_s": round(cluster_wall, 3), "wall_s": round(wall, 3),
             "overshoot_s": round(max(0.0, wall - time_limit_s), 3),
             "before_border": {"vehicles": before[0], "distance": before[1]}, "found": True}
    return build_plan(problem, list(enumerate(routes)), dropped=dropped, stats=stats)


def _solve_job(job: tuple) -> tuple[list[tuple[int, list[int]]], list[int], dict]:
    sub, limit, backend, objective, allow_drop, seed = job
    plan = solve(sub, limit, backend, objective=objective, allow_drop=allow_drop, seed=seed)
    if not plan.stats.get("found", True):
        raise ConfigError(f"cluster {sub.name}: no solution within {limit:.1f} s; raise "
                          "time_limit_s or lower cluster_size")
    return [(r.vehicle, list(r.stops)) for r in plan.routes], list(plan.dropped), plan.stats


def _as_plan(sub: Problem, result: tuple) -> Plan:
    routes, dropped, stats = result
    return build_plan(sub, routes, dropped=dropped, stats=stats)


def _score(problem: Problem, routes: Sequence[Sequence[int]]) -> tuple[int, float]:
    dist = problem.distance
    total = sum(dist[0, r[0]] + dist[r[:-1], r[1:]].sum() + dist[r[-1], 0]
                for r in (np.asarray(r) for r in routes if len(r)))
    return sum(1 for r in routes if len(r)), float(total)


def _improve_borders(problem: Problem, routes: list[list[int]], origin: list[int],
                     pool: ProcessPoolExecutor, deadline: float, size: int, backend: str,
                     objective: str) -> list[list[int]]:
    """Re-solve groups of ``size`` angularly adjacent routes that span two or more clusters."""
    if len(routes) <= 1 or size < 2:
        return routes
    x, y = problem.array("x"), problem.array("y")
    angle = [math.atan2(y[r].mean() - y[0], x[r].mean() - x[0]) for r in routes]
    order = list(np.argsort(angle))
    for offset in (0, size // 2):
        groups = [order[i:i + size] for i in range(offset, len(order), size)]
        groups = [g for g in groups if len(g) > 1 and len({origin[k] for k in g}) > 1]
        left = deadline - time.perf_counter()
        if not groups or left < 1.0:
            break
        per_group = left / (2 if offset == 0 else 1) / math.ceil(len(groups) / 2)
        if per_group < 0.3:
            break
        jobs = []
        for g in groups:
            stops = [s for k in g for s in routes[k]]
            where = {s: j + 1 for j, s in enumerate(stops)}
            sub = problem.subproblem(stops, vehicles=len(g))
            jobs.append((sub, [[where[s] for s in routes[k]] for k in g], per_group, objective))
        for g, new in zip(groups, list(pool.map(_improve_job, jobs)), strict=True):
            if new is None:
                continue
            stops = [s for k in g for s in routes[k]]
            lifted = [[stops[s - 1] for s in r] for r in new]
            if _score(problem, lifted) < _score(problem, [routes[k] for k in g]):
                for slot, k in enumerate(g):
                    routes[k] = lifted[slot] if slot < len(lifted) else []
    return [r for r in routes if r]


def _improve_job(job: tuple) -> list[list[int]] | None:
    sub, initial, limit, objective = job
    plan = solve(sub, limit, "ortools", objective=objective, initial_routes=initial)
    if not plan.stats.get("found", True) or plan.dropped or not plan.stats.get("feasible", True):
        return None
    return [list(r.stops) for r in plan.routes]
