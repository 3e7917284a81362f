"""Pricing: own-price elasticity from sales logs, and the twin's pricing policies.

- :class:`~groupbuy_ml.pricing.elasticity.ElasticityEstimator`: log-log demand per group with
  controls and HC1 intervals (PPML or OLS).
- :mod:`~groupbuy_ml.pricing.market_panel`: segment panels from a simulated market's order logs
  and the simulator's true elasticities; :mod:`~groupbuy_ml.pricing.evaluate`: recovery metrics.
- :mod:`~groupbuy_ml.pricing.stallion`: the Stallion beverage panel (real prices).
- :mod:`~groupbuy_ml.pricing.policies`: pricing policies for the twin's price hook.
"""

from groupbuy_ml.pricing.elasticity import CONTROLS, ElasticityEstimator

__all__ = ["CONTROLS", "ElasticityEstimator"]
