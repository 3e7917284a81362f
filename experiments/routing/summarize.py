"""Print the markdown tables of RESULTS.md from the benchmark CSVs.

    python experiments/routing/summarize.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
LABELS = {"ortools": "ours (OR-Tools GLS + fleet phase)", "ortools-plain": "plain OR-Tools",
          "pyvrp": "PyVRP 0.14 (ILS)"}


def solomon_tables(path: Path) -> str:
    runs = pd.read_csv(path)
    out = []
    for limit, rows in runs.groupby("time_limit_s", sort=False):
        out.append(f"\n### {limit:g} s per instance\n")
        out.append("| instance | BKS | " + " | ".join(LABELS[s] for s in LABELS) + " |")
        out.append("|---|---|" + "---|" * len(LABELS))
        for name, inst in rows.groupby("instance", sort=False):
            first = inst.iloc[0]
            cells = [name, f"{first.bks_vehicles} / {first.bks_distance:.2f}"]
            for solver in LABELS:
                r = inst[inst.solver == solver]
                if r.empty:
                    cells.append("not run")
                elif pd.isna(r.iloc[0].vehicles):
                    cells.append("no solution")
                else:
                    r = r.iloc[0]
                    cells.append(f"{int(r.vehicles)} / {r.distance:.2f} ({r.gap_pct:+.2f}%)")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        out.append("| solver | BKS vehicles hit | mean gap where vehicles match | max overshoot s "
                   "| load (1 min) during |")
        out.append("|---|---|---|---|---|")
        for solver in LABELS:
            r = rows[rows.solver == solver]
            if r.empty:
                continue
            hit = r[r.vehicles == r.bks_vehicles]
            gap = f"{hit.gap_pct.mean():.2f}% (n={len(hit)})" if len(hit) else "-"
            load = f"{r.load_1min_before.min():.1f}-{r.load_1min_after.max():.1f}"
            out.append(f"| {LABELS[solver]} | {len(hit)} / {len(r)} | {gap} | "
                       f"{r.overshoot_s.max():.3f} | {load} |")
    return "\n".join(out)


def solomon56_tables(path: Path) -> str:
    """By class and in all (fleet hits, mean gap where the fleet matches), then per instance."""
    runs = pd.read_csv(path)
    out = []
    for limit, rows in runs.groupby("time_limit_s", sort=False):
        solvers = list(dict.fromkeys(rows["solver"]))
        out.append(f"\n#### {limit:g} s per instance\n")
        out.append("| class | " + " | ".join(
            f"{s}: fleet hits | {s}: mean gap (matched)" for s in solvers) + " |")
        out.append("|---|" + "---|---|" * len(solvers))
        for group in ["C1", "C2", "R1", "R2", "RC1", "RC2", "all"]:
            cells = [group]
            for solver in solvers:
                r = rows[(rows.solver == solver) & ((rows.group == group) | (group == "all"))]
                hit = r[r.vehicles == r.bks_vehicles]
                gap = f"{hit.gap_pct.mean():.2f}% (n={len(hit)})" if len(hit) else "-"
                cells += [f"{len(hit)} / {len(r)}", gap]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        out.append("| instance | BKS | " + " | ".join(solvers) + " |")
        out.append("|---|---|" + "---|" * len(solvers))
        for name, inst in rows.groupby("instance", sort=False):
            first = inst.iloc[0]
            cells = [name, f"{first.bks_vehicles} / {first.bks_distance:.2f}"]
            for solver in solvers:
                r = inst[inst.solver == solver]
                if r.empty:
                    cells.append("not run")
                elif pd.isna(r.iloc[0].vehicles):
                    cells.append("no solution")
                else:
                    r = r.iloc[0]
                    extra = int(r.vehicles - r.bks_vehicles)
                    mark = "" if extra == 0 else f" **fleet {extra:+d}**"
                    cells.append(f"{int(r.vehicles)} / {r.distance:.2f} ({r.gap_pct:+.2f}%){mark}")
            out.append("| " + " | ".join(cells) + " |")
        loads = ", ".join(f"{s}: {rows[rows.solver == s].load_1min_before.min():.1f}-"
                          f"{rows[rows.solver == s].load_1min_after.max():.1f}" for s in solvers)
        out.append(f"\nLoad (1-minute average, 2 cores) during the runs: {loads}. Max overshoot: "
                   f"{rows.overshoot_s.max():.3f} s; infeasible plans: "
                   f"{int((~rows.feasible.astype(bool)).sum())}.")
    return "\n".join(out)


def decomposition_table(path: Path) -> str:
    runs = pd.read_csv(path)
    cols = ["stops", "method", "time_limit_s", "wall_s", "vehicles", "distance_km", "dropped",
            "feasible", "status", "load_1min_before"]
    cols = [c for c in cols if c in runs.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in runs[cols].iterrows():
        lines.append("| " + " | ".join("" if pd.isna(v) else str(v) for v in r) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    if (HERE / "solomon_results.csv").exists():
        print(solomon_tables(HERE / "solomon_results.csv"))
    if (HERE / "solomon56_results.csv").exists():
        print(solomon56_tables(HERE / "solomon56_results.csv"))
    if (HERE / "decomposition_results.csv").exists():
        print(decomposition_table(HERE / "decomposition_results.csv"))
