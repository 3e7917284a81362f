"""Train / test splits of a demand panel along time: a holdout and rolling-origin backtests.

Splits cut on the panel's distinct dates (one calendar for all series), so that every fold asks
the same question a forecaster faces in production: given everything up to the origin, forecast
the next ``horizon`` dates. Rolling origins follow the evaluation of the M5 competition
(Makridakis et al. 2022, IJF 38(4)) and Tashman 2000 ("Out-of-sample tests of forecasting
accuracy", IJF 16(4)): an expanding training window, origins ``step`` dates apart.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.series import (
    SERIES_KEYS,
    TARGET,
    TIME,
    describe_series,
    require_columns,
    sort_panel,
)

__all__ = ["holdout_split", "rolling_origins"]


def _check_lengths(panel: pd.DataFrame, required: int, why: str) -> None:
    sizes = panel.groupby(SERIES_KEYS, sort=False).size()
    short = sizes.index[sizes.to_numpy() < required]
    if len(short):
        raise InvalidDataError(
            f"{describe_series(short)} are shorter than the {required} dates needed ({why}); "
            f"shortest has {int(sizes.min())}. Drop them or lower horizon / n_origins."
        )


def _dates(panel: pd.DataFrame, needed: int) -> np.ndarray:
    require_columns(panel, [*SERIES_KEYS, TIME, TARGET], "panel")
    dates = np.sort(panel[TIME].unique())
    if len(dates) < needed:
        raise InvalidDataError(f"the panel spans {len(dates)} dates, {needed} are needed")
    return dates


def _cut(
    panel: pd.DataFrame, start: np.datetime64, end: np.datetime64 | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    before = panel[TIME] < start
    inside = ~before if end is None else ~before & (panel[TIME] <= end)
    train = panel.loc[before].reset_index(drop=True)
    test = panel.loc[inside].reset_index(drop=True)
    return train, test


def holdout_split(
    panel: pd.DataFrame, horizon: int, min_train_length: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split off the last ``horizon`` dates of ``panel`` as the test set.

    Args:
        panel: a demand panel.
        horizon: number of final dates to hold out (>= 1).
        min_train_length: dates of history each series must keep before the test window.

    Returns:
        ``(train, test)``, both sorted by series then date.

    Raises:
        ValueError: if ``horizon`` < 1, or a series has fewer than
            ``horizon + min_train_length`` dates (the message names them and their count).
    """
    if horizon < 1:
        raise ConfigError(f"horizon must be >= 1, got {horizon}")
    dates = _dates(panel, horizon + min_train_length)
    _check_lengths(panel, horizon + min_train_length, f"horizon {horizon} + {min_train_length}")
    return _cut(sort_panel(panel), dates[-horizon], None)


def rolling_origins(
    panel: pd.DataFrame,
    horizon: int,
    n_origins: int,
    step: int | None = None,
    min_train_length: int = 1,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Rolling-origin backtest folds ``(train, test)``, oldest origin first.

    Fold ``k`` (0-based) tests on ``horizon`` dates that end ``(n_origins - 1 - k) * step`` dates
    before the panel's last date and trains on every earlier date (expanding window); the last
    fold equals :func:`holdout_split`. Validation happens on the call, before the first fold.

    Args:
        horizon: dates per test window (>= 1).
        n_origins: number of folds (>= 1).
        step: dates between consecutive origins (default ``horizon``: adjacent test windows).
        min_train_length: dates of history each series must keep before the first origin.

    Raises:
        ValueError: on bad arguments, or when a series has fewer than
            ``horizon + (n_origins - 1) * step + min_train_length`` dates.
    """
    step = horizon if step is None else step
    if horizon < 1 or n_origins < 1 or step < 1:
        raise ConfigError(
            f"horizon, n_origins and step must be >= 1, got {horizon}, {n_origins}, {step}"
        )
    required = horizon + (n_origins - 1) * step + min_train_length
    dates = _dates(panel, required)
    _check_lengths(
        panel, required, f"{n_origins} origins x step {step} + horizon {horizon} + "
        f"{min_train_length} of history"
    )
    ordered = sort_panel(panel)

    def folds() -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        for k in range(n_origins):
            back = (n_origins - 1 - k) * step
            end = len(dates) - back
            yield _cut(ordered, dates[end - horizon], dates[end - 1])

    return folds()
