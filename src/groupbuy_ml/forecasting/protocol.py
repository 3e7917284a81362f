"""One evaluation protocol for every forecasting run: the windows, the scored rows, the target.

A run that chooses anything (early stopping, a sweep, ``groupbuy promote``) chooses on the
*validation* window; the *test* window is forecast once and reported (Tashman 2000,
"Out-of-sample tests of forecasting accuracy", IJF 16(4); Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, 3rd ed., section 5.8). Along the panel's dates::

    | train ........................ | validation | test    |
                                     ^ val start  ^ test start (the forecast origin)

The windows are given by a count of periods (``horizon`` test periods, ``validation`` before
them) or by dates (``test_start``, ``validation_start``; ``train_start`` cuts old history).
A model is fitted on ``history`` = train + validation and early-stops on the last
``validation`` periods of it (the validation window); its validation metrics (``val_*``) come
from a forecast of the validation window made from the train window alone, its test metrics
(``test_*``) from the forecast of the test window. Only rows of the scoring mask count
(``score="open"``: open days the data holds, as Kaggle's Rossmann RMSPE scores).

    >>> protocol = EvaluationProtocol(horizon=42, validation=42)  # doctest: +SKIP
    >>> windows = protocol.split(panel)                            # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from groupbuy_ml.data.gaps import observed_mask
from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.metrics import evaluate_forecast
from groupbuy_ml.forecasting.series import SERIES_KEYS, TARGET, TIME, require_columns, sort_panel

__all__ = ["SCORES", "EvaluationProtocol", "Windows"]

SCORES = ("open", "observed", "all")
"""Scoring masks: ``open`` (``is_open == 1`` where the column exists, and observed), ``observed``
(every row the data holds, not the rows a gap policy filled), ``all``."""


@dataclass(frozen=True)
class Windows:
    """A panel cut by a protocol: ``train``, ``validation`` and ``test`` rows (sorted)."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame

    @property
    def history(self) -> pd.DataFrame:
        """Everything before the test window: what the final model is fitted on."""
        return pd.concat([self.train, self.validation], ignore_index=True)

    def dates(self) -> dict[str, str]:
        """First and last date of each window (for logs and run tags)."""
        out = {}
        for name in ("train", "validation", "test"):
            frame: pd.DataFrame = getattr(self, name)
            if len(frame):
                out[f"{name}_start"] = str(frame[TIME].min().date())
                out[f"{name}_end"] = str(frame[TIME].max().date())
        return out


