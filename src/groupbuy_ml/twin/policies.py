"""The twin's decision hooks: one Protocol per decision a platform makes, one method each.

Like PyVRP's stopping criteria (small callables passed to the solver), every decision of the
closed loop is an object with a single method that receives the read-only
:class:`~groupbuy_ml.twin.state.PlatformState` of the morning and returns plain numpy arrays.
Each morning the twin calls them in this order, and each sees the decisions made before it in
``state.today``:

1. :class:`AssortmentPolicy` ``offer(state) -> (P, I) bool`` -- what each pickup point offers;
2. :class:`PricingPolicy` ``price(state) -> (I,) or (P, I) CNY`` -- today's selling prices
   (markdowns included);
3. :class:`ThresholdPolicy` ``threshold(state) -> (I,) or (P, I) int`` -- participants a group
   buy needs: (I,) is one city-wide group per product, (P, I) one group per pickup point;
4. :class:`ExposurePolicy` ``rank(state) -> Exposure`` -- what each household is shown first;
5. :class:`OrderingPolicy` ``order(state) -> OrderDecision`` -- what the platform buys and moves.

Indices are positions: pickup point ``p`` is ``pickup_point_id == p``, product ``i`` is
``product_id == i``, household ``h`` is ``household_id == h`` (the market's ids are contiguous).
The twin validates every returned array before it touches the world
(:func:`~groupbuy_ml.twin.validation.check_decisions`): a negative or NaN order, a shape that does
not broadcast or a price <= 0 raises :class:`~groupbuy_ml.twin.errors.PolicyOutputError` naming
the policy and the field.

This API is stable: new hooks and new optional fields may be added, nothing is removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from groupbuy_ml.twin.state import PlatformState

__all__ = [
    "AssortmentPolicy",
    "Exposure",
    "ExposurePolicy",
    "OrderDecision",
    "OrderingPolicy",
    "PricingPolicy",
    "ThresholdPolicy",
]


@dataclass(frozen=True)
class OrderDecision:
    """What the platform buys and moves this morning (whole units; fractions are rounded).

    Attributes:
        point_units: (P, I) units bought from each product's supplier for pickup point ``p``;
            they cross-dock at the warehouse and reach the point on the morning of
            ``today + lead_time_days`` (plus any delay a scenario adds).
        warehouse_units: optional (I,) units bought for the warehouse's own stock; they arrive
            there after the same lead time.
        transfer_units: optional (P, I) units moved from the warehouse's stock to each pickup
            point with tomorrow morning's vans (capped by what the warehouse holds now; oldest
            first, pickup points in id order when short).
    """

    point_units: np.ndarray
    warehouse_units: np.ndarray | None = None
    transfer_units: np.ndarray | None = None


@dataclass(frozen=True)
class Exposure:
    """What each household sees first in the app today.

    Attributes:
        ranking: product ids in display order, ``-1`` for an empty slot: shape (K,) for one
            feed shown to every household, or (H, K) for one feed per household. Slot ``r``
            multiplies the household's rate for that product by ``1 + exposure_lift /
            log2(r + 2)``; at most ``exposure_slots`` slots count.
    """

    ranking: np.ndarray


@runtime_checkable
class OrderingPolicy(Protocol):
    """Decides supplier orders and warehouse-to-pickup-point transfers."""

    def order(self, state: PlatformState) -> OrderDecision:
        """Today's :class:`OrderDecision`."""
        ...


@runtime_checkable
class AssortmentPolicy(Protocol):
    """Decides what each pickup point offers (products not yet launched are never offered)."""

    def offer(self, state: PlatformState) -> np.ndarray:
        """(P, I) bool, or (I,) for every pickup point alike."""
        ...


@runtime_checkable
class PricingPolicy(Protocol):
    """Decides today's selling price of every product (per pickup point if it wants)."""

    def price(self, state: PlatformState) -> np.ndarray:
        """(I,) or (P, I) prices in CNY, > 0."""
        ...


@runtime_checkable
class ThresholdPolicy(Protocol):
    """Decides how many participants each group buy launched today needs to form."""

    def threshold(self, state: PlatformState) -> np.ndarray:
        """(I,) city-wide participants per product, or (P, I) per pickup point; ints >= 1."""
        ...


@runtime_checkable
class ExposurePolicy(Protocol):
    """Decides the ranked feed each household is shown first."""

    def rank(self, state: PlatformState) -> Exposure:
        """Today's :class:`Exposure`."""
        ...
