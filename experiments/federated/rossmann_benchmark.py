"""Federated vs centralized MQ-RNN on Rossmann: centralized, FedAvg, FedProx, FedAvg + DP-SGD.

Stores are the clients (10 clients: the 9 store_type x assortment groups, the largest split by
store), the test window is the forecasting benchmark's (``experiments/forecasting``): history
from 2015-01-01, the last 42 days (2015-06-20 .. 07-31) held out, only open days scored.
Every row trains the same network (:class:`~groupbuy_ml.forecasting.QuantileRNNForecaster`)
on the same windows (decoders ending before the test window) for the same number of passes:
``rounds x local_epochs`` epochs. The federated rows run through Flower's simulation
(:func:`groupbuy_ml.federated.run.run_federated`); their global model is scored here exactly as
the centralized one. ``--validate`` moves everything 42 days earlier (test window dropped,
the 42 days before it scored): hyper-parameters were chosen on that, never on the test window.

    .venv/bin/python experiments/federated/rossmann_benchmark.py --validate --out validation
    .venv/bin/python experiments/federated/rossmann_benchmark.py --out test
    (see RESULTS.md for the exact commands and learning rates of each run)
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from groupbuy_ml.data.sources import RossmannSource
from groupbuy_ml.federated.forecast_task import ForecastTask
from groupbuy_ml.federated.run import run_federated
from groupbuy_ml.federated.strategies import FedAvg, FedProx
from groupbuy_ml.federated.task import LocalTraining, PrivacySettings
from groupbuy_ml.forecasting import QuantileRNNForecaster, evaluate_forecast, holdout_split

HERE = Path(__file__).resolve().parent
HORIZON, SEASON = 42, 7
COVARIATES = ["promo", "is_holiday", "is_open", "school_holiday"]
NETWORK = {"encoder_length": 28, "hidden_size": 32, "context_size": 8, "decoder_hidden": 32}
ROWS = ("centralized", "fedavg", "fedprox", "fedavg_dp")


def score(train: pd.DataFrame, test: pd.DataFrame, forecast: pd.DataFrame) -> dict[str, float]:
    opened = test.loc[test["is_open"] == 1]
    metrics = evaluate_forecast(train, opened, forecast, season_length=SEASON)
    keys = ("rmsse", "wape", "rmspe", "mae", "pinball_mean", "coverage_80")
    return {k: metrics[k] for k in keys if k in metrics}


def centralized(train: pd.DataFrame, test: pd.DataFrame, args: argparse.Namespace
                ) -> dict[str, Any]:
    model = QuantileRNNForecaster(
        horizon=HORIZON, quantiles=(0.1, 0.5, 0.9), learning_rate=args.central_lr,
        batch_size=args.batch_size, max_epochs=args.rounds * args.local_epochs,
        validation_days=0, covariates=COVARIATES, seed=args.seed, num_threads=1, **NETWORK)
    started = time.perf_counter()
    model.fit(train)
    forecast = model.predict(train, test.drop(columns="units"))
    wall = time.perf_counter() - started
    return {**score(train, test, forecast), "rounds": args.rounds * args.local_epochs,
            "wall_s": wall, "bytes_per_round": 0.0,
            "final_train_loss": model.history_[-1]["train_loss"]}


def federated(kind: str, train: pd.DataFrame, test: pd.DataFrame, exclude: int,
              args: argparse.Namespace) -> dict[str, Any]:
    task = {"_target_": "groupbuy_ml.federated.forecast_task.ForecastTask",
            "source": {"_target_": "groupbuy_ml.data.sources.RossmannSource",
                       "start_date": "2015-01-01"},
            "covariates": COVARIATES, "num_clients": args.clients, "scheme": "group",
            "group_by": ["store_type", "assortment"], "horizon": HORIZON,
            "exclude_last_days": exclude, "seed": args.seed, **NETWORK}
    mu = args.mu if kind == "fedprox" else 0.0
    nodes = {"min_train_nodes": args.clients, "min_evaluate_nodes": args.clients,
             "min_available_nodes": args.clients}
    strategy = FedProx(proximal_mu=mu, **nodes) if kind == "fedprox" else FedAvg(**nodes)
    privacy = None
    if kind == "fedavg_dp":
        privacy = PrivacySettings(target_epsilon=args.epsilon, target_delta=1e-5,
                                  max_grad_norm=args.clip, total_rounds=args.rounds)
    training = LocalTraining(epochs=args.local_epochs, lr=args.dp_lr if privacy else args.lr,
                             batch_size=args.batch_size, proximal_mu=mu, seed=args.seed)
    for attempt in (1, 2):  # Ray's node can time out starting on an overloaded machine
        started = time.perf_counter()
        try:
            result = run_federated(task, strategy, num_clients=args.clients,
                                   rounds=args.rounds, training=training, privacy=privacy,
                                   mode="simulation")
            break
        except RuntimeError as err:
            if attempt == 2:
                raise
            print(f"{kind}: simulation failed ({err}); retrying once", flush=True)
    wall = time.perf_counter() - started
    rebuilt = ForecastTask(RossmannSource(start_date="2015-01-01"), COVARIATES, args.clients,
                           horizon=HORIZON, seed=args.seed, **NETWORK)
    forecast = rebuilt.forecaster_from(result.final_state).predict(
        train, test.drop(columns="units"))
    table = result.table()
    table.to_csv(HERE / "results" / f"{args.out}_{kind}_rounds.csv", index=False)
    last = result.rounds[-1]
    return {**score(train, test, forecast), "rounds": len(result.rounds), "wall_s": wall,
            "server_wall_s": result.wall_time_s,
            "bytes_per_round": float(last["bytes_down"] + last["bytes_up"]),
            "bytes_down_per_round": float(last["bytes_down"]),
            "bytes_up_per_round": float(last["bytes_up"]),
            "epsilon": result.epsilon_total, "excluded": len(result.excluded),
            "final_train_loss": last["train"].get("train_loss")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=ROWS)
    parser.add_argument("--validate", action="store_true",
                        help="score the 42 days before the test window (tuning)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--local-epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--dp-lr", type=float, default=3e-3)
    parser.add_argument("--central-lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--mu", type=float, default=0.01, help="FedProx proximal weight")
    parser.add_argument("--epsilon", type=float, default=8.0)
    parser.add_argument("--clip", type=float, default=1.0, help="DP max per-example grad norm")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="test")
    args = parser.parse_args()
    torch.set_num_threads(1)
    (HERE / "results").mkdir(exist_ok=True)
    panel = RossmannSource(start_date="2015-01-01").load()
    train, test = holdout_split(panel, HORIZON)
    exclude = 0
    if args.validate:  # drop the test window; score the 42 days before it
        train, test = holdout_split(train, HORIZON)
        exclude = HORIZON
    print(f"train {train['date'].min().date()} .. {train['date'].max().date()}, test "
          f"{test['date'].min().date()} .. {test['date'].max().date()}", flush=True)
    out_file = HERE / "results" / f"{args.out}.csv"
    rows = []
    for kind in args.rows:
        load_before = os.getloadavg()
        if kind == "centralized":
            row = centralized(train, test, args)
        else:
            row = federated(kind, train, test, exclude, args)
        row = {"row": kind, **row, "load_before": " ".join(f"{x:.2f}" for x in load_before),
               "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg())}
        rows.append(row)
        print(json.dumps(row, default=str), flush=True)
        pd.DataFrame(rows).to_csv(out_file, index=False)
    settings = dict(vars(args))
    (HERE / "results" / f"{args.out}_settings.json").write_text(json.dumps(settings, indent=1))
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
