"""Neural forecasters on pytorch-forecasting + Lightning (TFT and LSTM), see ``forecasters``."""

from groupbuy_ml.forecasting.neural.datamodule import PanelDataModule
from groupbuy_ml.forecasting.neural.forecasters import (
    LSTMForecaster,
    NeuralForecaster,
    TFTForecaster,
)
from groupbuy_ml.forecasting.neural.quantile_forecaster import QuantileRNNForecaster

__all__ = [
    "LSTMForecaster",
    "NeuralForecaster",
    "PanelDataModule",
    "QuantileRNNForecaster",
    "TFTForecaster",
]
