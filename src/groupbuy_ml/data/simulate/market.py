"""Simulate a whole market: entities, calendar, prices, then every day in streamed chunks."""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import groupbuy_ml
from groupbuy_ml.data.simulate import writer
from groupbuy_ml.data.simulate.calendar import build_calendar
from groupbuy_ml.data.simulate.config import MarketConfig
from groupbuy_ml.data.simulate.demand import DemandModel, build_demand_model
from groupbuy_ml.data.simulate.entities import build_entities
from groupbuy_ml.data.simulate.logs import HouseholdIndex, sample_logs
from groupbuy_ml.data.simulate.prices import build_prices
from groupbuy_ml.data.simulate.sampler import daily_demand_frame, sample_day

SCHEMA_VERSION = 1


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


@dataclass(frozen=True)
class _State:
    cfg: MarketConfig
    out_dir: Path
    model: DemandModel
    affinity: np.ndarray
    index: HouseholdIndex | None
    dates: pd.DatetimeIndex
    price: np.ndarray
    discount: np.ndarray


_STATE: _State | None = None  # inherited by forked workers; never pickled


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
    global _STATE
    started = time.perf_counter()
    out = Path(out_dir)
    writer.prepare_output(out)
    rng = np.random.default_rng([cfg.seed, 0])
    ent = build_entities(cfg, rng)
    calendar = build_calendar(cfg, rng)
    prices = build_prices(cfg, ent.products, ent.suppliers, calendar, rng)
    model = build_demand_model(ent, calendar, prices, rng)
    products = ent.products.assign(min_group_size=model.min_participants.astype("int32"))
    static = {"warehouses": ent.warehouses, "communities": ent.communities,
              "pickup_points": ent.pickup_points,
              "suppliers": ent.suppliers, "products": products,
              "product_scenes": ent.product_scenes, "households": ent.households,
              "calendar": calendar, "prices": prices}
    for name, frame in static.items():
        writer.write_static(out, name, frame)

    index = None
    if cfg.first_logged_day < cfg.n_days:
        combo = _combo_of(ent.household_tags, model.combos)
        index = HouseholdIndex.build(ent.households["pickup_point_id"].to_numpy(),
                                     ent.household_band, combo, ent.household_activity,
                                     cfg.n_pickup_points, len(model.band_beta), len(model.combos))
    n_i = len(products)
    _STATE = _State(cfg, out, model, model.affinity, index, pd.DatetimeIndex(calendar["date"]),
                    prices["price"].to_numpy().reshape(cfg.n_days, n_i),
                    prices["discount"].to_numpy().reshape(cfg.n_days, n_i))
    chunks = [range(s, min(s + cfg.chunk_days, cfg.n_days))
              for s in range(0, cfg.n_days, cfg.chunk_days)]
    summary = MarketSummary(out, cfg, rows={k: len(v) for k, v in static.items()})
    summary.bytes_written = sum((out / f"{k}.parquet").stat().st_size for k in static)
    try:
        results = _run_chunks(chunks, cfg.workers, on_chunk)
    finally:
        _STATE = None
    totals = np.sum([r[1:] for r in results], axis=0)
    for name, rows in zip(writer.DAILY_TABLES, totals[:3], strict=True):
        summary.rows[name] = int(rows)
    summary.bytes_written += int(totals[3])
    summary.units_ordered, summary.units_delivered = int(totals[4]), int(totals[5])
    summary.group_formation_rate = float(totals[6] / max(totals[7], 1))
    summary.seconds = time.perf_counter() - started
    writer.write_manifest(out, {
        "schema_version": SCHEMA_VERSION, "library_version": groupbuy_ml.__version__,
        "config": cfg.model_dump(mode="json"), "rows": summary.rows,
        "logged_days": [str(d.date()) for d in _dates_logged(cfg, calendar)],
    })
    return summary


def _combo_of(tags: np.ndarray, combos: np.ndarray) -> np.ndarray:
    weights = 1 << np.arange(tags.shape[1])
    lookup = {int(k): c for c, k in enumerate(combos @ weights)}
    return np.array([lookup[int(k)] for k in tags @ weights], dtype=np.int64)


def _dates_logged(cfg: MarketConfig, calendar: pd.DataFrame) -> list[pd.Timestamp]:
    return list(pd.DatetimeIndex(calendar["date"])[cfg.first_logged_day:][[0, -1]]) \
        if cfg.first_logged_day < cfg.n_days else []


def _run_chunks(chunks: list[range], workers: int,
                on_chunk: Callable[[int, int], None] | None) -> list[tuple]:
    results = []
    if workers == 1:
        for k, days in enumerate(chunks):
            results.append(_simulate_chunk(k, days))
            if on_chunk:
                on_chunk(k + 1, len(chunks))
        return results
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        for done, res in enumerate(pool.map(_simulate_chunk, range(len(chunks)), chunks), 1):
            results.append(res)
            if on_chunk:
                on_chunk(done, len(chunks))
    return results


def _simulate_chunk(k: int, days: range) -> tuple:
    st = _STATE
    assert st is not None, "simulate_market sets the state before chunks run"
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in writer.DAILY_TABLES}
    ordered = delivered = formed = offered = 0
    for t in days:
        draw = sample_day(st.model, t, st.cfg.seed, st.affinity)
        demand = daily_demand_frame(draw, st.dates[t], st.price[t], st.discount[t],
                                    st.model.basket_qty)
        frames["daily_demand"].append(demand)
        ordered += int(demand["units_ordered"].sum())
        delivered += int(demand["units"].sum())
        launched = draw.active.any(axis=0)
        formed += int((draw.formed & launched).sum())
        offered += int(launched.sum())
        if st.index is not None and t >= st.cfg.first_logged_day:
            events, orders = sample_logs(st.model, st.index, draw, st.dates[t], st.price[t],
                                         st.cfg.seed, st.cfg.cutoff_minute)
            frames["events"].append(events)
            frames["orders"].append(orders)
    rows, size = [], 0
    for name in writer.DAILY_TABLES:
        parts = frames[name]
        rows.append(sum(len(f) for f in parts))
        if parts:
            size += writer.write_chunk(st.out_dir, name, k, pd.concat(parts, ignore_index=True))
    return (k, *rows, size, ordered, delivered, formed, offered)
