"""Elasticity estimation: recovers a known elasticity, controls promotions, rejects bad prices."""

import numpy as np
import pandas as pd
import pytest

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.pricing import ElasticityEstimator
from groupbuy_ml.pricing.evaluate import compare_to_truth, recovery_summary


def synthetic(seed: int = 0, days: int = 120, promo_lift: float = 0.8) -> pd.DataFrame:
    """Two segments x 3 products, demand ~ price ** -e * (1 + promo_lift * promo)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-01-01", periods=days)
    rows = []
    for seg, e in (("low", 0.8), ("high", 2.0)):
        for product in range(3):
            promo = (rng.uniform(size=days) < 0.2).astype(np.int8)
            price = 10.0 * np.exp(rng.normal(0, 0.08, days)) * (1 - 0.25 * promo)
            weekday = dates.weekday.to_numpy()
            lam = (20.0 * (price / 10.0) ** -e * (1 + promo_lift * promo)
                   * (1 + 0.1 * (weekday >= 5)))
            rows.append(pd.DataFrame({"date": dates, "product_id": product, "segment": seg,
                                      "price": price, "promo": promo,
                                      "units": rng.poisson(lam).astype(float)}))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("method", ["ppml", "ols"])
def test_recovers_segment_elasticity_within_its_interval(method: str) -> None:
    frame = synthetic()
    est = ElasticityEstimator(by=("segment",), method=method, cov="HC1",
                              controls=("weekday", "promo")).fit(frame)
    truth = pd.DataFrame({"segment": ["low", "high"], "true_elasticity": [0.8, 2.0]})
    summary = recovery_summary(compare_to_truth(est, truth, ("segment",)))
    assert summary["estimated"] == 2 and summary["coverage95"] == 1.0
    assert summary["mae"] < 0.25


def test_without_the_promotion_control_its_lift_is_read_as_elasticity() -> None:
    frame = synthetic()
    with_promo = ElasticityEstimator(by=("segment",), controls=("promo",)).fit(frame)
    without = ElasticityEstimator(by=("segment",), controls=()).fit(frame)
    assert (without["elasticity"] > with_promo["elasticity"] + 0.5).all()


def test_no_price_variation_is_reported_not_guessed() -> None:
    frame = synthetic().assign(price=10.0)
    est = ElasticityEstimator(by=("segment",), controls=()).fit(frame)
    assert est["status"].eq("no price variation").all() and est["elasticity"].isna().all()


def test_bad_input_names_the_field() -> None:
    frame = synthetic()
    with pytest.raises(InvalidDataError, match="price"):
        ElasticityEstimator().fit(frame.assign(price=frame["price"].where(frame.index > 3, 0.0)))
    with pytest.raises(InvalidDataError, match="category"):
        ElasticityEstimator(by=("category",)).fit(frame)
    with pytest.raises(InvalidDataError, match="no rows"):
        ElasticityEstimator().fit(frame.iloc[:0])
    with pytest.raises(ConfigError, match="method"):
        ElasticityEstimator(method="gmm")  # type: ignore[arg-type]


def test_censored_poisson_recovers_demand_that_sold_out() -> None:
    """Sales capped by stock (60% of days sold out): dropping the cap biases PPML toward 0;
    the censored likelihood recovers the elasticity of 2."""
    rng = np.random.default_rng(0)
    price = 10 * np.exp(rng.normal(0, 0.15, 3000))
    demand = rng.poisson(8 * (price / 10) ** -2.0)
    cap = rng.integers(4, 12, 3000)
    frame = pd.DataFrame({"product_id": 0, "price": price, "units": np.minimum(demand, cap),
                          "censored": demand >= cap})
    naive = ElasticityEstimator(by=(), controls=(), cov="HC1").fit(frame).iloc[0]
    fit = ElasticityEstimator(by=(), method="censored", controls=()).fit(frame).iloc[0]
    assert naive["elasticity"] < 1.2
    assert fit["ci95_low"] < 2.0 < fit["ci95_high"] and abs(fit["elasticity"] - 2.0) < 0.15
