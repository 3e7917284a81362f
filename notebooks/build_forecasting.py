"""Build notebooks/forecasting.ipynb with nbformat (python notebooks/build_forecasting.py)."""

from pathlib import Path

import nbformat as nbf

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
cells = [
    md("# Forecasting walkthrough: peers, neural models, quantiles, orders\n\n"
       "A small simulated city, the honest peers (seasonal naive, AutoETS, LightGBM), the "
       "Temporal Fusion Transformer and the DeepAR LSTM on a tiny CPU budget, quantile "
       "forecasts turned into newsvendor orders and a supplier purchase list, and a "
       "rolling-origin backtest. Everything is written to a temporary folder; it runs in CI "
       "(`pytest --nbmake notebooks/`) in about a minute."),
    code("import tempfile\nfrom pathlib import Path\n\nimport pandas as pd\n\n"
         "from groupbuy_ml.data.market import load_market_table, market_panel\n"
         "from groupbuy_ml.data.simulate import MarketConfig, simulate_market\n"
         "from groupbuy_ml.forecasting import (AutoETSForecaster, LightGBMForecaster, "
         "LSTMForecaster,\n    SeasonalNaive, TFTForecaster, evaluate_forecast, holdout_split)\n"
         "from groupbuy_ml.forecasting.experiment import drop_short_series\n\n"
         "workdir = Path(tempfile.mkdtemp())\n"
         "simulate_market(MarketConfig(n_pickup_points=4, n_products=10, n_days=100, seed=7),"
         " workdir / 'market')\n"
         "panel, _ = drop_short_series(market_panel(workdir / 'market'), 40)\n"
         "train, test = holdout_split(panel, horizon=7)\n"
         "panel.groupby(['location_id', 'product_id']).ngroups, panel['date'].nunique()"),
    md("## Peers and neural models\n\nEvery forecaster has `fit(train)` and "
       "`predict(history, future)`; quantile models add `q0.1, q0.5, q0.9`. The neural models "
       "get a deliberately tiny budget here (2 epochs of 10 batches): this shows the interface, "
       "not their accuracy (see `experiments/forecasting/RESULTS.md`)."),
    code("budget = dict(horizon=7, encoder_length=14, max_epochs=2, limit_train_batches=10,"
         " hidden_size=8, seed=0)\n"
         "models = {\n"
         "    'seasonal_naive': SeasonalNaive(7),\n"
         "    'autoets': AutoETSForecaster(7),\n"
         "    'lightgbm': LightGBMForecaster(horizon=7, validation_days=7, n_estimators=100,"
         " quantiles=[0.1, 0.5, 0.9]),\n"
         "    'tft': TFTForecaster(**budget),\n"
         "    'lstm': LSTMForecaster(**budget),\n}\n"
         "future = test.drop(columns='units')\nforecasts, rows = {}, []\n"
         "for name, model in models.items():\n"
         "    forecasts[name] = model.fit(train).predict(train, future)\n"
         "    m = evaluate_forecast(train, test, forecasts[name], season_length=7)\n"
         "    rows.append({'model': name, **{k: m.get(k) for k in "
         "('rmsse', 'wape', 'pinball_mean', 'coverage_80')}})\n"
         "pd.DataFrame(rows).round(3)"),
    md("Per-epoch losses (`history_`) are what MLflow logs for every run:"),
    code("pd.DataFrame(models['tft'].history_)"),
    md("## Cold start\n\nA new pickup point has no history: the neural models forecast it from "
       "similar series (same product elsewhere) and flag the rows `cold_start`."),
    code("new_point = future[future['location_id'] == future['location_id'].iloc[0]]"
         ".assign(location_id=999)\n"
         "models['tft'].predict(train, new_point).head()"),
    md("## From forecast to action\n\nNewsvendor orders per pickup point x product "
       "(critical ratio = margin / (margin + waste or holding cost)), aggregated into a "
       "purchase list per supplier and delivery date, then compared with ordering last week's "
       "same-day demand, on the true simulated demand."),
    code("from groupbuy_ml.forecasting.ordering_eval import naive_last_week_orders, "
         "realised_outcome\n"
         "from groupbuy_ml.forecasting.purchase_list import plan_purchases, "
         "print_purchase_list, write_purchase_list\n\n"
         "products = load_market_table(workdir / 'market', 'products')\n"
         "suppliers = load_market_table(workdir / 'market', 'suppliers')\n"
         "fc = forecasts['lightgbm'].merge(test[['location_id', 'product_id', 'date', 'price']])\n"
         "points, plan = plan_purchases(fc, products, suppliers)\n"
         "write_purchase_list(plan, workdir / 'purchase_list.parquet')\n"
         "print(print_purchase_list(plan, limit=8))\n"
         "orders = points[['pickup_point_id', 'product_id', 'demand_date', 'order_units']]"
         ".rename(\n    columns={'pickup_point_id': 'location_id', 'demand_date': 'date'})\n"
         "pd.DataFrame([\n"
         "    {'policy': 'newsvendor (LightGBM quantiles)', "
         "**realised_outcome(orders, test, products)},\n"
         "    {'policy': 'naive last week', **realised_outcome("
         "naive_last_week_orders(panel, test), test, products)},\n]).round(3)"),
    md("## Backtest anything\n\nThe same call works on any tidy frame or CSV with a column "
       "mapping (`groupbuy backtest data.path=... ` on the command line)."),
    code("from groupbuy_ml.forecasting.backtest import backtest\n\n"
         "backtest(panel, horizon=7, models=['seasonal_naive', 'autoets'], n_origins=2).round(3)"),
]
nb = nbf.v4.new_notebook(cells=cells, metadata={"kernelspec": {
    "display_name": "Python 3", "language": "python", "name": "python3"}})
nbf.write(nb, Path(__file__).with_name("forecasting.ipynb"))
