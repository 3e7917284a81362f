"""The evaluation protocol: windows by count or date, the scoring mask, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting import SeasonalNaive
from groupbuy_ml.forecasting.protocol import EvaluationProtocol


def _panel(n_days: int = 30) -> pd.DataFrame:
    dates = pd.date_range("2025-01-01", periods=n_days)
    frames = [pd.DataFrame({"location_id": loc, "product_id": "p", "date": dates,
                            "units": np.arange(n_days, dtype=float) + loc,
                            "is_open": (dates.dayofweek != 6).astype(int)}) for loc in (1, 2)]
    return pd.concat(frames, ignore_index=True)


def test_windows_by_count_are_adjacent_and_disjoint() -> None:
    windows = EvaluationProtocol(horizon=7, validation=5).split(_panel())
    assert windows.test["date"].nunique() == 7 and windows.validation["date"].nunique() == 5
    assert windows.train["date"].max() < windows.validation["date"].min()
    assert windows.validation["date"].max() < windows.test["date"].min()
    assert windows.test["date"].max() == pd.Timestamp("2025-01-30")
    assert len(windows.history) == len(windows.train) + len(windows.validation)


def test_windows_by_date_cut_there_and_drop_later_dates() -> None:
    protocol = EvaluationProtocol(horizon=3, test_start="2025-01-20",
                                  validation_start="2025-01-10", train_start="2025-01-03")
    windows = protocol.split(_panel())
    assert windows.dates() == {
        "train_start": "2025-01-03", "train_end": "2025-01-09",
        "validation_start": "2025-01-10", "validation_end": "2025-01-19",
        "test_start": "2025-01-20", "test_end": "2025-01-22"}


def test_scoring_mask_keeps_open_observed_rows_only() -> None:
    panel = _panel().assign(is_observed=1)
    panel.loc[0, "is_observed"] = 0
    protocol = EvaluationProtocol(horizon=7)
    mask = protocol.scoring_mask(panel)
    assert not mask[0] and not mask[panel["is_open"].to_numpy() == 0].any()
    assert EvaluationProtocol(horizon=7, score="all").scoring_mask(panel).all()
    windows = protocol.split(panel)
    forecast = SeasonalNaive(7).fit(windows.history).predict(windows.history, windows.test)
    metrics = protocol.evaluate(windows.history, windows.test, forecast, "test_")
    assert metrics["test_n_series"] == 2 and "test_wape" in metrics


def test_same_settings_same_id_and_bad_settings_are_named() -> None:
    assert EvaluationProtocol(horizon=7).id == EvaluationProtocol(horizon=7).id
    assert EvaluationProtocol(horizon=7).id != EvaluationProtocol(horizon=7, score="all").id
    with pytest.raises(ConfigError, match="score"):
        EvaluationProtocol(horizon=7, score="closed")
    with pytest.raises(ConfigError, match="test_start"):
        EvaluationProtocol(horizon=7, test_start="soon")
    with pytest.raises(InvalidDataError, match="needs 39"):
        EvaluationProtocol(horizon=30, validation=8).split(_panel())
