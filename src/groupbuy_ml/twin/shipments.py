"""Supplier orders in transit: placed on a morning, due after the supplier's lead time.

Each morning's orders form one cohort per product: ``planned`` is the day the platform expects
them (placed day + lead time), ``actual`` the day they arrive (later when a scenario delays the
supplier). The platform's view (:meth:`Shipments.view`) shows a late cohort as due tomorrow once
its planned day has passed, so a delay is discovered on the morning the goods fail to arrive.
"""

from __future__ import annotations

import numpy as np

from groupbuy_ml.twin.state import Pipeline


class Shipments:
    """A ring of cohorts, one slot per placing day (``span`` must exceed lead + delay)."""

    def __init__(self, n_points: int, n_products: int, span: int) -> None:
        self.span = span
        self.point = np.zeros((span, n_points, n_products), np.int64)
        self.warehouse = np.zeros((span, n_products), np.int64)
        self.planned = np.full((span, n_products), -1, np.int64)
        self.actual = np.full((span, n_products), -1, np.int64)

    def place(self, t: int, point_units: np.ndarray, warehouse_units: np.ndarray,
              lead: np.ndarray, delay: np.ndarray) -> None:
        """Orders placed on morning ``t`` with per-product ``lead`` and ``delay`` (days)."""
        slot = t % self.span
        if (self.point[slot].any() or self.warehouse[slot].any()):
            raise RuntimeError("shipment ring too short for the lead times and delays")
        if np.max(lead + delay, initial=0) >= self.span:
            raise ValueError(f"lead time + delay {int(np.max(lead + delay))} >= span {self.span}")
        self.point[slot] = point_units
        self.warehouse[slot] = warehouse_units
        self.planned[slot] = t + lead
        self.actual[slot] = t + lead + delay

    def arrivals(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Remove and return what arrives on morning ``t``: (P, I) at points, (I,) warehouse."""
        due = self.actual == t  # (span, I)
        point = (self.point * due[:, None, :]).sum(axis=0)
        warehouse = (self.warehouse * due).sum(axis=0)
        self.point[np.broadcast_to(due[:, None, :], self.point.shape)] = 0
        self.warehouse[due] = 0
        self.planned[due] = self.actual[due] = -1
        return point, warehouse

    def expected_on(self, t: int, day: int) -> np.ndarray:
        """(P, I) units the platform expects at pickup points on morning ``day`` (> t)."""
        seen = np.maximum(self.planned, t + 1)
        due = (seen == day) & (self.planned >= 0)
        return (self.point * due[:, None, :]).sum(axis=0)

    def view(self, t: int, days: int) -> Pipeline:
        """The platform's view on morning ``t`` for ``today .. today + days``."""
        n_p, n_i = self.point.shape[1:]
        point = np.zeros((days + 1, n_p, n_i), np.int64)
        warehouse = np.zeros((days + 1, n_i), np.int64)
        seen = np.maximum(self.planned, t + 1)
        for d in range(1, days + 1):
            due = (seen == t + d) & (self.planned >= 0)
            point[d] = (self.point * due[:, None, :]).sum(axis=0)
            warehouse[d] = (self.warehouse * due).sum(axis=0)
        return Pipeline(point, warehouse)
