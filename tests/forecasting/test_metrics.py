"""Metrics against numbers worked out by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.forecasting import (
    evaluate_forecast,
    interval_coverage,
    join_forecast,
    mase,
    naive_scale,
    pinball_loss,
    rmspe,
    rmsse,
    sales_weights,
    wape,
    wrmsse,
)

# Three series, five training days, two test days.
#   A = (1, "a"): train 0 0 2 4 3   test 3 5   forecast 4 4
#   B = (1, "b"): train 5 5 5 5 5   test 5 6   forecast 5 5   (constant history: scale 0)
#   C = (2, "a"): train 1 3 1 3 1   test 3 1   forecast 2 2
TRAIN = {("1", "a"): [0, 0, 2, 4, 3], ("1", "b"): [5, 5, 5, 5, 5], ("2", "a"): [1, 3, 1, 3, 1]}
TEST = {("1", "a"): [3, 5], ("1", "b"): [5, 6], ("2", "a"): [3, 1]}
PRED = {("1", "a"): [4, 4], ("1", "b"): [5, 5], ("2", "a"): [2, 2]}
A, B, C = ("1", "a"), ("1", "b"), ("2", "a")


def _frame(values: dict, column: str, start: str) -> pd.DataFrame:
    rows = []
    for (loc, prod), ys in values.items():
        dates = pd.date_range(start, periods=len(ys), freq="D")
        rows += [(loc, prod, d, float(y)) for d, y in zip(dates, ys, strict=True)]
    return pd.DataFrame(rows, columns=["location_id", "product_id", "date", column])


@pytest.fixture
def train() -> pd.DataFrame:
    return _frame(TRAIN, "units", "2024-01-01")


@pytest.fixture
def test_panel() -> pd.DataFrame:
    return _frame(TEST, "units", "2024-01-06")


@pytest.fixture
def forecast() -> pd.DataFrame:
    return _frame(PRED, "prediction", "2024-01-06")


def test_naive_scale_starts_at_first_nonzero(train: pd.DataFrame) -> None:
    # A from its first non-zero value: 2 4 3 -> diffs +2, -1 -> squared mean (4+1)/2 = 2.5,
    # absolute mean (2+1)/2 = 1.5. B: diffs all 0. C: diffs +-2 -> 4 and 2.
    sq = naive_scale(train, power=2)
    ab = naive_scale(train, power=1)
    assert sq[A] == pytest.approx(2.5) and ab[A] == pytest.approx(1.5)
    assert sq[B] == 0.0 and ab[B] == 0.0
    assert sq[C] == pytest.approx(4.0) and ab[C] == pytest.approx(2.0)
    # seasonal m = 2: A: |3 - 2| = 1 (one pair); C: 1-1, 3-3, 1-1 -> 0
    m2 = naive_scale(train, season_length=2, power=1)
    assert m2[A] == pytest.approx(1.0) and m2[C] == 0.0


def test_rmsse_excludes_constant_series(train, test_panel, forecast) -> None:
    scored = join_forecast(test_panel, forecast)
    scores = rmsse(train, scored)
    # A: errors -1, +1 -> MSE 1 -> sqrt(1 / 2.5) = 0.6324555; C: MSE 1 -> sqrt(1 / 4) = 0.5
    assert scores.per_series[A] == pytest.approx(math.sqrt(0.4))
    assert scores.per_series[C] == pytest.approx(0.5)
    assert list(scores.unscaled) == [B]
    assert scores.value == pytest.approx((math.sqrt(0.4) + 0.5) / 2)  # 0.5662278


def test_mase_one_step_and_seasonal(train, test_panel, forecast) -> None:
    scored = join_forecast(test_panel, forecast)
    # m = 1: A: MAE 1 / 1.5; C: MAE 1 / 2 -> mean (0.6667 + 0.5) / 2 = 0.5833
    assert mase(train, scored).value == pytest.approx((1 / 1.5 + 0.5) / 2)
    # m = 2: A: MAE 1 / 1 = 1; B and C have scale 0 and are left out
    seasonal = mase(train, scored, season_length=2)
    assert seasonal.value == pytest.approx(1.0)
    assert sorted(seasonal.unscaled) == [B, C]


def test_wrmsse_weights(train, test_panel, forecast) -> None:
    scored = join_forecast(test_panel, forecast)
    rmsse_a, rmsse_c = math.sqrt(0.4), 0.5
    # 28-day window = all 5 days: unit sales A 9, C 9 (B unscaled) -> equal weights
    assert wrmsse(train, scored) == pytest.approx((rmsse_a + rmsse_c) / 2)
    # last 2 days: A 4 + 3 = 7, C 3 + 1 = 4 -> (7 * 0.6325 + 4 * 0.5) / 11 = 0.5842899
    assert wrmsse(train, scored, weight_window=2) == pytest.approx((7 * rmsse_a + 4 * rmsse_c) / 11)
    # sales value with prices A 2, C 1: 14 and 4 -> 0.6030210
    priced = train.assign(price=train["location_id"].map({"1": 2.0, "2": 1.0}))
    assert wrmsse(priced, scored, weight_window=2) == pytest.approx(
        (14 * rmsse_a + 4 * rmsse_c) / 18
    )
    # explicit weights, B's weight drops out with B: (1 * 0.6325 + 3 * 0.5) / 4 = 0.5331139
    weights = pd.Series([1.0, 100.0, 3.0], index=pd.MultiIndex.from_tuples([A, B, C]))
    assert wrmsse(train, scored, weights) == pytest.approx((rmsse_a + 3 * rmsse_c) / 4)
    shares = sales_weights(train, window=2)  # A 7, B 10, C 4 of 21
    assert shares[B] == pytest.approx(10 / 21) and shares.sum() == pytest.approx(1.0)


def test_point_metrics_by_hand() -> None:
    y, pred = [3, 5, 5, 6, 3, 1], [4, 4, 5, 5, 2, 2]
    assert wape(y, pred) == pytest.approx(5 / 23)  # |e| sums to 5, actuals to 23
    # (e / y)^2: 1/9, 1/25, 0, 1/36, 1/9, 1 -> sum 1.29 -> sqrt(1.29 / 6) = 0.4636809
    assert rmspe(y, pred) == pytest.approx(math.sqrt(0.215))
    # zeros ignored: (2 - 1) / 2 = 0.5, (4 - 5) / 4 = -0.25 -> sqrt((0.25 + 0.0625) / 2)
    assert rmspe([0, 2, 4], [1, 1, 5]) == pytest.approx(math.sqrt(0.15625))
    # u = y - q = -1, 0, 1 at q = 0.9: 0.1, 0, 0.9 -> mean 1/3
    assert pinball_loss([1, 2, 3], [2, 2, 2], 0.9) == pytest.approx(1 / 3)
    # 1 in [0, 2], 2 in [2, 2]; 3 not in [4, 5], 4 not in [0, 3] -> 0.5
    assert interval_coverage([1, 2, 3, 4], [0, 2, 4, 0], [2, 2, 5, 3]) == 0.5


def test_evaluate_forecast_all_metrics(train, test_panel, forecast) -> None:
    pred = forecast["prediction"]
    fc = forecast.assign(**{"q0.1": pred - 1, "q0.9": pred + 0.5})
    out = evaluate_forecast(train, test_panel, fc)
    # errors pred - y: A 4-3, 4-5 = +1 -1; B 5-5, 5-6 = 0 -1; C 2-3, 2-1 = -1 +1 -> sum -1
    assert out["mae"] == pytest.approx(5 / 6)
    assert out["rmse"] == pytest.approx(math.sqrt(5 / 6))
    assert out["bias"] == pytest.approx(-1 / 6)
    assert out["rmsse"] == pytest.approx((math.sqrt(0.4) + 0.5) / 2)
    assert out["rmsse_n_unscaled"] == 1.0 and out["n_series"] == 3.0
    assert out["wape"] == pytest.approx(5 / 23)
    # q0.1 = pred - 1 lies below every actual: u = 0 2 1 2 2 0 -> 0.1 * 7 / 6
    assert out["pinball_q0.1"] == pytest.approx(0.7 / 6)
    # q0.9 = pred + 0.5: u = -1.5 .5 -.5 .5 .5 -1.5 -> .15 .45 .05 .45 .45 .15 -> 1.7 / 6
    assert out["pinball_q0.9"] == pytest.approx(1.7 / 6)
    assert out["pinball_mean"] == pytest.approx(0.2)
    # inside [q0.1, q0.9]: A 3 yes 5 no, B 5 yes 6 no, C 3 no 1 yes -> 0.5
    assert out["coverage_80"] == pytest.approx(0.5)
    assert all(np.isfinite(v) for v in out.values())


def test_evaluate_omits_undefined_metrics() -> None:
    train = _frame({A: [2, 2, 2]}, "units", "2024-01-01")
    test = _frame({A: [0, 0]}, "units", "2024-01-04")
    out = evaluate_forecast(train, test, _frame({A: [1, 1]}, "prediction", "2024-01-04"))
    for undefined in ("rmsse", "wrmsse", "mase", "wape", "rmspe"):
        assert undefined not in out
    assert out["rmsse_n_unscaled"] == 1.0 and out["mae"] == 1.0
    assert all(np.isfinite(v) for v in out.values())


def test_unknown_series_counted_as_unscaled(train, test_panel, forecast) -> None:
    new = _frame({("9", "z"): [1, 2]}, "units", "2024-01-06")
    new_fc = _frame({("9", "z"): [1, 1]}, "prediction", "2024-01-06")
    out = evaluate_forecast(
        train, pd.concat([test_panel, new]), pd.concat([forecast, new_fc])
    )
    assert out["rmsse_n_unscaled"] == 2.0 and out["n_series"] == 4.0


def test_bad_inputs(train, test_panel, forecast) -> None:
    with pytest.raises(ValueError, match="1 of 6 test rows have no forecast"):
        join_forecast(test_panel, forecast.iloc[1:])
    with pytest.raises(ValueError, match="lacks required column"):
        join_forecast(test_panel, forecast.drop(columns="prediction"))
    with pytest.raises(ValueError, match="every actual is 0"):
        wape([0, 0], [1, 1])
    with pytest.raises(ValueError, match="differ in length"):
        wape([1, 2], [1])
    with pytest.raises(ValueError, match="quantile"):
        pinball_loss([1], [1], 1.5)
    with pytest.raises(ValueError, match="season_length"):
        naive_scale(train, season_length=0)
