"""Federated collaborative filtering: MF-BPR with shared item and private user embeddings.

Federated Collaborative Filtering (Ammad-ud-din et al. 2019, "Federated Collaborative
Filtering for Privacy-Preserving Personalized Recommendation System", arXiv:1901.09888): the
item factors are learnt jointly (averaged by the server), each client's user factors never
leave it (``local_parameter_prefixes = ("user",)``); the local objective is BPR (Rendle et al.
2009) exactly as the centralized :class:`~groupbuy_ml.recommendation.models.bpr.
MatrixFactorizationBPR` computes it. A client is a group of pickup points of the simulated
market (by ``community_id`` by default) with the households they serve; it is evaluated by
full-ranking recall@K on its households' orders of the held-out last ``test_days`` days
(:func:`~groupbuy_ml.recommendation.evaluation.evaluate_ranking`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.data.sources import MarketSource
from groupbuy_ml.errors import ConfigError
from groupbuy_ml.federated.partitions import pack_groups
from groupbuy_ml.federated.task import (
    EmptyClientError,
    FederatedTask,
    LocalTraining,
    PrivacySettings,
)
from groupbuy_ml.recommendation.evaluation import evaluate_ranking
from groupbuy_ml.recommendation.matrix import interaction_matrix
from groupbuy_ml.recommendation.models.bpr import MatrixFactorizationBPR
from groupbuy_ml.recommendation.sampling import BPRSampler
from groupbuy_ml.recommendation.sources import InteractionData, MarketInteractionsSource

__all__ = ["RecommendClientData", "RecommendTask"]


@dataclass
class RecommendClientData:
    """A client's households' training and held-out interactions (global id space)."""

    client_id: int
    train: sp.csr_matrix
    test: sp.csr_matrix

    @property
    def num_train_examples(self) -> int:
        return int(self.train.nnz)

    @property
    def num_eval_examples(self) -> int:
        return int((np.diff(self.test.indptr) > 0).sum())


class RecommendTask(FederatedTask):
    """FCF with BPR across groups of pickup points (see the module docstring).

    Args:
        market: the simulated market (a :class:`MarketSource` or its Hydra config).
        test_days: the last days whose orders are held out.
        num_clients: clients; groups of ``group_by`` values are packed onto them, largest
            first (more clients than groups is an :class:`EmptyClientError`).
        group_by: a household attribute of ``households.parquet`` (``community_id`` or
            ``pickup_point_id``).
        embedding_dim, lambda_reg: MF-BPR.
        k: cut-off of recall / NDCG.
        seed: initialisation seed.
    """

    name = "recommend"
    local_parameter_prefixes = ("user",)

    def __init__(self, market: Any, test_days: int = 7, num_clients: int = 5,
                 group_by: str = "community_id", embedding_dim: int = 32,
                 lambda_reg: float = 1e-4, k: int = 20, seed: int = 0) -> None:
        if isinstance(market, Mapping):
            from hydra.utils import instantiate

            market = instantiate(dict(market))
        if not isinstance(market, MarketSource):
            raise TypeError(f"market must be a MarketSource, got {type(market).__name__}")
        self.market, self.test_days = market, int(test_days)
        self.num_clients, self.group_by = int(num_clients), group_by
        self.embedding_dim, self.lambda_reg = int(embedding_dim), float(lambda_reg)
        self.k, self.seed = int(k), int(seed)
        self._data: InteractionData | None = None
        self._households: pd.DataFrame | None = None

    def describe(self) -> dict[str, Any]:
        return {"task": self.name, "test_days": self.test_days, "num_clients": self.num_clients,
                "group_by": self.group_by, "embedding_dim": self.embedding_dim,
                "lambda_reg": self.lambda_reg, "k": self.k}

    def _load(self) -> tuple[InteractionData, pd.DataFrame]:
        if self._data is None or self._households is None:
            self._data = MarketInteractionsSource(self.market, self.test_days).load()
            households = load_market_table(self.market.ensure(), "households")
            if self.group_by not in households.columns:
                raise ConfigError(f"group_by={self.group_by!r} is not a household attribute; "
                                  f"choose one of {list(households.columns)}")
            self._households = households[["household_id", self.group_by]]
        return self._data, self._households

    def build_model(self) -> torch.nn.Module:
        data, _ = self._load()
        torch.manual_seed(self.seed)
        net = torch.nn.ModuleDict({
            "user": torch.nn.Embedding(data.num_users, self.embedding_dim),
            "item": torch.nn.Embedding(data.num_items, self.embedding_dim)})
        for emb in net.values():
            torch.nn.init.normal_(emb.weight, std=0.1)
        return net

    def client_households(self, client_id: int) -> np.ndarray:
        """Household ids of ``client_id``: groups packed onto clients by household count."""
        _, households = self._load()
        sizes = households.groupby(self.group_by)["household_id"].size().sort_index()
        if len(sizes) < self.num_clients:
            raise EmptyClientError(
                f"client {client_id}: {self.num_clients} clients asked for but the market has "
                f"only {len(sizes)} {self.group_by} groups; use num_clients <= {len(sizes)}")
        packed = pack_groups(sizes.to_numpy(float), self.num_clients)
        client_of_group = pd.Series(packed, sizes.index)
        mine = households[self.group_by].map(client_of_group).to_numpy() == client_id
        return households["household_id"].to_numpy()[mine]

    def load_client(self, client_id: int, num_clients: int) -> RecommendClientData:
        if num_clients != self.num_clients:
            raise ConfigError(f"the task is partitioned for num_clients={self.num_clients}, the "
                              f"run has {num_clients}; set the task's num_clients to match")
        data, _ = self._load()
        users = set(self.client_households(client_id).tolist())
        train = data.train.loc[data.train["user_id"].isin(users)]
        test = data.test.loc[data.test["user_id"].isin(users)]
        if train.empty:
            raise EmptyClientError(f"client {client_id}'s households have no training "
                                   "interactions; use fewer clients or a longer event log")
        matrix = interaction_matrix(train, data.num_users, data.num_items)
        held_out = interaction_matrix(test, data.num_users, data.num_items)
        return RecommendClientData(client_id, matrix, held_out)

    def train(self, model: torch.nn.Module, data: RecommendClientData, training: LocalTraining,
              privacy: PrivacySettings | None, state: dict[str, float]) -> dict[str, float]:
        if privacy is not None:
            raise ConfigError("RecommendTask has no DP-SGD: BPR triples are sampled, not a "
                              "dataset Opacus can Poisson-sample; run it without privacy")
        seed = training.seed * 1_000_003 + data.client_id * 1_009 + training.server_round
        torch.manual_seed(seed)
        bpr = MatrixFactorizationBPR(embedding_dim=self.embedding_dim,
                                     lambda_reg=self.lambda_reg, seed=seed)
        bpr.net_ = model
        sampler = BPRSampler(data.train, seed)
        optimizer = torch.optim.Adam(model.parameters(), lr=training.lr)
        shared = [p for n, p in model.named_parameters() if not n.startswith("user")]
        anchor = [p.detach().clone() for p in shared]
        per_epoch = max(1, data.train.nnz // training.batch_size)
        steps = per_epoch * training.epochs
        if training.max_steps is not None:
            steps = min(steps, training.max_steps)
        total = 0.0
        for _ in range(steps):
            user, pos, neg = (torch.from_numpy(a) for a in sampler.sample(training.batch_size))
            optimizer.zero_grad()
            loss = bpr._batch_loss(user, pos, neg)
            total += float(loss.detach())
            if training.proximal_mu > 0:
                prox = sum(((p - a) ** 2).sum() for p, a in zip(shared, anchor, strict=True))
                loss = loss + training.proximal_mu / 2.0 * prox
            loss.backward()
            optimizer.step()
        return {"train_loss": total / steps, "num-examples": float(data.train.nnz),
                "local_steps": float(steps)}

    def evaluate(self, model: torch.nn.Module, data: RecommendClientData) -> dict[str, float]:
        if data.num_eval_examples == 0:
            return {"num-examples": 0.0}
        bpr = MatrixFactorizationBPR(embedding_dim=self.embedding_dim)
        bpr.train_matrix_ = data.train
        with torch.no_grad():
            bpr.user_emb_ = model["user"].weight.detach().clone()
            bpr.item_emb_ = model["item"].weight.detach().clone()
        metrics = evaluate_ranking(bpr, data.test, self.k)
        metrics.pop("eval_seconds", None)
        metrics["num-examples"] = float(data.num_eval_examples)
        return metrics
