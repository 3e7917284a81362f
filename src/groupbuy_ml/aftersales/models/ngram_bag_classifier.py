"""Training wrapper of :class:`~groupbuy_ml.aftersales.models.ngram_bag.NgramBag`: the
fastText-style text classifier (Joulin et al. 2017) trained on CPU.

Each epoch visits the training texts in a shuffled order; n-gram dropout (each n-gram of a
training text is left out with probability ``ngram_dropout``, the "word dropout" of Iyyer et
al. 2015, "Deep unordered composition rivals syntactic methods for text classification", ACL)
regularises the bag; the epoch with the best validation macro-F1 is kept and a temperature is
fitted on the validation logits (as for the CNN). The embeddings get sparse Adam updates, so an
epoch costs what the n-grams of the batch touch, not the size of the vocabulary.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import torch
from sklearn.metrics import f1_score
from torch import nn

from groupbuy_ml.aftersales.classifier import TextClassifier, Validation
from groupbuy_ml.aftersales.models.neural_classifier import _fit_temperature
from groupbuy_ml.aftersales.models.ngram_bag import NgramBag, NgramVocabulary, pack
from groupbuy_ml.aftersales.text import TextNormalizer

__all__ = ["NgramBagClassifier"]


class NgramBagClassifier(TextClassifier):
    """Character n-gram bag (fastText-style) text classifier.

    Args:
        ngram_range, min_count, max_ngrams: the n-gram vocabulary (:class:`NgramVocabulary`).
        embedding_dim, hidden, dropout: the network (:class:`NgramBag`).
        ngram_dropout: share of a training text's n-grams left out in each visit.
        max_epochs, patience: epochs at most; ``patience`` epochs without a better validation
            macro-F1 stop training early.
        batch_size, lr, weight_decay: Adam settings (sparse Adam for the embeddings; the
            weight decay is on the dense layers only).
        max_seconds: wall-clock budget of training (``None``: none).
        calibrate: fit a temperature on the validation logits.
        num_threads: torch CPU threads in training and prediction.
        seed: initialisation, batch order and n-gram dropout.
        normalizer: text normalisation (its ``max_chars`` bounds the n-grams of a text).
    """

    def __init__(self, ngram_range: Sequence[int] = (1, 3), min_count: int = 2,
                 max_ngrams: int | None = None, embedding_dim: int = 64, hidden: int = 0,
                 dropout: float = 0.3, ngram_dropout: float = 0.2, max_epochs: int = 20,
                 patience: int = 3, batch_size: int = 64, lr: float = 5e-3,
                 weight_decay: float = 0.0, max_seconds: float | None = None,
                 calibrate: bool = True, num_threads: int = 2, seed: int = 0,
                 normalizer: TextNormalizer | None = None) -> None:
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.min_count, self.max_ngrams = min_count, max_ngrams
        self.embedding_dim, self.hidden, self.dropout = embedding_dim, hidden, dropout
        self.ngram_dropout, self.max_epochs, self.patience = ngram_dropout, max_epochs, patience
        self.batch_size, self.lr, self.weight_decay = batch_size, lr, weight_decay
        self.max_seconds, self.calibrate = max_seconds, calibrate
        self.num_threads, self.seed = num_threads, seed
        self.normalizer = normalizer or TextNormalizer(max_chars=256)

    def fit(self, texts: Sequence[str], labels: Sequence[Any],
            validation: Validation | None = None) -> Self:
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        prepared = self.prepare(texts)
        self.classes_, y = np.unique(np.asarray(labels), return_inverse=True)
        self.vocabulary_ = NgramVocabulary(self.ngram_range, self.min_count,
                                           self.max_ngrams).fit(prepared)
        rows = self.vocabulary_.ids(prepared)
        val_rows = val_y = None
        if validation is not None:
            val_rows = self.vocabulary_.ids(self.prepare(validation[0]))
            lookup = {c: i for i, c in enumerate(self.classes_.tolist())}
            val_y = np.array([lookup.get(v, -100) for v in np.asarray(validation[1]).tolist()],
                             dtype=np.int64)
        previous_threads = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)
        started = time.perf_counter()
        try:
            self.network_ = NgramBag(self.vocabulary_.size, len(self.classes_),
                                     self.embedding_dim, self.hidden, self.dropout)
            self._train(rows, y, val_rows, val_y, rng)
            self.fit_seconds_ = time.perf_counter() - started
            self.temperature_ = 1.0
            if self.calibrate and val_rows is not None and val_y is not None:
                self.temperature_ = _fit_temperature(self._logits(val_rows), val_y)
        finally:
            torch.set_num_threads(previous_threads)
        return self

    def _train(self, rows: list[np.ndarray], y: np.ndarray, val_rows: list[np.ndarray] | None,
               val_y: np.ndarray | None, rng: np.random.Generator) -> None:
        """Epochs of (sparse) Adam; keeps the epoch with the best validation macro-F1."""
        net = self.network_
        dense = [p for n, p in net.named_parameters() if not n.startswith("embedding")]
        optimizers = [torch.optim.SparseAdam(list(net.embedding.parameters()), lr=self.lr),
                      torch.optim.AdamW(dense, lr=self.lr, weight_decay=self.weight_decay)]
        loss_fn = nn.CrossEntropyLoss()
        targets = torch.from_numpy(y.astype(np.int64))
        self.history_: list[dict[str, float]] = []
        best_score, best_state, stale = -1.0, None, 0
        started = time.perf_counter()
        for epoch in range(self.max_epochs):
            net.train()
            total = 0.0
            order = rng.permutation(len(rows))
            for start in range(0, len(order), self.batch_size):
                batch = order[start:start + self.batch_size]
                ids, offsets = pack([self._drop(rows[i], rng) for i in batch])
                loss = loss_fn(net(ids, offsets), targets[batch])
                for optimizer in optimizers:
                    optimizer.zero_grad()
                loss.backward()
                for optimizer in optimizers:
                    optimizer.step()
                total += float(loss.detach()) * len(batch)
            row: dict[str, float] = {"epoch": epoch, "train_loss": total / max(len(rows), 1)}
            if val_rows is not None and val_y is not None:
                logits = self._logits(val_rows)
                known = val_y >= 0
                row["val_loss"] = float(loss_fn(torch.from_numpy(logits[known]),
                                                torch.from_numpy(val_y[known])))
                score = float(f1_score(val_y, logits.argmax(1), average="macro",
                                       labels=np.arange(len(self.classes_))))
                row["val_macro_f1"] = score
                if score > best_score:
                    best_score, stale, self.best_epoch_ = score, 0, epoch
                    best_state = copy.deepcopy(net.state_dict())
                else:
                    stale += 1
            self.history_.append(row)
            out_of_time = self.max_seconds is not None and \
                time.perf_counter() - started > self.max_seconds
            if stale >= self.patience or out_of_time:
                break
        if best_state is not None:
            net.load_state_dict(best_state)

    def _drop(self, row: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``row`` with each id left out with probability ``ngram_dropout`` (one kept)."""
        if self.ngram_dropout <= 0 or len(row) < 2:
            return row
        kept = row[rng.random(len(row)) >= self.ngram_dropout]
        return kept if len(kept) else row[rng.integers(len(row)):][:1]

    def _logits(self, rows: list[np.ndarray], batch_size: int = 1024) -> np.ndarray:
        self.network_.eval()
        out = np.zeros((len(rows), len(self.classes_)), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(rows), batch_size):
                ids, offsets = pack(rows[start:start + batch_size])
                out[start:start + batch_size] = self.network_(ids, offsets).numpy()
        return out

    def predict_logits(self, texts: Any) -> np.ndarray:
        """Uncalibrated logits, one column per class."""
        previous = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)
        try:
            return self._logits(self.vocabulary_.ids(self.prepare(texts)))
        finally:
            torch.set_num_threads(previous)

    def predict_proba(self, texts: Any) -> np.ndarray:
        logits = self.predict_logits(texts) / self.temperature_
        return torch.softmax(torch.from_numpy(logits), dim=1).numpy().astype(np.float64)
