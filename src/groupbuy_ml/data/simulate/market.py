"""Simulate a whole market (the open loop): every day of the world with the platform's default
decisions -- everything live is offered at the scheduled price, the feed shows the products
delivered most over the last 7 days first, the catalogue's ``min_group_size`` decides group
buys, and there is no stock limit (what households order is what the platform buys).

Days are sequential (households remember what they received); writing the tables is not, so with
``workers > 1`` the days of each chunk are built and written by a pool of writer processes while
the main process simulates the next chunk.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import groupbuy_ml
from groupbuy_ml.data.simulate import writer
from groupbuy_ml.data.simulate.behaviour import popularity_ranking
from groupbuy_ml.data.simulate.config import MarketConfig
from groupbuy_ml.data.simulate.logs import log_frames, sample_funnel
from groupbuy_ml.data.simulate.sampler import daily_demand_frame, group_formed
from groupbuy_ml.data.simulate.world import MarketWorld

SCHEMA_VERSION = 2
POPULARITY_DAYS = 7


@dataclass
class MarketSummary:
    """What a simulation wrote, and how long it took."""

    out_dir: Path
    config: MarketConfig
    rows: dict[str, int] = field(default_factory=dict)
    bytes_written: int = 0
    units_ordered: int = 0
    units_delivered: int = 0
    group_formation_rate: float = 0.0
    seconds: float = 0.0


def simulate_market(
    cfg: MarketConfig, out_dir: str | Path, on_chunk: Callable[[int, int], None] | None = None
) -> MarketSummary:
    """Simulate the market described by ``cfg`` and write its tables to ``out_dir``.

    Args:
        cfg: the market's size, span and seed.
        out_dir: folder for the parquet tables (a previous market there is replaced).
        on_chunk: optional progress callback ``(chunks_done, chunks_total)``.

    Returns:
        a :class:`MarketSummary` with row counts, volumes and wall time.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    writer.prepare_output(out)
    world = MarketWorld(cfg)
    static = world.static_tables()
    for name, frame in static.items():
        writer.write_static(out, name, frame)
    summary = MarketSummary(out, cfg, rows={k: len(v) for k, v in static.items()})
    summary.bytes_written = sum((out / f"{k}.parquet").stat().st_size for k in static)
    chunks = [range(s, min(s + cfg.chunk_days, cfg.n_days))
              for s in range(0, cfg.n_days, cfg.chunk_days)]
    totals = np.zeros(4, dtype=np.int64)  # ordered, delivered, formed, offered
    rows = {name: 0 for name in writer.DAILY_TABLES}
    recent = np.zeros((POPULARITY_DAYS, world.shape[1]))

    def collect(result: tuple[dict[str, int], int]) -> None:
        for name, n in result[0].items():
            rows[name] += n
        summary.bytes_written += result[1]

    pool = ProcessPoolExecutor(cfg.workers - 1, mp_context=mp.get_context("fork")) \
        if cfg.workers > 1 else None
    pending: list[Future] = []
    try:
        for k, days in enumerate(chunks):
            payload = []
            for t in days:
                day, stats = _simulate_day(world, t, recent)
                totals += stats
                payload.append(day)
            if pool is None:
                collect(write_chunk(out, k, payload))
            else:
                pending.append(pool.submit(write_chunk, out, k, payload))
                while len(pending) > 2 * (cfg.workers - 1):
                    collect(pending.pop(0).result())
            if on_chunk:
                on_chunk(k + 1, len(chunks))
        for future in pending:
            collect(future.result())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    summary.rows.update(rows)
    summary.units_ordered, summary.units_delivered = int(totals[0]), int(totals[1])
    summary.group_formation_rate = float(totals[2] / max(totals[3], 1))
    summary.seconds = time.perf_counter() - started
    writer.write_manifest(out, {
        "schema_version": SCHEMA_VERSION, "library_version": groupbuy_ml.__version__,
        "config": cfg.model_dump(mode="json"), "rows": summary.rows,
        "logged_days": [str(d.date()) for d in _dates_logged(cfg, world.calendar)],
    })
    return summary


def _simulate_day(world: MarketWorld, t: int, recent: np.ndarray) -> tuple[dict, np.ndarray]:
    """Day ``t`` with the default decisions and no stock limit; returns what the writer needs."""
    cfg = world.cfg
    world.begin_day(t)
    live = world.live(t)
    ranking = popularity_ranking(recent.sum(axis=0), live.any(axis=0), cfg.exposure_slots)
    day = world.intensity(t, ranking=ranking)
    counts = world.sample_counts(day)
    orders = world.sample_orders(day, counts)
    formed = group_formed(counts.orders, world.model.min_participants)
    delivered = formed[orders.product]
    world.receive(t, orders.product[delivered], orders.household[delivered])
    units_ordered = counts.orders + counts.extra_units
    units = np.where(formed[None, :], units_ordered, 0)
    recent[t % POPULARITY_DAYS] = units.sum(axis=0)
    launched = live.any(axis=0)
    stats = np.array([units_ordered.sum(), units.sum(), (formed & launched).sum(),
                      launched.sum()])
    i32 = np.int32
    out = {"t": t, "date": world.dates[t], "active": live, "rate": day.rate.astype(np.float32),
           "orders": counts.orders.astype(i32), "cart_only": counts.cart_only.astype(i32),
           "click_only": counts.click_only.astype(i32), "view_only": counts.view_only.astype(i32),
           "units_ordered": units_ordered.astype(i32), "formed": formed,
           "units": units.astype(i32), "price": world.price[t], "discount": world.discount[t],
           "basket_qty": world.model.basket_qty, "logs": None}
    if t >= cfg.first_logged_day:
        funnel = sample_funnel(world, day, counts)
        status = np.where(delivered, 0, 1).astype(np.int8)
        out["logs"] = (funnel, orders, orders.quantity, status, cfg.seed, cfg.cutoff_minute)
    return out, stats


def write_chunk(out_dir: Path, k: int, days: list[dict]) -> tuple[dict[str, int], int]:
    """Build and write the daily tables of one chunk; returns (rows per table, bytes)."""
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in writer.DAILY_TABLES}
    for d in days:
        frames["daily_demand"].append(daily_demand_frame(
            d["date"], d["active"], d["rate"], d["orders"], d["cart_only"], d["click_only"],
            d["view_only"], d["units_ordered"], d["formed"], d["units"], d["price"],
            d["discount"], d["basket_qty"]))
        if d["logs"] is not None:
            funnel, orders, quantity, status, seed, cutoff = d["logs"]
            events, order_rows = log_frames(d["t"], d["date"], funnel, orders, quantity, status,
                                            d["price"], seed, cutoff)
            frames["events"].append(events)
            frames["orders"].append(order_rows)
    rows, size = {}, 0
    for name in writer.DAILY_TABLES:
        parts = frames[name]
        rows[name] = sum(len(f) for f in parts)
        if parts:
            size += writer.write_chunk(out_dir, name, k, pd.concat(parts, ignore_index=True))
    return rows, size


def _dates_logged(cfg: MarketConfig, calendar: pd.DataFrame) -> list[pd.Timestamp]:
    return list(pd.DatetimeIndex(calendar["date"])[cfg.first_logged_day:][[0, -1]]) \
        if cfg.first_logged_day < cfg.n_days else []
