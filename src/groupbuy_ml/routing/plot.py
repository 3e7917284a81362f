"""A PNG map of a plan: depot, stops and one coloured polyline per route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from groupbuy_ml.routing.plan import Plan  # noqa: E402
from groupbuy_ml.routing.problem import Problem  # noqa: E402


def plot_plan(problem: Problem, plan: Plan, ax: Any | None = None, title: str | None = None):
    """Draw ``plan`` on ``ax`` (a new figure when ``None``) and return the figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 7))
    else:
        fig = ax.figure
    x, y = problem.array("x"), problem.array("y")
    ax.scatter(x[1:], y[1:], s=8, c="0.6", zorder=2, label="stops")
    cmap = plt.get_cmap("tab20")
    for k, route in enumerate(plan.routes):
        path = [0, *route.stops, 0]
        ax.plot(x[path], y[path], lw=1.0, color=cmap(k % 20), zorder=1)
    if plan.dropped:
        d = list(plan.dropped)
        ax.scatter(x[d], y[d], s=30, marker="x", c="red", zorder=3, label="dropped")
    ax.scatter([x[0]], [y[0]], s=120, marker="s", c="black", zorder=4, label="depot")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(title or f"{plan.problem_name}: {plan.num_vehicles} vehicles, "
                 f"distance {plan.total_distance:,.2f}")
    ax.legend(loc="upper right", fontsize=8)
    return fig


def save_plan_map(problem: Problem, plan: Plan, path: Path | str) -> Path:
    """Write the route map of ``plan`` as a PNG file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = plot_plan(problem, plan)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
