"""Ordering policies against textbook numbers (closed forms; `stockpyl` is not a dependency).

Snyder & Shen (2019), "Fundamentals of Supply Chain Theory", 2nd ed.: Example 4.1 (newsvendor,
normal demand mean 50, sd 8, overage h = 0.18, underage p = 0.70: S* = 56.6) and Example 3.1 (EOQ,
K = 8, annual demand 1300, h = 0.225: Q* = 304.1).
"""

import numpy as np
import pytest
from scipy.stats import norm

from groupbuy_ml.twin.errors import TwinConfigError
from groupbuy_ml.twin.newsvendor import Newsvendor, PerfectForesight
from groupbuy_ml.twin.ordering_policy import (
    BaseStock,
    critical_ratio,
    economic_order_quantity,
    normal_base_stock,
)
from groupbuy_ml.twin.state import DemandOracle

from .fake_state import NormalForecaster, one_point_state

# price - cost = 0.70 (underage), cost / shelf life = 0.18 (overage, holding_rate 0)
PRICE, COST = 0.88, 0.18


def test_newsvendor_closed_form_snyder_shen_4_1() -> None:
    ratio = critical_ratio(PRICE, COST, 1, holding_rate=0.0)
    assert ratio == pytest.approx(0.70 / 0.88)
    assert float(normal_base_stock(50.0, 8.0, ratio)) == pytest.approx(56.6, abs=0.05)


def test_eoq_harris_snyder_shen_3_1() -> None:
    assert float(economic_order_quantity(8.0, 1300.0, 0.225)) == pytest.approx(304.1, abs=0.1)


def alternating(mean: float, sd: float, days: int = 28) -> np.ndarray:
    """Sales with exactly this mean and (sample) sd: mean +- a."""
    a = sd * np.sqrt((days - 1) / days)
    return np.where(np.arange(days) % 2 == 0, mean + a, mean - a)


@pytest.mark.parametrize(("lead", "on_hand"), [(1, 0), (3, 20)])
def test_base_stock_orders_up_to_mu_l_plus_z_sigma_root_l(lead: int, on_hand: int) -> None:
    sales = alternating(50, 8)
    state = one_point_state(np.rint(sales), PRICE, COST, shelf=30, lead=lead, on_hand=on_hand)
    policy = BaseStock(window=28, holding_rate=0.0)
    mu, sd = np.rint(sales).mean(), np.rint(sales).std(ddof=1)
    z = norm.ppf(0.70 / (0.70 + COST / 30))
    level = mu * lead + z * sd * np.sqrt(lead)
    assert float(policy.levels(state)[0, 0]) == pytest.approx(level)
    order = policy.order(state).point_units
    assert order[0, 0] == np.ceil(level - on_hand)


def newsvendor(mean: float = 50.0, sd: float = 8.0) -> Newsvendor:
    return Newsvendor(holding_rate=0.0, quantiles=(0.5, 0.7, 0.85, 0.95), unconstrain=False,
                      forecaster=lambda horizon, quantiles: NormalForecaster(
                          horizon, quantiles, mean, sd))


def interpolated(ratio: float, mean: float = 50.0, sd: float = 8.0) -> float:
    levels = np.array([0.5, 0.7, 0.85, 0.95])
    return float(np.interp(ratio, levels, mean + sd * norm.ppf(levels)))


def test_newsvendor_one_day_lead_orders_the_critical_quantile() -> None:
    state = one_point_state(np.full(28, 50), PRICE, COST, shelf=1, lead=1)
    order = newsvendor().order(state).point_units[0, 0]
    # S&S Example 4.1: S* = 56.6 -> 57 whole units (the quantile interpolated at 0.795: 56.8)
    assert interpolated(0.70 / 0.88) == pytest.approx(56.8, abs=0.05)
    assert order == 57


def test_newsvendor_nets_carry_over_and_protects_the_lead_time() -> None:
    # 3 fresh units on hand, lead 1: they still serve today (shelf life 5)
    state = one_point_state(np.full(28, 50), PRICE, COST, shelf=5, lead=1, on_hand=3)
    ratio = 0.70 / (0.70 + COST / 5)
    assert newsvendor().order(state).point_units[0, 0] == np.ceil(interpolated(ratio) - 3)
    # lead 2, 60 on hand: 50 expected to sell today, 10 left on the day the order serves;
    # safety over both days' errors: mean + sqrt(2) (Q(r) - mean)
    state = one_point_state(np.full(28, 50), PRICE, COST, shelf=5, lead=2, on_hand=60)
    level = 50 + np.sqrt(2) * (interpolated(ratio) - 50)
    policy = newsvendor()
    assert policy.order(state).point_units[0, 0] == np.ceil(level - 10)
    risk = policy.stockout_risk_
    assert risk.shape == (2, 1, 1) and 0.0 <= risk.min() <= risk.max() <= 1.0


def test_newsvendor_refits_every_refit_every_days() -> None:
    made: list[NormalForecaster] = []

    def factory(horizon: int, quantiles: list[float]) -> NormalForecaster:
        made.append(NormalForecaster(horizon, quantiles))
        return made[-1]

    policy = Newsvendor(refit_every=3, forecaster=factory)
    for day in range(40, 47):
        policy.order(one_point_state(np.full(28, 50), PRICE, COST, shelf=2, lead=1, day=day))
    assert len(made) == 3  # days 40, 43, 46
    with pytest.raises(TwinConfigError, match="refit_every"):
        Newsvendor(refit_every=0)
    with pytest.raises(TwinConfigError, match="quantiles"):
        Newsvendor(quantiles=(0.5,))


def test_newsvendor_refuses_a_forecaster_shorter_than_the_lead_time() -> None:
    policy = Newsvendor(forecaster=lambda horizon, quantiles: NormalForecaster(1, quantiles))
    state = one_point_state(np.full(28, 50), PRICE, COST, shelf=5, lead=3)
    with pytest.raises(TwinConfigError, match="horizon 1 is shorter than .* 3 days"):
        policy.order(state)


def test_perfect_foresight_orders_true_demand_net_of_carry_over() -> None:
    oracle = DemandOracle(lambda d: np.full((1, 1), 7),
                          lambda d: (np.full((1, 1), 6.0), np.full((1, 1), 4.0)))
    # lead 1: today's exact demand, 7, less the 3 on hand
    state = one_point_state(np.full(28, 7), PRICE, COST, shelf=5, lead=1, on_hand=3,
                            oracle=oracle)
    assert PerfectForesight().order(state).point_units[0, 0] == 4
    # lead 2: 10 on hand, 7 sell today (exact) -> 3 left; tomorrow Normal(6, 2) at the ratio
    state = one_point_state(np.full(28, 7), PRICE, COST, shelf=5, lead=2, on_hand=10,
                            oracle=oracle)
    ratio = 0.70 / (0.70 + COST / 5 + 0.02 * COST)
    level = 6.0 + 2.0 * norm.ppf(ratio)
    assert PerfectForesight().order(state).point_units[0, 0] == np.ceil(level - 3)
    with pytest.raises(TwinConfigError, match="perfect_foresight=true"):
        PerfectForesight().order(one_point_state(np.full(28, 7), PRICE, COST, 5, 1))
