"""The five decision hooks of one run, with the library's defaults for any left out."""

from __future__ import annotations

from dataclasses import dataclass, field

from groupbuy_ml.twin.assortment_policy import OfferEverything
from groupbuy_ml.twin.exposure_policy import PopularityExposure
from groupbuy_ml.twin.ordering_policy import LastWeekSales
from groupbuy_ml.twin.policies import (
    AssortmentPolicy,
    ExposurePolicy,
    OrderingPolicy,
    PricingPolicy,
    ThresholdPolicy,
)
from groupbuy_ml.twin.pricing_policy import ListPrice
from groupbuy_ml.twin.threshold_policy import CatalogueThreshold

HOOKS = {"ordering": "order", "assortment": "offer", "pricing": "price",
         "threshold": "threshold", "exposure": "rank"}


@dataclass
class PolicySet:
    """One policy object per hook (picklable when each policy is)."""

    ordering: OrderingPolicy = field(default_factory=LastWeekSales)
    assortment: AssortmentPolicy = field(default_factory=OfferEverything)
    pricing: PricingPolicy = field(default_factory=ListPrice)
    threshold: ThresholdPolicy = field(default_factory=CatalogueThreshold)
    exposure: ExposurePolicy = field(default_factory=PopularityExposure)

    def __post_init__(self) -> None:
        from groupbuy_ml.twin.errors import TwinConfigError

        for hook, method in HOOKS.items():
            policy = getattr(self, hook)
            if not callable(getattr(policy, method, None)):
                raise TwinConfigError(f"policy.{hook}: {type(policy).__name__} has no "
                                      f"{method}(state) method; see groupbuy_ml.twin.policies")

    @staticmethod
    def defaults() -> PolicySet:
        """The defaults: offer everything live at the scheduled price, the catalogue's group
        thresholds, the feed by last week's sales (ordering is not called in the warm-up)."""
        return PolicySet()

    def describe(self) -> dict[str, str]:
        """``{hook: repr(policy)}`` for logs and tables."""
        return {hook: repr(getattr(self, hook)) for hook in HOOKS}
