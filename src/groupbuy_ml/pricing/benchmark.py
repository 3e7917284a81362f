"""Policies from their configs (``configs/policy/<hook>/<name>.yaml``, Hydra ``_target_``) run in
the twin, seed by seed: the merchandising benchmark's engine (``experiments/merchandising``)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.utils import instantiate
from omegaconf import OmegaConf

from groupbuy_ml.errors import InputNotFoundError
from groupbuy_ml.groups.logs import GroupLogger
from groupbuy_ml.twin import PolicySet, RunSpec, TwinConfig, run_twin
from groupbuy_ml.twin.run import build_world

__all__ = ["CONFIG_DIR", "KPI_COLUMNS", "group_kpis", "load_policy", "run_policies"]

CONFIG_DIR = Path(__file__).resolve().parents[3] / "configs"
KPI_COLUMNS = ("gross_margin", "gmv", "waste_rate", "formation_rate", "fill_rate", "delivered",
               "demand", "lost", "spoiled", "inventory_turnover")


def load_policy(hook: str, name: str, twin: dict[str, Any], seed: int,
                config_dir: str | Path = CONFIG_DIR) -> Any:
    """The policy of ``configs/policy/<hook>/<name>.yaml``, built with ``${twin}`` and
    ``${seed}`` resolved to this run's."""
    path = Path(config_dir) / "policy" / hook / f"{name}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise InputNotFoundError(f"policy.{hook}: no config {path}; known: {', '.join(known)}")
    root = OmegaConf.create({"twin": twin, "seed": seed, "policy": OmegaConf.load(path)})
    return instantiate(root.policy, _convert_="all")


def run_policies(hook: str, names: Sequence[str], twin: dict[str, Any], seeds: Sequence[int],
                 config_dir: str | Path = CONFIG_DIR, keep: list | None = None,
                 fixed: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per (policy, seed): the run's KPIs, :func:`group_kpis` and wall seconds;
    ``fixed`` names the other hooks' policy configs (``{hook: name}``, built afresh for each
    run; the defaults otherwise); ``keep`` (a list) receives
    ``(name, seed, policy)`` after each run (to read what a policy learned)."""
    rows = []
    config = TwinConfig(**twin)
    for seed in seeds:
        for name in names:
            policy = load_policy(hook, name, twin, seed, config_dir)
            tic = time.perf_counter()
            others = {h: load_policy(h, n, twin, seed, config_dir)
                      for h, n in (fixed or {}).items()}
            spec = RunSpec(config, PolicySet(**{**others, hook: policy}), seed=seed, name=name)
            world, _, calendar = build_world(spec)
            groups = GroupLogger(world.products, world.dates[0], calendar)
            result = run_twin(spec, on_outcome=groups)
            row = {"policy": name, "seed": seed, **{k: result.kpis[k] for k in KPI_COLUMNS},
                   **group_kpis(groups.table(), config.warm_up_days + config.burn_in_days),
                   "seconds": time.perf_counter() - tic}
            row.update({f"fallback_{k}": v for k, v in getattr(policy, "fallbacks", {}).items()})
            row.update({f"solver_{k}": v for k, v in getattr(policy, "statuses", {}).items()})
            rows.append(row)
            if keep is not None:
                keep.append((name, seed, policy))
    return pd.DataFrame(rows)


def group_kpis(log: pd.DataFrame, first_scored: int) -> dict[str, float]:
    """Formation rate of new products' group buys (launched < 28 days ago), how many there were,
    and the units households ordered in groups that failed (unmet demand), over scored days."""
    log = log[log["day"] >= first_scored] if len(log) else log
    if not len(log):
        return {"new_formation_rate": float("nan"), "new_groups": 0.0,
                "failed_group_units": 0.0}
    new = log[log["is_new"]]
    return {"new_formation_rate": float(new["formed"].mean()) if len(new) else float("nan"),
            "new_groups": float(len(new)),
            "failed_group_units": float(log.loc[log["formed"] == 0, "units"].sum())}
