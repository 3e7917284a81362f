"""Pricing policies: today's selling price per product (and pickup point if wanted)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from groupbuy_ml.twin.state import PlatformState


@dataclass(frozen=True)
class ListPrice:
    """The catalogue price: with ``promotions`` (default) the market's schedule -- weekly
    wholesale prices for farm products and the promotion calendar -- else the plain list price."""

    promotions: bool = True

    def price(self, state: PlatformState) -> np.ndarray:
        return np.asarray(state.scheduled_price if self.promotions else state.list_price)
