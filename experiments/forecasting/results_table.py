"""Print the benchmark CSVs of ``results/`` as the markdown tables of RESULTS.md."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
ORDER = ["seasonal_naive", "naive", "autoets", "lightgbm", "lstm", "tft"]
COLUMNS = ["model", "rmsse", "wape", "rmspe", "mae", "pinball_mean", "coverage_80",
           "fit_seconds", "predict_seconds", "wall_seconds", "load_before", "load_after"]


def main() -> None:
    datasets = sorted({p.stem.split("_")[0] for p in RESULTS.glob("*.csv")})
    for dataset in datasets:  # rossmann.csv + rossmann_tft.csv ... (runs of one dataset)
        table = pd.concat([pd.read_csv(p) for p in sorted(RESULTS.glob(f"{dataset}*.csv"))])
        table["_order"] = table["model"].map({m: i for i, m in enumerate(ORDER)})
        table = table.sort_values("_order")[[c for c in COLUMNS if c in table.columns]]
        print(f"### {dataset}\n")
        print("| " + " | ".join(table.columns) + " |")
        print("|" + "---|" * len(table.columns))
        for row in table.itertuples(index=False):
            print("| " + " | ".join(_cell(v) for v in row) + " |")
        print()


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "-" if pd.isna(value) else f"{value:.4g}"
    return str(value)


if __name__ == "__main__":
    main()
