"""Pandera schemas of every table the library reads or writes (nothing is coerced)."""

from groupbuy_ml.data.schemas.interactions import interactions_schema
from groupbuy_ml.data.schemas.panel import SERIES_KEYS, TARGET, TIME, demand_panel_schema
from groupbuy_ml.data.schemas.routing import stops_schema
from groupbuy_ml.data.schemas.text import texts_schema

__all__ = [
    "SERIES_KEYS",
    "TARGET",
    "TIME",
    "demand_panel_schema",
    "interactions_schema",
    "stops_schema",
    "texts_schema",
]
