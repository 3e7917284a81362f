"""Group-buy threshold policies: participants a group buy launched today needs to form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from groupbuy_ml.twin.state import PlatformState


@dataclass(frozen=True)
class CatalogueThreshold:
    """The catalogue's ``min_group_size``: one city-wide group per product (the default)."""

    def threshold(self, state: PlatformState) -> np.ndarray:
        return state.catalogue["min_group_size"].to_numpy(np.int64)
