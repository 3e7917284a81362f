"""Exposure policies: the ranked feed each household is shown first."""

from __future__ import annotations

from dataclasses import dataclass

from groupbuy_ml.data.simulate.behaviour import popularity_ranking
from groupbuy_ml.twin.policies import Exposure
from groupbuy_ml.twin.state import PlatformState


@dataclass(frozen=True)
class PopularityExposure:
    """One feed for everyone: the offered products with the most units delivered city-wide over
    the last ``days`` recorded days first (ties by product id), ``slots`` long (the default)."""

    days: int = 7
    slots: int = 10

    def rank(self, state: PlatformState) -> Exposure:
        delivered = state.history.delivered[-self.days:].sum(axis=(0, 1)) \
            if len(state.history.dates) else state.list_price * 0
        offered = state.today.offered if state.today.offered is not None else state.live
        return Exposure(popularity_ranking(delivered, offered.any(axis=0), self.slots))
