from pathlib import Path

import pytest

from groupbuy_ml.data.simulate import MarketConfig, MarketSummary, simulate_market

TINY = {"n_pickup_points": 6, "n_products": 30, "n_days": 21, "households_per_pickup_point": 60,
        "n_suppliers": 5}


@pytest.fixture(scope="package")
def tiny_market(tmp_path_factory: pytest.TempPathFactory) -> MarketSummary:
    """A tiny market with household logs on every day."""
    return simulate_market(MarketConfig(**TINY), tmp_path_factory.mktemp("tiny") / "market")


@pytest.fixture(scope="package")
def year_market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A year of a small city without household logs, for statistical checks of the effects."""
    cfg = MarketConfig(n_pickup_points=20, n_products=120, n_days=365, event_log_days=0,
                       new_product_share=0.0, new_pickup_point_share=0.0, seed=11)
    out = tmp_path_factory.mktemp("year") / "market"
    simulate_market(cfg, out)
    return out
