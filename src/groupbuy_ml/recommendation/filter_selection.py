"""Hyper-parameters of the closed-form filters chosen on a validation split carved from the
training interactions (never on test), cheaply: the filters are linear in a few graph
propagations, so one pass computes those propagations per batch of validation users and every
grid point is a weighted sum of them plus a top-k."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Sequence

import numpy as np
import scipy.sparse as sp
import torch
from torch_geometric.metrics import LinkPredRecall

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.recommendation.models.bspm import process_polynomial
from groupbuy_ml.recommendation.models.chebycf import chebyshev_basis, plateau_coefficients
from groupbuy_ml.recommendation.models.item_graph import ItemGraph, polynomial_product
from groupbuy_ml.recommendation.selection import holdout_per_user

log = logging.getLogger(__name__)

Candidates = Callable[[torch.Tensor], Iterable[tuple[Hashable, torch.Tensor]]]


def validation_users(val: sp.csr_matrix, max_users: int | None, seed: int) -> np.ndarray:
    """Users with validation items; a seeded random ``max_users`` of them when given."""
    users = np.flatnonzero(np.diff(val.indptr) > 0)
    if len(users) == 0:
        raise InvalidDataError("no user has two or more training items, so no validation "
                               "split can be carved: give fixed hyper-parameters instead")
    if max_users and len(users) > max_users:
        users = np.sort(np.random.default_rng(seed).choice(users, max_users, replace=False))
    return users


def validation_recall(fit: sp.csr_matrix, val: sp.csr_matrix, users: np.ndarray,
                      candidates: Candidates, k: int = 20, batch_size: int = 512
                      ) -> dict[Hashable, float]:
    """Recall@k on ``val`` (items of ``fit`` masked) of every candidate ``candidates(rows)``
    yields for a batch of ``fit`` rows, as ``{key: recall}``."""
    metrics: dict[Hashable, LinkPredRecall] = {}
    for lo in range(0, len(users), batch_size):
        batch = users[lo:lo + batch_size]
        rows = fit[batch]
        seen, truth = rows.tocoo(), val[batch].tocoo()
        seen_r, seen_c = torch.from_numpy(seen.row).long(), torch.from_numpy(seen.col).long()
        label = torch.from_numpy(np.vstack([truth.row, truth.col]).astype(np.int64))
        for key, scores in candidates(torch.from_numpy(rows.toarray())):
            scores[seen_r, seen_c] = -torch.inf
            metrics.setdefault(key, LinkPredRecall(k)).update(
                torch.topk(scores, min(k, scores.shape[1]), dim=1).indices, label)
    return {key: float(m.compute()) for key, m in metrics.items()}


def bspm_grid_recall(fit: sp.csr_matrix, val: sp.csr_matrix, users: np.ndarray,
                     sharpen_times: Sequence[float], idl_betas: Sequence[float],
                     n_components: Sequence[int], sharpen_steps: int = 1,
                     sharpen_solver: str = "rk4", blur_time: float = 1.0, blur_steps: int = 1,
                     blur_solver: str = "euler", k: int = 20, seed: int = 0,
                     svd_iterations: int = 4, batch_size: int = 512
                     ) -> dict[tuple[float, int, float], float]:
    """Validation recall@k of :class:`~.models.bspm.BSPM` for every (sharpen_time,
    n_components, idl_beta) of the grid, from one set of propagations per batch."""
    graph = ItemGraph(fit)
    blur = process_polynomial("blurring", blur_time, blur_steps, blur_solver)
    sharpen = {t: process_polynomial("sharpening", t, sharpen_steps, sharpen_solver)
               for t in sharpen_times}
    total = {t: polynomial_product(blur, q) for t, q in sharpen.items()}
    degree = max(len(c) for c in total.values()) - 1
    ks = sorted({min(int(c), min(fit.shape) - 1) for c in n_components if c})
    folded: dict[float, torch.Tensor] = {}
    if ks and any(idl_betas):
        v = graph.singular_vectors(ks[-1], seed, svd_iterations)
        components = v * torch.from_numpy(graph.degree_power(-0.5).astype(np.float32))[:, None]
        right = v.T * torch.from_numpy(graph.degree_power(0.5).astype(np.float32))
        for t, q in sharpen.items():
            folded[t] = torch.cat([graph.apply_polynomial(right[lo:lo + batch_size], q)
                                   for lo in range(0, right.shape[0], batch_size)])

    def candidates(rows: torch.Tensor) -> Iterable[tuple[Hashable, torch.Tensor]]:
        basis = graph.powers(rows, degree)
        low = rows @ components if folded else None
        for t in sharpen_times:
            linear = sum(float(c) * basis[j] for j, c in enumerate(total[t]))
            if 0 in idl_betas or not folded:
                yield (t, 0, 0.0), linear.clone()
            if not folded:
                continue
            ideal, done = torch.zeros_like(linear), 0
            for n in ks:  # nested: the first n singular vectors of the largest SVD
                ideal += low[:, done:n] @ folded[t][done:n]
                done = n
                for beta in idl_betas:
                    if beta:
                        yield (t, n, float(beta)), linear + beta * ideal

    return validation_recall(fit, val, users, candidates, k, batch_size)


def choose_bspm(train: sp.csr_matrix, sharpen_times: Sequence[float],
                idl_betas: Sequence[float], n_components: Sequence[int], fraction: float = 0.1,
                max_users: int | None = None, seed: int = 0, **fixed: object
                ) -> tuple[dict[str, float], list[dict[str, float]]]:
    """BSPM's (sharpen_time, n_components, idl_beta) with the best recall@k on ``fraction``
    of each user's training items held out; returns (best, one row per grid point)."""
    if not (sharpen_times and idl_betas and n_components):
        raise ConfigError("selection grid: sharpen_times, idl_betas and n_components each "
                          "need at least one value")
    fit, val = holdout_per_user(train, fraction, seed)
    users = validation_users(val, max_users, seed)
    recall = bspm_grid_recall(fit, val, users, sharpen_times, idl_betas, n_components,
                              seed=seed, **fixed)  # type: ignore[arg-type]
    rows = [{"sharpen_time": t, "n_components": n, "idl_beta": b, "val_recall": r}
            for (t, n, b), r in recall.items()]
    best = max(rows, key=lambda row: row["val_recall"])
    log.info("BSPM validation recall over %d grid points on %d users: best %s", len(rows),
             len(users), best)
    return best, rows



