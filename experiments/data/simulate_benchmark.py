"""Benchmark: simulate a large city and record wall time, peak memory and output size.

    python experiments/data/simulate_benchmark.py [--pickup-points 1000 --products 300 --days 365]

Peak memory is the largest sum of resident memory over this process and its workers, sampled
every 0.1 s. Results are printed and appended to ``experiments/data/results.csv``; RESULTS.md
holds the table of record.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shutil
import tempfile
from pathlib import Path

import psutil

from groupbuy_ml.data.simulate import MarketConfig, simulate_market
from groupbuy_ml.tracking.resources import PeakMemory

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pickup-points", type=int, default=1000)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--event-log-days", type=int, default=28)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="keep the market here")
    args = parser.parse_args()
    cfg = MarketConfig(n_pickup_points=args.pickup_points, n_products=args.products,
                       n_days=args.days, event_log_days=args.event_log_days,
                       workers=args.workers)
    out = args.out or Path(tempfile.mkdtemp(prefix="groupbuy-bench-")) / "market"
    try:
        with PeakMemory() as mem:
            summary = simulate_market(cfg, out)
    finally:
        if args.out is None:
            shutil.rmtree(out.parent, ignore_errors=True)
    row = {
        "date": dt.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB, "
                   f"{platform.processor() or platform.machine()}",
        "pickup_points": cfg.n_pickup_points, "products": cfg.n_products, "days": cfg.n_days,
        "workers": cfg.workers, "event_log_days": cfg.event_log_days,
        "daily_demand_rows": summary.rows["daily_demand"],
        "events_rows": summary.rows["events"], "orders_rows": summary.rows["orders"],
        "households": summary.rows["households"],
        "seconds": round(summary.seconds, 1), "peak_memory_gb": round(mem.peak_gb, 2),
        "output_mb": round(summary.bytes_written / 1e6, 1),
    }
    for key, value in row.items():
        print(f"{key:>18}: {value}")
    results = HERE / "results.csv"
    new = not results.exists()
    with results.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        if new:
            writer.writeheader()
        writer.writerow(row)


if __name__ == "__main__":
    main()
