"""Datasets as configurable objects: what a Hydra ``data`` config builds with ``_target_``.

Each source loads a demand panel (:mod:`groupbuy_ml.data.schemas.panel`) and reports the
fingerprints of the files it read, which every tracked run records as its data version. Every
source takes the same ``gaps`` policy (``raise`` | ``fill`` | ``trim``) and ``min_length``
(:mod:`groupbuy_ml.data.gaps`); after ``load()`` its ``gap_report_`` says what they did.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from groupbuy_ml.data.fingerprint import fingerprint_files
from groupbuy_ml.data.gaps import GapReport, apply_gap_policy
from groupbuy_ml.data.loaders import (
    ColumnMapping,
    load_m5_window,
    load_rossmann,
    load_stallion,
    read_demand_csv,
)
from groupbuy_ml.data.loaders.paths import dataset_dir
from groupbuy_ml.data.market import market_panel
from groupbuy_ml.data.schemas.panel import SERIES_KEYS
from groupbuy_ml.data.simulate import market_config, simulate_market
from groupbuy_ml.data.simulate.writer import MANIFEST, read_manifest
from groupbuy_ml.errors import InputNotFoundError

log = logging.getLogger(__name__)
_EXECUTION_ONLY = {"workers", "chunk_days"}  # change how a market is computed, not what it is


class PanelSource(Protocol):
    """Anything that yields a demand panel and the fingerprints of its files."""

    name: str

    def load(self) -> pd.DataFrame: ...

    def fingerprints(self) -> dict[str, str]: ...


class GapPolicySource:
    """The gap policy and minimum length every panel source applies after loading.

    Args:
        gaps: ``raise`` (a gap is an error), ``fill`` (missing periods become ``is_observed``
            0 rows, skipped by every loss and metric) or ``trim`` (each series from its last
            gap on); see :func:`~groupbuy_ml.data.gaps.apply_gap_policy`.
        min_length: drop series with fewer observed periods (None keeps all).
    """

    name = "panel"
    gap_report_: GapReport | None = None

    def _init_gaps(self, gaps: str, min_length: int | None) -> None:
        self.gaps = gaps
        self.min_length = None if min_length is None else int(min_length)

    def _finish(self, panel: pd.DataFrame, limit: int | None, source: str) -> pd.DataFrame:
        panel, self.gap_report_ = apply_gap_policy(limit_series(panel, limit), self.gaps,
                                                   self.min_length, source=source)
        log.info("%s: %s", source, self.gap_report_.summary())
        return panel


def limit_series(panel: pd.DataFrame, n: int | None) -> pd.DataFrame:
    """Keep the first ``n`` series in key order (all when ``n`` is None): for smoke runs."""
    if n is None:
        return panel
    keys = panel[SERIES_KEYS].drop_duplicates().sort_values(SERIES_KEYS).head(n)
    return panel.merge(keys, on=SERIES_KEYS).reset_index(drop=True)


class MarketSource(GapPolicySource):
    """The simulated market; simulated on first use when its folder holds none.

    Args:
        market_dir: the market folder.
        target: ``units_ordered`` (demand), ``units`` (delivered) or ``orders``.
        simulation: :class:`~groupbuy_ml.data.simulate.MarketConfig` fields. When given and the
            folder holds a market simulated with other settings, it is simulated again (the
            config, not the folder's history, defines the data). When None, whatever market the
            folder holds is used.
        limit_series: keep only the first N (pickup point, product) series.
        gaps, min_length: see :class:`GapPolicySource`.
    """

    name = "market"

    def __init__(self, market_dir: str | Path, target: str = "units_ordered",
                 simulation: Mapping[str, Any] | None = None,
                 limit_series: int | None = None, gaps: str = "raise",
                 min_length: int | None = None) -> None:
        self.market_dir = Path(market_dir).resolve()
        self.target = target
        self.simulation = dict(simulation) if simulation is not None else None
        self.limit = limit_series
        self._init_gaps(gaps, min_length)

    def ensure(self) -> Path:
        """Simulate the market if the folder is missing it or holds another configuration."""
        wanted = market_config(self.simulation or {}, "data.simulation")
        if (self.market_dir / MANIFEST).exists():
            found = {k: v for k, v in read_manifest(self.market_dir)["config"].items()
                     if k not in _EXECUTION_ONLY}
            if self.simulation is None or found == wanted.model_dump(
                    mode="json", exclude=_EXECUTION_ONLY):
                return self.market_dir
            log.warning("market in %s was simulated with other settings; simulating again",
                        self.market_dir)
        simulate_market(wanted, self.market_dir)
        return self.market_dir

    def load(self) -> pd.DataFrame:
        folder = self.ensure()
        return self._finish(market_panel(folder, self.target), self.limit,
                            str(folder / "daily_demand"))

    def fingerprints(self) -> dict[str, str]:
        d = self.ensure()
        return {"market": fingerprint_files([d / "daily_demand", d / "calendar.parquet",
                                             d / "products.parquet", d / "prices.parquet"])}


class RossmannSource(GapPolicySource):
    """Rossmann store sales (Kaggle 2015), see ``data/cards/rossmann.md``.

    Args:
        root: the dataset folder (default: the shared data folder's ``rossmann/``).
        stores: keep these store ids (all when None).
        start_date: keep dates from this day on (None: the full history from 2013-01-01).
        limit_series: keep only the first N stores.
        gaps, min_length: see :class:`GapPolicySource`. 180 stores have no rows for
            2014-07-01 .. 2014-12-31 (refurbishment) and store 988 lacks 2013-01-01: the full
            history needs ``gaps=fill`` (those days become closed, unobserved rows) or
            ``gaps=trim``.
        store_calendar: add the daily covariates of
            :func:`~groupbuy_ml.data.loaders.rossmann_calendar.add_store_calendar`
            (``promo2_active``, ``promo2_weeks``, ``competition_open_months``).
    """

    name = "rossmann"

    def __init__(self, root: str | Path | None = None, stores: Sequence[int] | None = None,
                 start_date: str | None = None, limit_series: int | None = None,
                 gaps: str = "raise", min_length: int | None = None,
                 store_calendar: bool = False) -> None:
        self.root, self.stores, self.limit = root, stores, limit_series
        self.store_calendar = bool(store_calendar)
        self.start_date = pd.Timestamp(start_date) if start_date else None
        self._init_gaps(gaps, min_length)

    def load(self) -> pd.DataFrame:
        stores = list(self.stores) if self.stores is not None else None
        panel = load_rossmann(self.root, stores)
        if self.start_date is not None:
            panel = panel.loc[panel["date"] >= self.start_date].reset_index(drop=True)
        panel = self._finish(panel, self.limit, str(dataset_dir("rossmann", self.root)))
        if self.store_calendar:  # after the gap fill, so filled days get the calendar too
            from groupbuy_ml.data.loaders.rossmann_calendar import add_store_calendar

            panel = add_store_calendar(panel)
        return panel

    def fingerprints(self) -> dict[str, str]:
        folder = dataset_dir("rossmann", self.root)
        files = [f for f in (folder / "train.csv.xz", folder / "train.csv", folder / "store.csv")
                 if f.is_file()]
        return {"rossmann": fingerprint_files(files)}


class StallionSource(GapPolicySource):
    """Stallion beverage demand (pytorch-forecasting's TFT tutorial data)."""

    name = "stallion"

    def __init__(self, root: str | Path | None = None, limit_series: int | None = None,
                 gaps: str = "raise", min_length: int | None = None) -> None:
        self.root, self.limit = root, limit_series
        self._init_gaps(gaps, min_length)

    def load(self) -> pd.DataFrame:
        return self._finish(load_stallion(self.root), self.limit,
                            str(dataset_dir("stallion", self.root) / "stallion.parquet"))

    def fingerprints(self) -> dict[str, str]:
        return {"stallion": fingerprint_files(dataset_dir("stallion", self.root)
                                              / "stallion.parquet")}


class M5WindowSource(GapPolicySource):
    """M5 (Walmart): all 30,490 item x store series for 56 days, see ``data/cards/m5.md``."""

    name = "m5_window"

    def __init__(self, root: str | Path | None = None, limit_series: int | None = None,
                 gaps: str = "raise", min_length: int | None = None) -> None:
        self.root, self.limit = root, limit_series
        self._init_gaps(gaps, min_length)

    def load(self) -> pd.DataFrame:
        return self._finish(load_m5_window(self.root), self.limit,
                            str(dataset_dir("m5", self.root)))

    def fingerprints(self) -> dict[str, str]:
        return {"m5_window": fingerprint_files(dataset_dir("m5", self.root))}


class CsvSource(GapPolicySource):
    """Bring your own CSV: a column mapping turns it into a demand panel
    (``data/cards/bring_your_own_csv.md``); ``gaps`` and ``min_length`` as every source."""

    name = "csv"

    def __init__(self, path: str | Path, columns: Mapping[str, Any],
                 limit_series: int | None = None, gaps: str = "raise",
                 min_length: int | None = None) -> None:
        self.path, self.limit = Path(path), limit_series
        self.mapping = ColumnMapping.of(columns)
        self._init_gaps(gaps, min_length)

    def load(self) -> pd.DataFrame:
        return self._finish(read_demand_csv(self._existing(), self.mapping), self.limit,
                            str(self.path))

    def fingerprints(self) -> dict[str, str]:
        return {self.path.name: fingerprint_files(self._existing())}

    def _existing(self) -> Path:
        if not self.path.is_file():
            raise InputNotFoundError(f"data.path={self.path}: no such file")
        return self.path
