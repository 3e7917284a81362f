"""Assortment policies: what each pickup point offers today."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from groupbuy_ml.twin.state import PlatformState


@dataclass(frozen=True)
class OfferEverything:
    """Offer every launched product at every open pickup point (the default)."""

    def offer(self, state: PlatformState) -> np.ndarray:
        return np.asarray(state.live)
