"""Hyper-parameter choice on a validation split carved from the training interactions, never
on the test split."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch_geometric.metrics import LinkPredRecall

from groupbuy_ml.recommendation.models.graph_filter import GraphFilterCF


def holdout_per_user(train: sp.csr_matrix, fraction: float, seed: int = 0
                     ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Move ``fraction`` of each user's training items (at least one, when the user has two or
    more) to a validation matrix; returns (fit part, validation part)."""
    rng = np.random.default_rng(seed)
    coo = train.tocoo()
    order = np.lexsort((rng.uniform(size=coo.nnz), coo.row))
    row, col = coo.row[order], coo.col[order]
    counts = np.bincount(row, minlength=train.shape[0])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n_val = np.where(counts >= 2, np.maximum(1, np.floor(counts * fraction)), 0).astype(int)
    rank = np.arange(len(row)) - starts[row]
    val = rank < n_val[row]
    shape = train.shape
    fit = sp.csr_matrix((np.ones((~val).sum(), np.float32), (row[~val], col[~val])), shape)
    held = sp.csr_matrix((np.ones(val.sum(), np.float32), (row[val], col[val])), shape)
    return fit, held


def choose_alpha(train: sp.csr_matrix, alphas: list[float], n_components: int = 256,
                 fraction: float = 0.1, k: int = 20, seed: int = 0, batch_size: int = 1024
                 ) -> tuple[float, dict[float, float]]:
    """GF-CF's ``alpha`` with the best validation recall@k; returns (best, {alpha: recall})."""
    fit, val = holdout_per_user(train, fraction, seed)
    model = GraphFilterCF(alpha=1.0, n_components=n_components, seed=seed).fit(fit)
    metrics = {a: LinkPredRecall(k) for a in alphas}
    users = np.flatnonzero(np.diff(val.indptr) > 0)
    for lo in range(0, len(users), batch_size):
        batch = users[lo:lo + batch_size]
        linear, low = model.filter_terms(batch)
        seen = fit[batch].tocoo()
        truth = val[batch].tocoo()
        label = torch.from_numpy(np.vstack([truth.row, truth.col]).astype(np.int64))
        for a in alphas:
            scores = linear if low is None else linear + a * low
            scores[torch.from_numpy(seen.row).long(), torch.from_numpy(seen.col).long()] = (
                -torch.inf)
            metrics[a].update(torch.topk(scores, k, dim=1).indices, label)
    recall = {a: float(m.compute()) for a, m in metrics.items()}
    return max(recall, key=recall.get), recall
