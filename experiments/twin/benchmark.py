"""Twin benchmark: every ordering policy on the default city, 3 seeds, baseline and a heat wave
with late suppliers, beside the perfect-foresight bound (issue 12).

Each run goes through the library's configs exactly as ``groupbuy twin`` does
(``compose_config("twin", [policy=..., scenario=..., seed=...])`` -> ``build_spec`` ->
``run_twin``); results are appended to ``runs.jsonl`` as they finish, and ``--report`` turns
them into the tables of RESULTS.md (mean ± spread over seeds, spread = half the min-max range).

    python experiments/twin/benchmark.py --out experiments/twin/runs.jsonl
    python experiments/twin/benchmark.py --out experiments/twin/runs.jsonl --report
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

POLICIES = ("last_week_sales", "base_stock", "ss", "newsvendor", "perfect_foresight")
SCENARIOS = ("baseline", "heatwave_delay")
KPIS = (("waste_rate", "waste", "{:.1%}"), ("fill_rate", "fill", "{:.1%}"),
        ("stockout_rate", "stock-out", "{:.1%}"), ("lost", "lost units", "{:,.0f}"),
        ("formation_rate", "成团率", "{:.1%}"), ("gmv", "GMV CNY", "{:,.0f}"),
        ("gross_margin", "margin after waste", "{:,.0f}"),
        ("repeat_purchase_rate", "复购率", "{:.1%}"),
        ("inventory_turnover", "turnover", "{:.1f}"), ("delivery_km", "km", "{:,.0f}"),
        ("warned_share", "stock-outs warned", "{:.0%}"))


def overrides(policy: str, scenario: str, seed: int, extra: list[str]) -> list[str]:
    return [f"policy={policy}", f"scenario={scenario}", f"seed={seed}", *extra]


def run_one(args: list[str]) -> dict:
    from groupbuy_ml.cli.hydra_app import compose_config
    from groupbuy_ml.twin.experiment import build_spec
    from groupbuy_ml.twin.run import run_twin

    spec = build_spec(compose_config("twin", args))
    tic = time.perf_counter()
    result = run_twin(spec)
    return {"overrides": args, "policy": type(spec.policies.ordering).__name__,
            "scenario": spec.scenario.name, "seed": spec.seed, "kpis": result.kpis,
            "seconds": result.seconds, "wall_s": time.perf_counter() - tic,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "warned_share": _warned(result.warnings)}


def _warned(table: pd.DataFrame) -> float:
    points = table["points_sold_out"].sum()
    return float(table["warned_points"].sum() / points) if points else float("nan")


def report(path: Path) -> str:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    out = []
    for scenario in SCENARIOS:
        runs = [r for r in rows if r["scenario"] == scenario]
        if not runs:
            continue
        out.append(f"\n### {scenario}\n")
        head = "| policy | seeds | " + " | ".join(k[1] for k in KPIS) + " | s / closed day |"
        out += [head, "|" + "---|" * (len(KPIS) + 3)]
        for policy in dict.fromkeys(r["policy"] for r in runs):
            mine = [r for r in runs if r["policy"] == policy]
            cells = []
            for key, _, fmt in KPIS:
                v = np.array([r.get(key, r["kpis"].get(key, np.nan)) for r in mine], float)
                if not np.isfinite(v).any():
                    cells.append("-")
                    continue
                spread = (np.nanmax(v) - np.nanmin(v)) / 2
                cells.append(f"{fmt.format(np.nanmean(v))} ± {fmt.format(spread)}")
            sec = np.mean([r["seconds"]["seconds_per_closed_day"] for r in mine])
            out.append(f"| {policy} | {len(mine)} | " + " | ".join(cells) + f" | {sec:.3f} |")
        out.append("")
        for policy in dict.fromkeys(r["policy"] for r in runs):
            mine = [r for r in runs if r["policy"] == policy]
            args = mine[0]["overrides"]
            name = args[0].split("=", 1)[1]
            seeds = " ".join(str(r["seed"]) for r in mine)
            extra = f" --only {' '.join(args[3:])}" if len(args) > 3 else ""
            out.append(f"- {policy}: `python experiments/twin/benchmark.py --policies {name} "
                       f"--scenarios {scenario} --seeds {seeds}{extra}`")
    out += ["", "### targets per seed (newsvendor vs last week's sales, and the bound)", "",
            "| scenario | seed | waste cut | fill-rate change | margin gap closed |",
            "|---|---|---|---|---|"]
    for scenario in SCENARIOS:
        by = {(r["policy"], r["seed"]): r["kpis"] for r in rows if r["scenario"] == scenario}
        for seed in sorted({r["seed"] for r in rows}):
            keys = [(p, seed) for p in ("LastWeekSales", "Newsvendor", "PerfectForesight")]
            if not all(k in by for k in keys):
                continue
            n, v, b = (by[k] for k in keys)
            gap = (v["gross_margin"] - n["gross_margin"]) / (b["gross_margin"] - n["gross_margin"])
            out.append(f"| {scenario} | {seed} | {1 - v['waste_rate'] / n['waste_rate']:.0%} | "
                       f"{v['fill_rate'] - n['fill_rate']:+.1%} | {gap:.0%} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("experiments/twin/runs.jsonl"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--policies", nargs="+", default=list(POLICIES))
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    ap.add_argument("--only", nargs="*", default=None,
                    help="extra config overrides for every run (e.g. twin.days=30)")
    ap.add_argument("--report", action="store_true", help="print the tables from --out")
    a = ap.parse_args()
    if a.report:
        print(report(a.out))
        return
    done = set()
    if a.out.exists():
        done = {tuple(json.loads(x)["overrides"]) for x in a.out.read_text().splitlines() if x}
    for scenario in a.scenarios:
        for seed in a.seeds:
            for policy in a.policies:
                args = overrides(policy, scenario, seed, a.only or [])
                if tuple(args) in done:
                    continue
                row = run_one(args)
                with a.out.open("a") as f:
                    f.write(json.dumps(row) + "\n")
                k = row["kpis"]
                print(f"{scenario} seed={seed} {row['policy']}: waste {k['waste_rate']:.3f} "
                      f"fill {k['fill_rate']:.3f} margin {k['gross_margin']:,.0f} "
                      f"({row['wall_s']:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
