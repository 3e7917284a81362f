"""Serving benchmark: Ray Serve vs the same services behind plain FastAPI + uvicorn.

Both servers run on loopback, one at a time, with the same champions (a LightGBM forecaster
and a scene GF-CF recommender promoted by ``setup_models.py``) and the same API key. For each
server the closed-loop load generator (``loadgen.py``, its own process) runs every row:
``/v1/recommend`` and ``/v1/forecast`` (100 series per request) at 1, 16 and 64 concurrent
clients, a lighter ``/v1/route`` row (8 stops, 1 s solver budget) at 1 and 4, and ``/healthz``
at 1 and 16 clients (no model work: what the server itself costs per request, and its
ceiling). The Serve app uses the deployment options of the shipped ``serving/groupbuy.yaml``
with autoscaled deployments pinned at one replica (:func:`pinned_options`); it runs twice: as
shipped, entered through HAProxy (``serve``), and through Serve's Python proxy actor
(``serve-proxy``), to show what each ingress path costs.

Writes ``results/benchmark.json`` and regenerates ``RESULTS.md`` (with the fuzz and fault runs
when their JSON files exist).

    python experiments/serving/benchmark.py --root /tmp/gb_serving --duration 15
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import RESULTS_DIR, machine, write_results  # noqa: E402
from servers import (  # noqa: E402
    API_KEY_ENV,
    plain_app,
    run_loadgen,
    serve_app,
    shipped_deployments,
    uptime,
    with_replicas,
)
from setup_models import setup_champions  # noqa: E402

from groupbuy_ml.serving.config import ServingConfig  # noqa: E402

API_KEY = "benchmark-key"
SERVERS = {"plain": None, "serve": "haproxy", "serve-proxy": "proxy"}  # name: Serve ingress


ENDPOINTS = ("recommend", "forecast", "route", "healthz")


def rows_to_run(concurrency: list[int], route_concurrency: list[int],
                endpoints: tuple[str, ...] = ENDPOINTS) -> Iterator[tuple[str, int]]:
    """(endpoint, concurrency) pairs in the order they run (only ``endpoints``)."""
    for endpoint in ("recommend", "forecast"):
        for c in concurrency:
            if endpoint in endpoints:
                yield endpoint, c
    for c in route_concurrency:
        if "route" in endpoints:
            yield "route", c
    for c in (1, 16):  # no model work: the server's own cost per request, and its ceiling
        if "healthz" in endpoints:
            yield "healthz", c


def pinned_options() -> dict[str, dict[str, Any]]:
    """The shipped deployment options with every autoscaled deployment pinned at 1 replica, so
    that no row is measured while a second replica starts and loads the models (on 2 CPUs it
    would add no capacity either); plain FastAPI is one process as well."""
    options = shipped_deployments()
    for name, option in list(options.items()):
        if "autoscaling_config" in option:
            options = with_replicas(options, name, 1)
    return options


def measure_server(name: str, server: AbstractContextManager[str], market: Path,
                   args: argparse.Namespace, console: Console) -> dict[str, Any]:
    """Start ``server``, run every row against it, stop it; returns its rows and the load."""
    started = time.perf_counter()
    record: dict[str, Any] = {"server": name, "uptime_before": uptime(), "rows": []}
    with server as base_url:
        record["startup_s"] = round(time.perf_counter() - started, 1)
        for endpoint, c in rows_to_run(args.concurrency, args.route_concurrency,
                                       tuple(args.endpoints)):
            result = run_loadgen(base_url, endpoint, c, args.duration, market, API_KEY,
                                 warmup_s=args.warmup, seed=c)
            row = dict(result["summary"], server=name, uptime=uptime())
            record["rows"].append(row)
            console.print(f"{name:6s} {endpoint:9s} c={c:<3d} {row['throughput']:8.1f} req/s  "
                          f"p50 {row['p50_ms']:8.1f} ms  p99 {row['p99_ms']:8.1f} ms  "
                          f"errors {row['errors']}  [{row['uptime'].split('load')[-1]}]")
    record["uptime_after"] = uptime()
    return record


def table(servers: list[dict[str, Any]]) -> Table:
    """Rows side by side with the Serve / plain ratios."""
    plain = {(r["endpoint"], r["concurrency"]): r for s in servers if s["server"] == "plain"
             for r in s["rows"]}
    out = Table(title="Ray Serve vs plain FastAPI (loopback, closed loop)")
    for column in ("server", "endpoint", "clients", "req/s", "p50 ms", "p99 ms", "errors",
                   "Serve/plain req/s"):
        out.add_column(column, justify="left" if column in ("server", "endpoint") else "right")
    for server in servers:
        for r in server["rows"]:
            base = plain.get((r["endpoint"], r["concurrency"]))
            ratio = (f"{r['throughput'] / base['throughput']:.2f}"
                     if server["server"] != "plain" and base and base["throughput"] else "")
            out.add_row(server["server"], r["endpoint"], str(r["concurrency"]),
                        f"{r['throughput']:.1f}", f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}",
                        str(r["errors"]), ratio)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/gb_serving"))
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per row")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before each row")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--route-concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--servers", nargs="+", default=list(SERVERS), choices=list(SERVERS))
    parser.add_argument("--endpoints", nargs="+", default=list(ENDPOINTS), choices=ENDPOINTS)
    parser.add_argument("--out", type=Path, default=None,
                        help="write the JSON here instead of results/benchmark.json (RESULTS.md "
                        "is then left as it is: for partial runs)")
    parser.add_argument("--no-forecast-memo", action="store_true",
                        help="serve with forecast_memo=False: every batch runs model.predict")
    args = parser.parse_args()
    console = Console()
    champions = setup_champions(args.root)
    os.environ[API_KEY_ENV] = API_KEY  # both servers (and Ray workers) inherit it
    config = ServingConfig(root=str(champions.root), market_dir=str(champions.market_dir),
                           **({"forecast_memo": False} if args.no_forecast_memo else {}))
    record: dict[str, Any] = {
        "command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(), "duration_s": args.duration, "warmup_s": args.warmup,
        "champions": {"forecast": f"{champions.forecast_model} v{champions.forecast_version}",
                      "recommend": f"{champions.recommend_model} v{champions.recommend_version}"},
        "serve_deployments": pinned_options(), "servers": [],
        "forecast_memo": config.forecast_memo,
        "serve_ingress": {name: SERVERS[name] for name in args.servers if SERVERS[name]},
    }
    for name in args.servers:
        server = plain_app(config) if SERVERS[name] is None else \
            serve_app(config, pinned_options(), ingress=SERVERS[name])
        record["servers"].append(measure_server(name, server, champions.market_dir, args,
                                                console))
    RESULTS_DIR.mkdir(exist_ok=True)
    out = args.out or RESULTS_DIR / "benchmark.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1))
    console.print(table(record["servers"]))
    console.print(f"wrote {out}" if args.out else f"wrote {write_results()}")


if __name__ == "__main__":
    main()
