"""A newsvendor ordering policy on the library's own quantile forecasts, and the perfect-foresight
bound.

:class:`Newsvendor` (Arrow, Harris & Marschak 1951; Porteus 2002, "Foundations of Stochastic
Inventory Theory", ch. 1; with carry-over and lead time as an order-up-to policy, Snyder & Shen
2019, "Fundamentals of Supply Chain Theory", ch. 4) orders, every morning ``t`` and for every
pickup point x product, up to the critical-ratio quantile of the demand on the first order day
its goods serve, ``d = t + L - 1`` (``L`` the supplier lead time), net of what the stock on hand
and in transit will still hold on ``d`` (expected sales played forward, lots spoiling at the end
of their shelf life: :func:`~groupbuy_ml.twin.stock_projection.project_available`):

    S = mean_d + sign * sqrt(sum_{k=t..d} (Q_k(r) - mean_k)^2),   order = max(S - available_d, 0)

with ``Q_k`` the forecast quantile function of day ``k`` (linear between the fitted levels,
:func:`groupbuy_ml.forecasting.ordering.interpolate_quantile`), ``r`` the critical ratio of
:func:`~groupbuy_ml.twin.ordering_policy.critical_ratio` (price, unit cost, shelf life) and the
square root the safety stock for the forecast error of every day until ``d`` (independent days;
``S = Q_d(r)`` for a one-day lead). The forecaster is the library's global LightGBM with quantile
heads (:class:`groupbuy_ml.forecasting.gbm.LightGBMForecaster`), refitted every ``refit_every``
days on the platform's own censored records (unconstrained first:
:func:`~groupbuy_ml.twin.unconstrain.unconstrain_panel`), never on the twin's truth.

:class:`PerfectForesight` reads the true demand of the coming days from the state's
:class:`~groupbuy_ml.twin.state.DemandOracle` (a run with ``TwinConfig.perfect_foresight=True``)
and orders exactly what day ``d`` will ask for beyond the carry-over: the bound of the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from groupbuy_ml.forecasting.ordering import interpolate_quantile
from groupbuy_ml.twin.errors import TwinConfigError
from groupbuy_ml.twin.ordering_policy import _offered, _today_ratio, normal_base_stock
from groupbuy_ml.twin.policies import OrderDecision
from groupbuy_ml.twin.state import PlatformState
from groupbuy_ml.twin.stock_projection import project_available, project_daily
from groupbuy_ml.twin.unconstrain import unconstrain_panel

__all__ = ["Newsvendor", "PerfectForesight", "default_forecaster"]

RISK_GRID = (np.arange(39) + 0.5) / 39


def default_forecaster(horizon: int, quantiles: Sequence[float]) -> Any:
    """The library's LightGBM, sized for a daily refit inside the loop (few, fast rounds)."""
    from groupbuy_ml.forecasting.gbm import LightGBMForecaster

    return LightGBMForecaster(horizon=horizon, quantiles=quantiles, n_estimators=80,
                              learning_rate=0.12, num_leaves=15, min_data_in_leaf=40,
                              validation_days=0, windows=(7, 28))


