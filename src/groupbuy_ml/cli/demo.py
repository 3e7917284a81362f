"""``groupbuy demo``: the main job end to end on the built-in simulated market.

1. simulate a city; 2. train the forecasting floor (seasonal naive) and a global LightGBM
through the experiment runner, tracked in MLflow; 3. promote the better one (RMSSE) to
``champion``; 4. train the scene-bordered GF-CF recommender on the same market and promote it
(recall@20); 5. start the Ray Serve app and call every endpoint: ``/healthz``, ``/v1/models``,
``/v1/forecast`` (tomorrow's demand and newsvendor orders at a few pickup points),
``/v1/recommend`` (a known household and a new one known only by its scenes), ``/v1/route``
(next-morning delivery of those orders); 6. shut the app down; 7. the digital twin: the naive
and the newsvendor ordering policy side by side in a short closed loop, with their KPIs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.utils import get_method
from rich.console import Console
from rich.table import Table

from groupbuy_ml.cli.hydra_app import compose_config
from groupbuy_ml.cli.promote import promote_command
from groupbuy_ml.cli.simulate import simulate_command

EXPERIMENTS = ("forecast_naive_market", "forecast_lightgbm_market")
RECOMMENDER = "recommend_scene_gfcf_market"
SHOWN = ("val_rmsse", "test_rmsse", "test_wrmsse", "test_mase", "test_wape",
         "test_coverage_80", "fit_seconds")
DEMO_POINTS = 5      # pickup points the demo forecasts and routes
DEMO_PRODUCTS = 12   # products per pickup point in the forecast call


def demo_command(overrides: Sequence[str] = ()) -> None:
    console = Console()
    console.rule("[bold]1. simulate the market")
    summary = simulate_command(list(overrides))
    console.rule("[bold]2. train and evaluate forecasters (tracked in MLflow)")
    results = {}
    for name in EXPERIMENTS:
        cfg = compose_config("train", [f"experiment={name}", *overrides])
        console.print(f"training [cyan]{name}[/] ...")
        results[name] = get_method(cfg.pipeline)(cfg)
    console.print(_metrics_table(results))
    console.rule("[bold]3. promote the best forecaster (validation RMSSE) to champion")
    forecast = promote_command([f"tracking.experiment={cfg.tracking.experiment}",
                                "metric=val_rmsse",
                                *overrides])
    console.rule("[bold]4. train the recommender on the same market and promote it")
    rcfg = compose_config("train", [f"experiment={RECOMMENDER}", "data.market.simulation=null",
                                    *overrides])
    metrics = get_method(rcfg.pipeline)(rcfg)
    console.print(f"scene GF-CF: recall@20 {metrics['recall_at_20']:.4f}, "
                  f"ndcg@20 {metrics.get('ndcg_at_20', float('nan')):.4f}")
    # one recommender run, so nothing is chosen; recommender runs log no validation window yet
    recommend = promote_command([f"tracking.experiment={rcfg.tracking.experiment}",
                                 "metric=recall_at_20", "mode=max", "validation_only=false",
                                 *overrides])
    root = Path(cfg.paths.root_dir).resolve()
    console.rule("[bold]5. serve the champions (Ray Serve) and call every endpoint")
    serve_and_call(console, root, cfg.tracking.uri, summary.out_dir, forecast.model_name,
                   recommend.model_name)
    console.rule("[bold]6. the digital twin: naive vs newsvendor ordering, closed loop")
    from groupbuy_ml.cli.demo_twin import twin_side_by_side

    twin_side_by_side(console, overrides)
    console.rule("[bold]where to look")
    console.print(
        f"market tables   {summary.out_dir}\n"
        f"MLflow store    {root / 'mlflow' / 'mlflow.db'}  "
        f"(model '{forecast.model_name}' v{forecast.version} and "
        f"'{recommend.model_name}' v{recommend.version} = champion)\n"
        "MLflow UI       make mlflow-ui   (then open http://127.0.0.1:5000)\n"
        "serve           groupbuy serve   (then open http://127.0.0.1:8000/docs)\n"
        "twin            groupbuy twin experiment=twin_default   (docs/twin.md)"
    )


def serve_and_call(console: Console, root: Path, tracking_uri: str | None, market_dir: Path,
                   forecast_model: str, recommend_model: str) -> dict[str, Any]:
    """Start the app on a free port, call each endpoint, print the answers, shut down."""
    from groupbuy_ml.data.market import load_market_table
    from groupbuy_ml.serving.client import ServingClient
    from groupbuy_ml.serving.config import ServingConfig
    from groupbuy_ml.serving.runner import running_app

    config = ServingConfig(root=str(root), tracking_uri=tracking_uri, market_dir=str(market_dir),
                           forecast_model=forecast_model, recommend_model=recommend_model)
    points = load_market_table(market_dir, "pickup_points").head(DEMO_POINTS)
    products = load_market_table(market_dir, "products")["product_id"].head(DEMO_PRODUCTS)
    households = load_market_table(market_dir, "households", ["household_id"])
    warehouse = load_market_table(market_dir, "warehouses").iloc[0]
    answers: dict[str, Any] = {}
    with running_app(config) as url, ServingClient(url, config.api_key()) as client:
        console.print(f"app up at {url} (docs: {url}/docs); /healthz -> {client.health()}")
        answers["models"] = client.models()
        for name in ("forecast", "recommend"):
            ref = answers["models"][name]
            console.print(f"/v1/models  {name}: {ref['name']} v{ref['version']} "
                          f"({ref['model_class']})")
        series = [{"location_id": int(p), "product_id": int(q)}
                  for p in points["pickup_point_id"] for q in products]
        answers["forecast"] = client.forecast({"series": series, "horizon": 1})
        console.print(_forecast_table(answers["forecast"], limit=8))
        user = int(households["household_id"].iloc[0])
        answers["recommend_known"] = client.recommend({"user_id": user, "k": 5})
        answers["recommend_new"] = client.recommend(
            {"profile": {"scenes": ["baby"]}, "k": 5, "exclude_seen": True})
        console.print(_recommend_table(answers["recommend_known"], f"household {user}"))
        console.print(_recommend_table(answers["recommend_new"], "new household, scene 'baby'"))
        answers["route"] = client.route(_route_request(answers["forecast"], points, warehouse))
        console.print(_route_table(answers["route"]))
    console.print("app shut down")
    return answers


def _route_request(forecast: dict[str, Any], points: Any, warehouse: Any) -> dict[str, Any]:
    """Next-morning delivery of the forecast's order quantities to each pickup point
    (minutes after midnight, km; vans of 800 units at 30 km/h, 10 minutes to unload)."""
    units: dict[int, float] = {}
    for series in forecast["forecasts"]:
        order = series["points"][0]["order_units"] or 0.0
        units[series["location_id"]] = units.get(series["location_id"], 0.0) + order
    stops = [{"id": int(p.pickup_point_id), "x": float(p.x_km), "y": float(p.y_km),
              "demand": units.get(int(p.pickup_point_id), 0.0), "service_time": 10.0,
              "ready_time": float(p.opens_minute), "due_time": float(p.closes_minute)}
             for p in points.itertuples()]
    return {"depot": {"id": "warehouse", "x": float(warehouse["x_km"]),
                      "y": float(warehouse["y_km"]),
                      "ready_time": float(warehouse["dispatch_minute"]), "due_time": 1440.0},
            "stops": stops, "vehicles": {"count": len(stops), "capacity": 800.0},
            "speed": 0.5, "time_limit_s": 3.0}


def _metrics_table(results: dict[str, dict]) -> Table:
    table = Table(title="held-out 14 days, every pickup point x product")
    table.add_column("experiment")
    for metric in SHOWN:
        table.add_column(metric, justify="right")
    for name, metrics in results.items():
        label = name.removeprefix("forecast_").removesuffix("_market")
        table.add_row(label, *(f"{metrics[m]:.3f}" if m in metrics else "-" for m in SHOWN))
    return table


def _forecast_table(answer: dict[str, Any], limit: int) -> Table:
    model = answer["model"]
    table = Table(title=f"/v1/forecast: {model['name']} v{model['version']}, origin "
                  f"{answer['origin']}, covariates {answer['covariates']} (first {limit} series)")
    for col in ("pickup point", "product", "date", "P10", "P50", "P90", "order units"):
        table.add_column(col, justify="right")
    for series in answer["forecasts"][:limit]:
        for p in series["points"]:
            table.add_row(str(series["location_id"]), str(series["product_id"]), p["date"],
                          *(_num(p[k]) for k in ("p10", "p50", "p90", "order_units")))
    return table


def _recommend_table(answer: dict[str, Any], who: str) -> Table:
    cold = " (cold start)" if answer["cold_start"] else ""
    table = Table(title=f"/v1/recommend: {who}{cold}")
    for col in ("rank", "product", "category", "score"):
        table.add_column(col, justify="right")
    for item in answer["items"]:
        table.add_row(str(item["rank"]), str(item["product_id"]), str(item["category"]),
                      f"{item['score']:.4f}")
    return table


def _route_table(answer: dict[str, Any]) -> Table:
    table = Table(title=f"/v1/route: next-morning delivery, {answer['vehicles_used']} vehicle(s), "
                  f"{answer['total_distance']:.1f} km, {len(answer['dropped'])} dropped, "
                  f"feasible={answer['feasible']}")
    for col in ("vehicle", "stops (pickup points)", "arrivals (hh:mm)", "load", "km"):
        table.add_column(col)
    for r in answer["routes"]:
        times = " ".join(f"{int(t // 60):02d}:{int(t % 60):02d}" for t in r["arrival"])
        table.add_row(str(r["vehicle"]), " -> ".join(map(str, r["stop_ids"])), times,
                      f"{r['load']:.0f}", f"{r['distance']:.1f}")
    for d in answer["dropped"]:
        table.add_row("-", f"dropped {d['stop_id']}", d["reason"], "", "")
    return table


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
