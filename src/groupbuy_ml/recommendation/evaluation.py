"""Full-ranking evaluation: every item scored for every test user, training items masked.

The protocol of the NGCF / LightGCN papers: recall@K = hits / |test items of the user| and
NDCG@K with binary relevance, averaged over users with test items. The metrics are PyG's
link-prediction metric objects, fed batch by batch so 40k items never need all users at once.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
import torch
from torch_geometric.metrics import (
    LinkPredCoverage,
    LinkPredHitRatio,
    LinkPredMetricCollection,
    LinkPredNDCG,
    LinkPredRecall,
)

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.recommendation.models.recommender import Recommender


def evaluate_ranking(model: Recommender, test: sp.csr_matrix, k: int = 20,
                     batch_size: int = 1024) -> dict[str, float]:
    """Recall, NDCG, hit rate and catalogue coverage at ``k`` (keys ``recall_at_20``...: MLflow
    metric names allow no "@") of ``model`` on ``test``.

    Args:
        model: a fitted recommender (its training matrix is masked from the ranking).
        test: users x items matrix of held-out interactions, same shape as training.
        k: cut-off.
        batch_size: users scored at once (memory ~ batch_size x num_items floats).
    """
    test = test.tocsr()
    if test.shape != model.train_matrix_.shape:
        raise InvalidDataError(f"test matrix shape {test.shape} differs from the training matrix "
                               f"{model.train_matrix_.shape}: build both with the same "
                               "num_users/items")
    users = np.flatnonzero(np.diff(test.indptr) > 0)
    metrics = LinkPredMetricCollection({
        f"recall_at_{k}": LinkPredRecall(k), f"ndcg_at_{k}": LinkPredNDCG(k),
        f"hit_rate_at_{k}": LinkPredHitRatio(k),
        f"coverage_at_{k}": LinkPredCoverage(k, num_dst_nodes=test.shape[1]),
    })
    started = time.perf_counter()
    for lo in range(0, len(users), batch_size):
        batch = users[lo:lo + batch_size]
        top, _ = model.recommend(batch, k, exclude_seen=True)
        truth = test[batch].tocoo()
        label_index = torch.from_numpy(np.vstack([truth.row, truth.col]).astype(np.int64))
        metrics.update(top, label_index)
    out = {name: float(value) for name, value in metrics.compute().items()}
    out["n_users"] = float(len(users))
    out["eval_seconds"] = time.perf_counter() - started
    return out
