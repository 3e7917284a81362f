"""Holdout and rolling-origin splits."""

from __future__ import annotations

import pandas as pd
import pytest

from groupbuy_ml.forecasting import holdout_split, rolling_origins


def test_holdout_takes_last_dates(weekly_panel: pd.DataFrame) -> None:
    train, test = holdout_split(weekly_panel, horizon=14)
    dates = sorted(weekly_panel["date"].unique())
    assert sorted(test["date"].unique()) == dates[-14:]
    assert train["date"].max() == dates[-15]
    assert len(train) + len(test) == len(weekly_panel)
    assert len(test) == 6 * 14


def test_rolling_origins_expanding_windows(weekly_panel: pd.DataFrame) -> None:
    dates = sorted(weekly_panel["date"].unique())
    folds = list(rolling_origins(weekly_panel, horizon=7, n_origins=3, step=14))
    assert len(folds) == 3
    for k, (train, test) in enumerate(folds):
        end = len(dates) - (2 - k) * 14
        assert sorted(test["date"].unique()) == dates[end - 7 : end]
        assert train["date"].max() == dates[end - 8]
        assert train["date"].min() == dates[0]
    last_train, last_test = holdout_split(weekly_panel, horizon=7)
    pd.testing.assert_frame_equal(folds[-1][1], last_test)
    pd.testing.assert_frame_equal(folds[-1][0], last_train)


def test_rolling_origins_default_step_is_horizon(weekly_panel: pd.DataFrame) -> None:
    tests = [test for _, test in rolling_origins(weekly_panel, horizon=5, n_origins=4)]
    starts = [t["date"].min() for t in tests]
    assert all((b - a) == pd.Timedelta(days=5) for a, b in zip(starts, starts[1:], strict=False))


def test_short_series_named(weekly_panel: pd.DataFrame) -> None:
    cut = (weekly_panel["location_id"] == 0) & (weekly_panel["date"] < "2024-04-20")
    short = weekly_panel[~cut]
    # series (0, sku*) keep 10 days (Apr 20 .. Apr 29): 3 series shorter than 14 + 1
    with pytest.raises(ValueError, match=r"3 series .* shorter than the 15 dates"):
        holdout_split(short, horizon=14)
    with pytest.raises(ValueError, match=r"shorter than the 22 dates"):
        rolling_origins(short, horizon=7, n_origins=3, step=7)


def test_bad_arguments(weekly_panel: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="horizon must be >= 1"):
        holdout_split(weekly_panel, horizon=0)
    with pytest.raises(ValueError, match=">= 1"):
        rolling_origins(weekly_panel, horizon=7, n_origins=0)
    with pytest.raises(ValueError, match="spans 120 dates"):
        holdout_split(weekly_panel, horizon=120)
    with pytest.raises(ValueError, match="lacks required column"):
        holdout_split(weekly_panel.drop(columns="units"), horizon=7)
