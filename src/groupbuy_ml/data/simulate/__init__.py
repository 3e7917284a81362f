"""The simulated group-buying market: the library's built-in dataset and digital twin.

>>> from groupbuy_ml.data.simulate import MarketConfig, simulate_market
>>> summary = simulate_market(MarketConfig(n_pickup_points=5, n_products=10, n_days=14), "market")

See :mod:`~.catalog` for the documented effects and :mod:`~.demand` for the demand formula.
"""

from groupbuy_ml.data.simulate.config import MarketConfig, market_config
from groupbuy_ml.data.simulate.market import MarketSummary, simulate_market

__all__ = ["MarketConfig", "MarketSummary", "market_config", "simulate_market"]
