"""The assortment of one pickup point as a 0-1 program, solved with OR-Tools CP-SAT.

    maximise   sum_i x_i * value_i                    (expected margin minus expected waste)
    subject to sum_i x_i <= max_products              (shelf slots)
               sum_i x_i * volume_i <= capacity       (units the point can hold)
               sum_{i cold} x_i * volume_i <= cold_capacity   (cold storage)
               at least min_categories categories offered (variety)
               x_i = 1 for products that must stay (new launches)

CP-SAT needs integer coefficients: values are scaled to cents and volumes to tenths of a unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from groupbuy_ml.errors import ConfigError

__all__ = ["AssortmentProblem", "solve_assortment"]


@dataclass(frozen=True)
class AssortmentProblem:
    """One pickup point's data (arrays of length I; ``eligible`` False: cannot be offered)."""

    value: np.ndarray
    volume: np.ndarray
    cold: np.ndarray
    category: np.ndarray
    eligible: np.ndarray
    must: np.ndarray
    max_products: int
    capacity: float
    cold_capacity: float
    min_categories: int


def solve_assortment(problem: AssortmentProblem, time_limit_s: float = 1.0) -> tuple[
        np.ndarray, str]:
    """``(chosen (I,) bool, status)``: status ``optimal``, ``feasible`` or ``relaxed`` (the
    constraints could not all hold -- the must-keep products and the most valuable products of
    the required categories are offered instead; the caller records it)."""
    p = problem
    if p.max_products < 1:
        raise ConfigError(f"max_products: {p.max_products}; an assortment needs at least one "
                          "product (an empty assortment offers nothing)")
    n = len(p.value)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(n)]
    for i in range(n):
        if not p.eligible[i]:
            model.add(x[i] == 0)
        elif p.must[i]:
            model.add(x[i] == 1)
    model.add(sum(x) <= p.max_products)
    vol = np.round(np.asarray(p.volume, np.float64) * 10).astype(np.int64)
    model.add(sum(int(vol[i]) * x[i] for i in range(n)) <= int(p.capacity * 10))
    cold = np.flatnonzero(p.cold)
    if len(cold):
        model.add(sum(int(vol[i]) * x[i] for i in cold) <= int(p.cold_capacity * 10))
    cats = {c: np.flatnonzero((p.category == c) & p.eligible) for c in np.unique(p.category)}
    has = []
    for c, members in cats.items():
        if len(members):
            y = model.new_bool_var(f"cat_{c}")
            model.add(sum(x[i] for i in members) >= 1).only_enforce_if(y)
            has.append(y)
    model.add(sum(has) >= min(p.min_categories, len(has)))
    cents = np.round(np.asarray(p.value, np.float64) * 100).astype(np.int64)
    model.maximize(sum(int(cents[i]) * x[i] for i in range(n)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = np.array([bool(solver.value(v)) for v in x])
        return chosen, "optimal" if status == cp_model.OPTIMAL else "feasible"
    return _relaxed(p), "relaxed"


def _relaxed(p: AssortmentProblem) -> np.ndarray:
    """Must-keep products plus the best product of each category, best first, up to
    ``max_products`` (capacity ignored)."""
    chosen = p.must & p.eligible
    order = np.argsort(-np.asarray(p.value, np.float64))
    seen = set(p.category[chosen])
    for i in order:
        if chosen.sum() >= p.max_products:
            break
        if p.eligible[i] and not chosen[i] and p.category[i] not in seen:
            chosen[i] = True
            seen.add(p.category[i])
    return chosen