def chebycf_grid_recall(fit: sp.csr_matrix, val: sp.csr_matrix, users: np.ndarray,
                        orders: Sequence[int], flatnesses: Sequence[float],
                        ideal_weights: Sequence[float], n_components: Sequence[int],
                        degree_powers: Sequence[float], k: int = 20, seed: int = 0,
                        svd_iterations: int = 4, batch_size: int = 512
                        ) -> dict[tuple[float, int, float, int, float], float]:
    """Validation recall@k of :class:`~.models.chebycf.ChebyCF` for every (degree_power,
    order, flatness, n_components, ideal_weight) of the grid: one Chebyshev basis per batch
    and degree power, every (order, flatness) a coefficient vector over it."""
    graph = ItemGraph(fit)
    top = max(orders)
    coeffs = {(o, f): plateau_coefficients(o, f) for o in orders for f in flatnesses}
    ks = sorted({min(int(c), min(fit.shape) - 1) for c in n_components if c})
    v = graph.singular_vectors(ks[-1], seed, svd_iterations) if ks and any(ideal_weights) else None
    scale = {b: (torch.from_numpy(graph.degree_power(-b).astype(np.float32)),
                 torch.from_numpy(graph.degree_power(b).astype(np.float32)))
             for b in degree_powers}

    def candidates(rows: torch.Tensor) -> Iterable[tuple[Hashable, torch.Tensor]]:
        for b, (pre, post) in scale.items():
            signal = rows * pre
            basis = list(chebyshev_basis(graph, signal, top))
            ideals: list[tuple[int, torch.Tensor]] = []
            if v is not None:
                low, ideal, done = signal @ v, torch.zeros_like(signal), 0
                for n in ks:
                    ideal = ideal + low[:, done:n] @ v[:, done:n].T
                    ideals.append((n, ideal))
                    done = n
            for (o, f), c in coeffs.items():
                filtered = sum(float(cn) * basis[j] for j, cn in enumerate(c))
                if 0 in ideal_weights or v is None:
                    yield (b, o, f, 0, 0.0), filtered * post
                for n, ideal in ideals:
                    for a in ideal_weights:
                        if a:
                            yield (b, o, f, n, float(a)), (filtered + a * ideal) * post

    return validation_recall(fit, val, users, candidates, k, batch_size)


def choose_chebycf(train: sp.csr_matrix, orders: Sequence[int], flatnesses: Sequence[float],
                   ideal_weights: Sequence[float], n_components: Sequence[int],
                   degree_powers: Sequence[float], fraction: float = 0.1,
                   max_users: int | None = None, seed: int = 0, **fixed: object
                   ) -> tuple[dict[str, float], list[dict[str, float]]]:
    """ChebyCF's hyper-parameters with the best validation recall@k (``fraction`` of each
    user's training items held out); returns (best, one row per grid point)."""
    if not (orders and flatnesses and ideal_weights and n_components and degree_powers):
        raise ConfigError("selection grid: orders, flatnesses, ideal_weights, n_components "
                          "and degree_powers each need at least one value")
    fit, val = holdout_per_user(train, fraction, seed)
    users = validation_users(val, max_users, seed)
    recall = chebycf_grid_recall(fit, val, users, orders, flatnesses, ideal_weights,
                                 n_components, degree_powers, seed=seed,
                                 **fixed)  # type: ignore[arg-type]
    rows = [{"degree_power": b, "order": o, "flatness": f, "n_components": n,
             "ideal_weight": a, "val_recall": r} for (b, o, f, n, a), r in recall.items()]
    best = max(rows, key=lambda row: row["val_recall"])
    log.info("ChebyCF validation recall over %d grid points on %d users: best %s", len(rows),
             len(users), best)
    return best, rows
