"""The twin's charts: daily KPI curves of a run and the waste / fill-rate trade-off."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

CURVES = (("waste_rate", "waste rate"), ("fill_rate", "fill rate"),
          ("stockout_rate", "stock-out rate"), ("formation_rate", "group formation rate"),
          ("gross_margin", "gross margin after waste, CNY"), ("inventory_value",
                                                              "inventory at cost, CNY"))


def daily_kpi_figure(daily: pd.DataFrame, title: str = "") -> Figure:
    """One panel per daily KPI (:data:`CURVES`) over the scored days of a run; ``daily`` may hold
    several runs told apart by a ``label`` column."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 5.5), squeeze=False)
    groups = daily.groupby("label", sort=False) if "label" in daily else [(None, daily)]
    for label, frame in groups:
        for ax, (col, name) in zip(axes.ravel(), CURVES, strict=False):
            if col in frame:
                ax.plot(frame["day"], frame[col], lw=1.2, label=label)
                ax.set_title(name, fontsize=9)
                ax.tick_params(labelsize=7)
    if "label" in daily:
        axes[0, 0].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def tradeoff_figure(points: pd.DataFrame, title: str = "waste vs fill rate") -> Figure:
    """Waste rate against fill rate: one point per row of ``points`` (``waste_rate``,
    ``fill_rate``, optional ``label``); the better corner is bottom right."""
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    labels = points["label"] if "label" in points else [None] * len(points)
    for label in dict.fromkeys(labels):
        rows = points[labels == label] if label is not None else points
        ax.scatter(rows["fill_rate"], rows["waste_rate"], s=18, alpha=0.7, label=label)
    ax.set_xlabel("fill rate")
    ax.set_ylabel("waste rate (spoiled / received)")
    ax.set_title(title, fontsize=10)
    if "label" in points:
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