@dataclass
class Newsvendor:
    """Critical-ratio order-up-to on quantile forecasts (see the module).

    Args:
        quantiles: levels the forecaster fits (the critical ratio is interpolated between them).
        refit_every: days between refits (the model forecasts every morning from fresh records).
        train_days: records used per fit (None: all the platform keeps, ``history_days``).
        holding_rate: holding cost per unit and day, share of the unit cost.
        unconstrain: raise sold-out days' sales to their expected demand before fitting.
        forecaster: ``(horizon, quantiles) -> model`` with ``fit(panel)`` and ``predict(history,
            future)`` returning ``prediction`` and ``q<level>`` columns (a Hydra ``_partial_``
            of ``LightGBMForecaster`` or any forecaster of the library with quantiles); None:
            :func:`default_forecaster`.
        min_history_days: records needed before the first fit.
    """

    quantiles: Sequence[float] = (0.5, 0.7, 0.85, 0.95)
    refit_every: int = 7
    train_days: int | None = 63
    holding_rate: float = 0.02
    unconstrain: bool = True
    forecaster: Callable[..., Any] | None = None
    min_history_days: int = 8
    model_: Any = field(default=None, init=False, repr=False)
    fitted_on_: int = field(default=-1, init=False, repr=False)
    stockout_risk_: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        levels = [float(q) for q in self.quantiles]
        if len(levels) < 2 or any(not 0 < q < 1 for q in levels):
            raise TwinConfigError(f"policy.ordering.quantiles: need >= 2 levels in (0, 1), "
                                  f"got {levels}")
        if self.refit_every < 1:
            raise TwinConfigError(f"policy.ordering.refit_every: {self.refit_every}; must be "
                                  ">= 1 day")
        self.quantiles = tuple(sorted(levels))

    def order(self, state: PlatformState) -> OrderDecision:
        n_p, n_i = state.shape
        h = state.history
        self.stockout_risk_ = None
        if len(h.dates) == 0:  # the first morning of a city: nothing recorded, nothing known
            return OrderDecision(np.zeros((n_p, n_i)))
        if len(h.dates) < self.min_history_days:
            raise TwinConfigError(f"policy.ordering: Newsvendor needs {self.min_history_days} "
                                  f"days of records, the state has {len(h.dates)}; raise "
                                  "warm_up_days")
        lead = np.asarray(state.lead_time, np.int64)
        horizon = int(lead.max(initial=1))
        if self.model_ is None or state.day < self.fitted_on_ or \
                state.day - self.fitted_on_ >= self.refit_every:
            self._fit(state, horizon)
        mean, quant = self.forecast(state, horizon)  # (H, P, I), (H, P, I, Q)
        ratio = np.broadcast_to(_today_ratio(state, self.holding_rate), (n_p, n_i))
        levels = np.asarray(self.quantiles)
        at = np.broadcast_to(ratio, (horizon, n_p, n_i)).reshape(-1)
        q_r = interpolate_quantile(levels, quant.reshape(-1, len(levels)), at
                                   ).reshape(horizon, n_p, n_i)
        dev = q_r - mean
        serves = np.arange(horizon)[:, None, None] <= (lead - 1)[None, None, :]
        spread = np.sqrt((np.where(serves, dev, 0.0) ** 2).sum(axis=0))
        d_index = np.broadcast_to(lead - 1, (n_p, n_i))
        mean_d = np.take_along_axis(mean, d_index[None], 0)[0]
        sign = np.sign(np.where(serves, dev, 0.0).sum(axis=0))
        level = np.clip(mean_d + sign * spread, 0, None)
        available = project_available(state, mean)
        order = np.ceil(np.clip(level - available, 0, None) - 1e-9) * _offered(state)
        self.stockout_risk_ = self._risk(state, mean, quant, order, horizon)
        return OrderDecision(order)

    # -- the forecaster -------------------------------------------------------------------
    def history_days(self, horizon: int) -> int | None:
        """Records the forecast reads: what the fitted features look back over."""
        spec = getattr(self.model_, "spec_", None)
        return None if spec is None else int(spec.history_needed) + 7

    def _fit(self, state: PlatformState, horizon: int) -> None:
        panel = state.history.panel(self.train_days)
        if self.unconstrain:
            panel = unconstrain_panel(panel)
        make = self.forecaster or default_forecaster
        model = make(horizon=horizon, quantiles=list(self.quantiles))
        got = getattr(model, "horizon", horizon)
        if got < horizon:
            raise TwinConfigError(f"policy.ordering.forecaster: horizon {got} is shorter than "
                                  f"the longest supplier lead time, {horizon} days")
        self.model_ = model.fit(panel.drop(columns=["sold_out", "units_recorded"],
                                           errors="ignore"))
        self.fitted_on_ = state.day

    def forecast(self, state: PlatformState, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """(H, P, I) mean and (H, P, I, Q) quantiles of demand on order days ``t .. t+H-1``."""
        n_p, n_i = state.shape
        history = state.history.panel(self.history_days(horizon))
        future = future_frame(state, history, horizon)
        pred = self.model_.predict(history.drop(columns=["sold_out"]), future)
        k = ((pred["date"] - state.date).dt.days).to_numpy()
        p = pred["location_id"].to_numpy()
        i = pred["product_id"].to_numpy()
        mean = np.zeros((horizon, n_p, n_i))
        quant = np.zeros((horizon, n_p, n_i, len(self.quantiles)))
        mean[k, p, i] = pred["prediction"].to_numpy()
        for j, q in enumerate(self.quantiles):
            quant[k, p, i, j] = pred[f"q{q:g}"].to_numpy()
        return mean, np.sort(quant, axis=-1)

    def _risk(self, state: PlatformState, mean: np.ndarray, quant: np.ndarray,
              order: np.ndarray, horizon: int) -> np.ndarray:
        """(H, P, I) P(demand > what will be available) on days ``t .. t+H-1``."""
        n_p, n_i = state.shape
        avail = project_daily(state, mean, horizon).astype(np.float64)
        lead = np.asarray(state.lead_time, np.int64)
        after = np.arange(horizon)[:, None, None] >= (lead - 1)[None, None, :]
        avail = avail + np.where(after, order[None], 0.0)
        grid = interpolate_quantile(np.asarray(self.quantiles),
                                    quant.reshape(-1, len(self.quantiles)),
                                    np.broadcast_to(RISK_GRID, (horizon * n_p * n_i,
                                                                len(RISK_GRID))))
        risk = (grid > avail.reshape(-1, 1)).mean(axis=1).reshape(horizon, n_p, n_i)
        return np.where(state.live[None], risk, 0.0)


def future_frame(state: PlatformState, history: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Rows to forecast: every live (pickup point, product) on order days ``t .. t+H-1``, with
    today's price, yesterday's promotion and the morning's weather forecast."""
    live = np.asarray(state.live)
    p, i = np.nonzero(live)
    price = state.today.price if state.today.price is not None else \
        np.broadcast_to(state.scheduled_price, state.shape)
    dates = pd.date_range(state.date, periods=horizon, freq="D")
    cal = state.calendar.set_index("date").reindex(dates)
    # days past the calendar's end are no holiday and carry the last known day forward; the
    # reindex made the boolean columns object, so their dtypes are inferred again explicitly
    with pd.option_context("future.no_silent_downcasting", True):
        cal = cal.fillna({"is_holiday": False}).ffill().infer_objects()
    last = history[history["date"] == history["date"].max()]
    disc = np.zeros(state.shape)
    disc[last["location_id"].to_numpy(), last["product_id"].to_numpy()] = \
        last["discount"].to_numpy()
    n = len(p)
    category = state.catalogue["category"].to_numpy()
    frame = pd.DataFrame({
        "location_id": np.tile(p, horizon).astype(np.int64),
        "product_id": np.tile(i, horizon).astype(np.int64),
        "date": np.repeat(dates.to_numpy(), n),
        "price": np.tile(np.asarray(price)[p, i], horizon).astype(np.float64),
        "discount": np.tile(disc[p, i], horizon),
        "is_holiday": np.repeat(cal["is_holiday"].to_numpy().astype(np.int8), n),
        "temperature_c": np.repeat(cal["temperature_c"].to_numpy(np.float64), n),
        "rain_mm": np.repeat(cal["rain_mm"].to_numpy(np.float64), n),
        "category": np.tile(category[i], horizon),
    })
    frame["promo"] = (frame["discount"] > 0).astype(np.int8)
    return frame


@dataclass(frozen=True)
class PerfectForesight:
    """The bound: today's demand known exactly, later days' true demand distribution.

    Needs a run with ``TwinConfig.perfect_foresight=True`` (the state then carries the
    :class:`~groupbuy_ml.twin.state.DemandOracle`). For goods that serve today (one-day lead)
    it orders exactly today's true demand net of the carry-over. For goods that serve day
    ``d = t + L - 1 > t`` no policy can know that day's draw, so it is the :class:`Newsvendor`
    with a perfect forecast: the true expected units of every day until ``d`` (today's exact),
    the critical ratio ``r`` and a normal safety stock on the true variances,
    ``S = mean_d + z_r sqrt(sum_{k=t+1..d} var_k)``.
    """

    holding_rate: float = 0.02

    def order(self, state: PlatformState) -> OrderDecision:
        oracle = state.oracle
        if oracle is None:
            raise TwinConfigError("policy.ordering: PerfectForesight needs the true demand; set "
                                  "twin.perfect_foresight=true (TwinConfig.perfect_foresight)")
        lead = np.asarray(state.lead_time, np.int64)
        horizon = int(lead.max(initial=1))
        zeros = np.zeros(state.shape)
        mean, var = [], []
        for k in range(horizon):
            try:
                if k == 0:
                    mean.append(np.asarray(oracle.demand(state.day), np.float64))
                    var.append(zeros)
                else:
                    mean.append(np.asarray(oracle.expected(state.day + k)))
                    var.append(np.asarray(oracle.variance(state.day + k)))
            except ValueError:  # past the city's last day: those goods serve nobody
                mean.append(zeros)
                var.append(zeros)
        mean_a, var_a = np.stack(mean), np.stack(var)
        serves = np.arange(horizon)[:, None, None] <= (lead - 1)[None, None, :]
        sd = np.sqrt(np.where(serves, var_a, 0.0).sum(axis=0))
        d_index = np.broadcast_to(lead - 1, state.shape)[None]
        mean_d = np.take_along_axis(mean_a, d_index, 0)[0]
        ratio = np.broadcast_to(_today_ratio(state, self.holding_rate), state.shape)
        level = np.where(sd > 0, normal_base_stock(mean_d, sd, ratio), mean_d)
        available = project_available(state, mean_a)
        order = np.ceil(np.clip(level - available, 0, None) - 1e-9)
        return OrderDecision(order * _offered(state))
