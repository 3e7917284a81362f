"""Merchandising benchmark: elasticity recovery, real-data elasticities, policies in the twin.

    python experiments/merchandising/benchmark.py elasticity       # elasticity_market.yaml
    python experiments/merchandising/benchmark.py stallion         # elasticity_stallion.yaml
    python experiments/merchandising/benchmark.py formation        # formation_twin.yaml
    python experiments/merchandising/benchmark.py twin pricing_twin     # or threshold_twin

(configs in ``configs/merchandising/``; ``key=value`` arguments override them, e.g.
``data=/path/to/stallion`` or ``seeds=[1]``)

Each writes ``experiments/merchandising/<name>.csv`` and prints a markdown table.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from groupbuy_ml.data.simulate import MarketConfig
from groupbuy_ml.data.simulate.market import simulate_market
from groupbuy_ml.pricing import ElasticityEstimator
from groupbuy_ml.pricing.benchmark import CONFIG_DIR, run_policies
from groupbuy_ml.pricing.evaluate import compare_to_truth, recovery_summary
from groupbuy_ml.pricing.market_panel import load_market, segment_panel, true_elasticities
from groupbuy_ml.pricing.stallion import stallion_panel

HERE = Path(__file__).resolve().parent


def markdown(frame: pd.DataFrame, digits: int = 3, index: bool = True) -> str:
    """A pipe table (numbers rounded to ``digits``; thousands separated above 1,000)."""
    frame = frame.reset_index() if index else frame

    def fmt(v) -> str:
        if isinstance(v, float | np.floating):
            return "" if np.isnan(v) else f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.{digits}f}"
        return str(v)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join(lines)


def cfg(name: str, **overrides) -> dict:
    """``configs/merchandising/<name>.yaml`` with top-level keys replaced by ``overrides``."""
    c = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "merchandising" / f"{name}.yaml"))
    return {**c, **overrides}


def elasticity(c: dict, out_dir: Path = HERE) -> pd.DataFrame:
    rows, detail = [], []
    for seed in c["seeds"]:
        with tempfile.TemporaryDirectory() as tmp:
            simulate_market(MarketConfig(**c["market"], seed=seed), tmp)
            tables = load_market(tmp)
        panel, truth = segment_panel(tables), true_elasticities(tables["products"])
        for level, by in c["levels"].items():
            for method in c["methods"]:
                est = ElasticityEstimator(by=tuple(by), method=method, cov=c["cov"]).fit(panel)
                cmp = compare_to_truth(est, truth, tuple(by))
                rows.append({"level": level, "method": method, "seed": seed,
                             **recovery_summary(cmp)})
                if level == "category_segment":
                    detail.append(cmp.assign(method=method, seed=seed))
    out = pd.DataFrame(rows)
    out.to_csv(out_dir / "elasticity.csv", index=False)
    pd.concat(detail).to_csv(out_dir / "elasticity_by_category.csv", index=False)
    table = out.groupby(["level", "method"]).agg(
        groups=("groups", "mean"), estimated=("estimated", "mean"), mae=("mae", "mean"),
        bias=("bias", "mean"), coverage90=("coverage90", "mean"),
        coverage95=("coverage95", "mean")).reset_index()
    print(markdown(table, index=False))
    d = pd.concat(detail)
    d = d[d["method"] == "ppml"].groupby("category").agg(
        true=("true_elasticity", "mean"), est=("elasticity", "mean"),
        mae=("error", lambda e: np.abs(e).mean()), cov90=("covered90", "mean"),
        cov95=("covered95", "mean"))
    print(markdown(d))
    return out


def stallion(c: dict, out_dir: Path = HERE) -> pd.DataFrame:
    root = Path(c["data"])
    root = root if root.is_absolute() else (CONFIG_DIR.parent / root).resolve()
    panel, dropped = stallion_panel(root)
    print(f"rows {len(panel)}, dropped (price <= 0) {dropped}")
    frames = []
    for level, by in c["levels"].items():
        est = ElasticityEstimator(by=tuple(by), series=tuple(c["series"]), method=c["method"],
                                  controls=tuple(c["controls"]), cov=c["cov"],
                                  min_rows=c["min_rows"]).fit(panel)
        frames.append(est.assign(level=level))
    out = pd.concat(frames, ignore_index=True)
    out.to_csv(out_dir / "stallion.csv", index=False)
    cols = [c for c in ("level", "segment", "product_id", "n_rows", "elasticity", "ci90_low",
                        "ci90_high", "ci95_low", "ci95_high", "status") if c in out]
    print(markdown(out[cols], index=False))
    return out


def group_log(twin_cfg: dict, seed: int, fixed: dict | None = None) -> pd.DataFrame:
    from groupbuy_ml.groups.logs import GroupLogger
    from groupbuy_ml.pricing.benchmark import load_policy
    from groupbuy_ml.twin import PolicySet, RunSpec, TwinConfig, run_twin
    from groupbuy_ml.twin.run import build_world

    policies = PolicySet(**{h: load_policy(h, n, twin_cfg, seed)
                            for h, n in (fixed or {}).items()})
    spec = RunSpec(TwinConfig(**twin_cfg), policies, seed=seed)
    world, _, calendar = build_world(spec)
    log = GroupLogger(world.products, world.dates[0], calendar)
    run_twin(spec, on_outcome=log)
    return log.table().assign(seed=seed)


def formation(c: dict, out_dir: Path = HERE) -> pd.DataFrame:
    from groupbuy_ml.groups.model import (
        BaseRate,
        FormationModel,
        LogisticFormation,
        formation_scores,
        reliability_table,
    )

    parts = {k: pd.concat([group_log(c["twin"], s, c.get("fixed")) for s in c[f"{k}_seeds"]],
                          ignore_index=True) for k in ("train", "valid", "test")}
    train, valid, test = parts["train"], parts["valid"], parts["test"]
    print("groups", {k: len(v) for k, v in parts.items()},
          "test rate", round(test["formed"].mean(), 3),
          "new share", round(test["is_new"].mean(), 3))
    rows, reliability = [], []
    for cp in c["checkpoints"]:
        chosen = {}
        for kind, grid in (("logistic", [{"C": x} for x in c["logistic_C"]]),
                           ("lightgbm", c["lightgbm_grid"])):
            best = None
            for params in grid:
                # choose on validation (the LightGBM calibrator is fitted there too)
                m = (LogisticFormation(checkpoint=cp, **params) if kind == "logistic"
                     else FormationModel(checkpoint=cp, **params)).fit(
                    train, valid if kind == "lightgbm" else None)
                brier = formation_scores(valid["formed"], m.predict_proba(valid))["brier"]
                if best is None or brier < best[0]:
                    best = (brier, params, m)
            chosen[kind] = best
        chosen["base_rate"] = (np.nan, {}, BaseRate().fit(train))
        for kind, (val_brier, params, m) in chosen.items():
            p = m.predict_proba(test)
            new = test["is_new"].to_numpy(bool)
            row = {"checkpoint": "launch" if cp is None else f"{cp // 60}:00", "model": kind,
                   "params": params, "valid_brier": val_brier,
                   **formation_scores(test["formed"], p),
                   "new_brier": formation_scores(test["formed"][new], p[new])["brier"],
                   "new_n": float(new.sum())}
            rows.append(row)
            reliability.append(reliability_table(test["formed"].to_numpy(), p).assign(
                checkpoint=row["checkpoint"], model=kind))
    out = pd.DataFrame(rows)
    out.to_csv(out_dir / "formation.csv", index=False)
    pd.concat(reliability).to_csv(out_dir / "formation_reliability.csv", index=False)
    cols = ["checkpoint", "model", "valid_brier", "brier", "auc", "log_loss", "ece", "new_brier",
            "new_n", "params"]
    print(markdown(out[cols], 4, index=False))
    return out


def in_twin_elasticity(twin_cfg: dict, seed: int, policy) -> pd.DataFrame:
    """The optimiser's last category estimates against the city's true aggregate elasticity
    (category mean of each product's band-weighted elasticity)."""
    from groupbuy_ml.pricing.oracle import effective_elasticity, true_price_response
    from groupbuy_ml.twin import RunSpec, TwinConfig
    from groupbuy_ml.twin.run import build_world

    world, _, _ = build_world(RunSpec(TwinConfig(**twin_cfg), seed=seed))
    eff = effective_elasticity(true_price_response(twin_cfg, seed))
    truth = pd.DataFrame({"category": world.products["category"], "true_elasticity": eff})
    est = policy.estimates
    raw = est.assign(elasticity=est.get("raw_elasticity", est["elasticity"]))
    cmp = compare_to_truth(raw, truth, ("category",))  # the intervals belong to the raw fit
    cmp["used"] = est["elasticity"].to_numpy()  # after shrinkage: what the policy priced with
    cmp["used_error"] = cmp["used"] - cmp["true_elasticity"]
    return cmp.assign(seed=seed)


def twin(c: dict, out_dir: Path = HERE, name: str = "twin") -> pd.DataFrame:
    kept: list = []
    out = run_policies(c["hook"], c["policies"], c["twin"], c["seeds"], keep=kept,
                       fixed=c.get("fixed"))
    out.to_csv(out_dir / f"{name}.csv", index=False)
    learned = [in_twin_elasticity(c["twin"], seed, policy) for pname, seed, policy in kept
               if getattr(policy, "estimates", None) is not None]
    if learned:
        est = pd.concat(learned, ignore_index=True)
        est.to_csv(out_dir / f"{name}_elasticity.csv", index=False)
        est = est[est["status"] == "ok"]
        by_cat = est.groupby("category").agg(
            true=("true_elasticity", "mean"), raw=("elasticity", "mean"),
            raw_mae=("error", lambda e: np.abs(e).mean()), cov95=("covered95", "mean"),
            used=("used", "mean"), used_mae=("used_error", lambda e: np.abs(e).mean()))
        print("in-twin elasticity (the optimiser's last fit, censored records, all segments):")
        print(markdown(by_cat))
        print(f"categories estimated {len(est)} (over seeds), raw mae "
              f"{np.abs(est['error']).mean():.3f}, 90% coverage {est['covered90'].mean():.3f}, "
              f"95% {est['covered95'].mean():.3f}; after shrinkage mae "
              f"{np.abs(est['used_error']).mean():.3f}")
    base = out[out["policy"] == c["baseline"]].set_index("seed")["gross_margin"]
    out["margin_vs_baseline"] = out["gross_margin"] - out["seed"].map(base)
    if c.get("bound"):
        bound = out[out["policy"] == c["bound"]].set_index("seed")["gross_margin"]
        out["regret"] = out["seed"].map(bound) - out["gross_margin"]
        out["gap_closed"] = out["margin_vs_baseline"] / (out["seed"].map(bound)
                                                         - out["seed"].map(base))
    agg = out.groupby("policy", sort=False).mean(numeric_only=True).drop(columns="seed")
    print(markdown(agg))
    return out


if __name__ == "__main__":
    what, args = sys.argv[1], sys.argv[2:]
    jobs = {"elasticity": ("elasticity_market", elasticity),
            "stallion": ("elasticity_stallion", stallion),
            "formation": ("formation_twin", formation)}
    if what not in jobs:
        name, args = args[0], args[1:]
    overrides = OmegaConf.to_container(OmegaConf.from_dotlist(args))  # key=value, dotted
    if what in jobs:
        name, job = jobs[what]
        job(OmegaConf.to_container(OmegaConf.merge(cfg(name), overrides)))
    else:
        twin(OmegaConf.to_container(OmegaConf.merge(cfg(name), overrides)), name=name)
