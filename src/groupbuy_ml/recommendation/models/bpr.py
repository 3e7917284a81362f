"""Embedding recommenders trained with BPR (Rendle et al. 2009): MF-BPR and LightGCN.

Both share the loop: user-centric triples (:class:`~..sampling.BPRSampler`), Adam, an epoch =
as many triples as training interactions, a wall-clock budget that is always honoured between
batches, and a per-epoch ``history_`` of the loss. LightGCN (He et al. 2020) is PyG's
``torch_geometric.nn.models.LightGCN`` on the symmetric user-item graph.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
import torch
from torch_geometric.nn.models import LightGCN

from groupbuy_ml.recommendation.models.recommender import Recommender
from groupbuy_ml.recommendation.sampling import BPRSampler


class BPRRecommender(Recommender):
    """Common BPR training loop; subclasses define the network and the embeddings.

    Args:
        embedding_dim: embedding size (64 in the LightGCN paper).
        lr, weight_decay: Adam step size; L2 on the batch's embeddings (``lambda_reg``).
        batch_size: triples per step.
        max_epochs: epochs at most.
        time_budget_s: wall-clock budget of the whole fit (checked after every batch).
        seed: seeds sampling and initialisation.
    """

    def __init__(self, embedding_dim: int = 64, lr: float = 1e-3, lambda_reg: float = 1e-4,
                 batch_size: int = 2048, max_epochs: int = 1000,
                 time_budget_s: float | None = None, seed: int = 0) -> None:
        self.embedding_dim, self.lr, self.lambda_reg = embedding_dim, lr, lambda_reg
        self.batch_size, self.max_epochs = batch_size, max_epochs
        self.time_budget_s, self.seed = time_budget_s, seed

    def _build(self, train: sp.csr_matrix) -> torch.nn.Module:
        raise NotImplementedError

    def _batch_loss(self, user: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor
                    ) -> torch.Tensor:
        raise NotImplementedError

    def _embeddings(self) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def fit(self, train: sp.csr_matrix) -> BPRRecommender:
        torch.manual_seed(self.seed)
        self.train_matrix_ = train.tocsr()
        self.net_ = self._build(self.train_matrix_)
        sampler = BPRSampler(self.train_matrix_, self.seed)
        optimizer = torch.optim.Adam(self.net_.parameters(), lr=self.lr)
        steps = max(1, self.train_matrix_.nnz // self.batch_size)
        started, self.history_ = time.perf_counter(), []
        out_of_time = False
        for epoch in range(1, self.max_epochs + 1):
            total, done = 0.0, 0
            for _ in range(steps):
                user, pos, neg = (torch.from_numpy(a) for a in sampler.sample(self.batch_size))
                optimizer.zero_grad()
                loss = self._batch_loss(user, pos, neg)
                loss.backward()
                optimizer.step()
                total += float(loss.detach())
                done += 1
                if self.time_budget_s and time.perf_counter() - started > self.time_budget_s:
                    out_of_time = True
                    break
            self.history_.append({"epoch": epoch, "train_loss": total / done,
                                  "seconds": time.perf_counter() - started})
            if out_of_time:
                break
        self.net_.eval()
        with torch.no_grad():
            self.user_emb_, self.item_emb_ = (e.detach() for e in self._embeddings())
        return self

    def score(self, users: np.ndarray) -> torch.Tensor:
        users = self._check_users(users)
        return self.user_emb_[torch.from_numpy(users)] @ self.item_emb_.T


class MatrixFactorizationBPR(BPRRecommender):
    """MF-BPR: user and item embeddings, score = dot product (Rendle et al. 2009)."""

    def _build(self, train: sp.csr_matrix) -> torch.nn.Module:
        net = torch.nn.ModuleDict({"user": torch.nn.Embedding(train.shape[0], self.embedding_dim),
                                   "item": torch.nn.Embedding(train.shape[1], self.embedding_dim)})
        for emb in net.values():
            torch.nn.init.normal_(emb.weight, std=0.1)
        return net

    def _batch_loss(self, user: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor
                    ) -> torch.Tensor:
        u, p, n = self.net_["user"](user), self.net_["item"](pos), self.net_["item"](neg)
        rank = torch.nn.functional.logsigmoid((u * p).sum(-1) - (u * n).sum(-1))
        reg = (u.pow(2).sum() + p.pow(2).sum() + n.pow(2).sum()) / len(user)
        return -rank.mean() + self.lambda_reg * reg

    def _embeddings(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.net_["user"].weight, self.net_["item"].weight


class LightGCNRecommender(BPRRecommender):
    """LightGCN (He et al. SIGIR 2020) through PyG's ``LightGCN`` model and its BPR loss.

    Args:
        num_layers: propagation layers (3 in the paper's Gowalla setting).
        Other arguments as :class:`BPRRecommender`.
    """

    def __init__(self, num_layers: int = 3, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self.num_layers = num_layers

    def _build(self, train: sp.csr_matrix) -> torch.nn.Module:
        users, _ = train.shape
        coo = train.tocoo()
        u = torch.from_numpy(coo.row.astype(np.int64))
        i = torch.from_numpy(coo.col.astype(np.int64)) + users
        self.edge_index_ = torch.stack([torch.cat([u, i]), torch.cat([i, u])])
        return LightGCN(sum(train.shape), self.embedding_dim, self.num_layers)

    def _batch_loss(self, user: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor
                    ) -> torch.Tensor:
        users = self.train_matrix_.shape[0]
        emb = self.net_.get_embedding(self.edge_index_)
        u, p, n = emb[user], emb[pos + users], emb[neg + users]
        pos_rank, neg_rank = (u * p).sum(-1), (u * n).sum(-1)
        nodes = torch.cat([user, pos + users, neg + users])
        return self.net_.recommendation_loss(pos_rank, neg_rank, node_id=nodes,
                                             lambda_reg=self.lambda_reg)

    def _embeddings(self) -> tuple[torch.Tensor, torch.Tensor]:
        emb = self.net_.get_embedding(self.edge_index_)
        users = self.train_matrix_.shape[0]
        return emb[:users], emb[users:]
