"""Elasticity estimates against the simulator's truth: error and interval coverage."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["compare_to_truth", "recovery_summary"]


def compare_to_truth(estimates: pd.DataFrame, truth: pd.DataFrame,
                     by: Sequence[str]) -> pd.DataFrame:
    """Estimates joined with the truth averaged to the estimate's groups (a category's truth is
    the mean of its products' elasticities), with ``error`` and ``covered90`` / ``covered95``."""
    target = truth.groupby(list(by), observed=True)["true_elasticity"].mean().reset_index()
    out = estimates.merge(target, on=list(by), how="left")
    out["error"] = out["elasticity"] - out["true_elasticity"]
    for level in ("90", "95"):
        out[f"covered{level}"] = ((out[f"ci{level}_low"] <= out["true_elasticity"])
                                  & (out["true_elasticity"] <= out[f"ci{level}_high"]))
    return out


def recovery_summary(compared: pd.DataFrame) -> dict[str, float]:
    """Mean absolute error, bias, 90% / 95% coverage and the share of groups estimated."""
    ok = compared[compared["status"] == "ok"]
    return {
        "groups": float(len(compared)), "estimated": float(len(ok)),
        "mae": float(np.abs(ok["error"]).mean()), "bias": float(ok["error"].mean()),
        "coverage90": float(ok["covered90"].mean()), "coverage95": float(ok["covered95"].mean()),
        "mean_ci95_width": float((ok["ci95_high"] - ok["ci95_low"]).mean()),
    }