@dataclass(frozen=True)
class EvaluationProtocol:
    """Train / validation / test windows, the scoring mask and the target of a run.

    Args:
        horizon: periods in the test window (the forecast horizon), >= 1.
        validation: periods in the validation window right before the test window (>= 0;
            0 = no validation window: nothing may then be chosen on this run).
        test_start: first test date instead of "the last ``horizon`` dates" (the test window
            is then ``horizon`` periods from it; later dates are dropped).
        validation_start: first validation date instead of ``validation`` periods back.
        train_start: drop history before this date (None keeps all of it).
        score: scoring mask, one of :data:`SCORES`.
        target: the panel column forecast and scored.
        season_length: seasonal period of MASE and seasonal baselines (7 daily, 12 monthly).
    """

    horizon: int
    validation: int = 0
    test_start: str | None = None
    validation_start: str | None = None
    train_start: str | None = None
    score: str = "open"
    target: str = TARGET
    season_length: int = 7

    def __post_init__(self) -> None:
        for name in ("horizon", "validation", "season_length"):
            if getattr(self, name) is None:
                raise ConfigError(f"protocol.{name} is not set: give it, or the trainer's "
                                  f"value it reads (trainer.horizon, trainer.validation_days, "
                                  f"trainer.season_length)")
        if int(self.horizon) < 1:
            raise ConfigError(f"protocol.horizon must be >= 1, got {self.horizon}")
        if int(self.validation) < 0:
            raise ConfigError(f"protocol.validation must be >= 0, got {self.validation}")
        if self.score not in SCORES:
            raise ConfigError(f"protocol.score must be one of {SCORES}, got {self.score!r}")
        if self.target != TARGET:
            raise ConfigError(f"protocol.target {self.target!r}: the panel's target column is "
                              f"{TARGET!r}; choose the quantity in the data source (e.g. "
                              "data.target=units_ordered)")
        for name in ("test_start", "validation_start", "train_start"):
            value = getattr(self, name)
            if value is not None:
                try:
                    pd.Timestamp(value)
                except ValueError as error:
                    raise ConfigError(f"protocol.{name}: {value!r} is not a date "
                                      "(use YYYY-MM-DD)") from error

    def describe(self) -> dict[str, object]:
        """The settings as a flat dict (run params ``protocol.*``)."""
        return asdict(self)

    @property
    def id(self) -> str:
        """A short digest of the settings: runs with the same id were scored alike."""
        text = json.dumps(self.describe(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def split(self, panel: pd.DataFrame) -> Windows:
        """Cut ``panel`` into the three windows (one calendar for every series).

        Raises:
            InvalidDataError: the panel has too few dates for the windows, or a date-given
                window is empty.
        """
        require_columns(panel, [*SERIES_KEYS, TIME, TARGET], "panel")
        frame = sort_panel(panel)
        if self.train_start is not None:
            frame = frame.loc[frame[TIME] >= pd.Timestamp(self.train_start)]
        dates = np.sort(frame[TIME].unique())
        if self.test_start is None:
            need = int(self.horizon) + int(self.validation) + 1
            if len(dates) < need:
                raise InvalidDataError(f"the panel spans {len(dates)} dates; the protocol needs "
                                       f"{need} (horizon {self.horizon} + validation "
                                       f"{self.validation} + 1 of training): lower them")
            test_at = len(dates) - int(self.horizon)
        else:
            test_at = int(np.searchsorted(dates, np.datetime64(pd.Timestamp(self.test_start))))
            if test_at == 0 or test_at + int(self.horizon) > len(dates):
                raise InvalidDataError(f"protocol.test_start {self.test_start}: the panel "
                                       f"({_span(dates)}) needs dates before it and "
                                       f"{self.horizon} from it")
        if self.validation_start is None:
            val_at = test_at - int(self.validation)
        else:
            val_at = int(np.searchsorted(dates, np.datetime64(pd.Timestamp(
                self.validation_start))))
        if not 0 < val_at <= test_at:
            raise InvalidDataError(f"the validation window leaves no training dates in "
                                   f"{_span(dates)}: lower protocol.validation")
        when = frame[TIME].to_numpy()
        end = dates[test_at + int(self.horizon) - 1]
        parts = [when < dates[val_at], (when >= dates[val_at]) & (when < dates[test_at]),
                 (when >= dates[test_at]) & (when <= end)]
        return Windows(*(frame.loc[p].reset_index(drop=True) for p in parts))

    @property
    def validation_periods(self) -> int | None:
        """Validation periods when given as a count (None when given by date)."""
        return None if self.validation_start is not None else int(self.validation)

    def scoring_mask(self, frame: pd.DataFrame) -> np.ndarray:
        """True for the rows this protocol scores."""
        if self.score == "all":
            return np.ones(len(frame), dtype=bool)
        mask = observed_mask(frame)
        if self.score == "open" and "is_open" in frame.columns:
            mask &= frame["is_open"].to_numpy() == 1
        return mask

    def scored(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` that count."""
        return frame.loc[self.scoring_mask(frame)].reset_index(drop=True)

    def evaluate(self, history: pd.DataFrame, window: pd.DataFrame, forecast: pd.DataFrame,
                 prefix: str = "") -> dict[str, float]:
        """Metrics of ``forecast`` on the scored rows of ``window`` (scales from ``history``),
        keys prefixed with ``prefix`` (``val_`` or ``test_``)."""
        scored = self.scored(window)
        if scored.empty:
            raise InvalidDataError(f"the {prefix.rstrip('_') or 'scored'} window has no row "
                                   f"to score (score={self.score!r})")
        metrics = evaluate_forecast(history, scored, forecast,
                                    season_length=int(self.season_length))
        return {f"{prefix}{k}": v for k, v in metrics.items()}


def _span(dates: np.ndarray) -> str:
    if not len(dates):
        return "no dates"
    return f"{pd.Timestamp(dates[0]).date()} .. {pd.Timestamp(dates[-1]).date()}"
