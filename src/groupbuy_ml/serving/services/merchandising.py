"""PriceService and FormationService: merchandising answers computed from the request alone.

- ``/v1/price``: the elasticity is estimated from the request's history
  (:class:`~groupbuy_ml.pricing.elasticity.ElasticityEstimator`, PPML with weekday and promotion
  controls, HC1 interval) or taken as given; demand at price ``p`` is ``q0 (p / p0) ** -e``
  from the last 7 days' mean ``q0`` at their mean price ``p0``; the answer is the grid price of
  highest ``(p - cost) q(p)`` within the bounds, with the whole curve.
- ``/v1/group-formation``: participants of a day are negative binomial with the recent days'
  mean and variance (Poisson when they are not over-dispersed); the chance of forming is
  ``P(joined + remaining >= threshold)``, the remaining participants having mean
  ``m (1 - share_of_day_elapsed)``; the suggested threshold is the largest one between
  ``min_threshold`` and the proposal whose chance reaches ``target``.

No registered model is involved (like ``/v1/route``): the answer depends on the request only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from groupbuy_ml.pricing.elasticity import ElasticityEstimator
from groupbuy_ml.serving.errors import UnprocessableError
from groupbuy_ml.serving.schemas.merchandising import (
    FormationRequest,
    FormationResponse,
    PricePoint,
    PriceRequest,
    PriceResponse,
)

__all__ = ["FormationService", "PriceService", "formation_probability"]

RECENT_DAYS = 7


class PriceService:
    """Answers ``POST /v1/price`` (see module)."""

    model_info = {"model": "constant-elasticity demand, PPML estimate"}

    def handle(self, request: PriceRequest) -> PriceResponse:
        hist = pd.DataFrame([r.model_dump() for r in request.history])
        ci = None
        if request.elasticity is not None:
            e, source = float(request.elasticity), "given"
        else:
            frame = hist.assign(product_id=str(request.product_id),
                                promo=hist["promo"].astype(int))
            try:
                with np.errstate(all="ignore"):
                    est = ElasticityEstimator(by=(), controls=("weekday", "promo"), cov="HC1",
                                              min_rows=14).fit(frame).iloc[0]
            except (np.linalg.LinAlgError, FloatingPointError, OverflowError) as error:
                raise UnprocessableError(f"history: the elasticity cannot be estimated from "
                                         f"it ({type(error).__name__}); send more days with "
                                         "different prices, or a known elasticity",
                                         "body.history") from error
            if est["status"] == "ok" and not np.isfinite([est["elasticity"], est["se"]]).all():
                est["status"] = "the fit did not converge"
            if est["status"] != "ok":
                raise UnprocessableError(f"history: {est['status']}; the elasticity cannot be "
                                         "estimated from it: send more days with different "
                                         "prices, or a known elasticity", "body.history")
            e, source = float(est["elasticity"]), "estimated"
            ci = (float(est["ci95_low"]), float(est["ci95_high"]))
            if e <= 0:
                raise UnprocessableError(f"history: the estimated elasticity is {e:.2f} "
                                         "(demand rises with price); no margin-maximising "
                                         "price follows: send a known elasticity",
                                         "body.history")
        if request.expected_units is not None:
            q0, p0 = float(request.expected_units), request.list_price
        else:
            recent = hist.sort_values("date").tail(RECENT_DAYS)
            q0, p0 = float(recent["units"].mean()), float(recent["price"].mean())
        low, high = request.bounds
        grid = np.linspace(low, high, request.grid_points) * request.list_price
        units = q0 * (grid / p0) ** (-e)
        margin = (grid - request.unit_cost) * units
        if not (np.isfinite(units).all() and np.isfinite(margin).all()):
            raise UnprocessableError("history: the demand curve overflows within the bounds "
                                     f"(elasticity {e:.3g}); narrow the bounds or check the "
                                     "history's units", "body.history")
        best = int(np.argmax(margin))
        curve = [PricePoint(price=round(float(p), 4), expected_units=float(u),
                            expected_margin=float(m)) for p, u, m in zip(grid, units, margin,
                                                                         strict=True)]
        return PriceResponse(product_id=request.product_id, price=curve[best].price,
                             expected_units=float(units[best]),
                             expected_margin=float(margin[best]), elasticity=e,
                             elasticity_ci95=ci, elasticity_source=source, curve=curve)


def formation_probability(threshold: int, mean: float, variance: float,
                          joined: int = 0) -> float:
    """``P(joined + N >= threshold)`` for N negative binomial with ``mean`` and ``variance``
    (Poisson when ``variance <= mean``)."""
    need = threshold - joined
    if need <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if variance <= mean * (1 + 1e-9):
        return float(stats.poisson.sf(need - 1, mean))
    p = mean / variance
    n = mean * p / (1 - p)
    return float(stats.nbinom.sf(need - 1, n, p))


class FormationService:
    """Answers ``POST /v1/group-formation`` (see module)."""

    model_info = {"model": "negative binomial participants"}

    def handle(self, request: FormationRequest) -> FormationResponse:
        recent = np.asarray(request.recent_participants, np.float64)
        mean, var = float(recent.mean()), float(recent.var(ddof=1))
        left = 1.0 - request.share_of_day_elapsed
        m, v = mean * left, var * left  # a thinned day: the same dispersion per participant
        prob = formation_probability(request.threshold, m, v, request.joined_so_far)
        low = request.min_threshold or max(1, (request.threshold + 1) // 2)
        # the chance falls as the threshold rises: bisect for the largest k reaching target
        lo, hi = low, request.threshold
        if formation_probability(lo, m, v, request.joined_so_far) >= request.target:
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if formation_probability(mid, m, v, request.joined_so_far) >= request.target:
                    lo = mid
                else:
                    hi = mid - 1
        suggested = lo
        suggested_p = formation_probability(suggested, m, v, request.joined_so_far)
        return FormationResponse(probability=prob, expected_participants=request.joined_so_far
                                 + m, suggested_threshold=suggested,
                                 suggested_probability=suggested_p,
                                 model="poisson" if v <= m else "negative_binomial")
