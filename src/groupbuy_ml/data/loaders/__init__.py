"""Loaders that bring real benchmark datasets and user CSVs into the library's schemas.

Every loader returns a frame that already passed :func:`groupbuy_ml.data.validate` against its
schema (demand panel, interactions or routing stops). Conversions are explicit and documented in
each module and in ``data/cards/``; bad input raises
:class:`~groupbuy_ml.data.errors.DataValidationError` naming the file, the column and the first bad
rows or lines. The shared data folder is found by :func:`shared_data_dir`.
"""

from groupbuy_ml.data.loaders.csv import ColumnMapping, read_demand_csv
from groupbuy_ml.data.loaders.gowalla import (
    InteractionSplit,
    load_gowalla,
    load_interaction_split,
    read_interaction_file,
)
from groupbuy_ml.data.loaders.m5 import (
    load_m5_calendar,
    load_m5_full_history_sample,
    load_m5_window,
)
from groupbuy_ml.data.loaders.paths import shared_data_dir
from groupbuy_ml.data.loaders.rossmann import load_rossmann
from groupbuy_ml.data.loaders.solomon import (
    SolomonInstance,
    load_solomon,
    load_solomon_bks,
    read_solomon,
)
from groupbuy_ml.data.loaders.stallion import load_stallion

__all__ = [
    "ColumnMapping",
    "InteractionSplit",
    "SolomonInstance",
    "load_gowalla",
    "load_interaction_split",
    "load_m5_calendar",
    "load_m5_full_history_sample",
    "load_m5_window",
    "load_rossmann",
    "load_solomon",
    "load_solomon_bks",
    "load_stallion",
    "read_demand_csv",
    "read_interaction_file",
    "read_solomon",
    "shared_data_dir",
]
