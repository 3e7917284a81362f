"""Print the benchmark CSVs of ``results/<suite>/`` as the markdown tables of RESULTS.md.

Every row carries the command that reproduces it; where a suite has an oracle row
(``forecast_oracle_market``), every row also shows its distance to it (``x / oracle - 1``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
ORACLE = "forecast_oracle_market"
COLUMNS = ["config", "val_rmspe", "val_rmsse", "test_rmsse", "test_wape", "test_rmspe", "test_mae",
           "test_pinball_mean", "test_coverage_80", "fit_seconds", "wall_seconds",
           "load_before", "load_after"]


def suite_table(folder: Path) -> pd.DataFrame:
    """The rows of one suite, with the distance to the oracle when there is one."""
    table = pd.concat([pd.read_csv(p) for p in sorted(folder.glob("*.csv"))], ignore_index=True)
    cols = [c for c in COLUMNS if c in table.columns]
    if ORACLE in set(table["config"]):
        oracle = table.set_index("config").loc[ORACLE]
        for metric in ("test_rmsse", "test_wape", "test_mae"):
            table[f"{metric}_vs_oracle"] = table[metric] / oracle[metric] - 1.0
            cols.append(f"{metric}_vs_oracle")
        table = table.sort_values("test_rmsse")
    return table[[*cols, "command"]]


def main() -> None:
    for folder in sorted(p for p in RESULTS.iterdir() if p.is_dir()):
        table = suite_table(folder)
        print(f"### {folder.name}\n")
        print("| " + " | ".join(table.columns) + " |")
        print("|" + "---|" * len(table.columns))
        for row in table.itertuples(index=False):
            print("| " + " | ".join(_cell(c, v) for c, v in zip(table.columns, row,
                                                                 strict=True)) + " |")
        print()


def _cell(column: str, value: object) -> str:
    if column == "command":
        return f"`{value}`"
    if isinstance(value, float):
        if pd.isna(value):
            return "-"
        return f"{value:+.1%}" if column.endswith("_vs_oracle") else f"{value:.4g}"
    return str(value)


if __name__ == "__main__":
    main()
