"""The truth-optimal price: the bound pricing policies are judged against (it reads the
simulator's hidden truth, so it is never a policy a platform could run).

Demand of band ``b`` at pickup point ``p`` for product ``i`` is proportional to the band's summed
household affinity ``A_bpi`` times ``(price / list) ** (-elasticity_i * beta_b)``
(:mod:`groupbuy_ml.data.simulate.demand`); :class:`OraclePrice` picks, on the same grid and
bounds as the policies, the price that maximises ``(p - c) * sum_b A_bpi (p / list) **
(-elasticity_i beta_b)``. It is the static optimum of the true demand curve: it ignores stock,
spoilage and group formation, so a policy may beat it on a run's realised margin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from groupbuy_ml.pricing.policies import price_grid
from groupbuy_ml.twin.state import PlatformState

__all__ = ["OraclePrice", "TruePriceResponse", "effective_elasticity", "true_price_response"]


@dataclass(frozen=True)
class TruePriceResponse:
    """The simulator's truth: ``elasticity`` (I,), ``band_beta`` (B,), ``affinity`` (B, P, I)."""

    elasticity: np.ndarray
    band_beta: np.ndarray
    affinity: np.ndarray


def true_price_response(twin: Any, seed: int) -> TruePriceResponse:
    """Read-only truth of the city a twin run with ``twin`` (a TwinConfig or its dict) and
    ``seed`` simulates (the world is rebuilt from its seed; nothing is changed)."""
    from groupbuy_ml.twin.run import RunSpec, TwinConfig, build_world

    if twin is None:
        config = TwinConfig()
    elif isinstance(twin, TwinConfig):
        config = twin
    else:
        from omegaconf import DictConfig, OmegaConf

        raw = OmegaConf.to_container(twin, resolve=True) if isinstance(twin, DictConfig) else twin
        config = TwinConfig(**dict(raw))
    world, _, _ = build_world(RunSpec(config, seed=seed))
    return TruePriceResponse(world.model.elasticity.copy(), world.model.band_beta.copy(),
                             world.behaviour.aggregate.copy())


def effective_elasticity(truth: TruePriceResponse) -> np.ndarray:
    """(I,) the city's aggregate demand elasticity at the list price: ``elasticity_i`` times
    the bands' beta averaged with their share of the product's demand (affinity)."""
    share = truth.affinity.sum(axis=1)  # (B, I)
    share = share / np.maximum(share.sum(axis=0, keepdims=True), 1e-12)
    return truth.elasticity * (truth.band_beta[:, None] * share).sum(axis=0)


@dataclass
class OraclePrice:
    """Truth-optimal static price per (pickup point, product) on a grid within ``bounds``.

    Args:
        twin, seed: the run's twin config and seed (the truth is rebuilt from them).
    """

    twin: Any = None
    seed: int = 7
    bounds: tuple[float, float] = (0.8, 1.3)
    grid_points: int = 11
    _best: np.ndarray | None = field(default=None, repr=False)

    def price(self, state: PlatformState) -> np.ndarray:
        if self._best is None:
            truth = true_price_response(self.twin, self.seed)
            grid = price_grid(self.bounds, self.grid_points)
            cost = state.catalogue["unit_cost"].to_numpy(np.float64)
            lst = np.asarray(state.list_price, np.float64)
            expo = truth.elasticity[None, :] * truth.band_beta[:, None]  # (B, I)
            values = np.stack([((r * lst - cost)[None, :] * (truth.affinity * (r ** -expo)[
                :, None, :]).sum(axis=0)) for r in grid])  # (G, P, I)
            self._best = grid[values.argmax(axis=0)] * lst[None, :]
        return self._best.copy()
