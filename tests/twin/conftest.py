import pytest

from groupbuy_ml.twin import TwinConfig

TINY_MARKET = {"n_pickup_points": 4, "n_products": 14, "n_suppliers": 5,
               "households_per_pickup_point": 40}


@pytest.fixture(scope="package")
def tiny_config() -> TwinConfig:
    """A 4-point, 14-product city: 8 open-loop days, 2 burn-in, 4 scored, no routing."""
    return TwinConfig(market=TINY_MARKET, warm_up_days=8, burn_in_days=2, days=4,
                      delivery={"mode": "off"})
