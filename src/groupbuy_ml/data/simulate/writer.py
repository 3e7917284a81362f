"""Parquet output of the simulated market: one file per static table, one folder per daily table.

Daily tables are written chunk by chunk (``<table>/part-NNNNN.parquet``) so a large city is never
held in memory; ``pandas.read_parquet(folder)`` reads a folder back as one table.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from groupbuy_ml.errors import InputNotFoundError

STATIC_TABLES = ("warehouses", "communities", "pickup_points", "suppliers", "products",
                 "product_scenes", "households", "calendar", "prices")
DAILY_TABLES = ("daily_demand", "events", "orders")
MANIFEST = "market.json"


def prepare_output(out_dir: Path) -> None:
    """Create ``out_dir``; remove a previous market written there (only this module's files)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in STATIC_TABLES:
        (out_dir / f"{name}.parquet").unlink(missing_ok=True)
    for name in DAILY_TABLES:
        if (out_dir / name).is_dir():
            shutil.rmtree(out_dir / name)
    (out_dir / MANIFEST).unlink(missing_ok=True)


def write_static(out_dir: Path, name: str, frame: pd.DataFrame) -> None:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), out_dir / f"{name}.parquet")


def write_chunk(out_dir: Path, name: str, chunk: int, frame: pd.DataFrame) -> int:
    """Write one chunk of a daily table; returns the bytes written."""
    folder = out_dir / name
    folder.mkdir(exist_ok=True)
    path = folder / f"part-{chunk:05d}.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path,
                   compression="snappy", row_group_size=1_000_000)
    return path.stat().st_size


def write_manifest(out_dir: Path, manifest: dict) -> None:
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))


def read_manifest(market_dir: Path) -> dict:
    path = Path(market_dir) / MANIFEST
    if not path.exists():
        raise InputNotFoundError(
            f"{path} not found: {market_dir} is not a simulated market folder; "
            "create one with `groupbuy simulate out_dir=...`"
        )
    return json.loads(path.read_text())
