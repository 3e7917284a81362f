"""The oracle on the simulated market: the forecast equal to the twin's true expected demand.

The market twin draws each day's units from a known expected value (``daily_demand.
expected_units``, :mod:`groupbuy_ml.data.simulate.demand`); no forecaster can beat it in
expectation on squared error, so its score is the floor of the benchmark and every model's
distance to it says how much of the error is left to learn (the rest is the Poisson-like noise
of the draws). A benchmark row, never a model to serve: it reads the future.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.forecasting.series import PREDICTION, SERIES_KEYS, TIME, require_columns

__all__ = ["MarketOracle"]


class MarketOracle:
    """Forecast = ``expected_units`` of the market in ``market_dir`` (see the module docstring).

    Args:
        market_dir: the simulated market folder whose panel is forecast.
    """

    def __init__(self, market_dir: str | Path) -> None:
        self.market_dir = Path(market_dir)

    def fit(self, train: pd.DataFrame) -> MarketOracle:
        """Nothing to learn; returns self."""
        return self

    def predict(self, history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        """``location_id, product_id, date, prediction`` for the rows of ``future``.

        Raises:
            InvalidDataError: a future row is not in the market's ``daily_demand``.
        """
        require_columns(future, [*SERIES_KEYS, TIME], "future")
        truth = load_market_table(self.market_dir, "daily_demand",
                                  ["date", "pickup_point_id", "product_id", "expected_units"])
        truth = truth.rename(columns={"pickup_point_id": "location_id",
                                      "expected_units": PREDICTION})
        keys = future[[*SERIES_KEYS, TIME]]
        out = keys.merge(truth.astype({PREDICTION: "float64"}), on=[*SERIES_KEYS, TIME],
                         how="left")
        if out[PREDICTION].isna().any():
            raise InvalidDataError(f"{int(out[PREDICTION].isna().sum())} future rows are not "
                                   f"in {self.market_dir / 'daily_demand'}: the oracle forecasts "
                                   "the market it was simulated from only")
        return out
