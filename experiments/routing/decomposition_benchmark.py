"""Decomposition benchmark: simulated cities of 1,000 / 2,000 / 5,000 pickup points, clustered and
solved in parallel (2 workers) vs solved whole, with the same wall-clock limit.

    python experiments/routing/decomposition_benchmark.py --sizes 1000 2000 5000 --limits 30 60 180

Cities come from the market simulator (one order day, units per pickup point = next morning's
delivery), with a radius growing as sqrt(size) so the density of pickup points stays that of the
default 1,000-point city. Vans carry 300 units, drive 30 km/h and unload in 5 minutes. The whole
solve runs in a child process that is killed ``--grace`` seconds after its limit (OR-Tools'
construction heuristics on thousands of stops do not check the clock often). Rows are appended
to ``decomposition_results.csv`` with the 1-minute load average.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from groupbuy_ml.data.simulate import MarketConfig, simulate_market
from groupbuy_ml.routing import VehicleType, check_plan, from_market, solve, solve_decomposed


def city(size: int, folder: Path):
    cfg = MarketConfig(n_pickup_points=size, n_days=2, n_products=30,
                       households_per_pickup_point=40, event_log_days=0,
                       city_radius_km=12 * math.sqrt(size / 1000), seed=7)
    simulate_market(cfg, folder)
    return from_market(folder, vehicles=VehicleType(count=size, capacity=300),
                       service_minutes=5, speed_kmh=30)


def _whole(problem, limit, queue):
    plan = solve(problem, time_limit_s=limit)
    queue.put((plan.num_vehicles, plan.total_distance, len(plan.dropped),
               bool(plan.stats.get("feasible")), plan.stats.get("found", True)))


def solve_whole(problem, limit: float, grace: float) -> dict:
    queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=_whole,
                                                         args=(problem, limit, queue))
    start = time.perf_counter()
    child.start()
    child.join(limit + grace)
    wall = time.perf_counter() - start
    if child.is_alive():
        child.kill()
        child.join()
        return {"wall_s": round(wall, 1), "status": f"killed after {limit + grace:.0f} s"}
    if queue.empty():
        return {"wall_s": round(wall, 1), "status": f"crashed (exit code {child.exitcode})"}
    vehicles, distance, dropped, feasible, found = queue.get()
    if not found:
        return {"wall_s": round(wall, 1), "status": "no solution within the limit"}
    return {"wall_s": round(wall, 1), "vehicles": vehicles, "distance_km": round(distance, 1),
            "dropped": dropped, "feasible": feasible, "status": "ok"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 2000, 5000])
    parser.add_argument("--limits", nargs="+", type=float, default=[30, 60, 180])
    parser.add_argument("--cluster-size", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--grace", type=float, default=60)
    parser.add_argument("--skip-whole-above", type=int, default=10**9)
    parser.add_argument("--out", type=Path,
                        default=Path("experiments/routing/decomposition_results.csv"))
    args = parser.parse_args()
    for size, limit in zip(args.sizes, args.limits, strict=True):
        with tempfile.TemporaryDirectory() as tmp:
            problem = city(size, Path(tmp))
        rows = []
        load = os.getloadavg()[0]
        start = time.perf_counter()
        plan = solve_decomposed(problem, limit, cluster_size=args.cluster_size,
                                workers=args.workers)
        wall = time.perf_counter() - start
        rows.append({"stops": problem.num_stops, "method": "decomposed (k-means, 2 workers)",
                     "time_limit_s": limit, "wall_s": round(wall, 1),
                     "vehicles": plan.num_vehicles, "distance_km": round(plan.total_distance, 1),
                     "dropped": len(plan.dropped),
                     "feasible": check_plan(problem, plan).is_feasible,
                     "clusters": plan.stats["clusters"],
                     "before_border_km": round(plan.stats["before_border"]["distance"], 1),
                     "status": "ok", "load_1min_before": load})
        load = os.getloadavg()[0]
        if problem.num_stops <= args.skip_whole_above:
            whole = solve_whole(problem, limit, args.grace)
        else:
            whole = {"status": "skipped"}
        rows.append({"stops": problem.num_stops, "method": "whole (ortools)",
                     "time_limit_s": limit, **whole, "load_1min_before": load})
        frame = pd.DataFrame(rows)
        frame.to_csv(args.out, mode="a", header=not args.out.exists(), index=False)
        print(frame.to_string(index=False), flush=True)


if __name__ == "__main__":
    main()
