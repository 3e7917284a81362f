"""Stock in lots, aged by shelf life and consumed first in, first out.

Every (location, product) cell holds up to ``max_lots`` lots, oldest first: units and the day
they arrived. A unit that arrived on day ``a`` of a product with shelf life ``s`` can be handed
out on days ``a .. a + s - 1`` and is written off on the morning of ``a + s``. Lots of one product
expire in arrival order, so sales and write-offs both take from the head and the lots stay a
contiguous prefix of the slots. When a cell would need more than ``max_lots`` lots, the new units
join the newest lot (and expire with it, a little early); ``merged_units`` counts them.
"""

from __future__ import annotations

import numpy as np

EMPTY = -1


class LotStock:
    """FIFO lots of ``n_locations x n_products`` cells (pickup points, or the one warehouse)."""

    def __init__(self, n_locations: int, shelf_life: np.ndarray, max_lots: int = 16) -> None:
        shelf_life = np.asarray(shelf_life, np.int64)
        if shelf_life.ndim != 1 or (shelf_life < 1).any():
            raise ValueError("shelf_life must be a 1-d array of days >= 1")
        self.shelf_life = shelf_life
        shape = (n_locations, len(shelf_life), max_lots)
        self.units = np.zeros(shape, np.int64)
        self.arrived = np.full(shape, EMPTY, np.int64)
        self.merged_units = 0

    @property
    def on_hand(self) -> np.ndarray:
        """(L, I) units in stock."""
        return self.units.sum(axis=2)

    def expiry(self) -> np.ndarray:
        """(L, I, K) first day each lot can no longer be handed out (EMPTY where no lot)."""
        return np.where(self.arrived >= 0, self.arrived + self.shelf_life[None, :, None], EMPTY)

    def fresh_on(self, day: int) -> np.ndarray:
        """(L, I) units that can still be handed out on ``day``."""
        return np.where(self.expiry() > day, self.units, 0).sum(axis=2)

    def value(self, unit_cost: np.ndarray) -> float:
        """Stock at cost."""
        return float((self.on_hand * np.asarray(unit_cost)[None, :]).sum())

    def add(self, units: np.ndarray, day: int | np.ndarray) -> None:
        """Append ``units`` (L, I) as new lots that arrived on ``day`` (scalar or (L, I))."""
        units = np.asarray(units, np.int64)
        day = np.broadcast_to(np.asarray(day, np.int64), units.shape)
        cells = np.nonzero(units > 0)
        if not len(cells[0]):
            return
        n_lots = (self.arrived[cells] >= 0).sum(axis=1)
        full = n_lots >= self.units.shape[2]
        slot = np.minimum(n_lots, self.units.shape[2] - 1)
        loc, prod = cells
        self.units[loc, prod, slot] += units[cells]
        self.arrived[loc[~full], prod[~full], slot[~full]] = day[cells][~full]
        self.merged_units += int(units[cells][full].sum())

    def add_lots(self, units: np.ndarray, arrived: np.ndarray) -> None:
        """Append lots (L, I, K') keeping their arrival days (oldest first along K')."""
        for k in range(units.shape[2]):
            self.add(units[:, :, k], np.where(arrived[:, :, k] >= 0, arrived[:, :, k], 0))

    def expire(self, day: int) -> np.ndarray:
        """Write off every lot that expires by ``day``; returns the (L, I) units written off."""
        dead = (self.arrived >= 0) & (self.expiry() <= day)
        written_off = np.where(dead, self.units, 0).sum(axis=2)
        self.units[dead] = 0
        self.arrived[dead] = EMPTY
        self._compact()
        return written_off

    def take(self, units: np.ndarray) -> np.ndarray:
        """Remove up to ``units`` (L, I) oldest first; returns the units taken."""
        taken, _ = self.take_lots(units)
        return taken.sum(axis=2)

    def take_lots(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Remove up to ``units`` (L, I) oldest first; returns the (L, I, K) units taken from
        each lot and the lots' arrival days."""
        want = np.asarray(units, np.int64)[:, :, None]
        before = np.cumsum(self.units, axis=2) - self.units
        taken = np.clip(want - before, 0, self.units)
        arrived = self.arrived.copy()
        self.units -= taken
        self.arrived[self.units == 0] = EMPTY
        self._compact()
        return taken, arrived

    def _compact(self) -> None:
        """Shift lots left over emptied head slots (lots stay oldest first)."""
        empty_head = np.cumprod(self.arrived < 0, axis=2).sum(axis=2)
        if not empty_head.any():
            return
        k = self.units.shape[2]
        index = np.minimum(np.arange(k)[None, None, :] + empty_head[:, :, None], k - 1)
        valid = (np.arange(k)[None, None, :] + empty_head[:, :, None]) < k
        self.units = np.where(valid, np.take_along_axis(self.units, index, axis=2), 0)
        self.arrived = np.where(valid, np.take_along_axis(self.arrived, index, axis=2), EMPTY)


def split_lots(taken: np.ndarray, arrived: np.ndarray, shares: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Hand the warehouse's taken lots (1, I, K) to pickup points in id order.

    Args:
        taken: (1, I, K) units taken per lot, oldest first.
        arrived: (1, I, K) their arrival days.
        shares: (P, I) units each pickup point receives (summing to ``taken.sum(axis=2)``).

    Returns:
        (P, I, K) units per point and lot, and the matching (P, I, K) arrival days.
    """
    lot_hi = np.cumsum(taken[0], axis=1)  # (I, K)
    lot_lo = lot_hi - taken[0]
    point_hi = np.cumsum(shares, axis=0)  # (P, I)
    point_lo = point_hi - shares
    overlap = (np.minimum(point_hi[:, :, None], lot_hi[None]) -
               np.maximum(point_lo[:, :, None], lot_lo[None]))
    units = np.clip(overlap, 0, None)
    days = np.broadcast_to(arrived, units.shape).copy()
    days[units == 0] = EMPTY
    return units, days
