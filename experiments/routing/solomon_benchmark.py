"""Solomon benchmark: our OR-Tools solver vs plain OR-Tools vs PyVRP at fixed wall-clock limits.

    python experiments/routing/solomon_benchmark.py --limits 60 30 10 [--mlflow]
    python experiments/routing/solomon_benchmark.py --from-csv RESULTS_CSV --mlflow   # log only

Each run solves one instance on one core (``solve`` is single-threaded) and appends one row to the
CSV as soon as it ends, with the 1-minute load average before and after it (the machine is
shared). Scored as the literature does: vehicles first, then unrounded Euclidean distance.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from groupbuy_ml.data.loaders.solomon import INSTANCES, load_solomon_bks
from groupbuy_ml.routing import check_plan, read_solomon, solve

SOLVERS = ("ortools", "ortools-plain", "pyvrp")


def run(instances: list[str], limits: list[float], solvers: list[str], data_dir: Path,
        out: Path, seed: int) -> pd.DataFrame:
    bks = load_solomon_bks(data_dir).set_index("instance")
    rows = []
    for limit in limits:
        for name in instances:
            problem = read_solomon(data_dir / f"{name}.txt")
            for solver in solvers:
                load_before = os.getloadavg()[0]
                start = time.perf_counter()
                plan = solve(problem, time_limit_s=limit, backend=solver, seed=seed)
                wall = time.perf_counter() - start
                found = bool(plan.stats.get("found", True)) and not plan.dropped
                feasible = found and check_plan(problem, plan).is_feasible
                row = {
                    "instance": name, "solver": solver, "time_limit_s": limit,
                    "vehicles": plan.num_vehicles if found else None,
                    "distance": round(plan.total_distance, 2) if found else None,
                    "bks_vehicles": int(bks.loc[name, "bks_vehicles"]),
                    "bks_distance": float(bks.loc[name, "bks_distance"]),
                    "feasible": feasible, "wall_s": round(wall, 3),
                    "overshoot_s": round(max(0.0, wall - limit), 3),
                    "load_1min_before": load_before, "load_1min_after": os.getloadavg()[0],
                    "finished_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                }
                row["gap_pct"] = (round(100 * (row["distance"] / row["bks_distance"] - 1), 2)
                                  if found else None)
                rows.append(row)
                frame = pd.DataFrame([row])
                frame.to_csv(out, mode="a", header=not out.exists(), index=False)
                print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="+", default=INSTANCES)
    parser.add_argument("--limits", nargs="+", type=float, default=[60, 30, 10])
    parser.add_argument("--solvers", nargs="+", default=list(SOLVERS), choices=SOLVERS)
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data/solomon"))
    parser.add_argument("--out", type=Path, default=Path("experiments/routing/solomon_results.csv"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mlflow", action="store_true", help="log the table to MLflow")
    parser.add_argument("--from-csv", type=Path, default=None,
                        help="do not run: log this results CSV to MLflow (with --mlflow)")
    args = parser.parse_args()
    if args.from_csv is not None:
        table = pd.read_csv(args.from_csv)
    else:
        table = run(args.instances, args.limits, args.solvers, args.data_dir, args.out,
                    args.seed)
    if args.mlflow:
        log_benchmark(table, "routing-solomon", vars(args))


def log_benchmark(table: pd.DataFrame, experiment: str, config: dict) -> None:
    """One MLflow run per solver x limit: mean gap, BKS-vehicle hits, the rows as a table."""
    from groupbuy_ml.tracking import tracked_run

    for (solver, limit), rows in table.groupby(["solver", "time_limit_s"]):
        matched = rows[rows["vehicles"] == rows["bks_vehicles"]]
        with tracked_run(experiment, f"{solver}-{limit:g}s",
                         {k: str(v) for k, v in config.items()},
                         tags={"solver": solver}) as logger:
            logger.log_metrics({
                "bks_vehicle_hits": float(len(matched)),
                "mean_gap_pct_matched": float(matched["gap_pct"].mean()) if len(matched) else -1,
                "feasible_runs": float(rows["feasible"].sum()),
                "max_overshoot_s": float(rows["overshoot_s"].max()),
            })
            logger.log_table(rows, "results.csv")


if __name__ == "__main__":
    main()
