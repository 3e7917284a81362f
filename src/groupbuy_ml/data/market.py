"""Read a simulated market back: its tables (validated) and its demand panel for forecasters."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from groupbuy_ml.data.schemas.market import MARKET_SCHEMAS
from groupbuy_ml.data.schemas.panel import demand_panel_schema
from groupbuy_ml.data.simulate.writer import DAILY_TABLES, read_manifest
from groupbuy_ml.data.validation import validate
from groupbuy_ml.errors import ConfigError, InputNotFoundError

PANEL_TARGETS = ("units_ordered", "units", "orders")


def load_market_table(
    market_dir: str | Path, name: str, columns: Sequence[str] | None = None,
    filters: list[tuple] | None = None,
) -> pd.DataFrame:
    """One table of a simulated market, validated against its schema.

    Args:
        market_dir: a folder written by :func:`~groupbuy_ml.data.simulate.simulate_market`.
        name: a key of :data:`~groupbuy_ml.data.schemas.market.MARKET_SCHEMAS`.
        columns: read only these columns (only they are validated).
        filters: pyarrow row filters, e.g. ``[("pickup_point_id", "<", 10)]``.
    """
    if name not in MARKET_SCHEMAS:
        raise ConfigError(f"unknown market table {name!r}; expected one of {list(MARKET_SCHEMAS)}")
    market_dir = Path(market_dir)
    read_manifest(market_dir)
    path = market_dir / name if name in DAILY_TABLES else market_dir / f"{name}.parquet"
    if not path.exists():
        if name in DAILY_TABLES:  # household logs may be switched off (event_log_days=0)
            return pd.DataFrame({c: pd.Series(dtype=col.dtype.type if col.dtype else object)
                                 for c, col in MARKET_SCHEMAS[name].columns.items()})
        raise InputNotFoundError(f"{path} is missing from the market folder {market_dir}")
    frame = pd.read_parquet(path, columns=list(columns) if columns else None, filters=filters)
    schema = MARKET_SCHEMAS[name]
    if columns:  # table-level checks need columns that were not read; keep column checks
        keep = {c: col for c, col in schema.columns.items() if c in columns}
        unique = schema.unique if set(schema.unique or []) <= set(columns) else None
        schema = pa.DataFrameSchema(keep, unique=unique, strict=False, coerce=False,
                                    name=schema.name)
    return validate(frame, schema, path)


def market_panel(
    market_dir: str | Path, target: str = "units_ordered",
    pickup_points: Sequence[int] | None = None, products: Sequence[int] | None = None,
) -> pd.DataFrame:
    """The market's ``daily_demand`` as a demand panel with its known covariates.

    Args:
        market_dir: a simulated market folder.
        target: which count becomes ``units``: ``units_ordered`` (demand, default: what households
            asked for), ``units`` (delivered, censored by group formation) or ``orders``.
        pickup_points, products: restrict to these ids.

    Returns:
        the demand panel (``location_id`` = pickup point) with price, discount, promo,
        is_holiday, temperature_c, rain_mm and the product's category, sorted by series and date.
    """
    if target not in PANEL_TARGETS:
        raise ConfigError(f"target={target!r}; expected one of {PANEL_TARGETS}")
    filters = []
    if pickup_points is not None:
        filters.append(("pickup_point_id", "in", list(pickup_points)))
    if products is not None:
        filters.append(("product_id", "in", list(products)))
    cols = ["date", "pickup_point_id", "product_id", "price", "discount", "promo", target]
    demand = load_market_table(market_dir, "daily_demand", cols, filters or None)
    calendar = load_market_table(market_dir, "calendar")
    catalogue = load_market_table(market_dir, "products", ["product_id", "category"])
    panel = (
        demand.rename(columns={"pickup_point_id": "location_id", target: "units_target"})
        .drop(columns=["units"], errors="ignore")
        .rename(columns={"units_target": "units"})
        .merge(calendar[["date", "is_holiday", "temperature_c", "rain_mm"]], on="date")
        .merge(catalogue, on="product_id")
        .astype({"is_holiday": "int8", "price": "float64", "discount": "float64",
                 "units": "float64"})
        .sort_values(["location_id", "product_id", "date"], ignore_index=True)
    )
    return validate(panel, demand_panel_schema, Path(market_dir) / "daily_demand")
