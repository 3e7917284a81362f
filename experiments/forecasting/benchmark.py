"""Forecasting benchmark: seasonal naive, AutoETS, LightGBM, LSTM (DeepAR) and TFT on one dataset.

Thin: it loads a dataset through the library's sources and calls
:func:`groupbuy_ml.forecasting.backtest.backtest` once per model with one origin (the last
``horizon`` periods as test window, everything before as history; the neural models and LightGBM
validate on a window carved from the end of that history, never on the test window). Load
averages (``os.getloadavg``) are recorded before and after each model because the machine is
shared. Results go to ``experiments/forecasting/results/<dataset>.csv``.

    .venv/bin/python experiments/forecasting/benchmark.py rossmann
    .venv/bin/python experiments/forecasting/benchmark.py stallion --models tft lstm
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from groupbuy_ml.data.sources import MarketSource, RossmannSource, StallionSource
from groupbuy_ml.forecasting.backtest import backtest, make_model

RESULTS = Path(__file__).resolve().parent / "results"
DATASETS = {
    # name: (source, horizon, season, neural covariates)
    "rossmann": (lambda: RossmannSource(start_date="2015-01-01"), 42, 7,
                 {"static_categoricals": ["store_type", "assortment"],
                  "known_reals": ["school_holiday"], "observed_reals": ["customers"]}),
    "stallion": (lambda: StallionSource(), 6, 12,
                 {"static_reals": ["avg_population_2017", "avg_yearly_household_income_2017"],
                  "known_reals": ["price_regular", "discount_in_percent", "easter_day",
                                  "christmas", "new_year", "football_gold_cup", "beer_capital",
                                  "music_fest"],
                  "observed_reals": ["industry_volume", "soda_volume"]}),
    "market": (lambda: MarketSource("outputs/benchmark_market", simulation={
        "seed": 7, "n_days": 180, "n_pickup_points": 30, "n_products": 60}), 14, 7, {}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=sorted(DATASETS))
    parser.add_argument("--models", nargs="+",
                        default=["seasonal_naive", "autoets", "lightgbm", "lstm", "tft"])
    parser.add_argument("--nn-epochs", type=int, default=10)
    parser.add_argument("--nn-batches", type=int, default=60, help="batches per epoch")
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None, help="results file stem (default: dataset)")
    args = parser.parse_args()
    source, horizon, season, covariates = DATASETS[args.dataset]
    panel = source().load()
    print(f"{args.dataset}: {panel.groupby(['location_id', 'product_id']).ngroups} series, "
          f"{panel['date'].nunique()} dates, horizon {horizon}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    out_file = RESULTS / f"{args.out or args.dataset}.csv"
    rows = []
    for name in args.models:
        overrides = {}
        if name in ("tft", "lstm"):
            overrides = {"max_epochs": args.nn_epochs, "limit_train_batches": args.nn_batches,
                         "hidden_size": args.hidden, "num_threads": args.threads,
                         "encoder_length": max(2 * horizon, 2 * season), **covariates}
            if name == "lstm":  # DeepAR reads no observed covariate besides the target
                overrides.pop("observed_reals", None)
        if name == "lightgbm":
            overrides = {"num_threads": args.threads, "objective":
                         "l2" if args.dataset == "rossmann" else "tweedie"}
        model = make_model(name, horizon, season, **overrides)
        load_before = os.getloadavg()
        started = time.perf_counter()
        table = backtest(panel, horizon=horizon, models={name: model}, n_origins=1,
                         season_length=season)
        wall = time.perf_counter() - started
        row = table.iloc[0].to_dict()
        row.update(wall_seconds=wall, load_before=" ".join(f"{x:.2f}" for x in load_before),
                   load_after=" ".join(f"{x:.2f}" for x in os.getloadavg()),
                   settings=str(overrides) if overrides else "", finished=time.strftime(
                       "%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
        rows.append(row)
        print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()},
              flush=True)
        frame = pd.DataFrame(rows)
        if out_file.exists():  # keep rows of models not re-run this time
            old = pd.read_csv(out_file)
            frame = pd.concat([old[~old["model"].isin(frame["model"])], frame])
        frame.to_csv(out_file, index=False)


if __name__ == "__main__":
    main()
