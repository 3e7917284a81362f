"""MLflow logging of twin runs: each scored day as it is settled, then the run's KPIs and charts.

:class:`MlflowDayLogger` is the ``on_day`` callback of :func:`~groupbuy_ml.twin.run.run_twin`:
it logs every scored day's numeric KPIs at ``step = day`` as soon as the day's orders were
collected, so a run that fails midway keeps the days already logged (the run then ends
``FAILED``). :func:`log_result` adds the run's KPIs, ``daily.csv``, ``warnings.csv``, the daily
KPI curves and the waste / fill trade-off chart.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt

from groupbuy_ml.tracking import RunLogger
from groupbuy_ml.twin.plots import daily_kpi_figure, tradeoff_figure
from groupbuy_ml.twin.run import TwinResult


class MlflowDayLogger:
    """``on_day`` callback: one MLflow batch per scored day (metrics ``day.<kpi>``)."""

    def __init__(self, run: RunLogger) -> None:
        self.run = run
        self.days = 0

    def __call__(self, row: dict) -> None:
        metrics = {f"day.{k}": float(v) for k, v in row.items()
                   if k not in ("day", "date") and isinstance(v, int | float)
                   and not (isinstance(v, float) and math.isnan(v))}
        self.run.log_metrics(metrics, step=int(row["day"]))
        self.days += 1


def log_result(run: RunLogger, result: TwinResult) -> None:
    """The run's KPIs (NaN ones skipped), timings, tables and charts."""
    run.log_metrics({k: v for k, v in result.kpis.items() if not math.isnan(v)})
    run.log_metrics({f"seconds.{k}": v for k, v in result.seconds.items()})
    run.log_table(result.daily, "twin/daily.csv")
    run.log_table(result.warnings, "twin/warnings.csv")
    run.log_dict({"policies": result.policies, "scenario": result.scenario,
                  "seed": result.seed, "kpis": result.kpis}, "twin/result.json")
    title = f"{result.name}: {result.policies['ordering']} / {result.scenario}"
    for fig, name in ((daily_kpi_figure(result.daily, title), "twin/daily_kpis.png"),
                      (tradeoff_figure(result.daily.assign(label="day"), title),
                       "twin/waste_fill_tradeoff.png")):
        run.log_figure(fig, name)
        plt.close(fig)
