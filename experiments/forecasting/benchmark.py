"""Forecasting benchmark: run experiment configs, one results row per config, with its command.

Thin: every row is ``groupbuy train experiment=NAME [overrides]`` (the library's
:func:`~groupbuy_ml.forecasting.experiment.run_forecast_experiment` under the config's
:class:`~groupbuy_ml.forecasting.protocol.EvaluationProtocol`: early stopping on the
validation window, the test window scored once), run in-process and tracked in MLflow like any
run. No model setting lives here: what a row measured is what its command reproduces. Load
averages (``os.getloadavg``) are recorded around each run because the machine is shared.
Results go to ``experiments/forecasting/results/<suite>/<config>.csv``.

    .venv/bin/python experiments/forecasting/benchmark.py rossmann
    .venv/bin/python experiments/forecasting/benchmark.py market --only forecast_oracle_market
    .venv/bin/python experiments/forecasting/benchmark.py rossmann --set trainer.num_threads=2
"""

from __future__ import annotations

import argparse
import os
import shlex
import time
from pathlib import Path

import pandas as pd
from hydra.utils import get_method

from groupbuy_ml.cli.hydra_app import compose_config

RESULTS = Path(__file__).resolve().parent / "results"
FULL_ROSSMANN = ["data.start_date=null", "data.gaps=fill"]
SUITES: dict[str, dict[str, list[str]]] = {
    # suite: {experiment config: overrides (part of the printed command)}
    "rossmann": {
        "forecast_baselines_naive_rossmann": FULL_ROSSMANN,
        "forecast_lightgbm_rossmann_full": [],
    },
    "market": {
        "forecast_oracle_market": [],
        "forecast_naive_market": [],
        "forecast_lightgbm_market": [],
        "forecast_baselines_autoets_market": [],
        "forecast_lstm_market": [],
        "forecast_tft_market": [],
    },
}
KEPT = ("val_rmsse", "val_wape", "val_rmspe", "test_rmsse", "test_wape", "test_rmspe",
        "test_mae", "test_pinball_mean", "test_coverage_80", "test_n_series", "n_train_rows",
        "fit_seconds", "predict_seconds")


def command_of(name: str, overrides: list[str]) -> str:
    """The command line that reproduces a row."""
    return shlex.join(["groupbuy", "train", f"experiment={name}", *overrides])


def run_one(name: str, overrides: list[str]) -> dict[str, object]:
    """Run one experiment config; its row of the results table."""
    cfg = compose_config("train", [f"experiment={name}", *overrides])
    load_before = os.getloadavg()
    started = time.perf_counter()
    metrics = get_method(cfg.pipeline)(cfg)
    row: dict[str, object] = {"config": name, **{k: metrics[k] for k in KEPT if k in metrics}}
    row.update(wall_seconds=time.perf_counter() - started,
               load_before=" ".join(f"{x:.2f}" for x in load_before),
               load_after=" ".join(f"{x:.2f}" for x in os.getloadavg()),
               run_id=metrics.get("run_id"), command=command_of(name, overrides),
               finished=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("--only", nargs="+", help="run only these configs of the suite")
    parser.add_argument("--set", nargs="+", default=[], metavar="KEY=VALUE",
                        help="extra Hydra overrides for every config (printed in the command)")
    args = parser.parse_args()
    configs = SUITES[args.suite]
    names = args.only or list(configs)
    unknown = sorted(set(names) - set(configs))
    if unknown:
        parser.error(f"{unknown} are not in suite {args.suite}: {list(configs)}")
    folder = RESULTS / args.suite
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        row = run_one(name, [*configs[name], *args.set])
        pd.DataFrame([row]).to_csv(folder / f"{name}.csv", index=False)
        print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()},
              flush=True)


if __name__ == "__main__":
    main()
