"""Demand forecasting on the demand panel: metrics, splits, peers, neural models, ordering.

Peers: :class:`SeasonalNaive`, :class:`AutoETSForecaster` (statsforecast), the global
:class:`LightGBMForecaster`; neural: :class:`TFTForecaster` and :class:`LSTMForecaster` (DeepAR)
on pytorch-forecasting. Orders and purchase lists: :mod:`~groupbuy_ml.forecasting.ordering`,
:mod:`~groupbuy_ml.forecasting.purchase_list`; backtests: :mod:`~groupbuy_ml.forecasting.backtest`.

Every forecaster consumes the long demand panel of :mod:`groupbuy_ml.data.schemas.panel`
(``location_id, product_id, date, units`` + known covariates); a series is one
``(location_id, product_id)`` pair, and forecasts come back as
``location_id, product_id, date, prediction`` (+ quantile columns ``q0.1``...).

    >>> from groupbuy_ml.forecasting import (
    ...     LightGBMForecaster, SeasonalNaive, evaluate_forecast, holdout_split)
    >>> train, test = holdout_split(panel, horizon=14)  # doctest: +SKIP
    >>> model = LightGBMForecaster(horizon=14).fit(train)  # doctest: +SKIP
    >>> forecast = model.predict(train, test.drop(columns="units"))  # doctest: +SKIP
    >>> evaluate_forecast(train, test, forecast, season_length=7)  # doctest: +SKIP
"""

from groupbuy_ml.forecasting.baselines import Naive, SeasonalNaive
from groupbuy_ml.forecasting.coldstart import similar_series_forecast
from groupbuy_ml.forecasting.ets import AutoETSForecaster
from groupbuy_ml.forecasting.features import FeatureSpec, build_features, direct_lags
from groupbuy_ml.forecasting.gbm import LightGBMForecaster
from groupbuy_ml.forecasting.metrics import (
    SeriesScores,
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
from groupbuy_ml.forecasting.neural import LSTMForecaster, QuantileRNNForecaster, TFTForecaster
from groupbuy_ml.forecasting.splits import holdout_split, rolling_origins

__all__ = [
    "AutoETSForecaster",
    "FeatureSpec",
    "LSTMForecaster",
    "LightGBMForecaster",
    "Naive",
    "QuantileRNNForecaster",
    "SeasonalNaive",
    "SeriesScores",
    "TFTForecaster",
    "build_features",
    "direct_lags",
    "evaluate_forecast",
    "holdout_split",
    "interval_coverage",
    "join_forecast",
    "mase",
    "naive_scale",
    "pinball_loss",
    "rmspe",
    "rmsse",
    "rolling_origins",
    "sales_weights",
    "similar_series_forecast",
    "wape",
    "wrmsse",
]
