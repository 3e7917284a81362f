"""A global direct LightGBM forecaster: one gradient-boosted model across all series.

The recipe of the top M5 accuracy entries (Makridakis et al. 2022, IJF 38(4); In & Jung 2022,
"Simple averaging of direct and recursive forecasts via partial pooling using machine learning",
IJF 38(4)): a single LightGBM model (Ke et al. 2017, NeurIPS) pooled over every
(location, product) series, a Tweedie loss for intermittent counts, and *direct* features known at
the forecast origin (:mod:`groupbuy_ml.forecasting.features`), so no forecast is fed back.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence

import lightgbm as lgb
import numpy as np
import pandas as pd

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.forecasting.feature_extras import ExtraFeatures, target_mask
from groupbuy_ml.forecasting.features import (
    FUTURE,
    FeatureSpec,
    build_features,
    stack_history_and_future,
)
from groupbuy_ml.forecasting.periods import check_regular, infer_frequency
from groupbuy_ml.forecasting.series import (
    PREDICTION,
    SERIES_KEYS,
    TARGET,
    TIME,
    describe_series,
    group_starts,
    require_columns,
    series_codes,
    sort_panel,
)

__all__ = ["LightGBMForecaster"]

OBJECTIVES = ("tweedie", "l2", "poisson")
TRANSFORMS = ("none", "log1p")


class LightGBMForecaster:
    """Global direct LightGBM model forecasting ``horizon`` periods of every series at once.

    **Fit.** The last ``validation_days`` dates of the training panel are held out; the model
    trains on the earlier rows with early stopping on the held-out loss, recording the training
    and validation loss of every boosting round in ``history_`` (``[{"epoch": round, "train_loss",
    "val_loss"}]``, rounds from 1). With ``refit=True`` (default) it is then retrained on *all*
    rows for the best number of rounds (``best_iteration_``), so the most recent dates inform the
    forecast; with ``refit=False`` the early-stopped model is kept and predicts with its best
    round. ``validation_days=0`` trains ``n_estimators`` rounds without validation (``history_``
    then holds ``train_loss`` only). Each quantile gets its own model (pinball objective) trained
    the same way, with its curve in ``quantile_history_``.

    **Determinism.** ``deterministic=True`` and ``force_row_wise=True`` with the fixed ``seed``
    and ``num_threads`` give identical predictions across fits. ``num_threads`` defaults to 1:
    on a small shared machine OpenMP threads that wait on a busy core made fits several times
    slower (2 threads on 2 busy cores: 18-120 s against 13 s for 300 series x 365 days); raise
    it on a dedicated many-core machine (0 = OpenMP's default).

    Args:
        horizon: periods ahead; every target lag used is >= horizon.
        objective: ``"tweedie"`` (intermittent counts), ``"poisson"`` or ``"l2"``.
        learning_rate, num_leaves, n_estimators, min_data_in_leaf, feature_fraction: LightGBM.
        early_stopping_rounds: rounds without validation improvement before stopping.
        validation_days: final training dates held out for early stopping.
        seed, num_threads: LightGBM seed and threads.
        quantiles: optional quantile levels, e.g. ``[0.1, 0.5, 0.9]``, giving ``q0.1`` columns.
        tweedie_variance_power: in (1, 2); 1.1 as in M5 solutions.
        refit: retrain on all rows for the best number of rounds (see above).
        lags, windows: override the target lags (all >= horizon) and rolling windows.
        weekday_means, extra_covariates, static_reals, extra_categoricals, events,
            mask_closed: the optional feature families of
            :class:`~groupbuy_ml.forecasting.feature_extras.ExtraFeatures`.
        fit_open_days_only: leave closed and unobserved rows (``is_open == 0``,
            ``is_observed == 0``) out of the loss and the early-stopping set: they sell
            nothing by definition and are forecast as 0.
        target_transform: ``"log1p"`` fits ``log(1 + y)`` (with ``l2``: close to minimising
            the relative error RMSPE scores) and forecasts ``exp(.) - 1``; ``"none"``.
        lgb_params: further LightGBM parameters (``max_bin``, ``bagging_fraction``...).
    """

    def __init__(
        self,
        horizon: int = 14,
        objective: str = "tweedie",
        learning_rate: float = 0.05,
        num_leaves: int = 63,
        n_estimators: int = 1000,
        min_data_in_leaf: int = 50,
        feature_fraction: float = 0.8,
        early_stopping_rounds: int = 50,
        validation_days: int = 28,
        seed: int = 0,
        num_threads: int = 1,
        quantiles: Sequence[float] | None = None,
        tweedie_variance_power: float = 1.1,
        refit: bool = True,
        lags: Sequence[int] | None = None,
        windows: Sequence[int] = (7, 28),
        weekday_means: Sequence[int] = (),
        extra_covariates: Sequence[str] = (),
        static_reals: Sequence[str] = (),
        extra_categoricals: Sequence[str] = (),
        events: Sequence[str] = (),
        mask_closed: bool = False,
        fit_open_days_only: bool = False,
        target_transform: str = "none",
        lgb_params: Mapping[str, object] | None = None,
    ) -> None:
        if target_transform not in TRANSFORMS:
            raise ConfigError(f"target_transform must be one of {TRANSFORMS}, got "
                              f"{target_transform!r}")
        if objective not in OBJECTIVES:
            raise ConfigError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
        if horizon < 1 or validation_days < 0 or n_estimators < 1:
            raise ConfigError("horizon and n_estimators must be >= 1, validation_days >= 0")
        quantiles = [float(q) for q in (quantiles or [])]
        if any(not 0.0 < q < 1.0 for q in quantiles):
            raise ConfigError(f"quantiles must lie in (0, 1), got {quantiles}")
        self.horizon = int(horizon)
        self.objective = objective
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.n_estimators = int(n_estimators)
        self.min_data_in_leaf = min_data_in_leaf
        self.feature_fraction = feature_fraction
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_days = int(validation_days)
        self.seed = seed
        self.num_threads = num_threads
        self.quantiles = sorted(quantiles)
        self.tweedie_variance_power = tweedie_variance_power
        self.refit = refit
        self.lags = None if lags is None else tuple(int(k) for k in lags)
        self.windows = tuple(int(w) for w in windows)
        self.weekday_means = tuple(int(n) for n in weekday_means)
        self.extra_covariates = tuple(extra_covariates)
        self.static_reals = tuple(static_reals)
        self.extra_categoricals = tuple(extra_categoricals)
        self.events = tuple(events)
        self.mask_closed = bool(mask_closed)
        self.fit_open_days_only = bool(fit_open_days_only)
        self.target_transform = target_transform
        self.lgb_params = dict(lgb_params or {})

    def _extras(self) -> ExtraFeatures:
        return ExtraFeatures(self.weekday_means, self.extra_covariates, self.static_reals,
                             self.extra_categoricals, self.events, self.mask_closed)

    def _forward(self, y: np.ndarray) -> np.ndarray:
        return np.log1p(np.clip(y, 0, None)) if self.target_transform == "log1p" else y

    def _inverse(self, y: np.ndarray) -> np.ndarray:
        # models pickled before target_transform existed fitted the raw target
        return np.expm1(y) if getattr(self, "target_transform", "none") == "log1p" else y

    def get_params(self) -> dict[str, object]:
        """Constructor arguments (for experiment tracking)."""
        names = list(inspect.signature(type(self).__init__).parameters)[1:]
        return {n: getattr(self, n) for n in names}

    def _params(self, objective: str, alpha: float | None = None) -> dict[str, object]:
        params: dict[str, object] = {
            "objective": objective,
            "metric": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "seed": self.seed,
            "num_threads": self.num_threads,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
        }
        params.update(getattr(self, "lgb_params", {}))
        if objective == "tweedie":
            params["tweedie_variance_power"] = self.tweedie_variance_power
        if alpha is not None:
            params["alpha"] = alpha
        return params

    def _train(
        self, params: dict[str, object], x: pd.DataFrame, y: np.ndarray, val: np.ndarray
    ) -> tuple[lgb.Booster, list[dict[str, float]], int, lgb.Booster | None]:
        """Train with early stopping on the ``val`` rows; returns the booster (refitted on
        every row when ``refit``), the loss curves, the best round and the early-stopped
        booster (None without validation)."""
        cats = self.spec_.categorical
        fit_set = lgb.Dataset(x[~val], y[~val], categorical_feature=cats)
        sets, names = [fit_set], ["train"]
        callbacks = []
        if val.any():
            sets.append(lgb.Dataset(x[val], y[val], reference=fit_set, categorical_feature=cats))
            names.append("valid")
            if self.early_stopping_rounds:
                callbacks.append(lgb.early_stopping(self.early_stopping_rounds, verbose=False))
        curves: dict[str, dict[str, list[float]]] = {}
        callbacks.append(lgb.record_evaluation(curves))
        booster = lgb.train(
            params, fit_set, self.n_estimators, valid_sets=sets, valid_names=names,
            callbacks=callbacks,
        )
        best = booster.best_iteration or booster.current_iteration()
        metric = str(params["metric"])
        history = [{"epoch": i + 1, "train_loss": v} for i, v in enumerate(curves["train"][metric])]
        for row, v in zip(history, curves.get("valid", {}).get(metric, []), strict=False):
            row["val_loss"] = v
        stopped = booster if val.any() else None
        if self.refit and val.any():
            everything = lgb.Dataset(x, y, categorical_feature=cats)
            booster = lgb.train(params, everything, best)
        return booster, history, best, stopped

    def fit(self, train: pd.DataFrame) -> LightGBMForecaster:
        """Fit on a demand panel (one row per period per series; see the class docstring)."""
        require_columns(train, [*SERIES_KEYS, TIME, TARGET], "train")
        panel = sort_panel(train)
        self.frequency_ = infer_frequency(panel[TIME])
        check_regular(panel, self.frequency_, "train")
        self.spec_ = FeatureSpec.from_panel(panel, self.horizon, self.lags, self.windows,
                                            self._extras())
        features = build_features(panel, self.spec_)
        position = np.arange(len(panel)) - group_starts(series_codes(panel))
        lagged = position >= min(self.spec_.lags)  # rows with a first lag
        if not lagged.any():
            raise InvalidDataError(f"every series is shorter than horizon + 1 = {self.horizon + 1}")
        keep = lagged & target_mask(panel) if self.fit_open_days_only else lagged
        x = features.loc[keep].reset_index(drop=True)
        y = self._forward(panel.loc[keep, TARGET].to_numpy(np.float64))
        in_val = np.zeros(len(panel), dtype=bool)
        if self.validation_days:
            distinct = np.unique(panel.loc[lagged, TIME].to_numpy())
            if len(distinct) <= self.validation_days:
                raise ConfigError(
                    f"validation_days={self.validation_days} leaves no training dates: only "
                    f"{len(distinct)} dates have lag features (horizon {self.horizon})"
                )
            in_val = lagged & (panel[TIME].to_numpy() >= distinct[-self.validation_days])
        val = in_val[keep]
        self.booster_, self.history_, self.best_iteration_, stopped = self._train(
            self._params(self.objective), x, y, val
        )
        self.validation_forecast_ = None
        if stopped is not None:  # the early-stopped model's forecast of the validation window
            out = panel.loc[in_val, [*SERIES_KEYS, TIME]].reset_index(drop=True)
            pred = self._inverse(stopped.predict(features.loc[in_val],
                                                 num_iteration=self.best_iteration_))
            closed = (panel.loc[in_val, "is_open"].to_numpy() == 0
                      if "is_open" in panel else False)
            out[PREDICTION] = np.where(closed, 0.0, np.clip(pred, 0, None))
            self.validation_forecast_ = out
        self.quantile_boosters_: dict[float, lgb.Booster] = {}
        self.quantile_history_: dict[float, list[dict[str, float]]] = {}
        for q in self.quantiles:
            booster, history, _, _ = self._train(self._params("quantile", q), x, y, val)
            self.quantile_boosters_[q], self.quantile_history_[q] = booster, history
        return self

    def predict(self, history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
        """Forecast the rows of ``future`` from ``history``.

        Args:
            history: demand panel up to the forecast origin (only the last
                ``spec_.history_needed`` periods per series are read).
            future: ``location_id, product_id, date`` and the covariates seen at fit, for at
                most ``horizon`` consecutive periods right after each series' history; any
                ``units`` column is ignored. ``category`` is taken from history when absent.
                Series without history are forecast from covariates and ids alone (cold start).

        Returns:
            ``location_id, product_id, date, prediction`` (+ ``q0.1``... when fitted with
            quantiles), sorted by series and date, clipped at 0 and set to 0 where the future
            says ``is_open == 0`` (closed days sell nothing, as the panel schema states);
            quantile columns are sorted per row so they never cross (Chernozhukov et al. 2010
            rearrangement).
        """
        if not hasattr(self, "booster_"):
            raise RuntimeError("LightGBMForecaster is not fitted: call fit(train) first")
        frame = stack_history_and_future(history, future, self.spec_)
        self._check_future(frame)
        rows = frame[FUTURE].to_numpy()
        x = build_features(frame, self.spec_).loc[rows]
        out = frame.loc[rows, [*SERIES_KEYS, TIME]].reset_index(drop=True)
        closed = (frame.loc[rows, "is_open"] == 0).to_numpy() if "is_open" in frame else False
        # num_iteration=None: the early-stopped best round, or every round of a refitted model
        point = self._inverse(self.booster_.predict(x))
        out[PREDICTION] = np.where(closed, 0.0, np.clip(point, 0, None))
        if self.quantile_boosters_:  # a monotone transform keeps quantiles quantiles
            qs = self._inverse(np.column_stack([b.predict(x)
                                                for b in self.quantile_boosters_.values()]))
            qs = np.where(np.asarray(closed)[..., None], 0.0, np.sort(np.clip(qs, 0, None), 1))
            for j, q in enumerate(self.quantile_boosters_):
                out[f"q{q:g}"] = qs[:, j]
        return out

    def _check_future(self, frame: pd.DataFrame) -> None:
        check_regular(frame, self.frequency_, "history + future")
        codes = series_codes(frame)
        fut = frame[FUTURE].to_numpy()
        same = codes[1:] == codes[:-1]
        if (same & fut[:-1] & ~fut[1:]).any():
            raise InvalidDataError("future dates must come after the last history date of each "
                                   "series")
        counts = np.bincount(codes[fut], minlength=int(codes.max()) + 1)
        too_long = counts > self.horizon
        if too_long.any():
            firsts = frame.loc[np.r_[True, ~same], SERIES_KEYS]
            bad = firsts.loc[too_long].itertuples(index=False)
            raise InvalidDataError(
                f"future covers more than horizon={self.horizon} periods for {describe_series(bad)}"
            )
