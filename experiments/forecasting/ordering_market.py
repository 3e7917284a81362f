"""From forecast to action on the simulated market, where the true demand is known.

Thin: simulates the benchmark market (30 pickup points x 60 products x 180 days, seed 7), holds
out the last 14 days, forecasts them with a quantile model (LightGBM by default, or TFT / LSTM /
AutoETS), turns P10/P50/P90 into newsvendor orders per pickup point x product
(:func:`groupbuy_ml.forecasting.purchase_list.plan_purchases`), writes the per-pickup-point table
and the supplier purchase list to parquet, prints the purchase list, and compares the realised
waste, fill rate and margin with the naive policy "order last week's same-day demand".

    .venv/bin/python experiments/forecasting/ordering_market.py --model lightgbm
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import pandas as pd

from groupbuy_ml.data.market import load_market_table, market_panel
from groupbuy_ml.data.sources import MarketSource
from groupbuy_ml.forecasting import evaluate_forecast, holdout_split
from groupbuy_ml.forecasting.backtest import make_model
from groupbuy_ml.forecasting.experiment import drop_short_series
from groupbuy_ml.forecasting.ordering_eval import naive_last_week_orders, realised_outcome
from groupbuy_ml.forecasting.purchase_list import (
    plan_purchases,
    print_purchase_list,
    write_purchase_list,
)

HERE = Path(__file__).resolve().parent
MARKET = {"seed": 7, "n_days": 180, "n_pickup_points": 30, "n_products": 60}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="lightgbm",
                        choices=["lightgbm", "tft", "lstm", "autoets"])
    parser.add_argument("--out", default="outputs/ordering")
    parser.add_argument("--nn-epochs", type=int, default=10)
    parser.add_argument("--nn-batches", type=int, default=60)
    args = parser.parse_args()
    market_dir = MarketSource("outputs/benchmark_market", simulation=MARKET).ensure()
    panel = market_panel(market_dir, "units_ordered")
    products = load_market_table(market_dir, "products")
    suppliers = load_market_table(market_dir, "suppliers")
    panel, _ = drop_short_series(panel, 15)  # launched during the test window: no history
    train, test = holdout_split(panel, 14)
    overrides = {"num_threads": 1}  # 2 threads on a busy 2-core machine: ~10x slower
    if args.model in ("tft", "lstm"):
        overrides.update(max_epochs=args.nn_epochs, limit_train_batches=args.nn_batches)
    model = make_model(args.model, 14, 7, **({} if args.model == "autoets" else overrides))
    load = os.getloadavg()
    started = time.perf_counter()
    model.fit(train)
    forecast = model.predict(train, test.drop(columns="units"))
    seconds = time.perf_counter() - started
    metrics = evaluate_forecast(train, test, forecast, season_length=7)
    future = test[["location_id", "product_id", "date", "price"]]
    points, plan = plan_purchases(forecast.merge(future, on=["location_id", "product_id", "date"]),
                                  products, suppliers)
    out = Path(args.out)
    write_purchase_list(points, out / f"pickup_point_orders_{args.model}.parquet")
    write_purchase_list(plan, out / f"purchase_list_{args.model}.parquet")
    print(print_purchase_list(plan, limit=10, title=f"Purchase list ({args.model}), first rows"))
    orders = points[["pickup_point_id", "product_id", "demand_date", "order_units"]].rename(
        columns={"pickup_point_id": "location_id", "demand_date": "date"})
    rows = [{"policy": f"newsvendor on {args.model} P10/P50/P90",
             **realised_outcome(orders, test, products)},
            {"policy": "naive: last week's same-day demand",
             **realised_outcome(naive_last_week_orders(panel, test), test, products)}]
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
    summary = {"model": args.model, "forecast_seconds": seconds,
               "load_before": load, "load_after": os.getloadavg(),
               "metrics": {k: metrics[k] for k in ("rmsse", "wape", "pinball_mean",
                                                   "coverage_80") if k in metrics},
               "expected": {"waste_units": float(plan["expected_waste_units"].sum()),
                            "stockout_rate": float(plan["expected_stockout_rate"].mean())},
               "policies": rows}
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"ordering_market_{args.model}.json").write_text(
        json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    main()
