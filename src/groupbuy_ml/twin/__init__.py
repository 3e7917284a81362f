"""The digital twin: a closed-loop market where the platform's decisions meet households.

Each morning the platform's policies decide (:mod:`~groupbuy_ml.twin.policies`: assortment,
pricing, group thresholds, exposure, ordering), households of the simulated city order against
the stock the pickup points will hold, group buys form or fail at 23:00, and the next morning
goods arrive, spoil or are collected. KPIs per day and per run (:mod:`~groupbuy_ml.twin.kpis`),
what-if scenarios (:mod:`~groupbuy_ml.twin.scenarios`), MLflow logging
(:mod:`~groupbuy_ml.twin.tracking`).

    >>> from groupbuy_ml.twin import RunSpec, TwinConfig, PolicySet, run_twin
    >>> from groupbuy_ml.twin.ordering_policy import BaseStock
    >>> spec = RunSpec(TwinConfig(days=7), PolicySet(ordering=BaseStock()))  # doctest: +SKIP
    >>> result = run_twin(spec)  # doctest: +SKIP
    >>> result.kpis["waste_rate"], result.kpis["fill_rate"]  # doctest: +SKIP
"""

from groupbuy_ml.twin.policies import (
    AssortmentPolicy,
    Exposure,
    ExposurePolicy,
    OrderDecision,
    OrderingPolicy,
    PricingPolicy,
    ThresholdPolicy,
)
from groupbuy_ml.twin.policy_set import PolicySet
from groupbuy_ml.twin.run import RunSpec, TwinConfig, TwinResult, run_twin
from groupbuy_ml.twin.scenarios import DemandShock, HeatWave, PriceWar, Scenario, SupplierDelay
from groupbuy_ml.twin.state import PlatformState

__all__ = [
    "AssortmentPolicy",
    "DemandShock",
    "Exposure",
    "ExposurePolicy",
    "HeatWave",
    "OrderDecision",
    "OrderingPolicy",
    "PlatformState",
    "PolicySet",
    "PriceWar",
    "PricingPolicy",
    "RunSpec",
    "Scenario",
    "SupplierDelay",
    "ThresholdPolicy",
    "TwinConfig",
    "TwinResult",
    "run_twin",
]
