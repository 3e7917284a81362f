"""Solomon benchmark: the library's solvers, run through ``configs/route.yaml``, at fixed limits.

    python experiments/routing/solomon_benchmark.py --limits 30 --solvers default pyvrp \
        --out experiments/routing/solomon56_results.csv            # all 56 instances
    python experiments/routing/solomon_benchmark.py --classes C1 R1 --per-class 4 ...   # a subset
    python experiments/routing/solomon_benchmark.py --from-csv RESULTS_CSV --mlflow   # log only

A solver is a set of Hydra overrides of ``configs/route.yaml`` (``default`` = none: what
``groupbuy route`` runs; ``pyvrp`` = ``routing.backend=pyvrp``; extra ``-o key=value`` overrides
apply to every solver), solved by :func:`groupbuy_ml.cli.route.run_solver` as the CLI does. Each
run is one instance on one core; its row is appended to ``--out`` as soon as it ends (with the
1-minute load average before and after: the machine is shared), and rows already in ``--out`` are
skipped, so a run cut off resumes where it stopped. Scored as the literature does: vehicles
first, then unrounded Euclidean distance.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

import pandas as pd

from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.cli.route import run_solver
from groupbuy_ml.data.loaders.paths import shared_data_dir
from groupbuy_ml.data.loaders.solomon import load_solomon_bks
from groupbuy_ml.routing import check_plan, read_solomon

SOLVERS = {
    "default": [],
    "pyvrp": ["routing.backend=pyvrp"],
    "ortools": ["routing.backend=ortools"],
    "ortools-plain": ["routing.backend=ortools-plain"],
}
KEY = ["instance", "solver", "time_limit_s"]


def pick_instances(bks: pd.DataFrame, instances: list[str] | None, classes: list[str] | None,
                   per_class: int | None) -> list[str]:
    """Named instances, or those of ``classes`` (every ``k``-th so ``per_class`` spread out)."""
    if instances:
        unknown = sorted(set(instances) - set(bks["instance"]))
        if unknown:
            raise SystemExit(f"--instances: not in bks.csv: {unknown}")
        return list(instances)
    rows = bks if not classes else bks[bks["group"].isin(classes)]
    picked = []
    for _, group in rows.groupby("group", sort=False):
        names = list(group["instance"])
        if per_class and per_class < len(names):
            step = len(names) / per_class
            names = [names[int(i * step)] for i in range(per_class)]
        picked.extend(names)
    return picked


def done_keys(out: Path) -> set[tuple]:
    """(instance, solver, limit) already in ``out``."""
    if not out.exists():
        return set()
    old = pd.read_csv(out)
    return {(r.instance, r.solver, float(r.time_limit_s)) for r in old[KEY].itertuples()}


def run(instances: list[str], limits: list[float], solvers: list[str], data_dir: Path,
        out: Path, overrides: list[str], tag: str = "") -> pd.DataFrame:
    bks = load_solomon_bks(data_dir).set_index("instance")
    done = done_keys(out)
    rows = []
    for limit in limits:
        for name in instances:
            problem = read_solomon(data_dir / f"{name}.txt")
            for base in solvers:
                solver = f"{base}@{tag}" if tag else base
                if (name, solver, float(limit)) in done:
                    continue
                args = [*SOLVERS[base], *overrides, f"routing.time_limit_s={limit}"]
                cfg = compose_config("route", args)
                load_before = os.getloadavg()[0]
                start = time.perf_counter()
                plan = run_solver(problem, cfg.routing)
                wall = time.perf_counter() - start
                found = bool(plan.stats.get("found", True)) and not plan.dropped
                feasible = found and check_plan(problem, plan).is_feasible
                row = {
                    "instance": name, "group": bks.loc[name, "group"], "solver": solver,
                    "time_limit_s": float(limit), "backend": cfg.routing.backend,
                    "vehicles": plan.num_vehicles if found else None,
                    "distance": round(plan.total_distance, 2) if found else None,
                    "bks_vehicles": int(bks.loc[name, "bks_vehicles"]),
                    "bks_distance": float(bks.loc[name, "bks_distance"]),
                    "feasible": feasible, "wall_s": round(wall, 3),
                    "overshoot_s": round(max(0.0, wall - limit), 3),
                    "fleet_phase": plan.stats.get("fleet_phase", ""),
                    "load_1min_before": load_before, "load_1min_after": os.getloadavg()[0],
                    "finished_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                    "overrides": " ".join(args),
                }
                row["gap_pct"] = (round(100 * (row["distance"] / row["bks_distance"] - 1), 2)
                                  if found else None)
                rows.append(row)
                pd.DataFrame([row]).to_csv(out, mode="a", header=not out.exists(), index=False)
                print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return pd.DataFrame(rows)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per solver x limit (and class): runs, BKS-fleet hits, mean gap where the fleet matches."""
    def one(rows: pd.DataFrame) -> pd.Series:
        hit = rows[rows["vehicles"] == rows["bks_vehicles"]]
        return pd.Series({"runs": len(rows), "fleet_hits": len(hit),
                          "hit_pct": round(100 * len(hit) / len(rows), 1),
                          "mean_gap_pct_matched": round(hit["gap_pct"].mean(), 2),
                          "extra_vehicles": int((rows["vehicles"] - rows["bks_vehicles"])
                                                .clip(lower=0).sum()),
                          "infeasible": int((~rows["feasible"].astype(bool)).sum()),
                          "max_overshoot_s": rows["overshoot_s"].max()})
    groups = ["solver", "time_limit_s"]
    total = table.groupby(groups).apply(one, include_groups=False).reset_index()
    total.insert(2, "group", "all")
    by_class = table.groupby([*groups, "group"]).apply(one, include_groups=False).reset_index()
    return pd.concat([total, by_class], ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="+", default=None)
    parser.add_argument("--classes", nargs="+", default=None,
                        help="C1 C2 R1 R2 RC1 RC2 (default: all)")
    parser.add_argument("--per-class", type=int, default=None)
    parser.add_argument("--limits", nargs="+", type=float, default=[30])
    parser.add_argument("--solvers", nargs="+", default=["default", "pyvrp"],
                        choices=list(SOLVERS))
    parser.add_argument("-o", "--override", action="append", default=[],
                        help="extra routing override for every solver, e.g. routing.seed=1")
    parser.add_argument("--tag", default="",
                        help="label the rows solver@TAG (variants run with -o overrides)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="default: solomon/ in the shared data folder (GROUPBUY_DATA_DIR)")
    parser.add_argument("--out", type=Path,
                        default=Path("experiments/routing/solomon56_results.csv"))
    parser.add_argument("--mlflow", action="store_true", help="log the table to MLflow")
    parser.add_argument("--from-csv", type=Path, default=None,
                        help="do not run: summarise (and with --mlflow log) this results CSV")
    args = parser.parse_args()
    print("command: python " + " ".join(shlex.quote(a) for a in sys.argv), flush=True)
    if args.data_dir is None:
        args.data_dir = shared_data_dir() / "solomon"
    if args.from_csv is not None:
        table = pd.read_csv(args.from_csv)
    else:
        bks = load_solomon_bks(args.data_dir)
        names = pick_instances(bks, args.instances, args.classes, args.per_class)
        run(names, args.limits, args.solvers, args.data_dir, args.out, args.override, args.tag)
        labels = [f"{s}@{args.tag}" if args.tag else s for s in args.solvers]
        table = pd.read_csv(args.out)
        table = table[table["instance"].isin(names) & table["solver"].isin(labels)
                      & table["time_limit_s"].isin(args.limits)]
    print(summary(table).to_string(index=False))
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
