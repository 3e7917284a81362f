"""``groupbuy route``: solve a Solomon file or a purchase list, write plan.json and routes.png."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf
from rich.console import Console

from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.errors import ConfigError, InputNotFoundError
from groupbuy_ml.routing import (
    Plan,
    Problem,
    VehicleType,
    diagnosis_table,
    from_market,
    from_purchase_list,
    read_solomon,
    save_plan_map,
    solve,
    solve_decomposed,
)


def route_command(args: Sequence[str]) -> Plan:
    """Compose ``configs/route.yaml`` with ``args``, solve, write the outputs, maybe log them."""
    cfg = compose_config("route", args)
    problem, sources = build_problem(cfg)
    plan = run_solver(problem, cfg.routing)
    if not plan.stats.get("found", True):
        raise ConfigError(f"no plan found for {problem.name} within routing.time_limit_s="
                          f"{cfg.routing.time_limit_s}; raise it (or use routing.backend=pyvrp)")
    out_dir = Path(cfg.out_dir).resolve()
    plan_path = plan.write_json(out_dir / "plan.json")
    map_path = save_plan_map(problem, plan, out_dir / "routes.png")
    Console().print(
        f"{problem.name}: {problem.num_stops} stops -> {plan.num_vehicles} vehicles, distance "
        f"{plan.total_distance:,.2f}, {len(plan.dropped)} dropped, feasible="
        f"{plan.stats.get('feasible')} in {plan.stats.get('wall_s')} s\n"
        f"wrote {plan_path} and {map_path}"
    )
    if cfg.tracking.log:
        log_plan(cfg, problem, plan, sources, plan_path, map_path)
    return plan


def build_problem(cfg: DictConfig) -> tuple[Problem, list[Path]]:
    """The problem named by exactly one of ``instance``, ``purchase_list`` or ``market_dir``."""
    given = [k for k in ("instance", "purchase_list", "market_dir") if cfg.get(k)]
    if len(given) != 1:
        raise ConfigError("give exactly one of instance=<Solomon file>, purchase_list=<file> "
                          f"pickup_points=<file>, or market_dir=<folder>; got {given or 'none'}")
    if cfg.instance:
        path = Path(cfg.instance)
        if not path.exists():
            raise InputNotFoundError(f"instance={path}: no such file")
        return read_solomon(path), [path]
    fleet = cfg.routing.fleet
    kwargs = dict(speed_kmh=fleet.speed_kmh, service_minutes=fleet.service_minutes,
                  return_by_minute=fleet.return_by_minute, metric=fleet.metric)
    if fleet.dispatch_minute is not None:
        kwargs["dispatch_minute"] = fleet.dispatch_minute
    if cfg.market_dir:
        problem = from_market(cfg.market_dir, cfg.date, **kwargs)
        sources = [Path(cfg.market_dir)]
    else:
        if not cfg.pickup_points:
            raise ConfigError("purchase_list=... needs pickup_points=<file> as well")
        purchases, points = read_table(cfg.purchase_list), read_table(cfg.pickup_points)
        problem = from_purchase_list(purchases, points, date=cfg.date, **kwargs)
        sources = [Path(cfg.purchase_list), Path(cfg.pickup_points)]
    count = int(fleet.vehicles) if fleet.vehicles is not None else problem.num_stops
    vt = VehicleType(count=count, capacity=float(fleet.capacity),
                     fixed_cost=float(fleet.fixed_cost))
    return Problem(problem.name, problem.stops, (vt,), problem.distance, problem.duration,
                   problem.metric, problem.speed), sources


def run_solver(problem: Problem, routing: DictConfig) -> Plan:
    """``solve`` or, above ``decompose.above_stops`` stops, ``solve_decomposed``."""
    if problem.num_stops > routing.decompose.above_stops:
        d = routing.decompose
        return solve_decomposed(problem, routing.time_limit_s, cluster_size=d.cluster_size,
                                method=d.method, workers=d.workers, backend=routing.backend,
                                objective=routing.objective, allow_drop=routing.allow_drop,
                                seed=routing.seed)
    return solve(problem, routing.time_limit_s, routing.backend, objective=routing.objective,
                 deterministic=routing.deterministic, solution_budget=routing.solution_budget,
                 seed=routing.seed, allow_drop=routing.allow_drop,
                 fleet_share=routing.get("fleet_share", 0.6))


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV or parquet table."""
    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(f"{path}: no such file")
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def log_plan(cfg: DictConfig, problem: Problem, plan: Plan, sources: list[Path],
             plan_path: Path, map_path: Path) -> None:
    """Log the run to MLflow: config, metrics, the plan, the map and the drop report."""
    from groupbuy_ml.data.fingerprint import fingerprint_files
    from groupbuy_ml.tracking import resolve_tracking, tracked_run

    target = resolve_tracking(cfg.tracking.uri, cfg.paths.root_dir)
    with tracked_run(cfg.tracking.experiment, cfg.tracking.run_name,
                     OmegaConf.to_container(cfg, resolve=True), target,
                     {p.name: fingerprint_files(p) for p in sources},
                     {"problem": problem.name, "backend": cfg.routing.backend}) as run:
        run.log_metrics({"num_vehicles": plan.num_vehicles,
                         "total_distance": plan.total_distance,
                         "dropped": len(plan.dropped), "wall_s": plan.stats.get("wall_s", 0.0),
                         "feasible": float(bool(plan.stats.get("feasible")))})
        run.log_dict(json.loads(plan_path.read_text(encoding="utf-8")), "plan.json")
        run.log_artifact(map_path)
        table = diagnosis_table(problem)
        if len(table):
            run.log_table(table.astype({"stop_id": str}), "unservable.csv")
