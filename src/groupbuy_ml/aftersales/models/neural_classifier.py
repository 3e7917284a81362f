"""Training wrapper of :class:`~groupbuy_ml.aftersales.models.char_cnn.CharCNN`: a CPU
training loop with early stopping on validation macro-F1 and temperature scaling.

Batches are drawn from length-sorted buckets (shuffled) so that a batch pads little; the epoch
with the best validation macro-F1 is kept. With a validation part, a temperature (Guo et al.
2017, "On calibration of modern neural networks", ICML) is fitted on its logits by minimising
the negative log-likelihood, so that probabilities (and the answering threshold of an intent
router) mean what they say; it never changes the predicted class.
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
from groupbuy_ml.aftersales.models.char_cnn import CharCNN
from groupbuy_ml.aftersales.models.vocabulary import CharBigramVocabulary
from groupbuy_ml.aftersales.text import TextNormalizer

__all__ = ["CharCNNClassifier", "inference_batches"]


class CharCNNClassifier(TextClassifier):
    """Character + bigram CNN text classifier.

    Args:
        embedding_dim, kernel_sizes, n_filters, dropout: the network (:class:`CharCNN`).
        min_count, max_bigrams: the vocabulary (:class:`CharBigramVocabulary`).
        max_epochs: epochs at most; ``patience`` epochs without a better validation macro-F1
            stop training early.
        batch_size, lr, weight_decay: AdamW settings.
        max_seconds: wall-clock budget of training (``None``: none).
        calibrate: fit a temperature on the validation logits.
        num_threads: torch CPU threads in training and prediction.
        seed: initialisation and batch order.
        pretrain_source: a text source (e.g. :class:`~groupbuy_ml.aftersales.sources.
            ReviewSource` of the other review set) whose train part the network is first
            trained on (its validation part early-stops that phase) before a fresh output
            layer is fine-tuned on the target texts: supervised transfer (Yosinski et al.
            2014, "How transferable are features in deep neural networks?", NeurIPS).
        pretrain_epochs: epochs of that phase at most.
        normalizer: text normalisation (its ``max_chars`` bounds the sequence length).
    """

    def __init__(self, embedding_dim: int = 64, kernel_sizes: Sequence[int] = (1, 2, 3, 4, 5),
                 n_filters: int = 128, dropout: float = 0.5, min_count: int = 2,
                 max_bigrams: int = 100_000, max_epochs: int = 10, patience: int = 2,
                 batch_size: int = 64, lr: float = 1e-3, weight_decay: float = 1e-4,
                 max_seconds: float | None = None, calibrate: bool = True,
                 num_threads: int = 2, seed: int = 0, pretrain_source: Any = None,
                 pretrain_epochs: int = 3, normalizer: TextNormalizer | None = None) -> None:
        self.embedding_dim, self.kernel_sizes = embedding_dim, tuple(kernel_sizes)
        self.n_filters, self.dropout = n_filters, dropout
        self.min_count, self.max_bigrams = min_count, max_bigrams
        self.max_epochs, self.patience, self.batch_size = max_epochs, patience, batch_size
        self.lr, self.weight_decay, self.max_seconds = lr, weight_decay, max_seconds
        self.calibrate, self.num_threads, self.seed = calibrate, num_threads, seed
        self.pretrain_source, self.pretrain_epochs = pretrain_source, pretrain_epochs
        self.normalizer = normalizer or TextNormalizer(max_chars=256)

    def _batches(self, texts: Sequence[str], rng: np.random.Generator | None
                 ) -> list[np.ndarray]:
        """Index batches of similar length (shuffled buckets when ``rng`` is given)."""
        order = np.argsort([len(t) for t in texts], kind="stable")
        if rng is not None:  # shuffle within buckets of 50 batches, then shuffle the batches
            bucket = 50 * self.batch_size
            order = np.concatenate([rng.permutation(order[i:i + bucket])
                                    for i in range(0, len(order), bucket)])
        batches = [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if rng is not None:
            batches = [batches[i] for i in rng.permutation(len(batches))]
        return batches

    def _logits(self, texts: Sequence[str], batch_size: int = 512,
                n_classes: int | None = None, max_tokens: int = 8192) -> np.ndarray:
        """Logits in length-sorted batches of at most ``batch_size`` texts and
        ``max_tokens`` padded positions (a batch of long reviews holds fewer of them, so the
        few long ones do not pad hundreds of short ones). Padding is masked and a convolution
        over it sees zeros either way, so batching does not change a text's logits."""
        self.network_.eval()
        out = np.zeros((len(texts), n_classes or len(self.classes_)), dtype=np.float32)
        with torch.inference_mode():
            for rows in inference_batches([len(t) for t in texts], batch_size, max_tokens,
                                          self.network_.min_length):
                chars, bigrams = self.vocabulary_.encode([texts[i] for i in rows],
                                                         self.network_.min_length)
                out[rows] = self.network_(chars, bigrams).numpy()
        return out

    def fit(self, texts: Sequence[str], labels: Sequence[Any],
            validation: Validation | None = None) -> Self:
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        prepared = self.prepare(texts)
        self.classes_, y = np.unique(np.asarray(labels), return_inverse=True)
        val_texts = self.prepare(validation[0]) if validation is not None else None
        val_y = None if validation is None else self._label_ids(validation[1])
        source = None
        if self.pretrain_source is not None:
            other = self.pretrain_source.load()
            source = (self.prepare(other.train["text"]), other.train["label"].to_numpy(),
                      self.prepare(other.validation["text"]), other.validation["label"])
        self.vocabulary_ = CharBigramVocabulary(self.min_count, self.max_bigrams).fit(
            prepared + (source[0] if source else []))
        self.history_: list[dict[str, float]] = []
        started = time.perf_counter()
        previous_threads = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)
        try:
            if source is not None:  # supervised pre-training, then a fresh output layer
                classes, other_y = np.unique(source[1], return_inverse=True)
                lookup = {c: i for i, c in enumerate(classes.tolist())}
                other_val = np.array([lookup.get(v, -100) for v in source[3]], dtype=np.int64)
                self.network_ = self._network(len(classes))
                self._train(source[0], other_y, source[2], other_val, self.pretrain_epochs,
                            rng, "pretrain_")
                self.network_.output = torch.nn.Linear(self.network_.output.in_features,
                                                       len(self.classes_))
            else:
                self.network_ = self._network(len(self.classes_))
            self._train(prepared, y, val_texts, val_y, self.max_epochs, rng, "")
            self.fit_seconds_ = time.perf_counter() - started
            self.temperature_ = 1.0
            if self.calibrate and val_texts is not None:
                self.temperature_ = _fit_temperature(self._logits(val_texts), val_y)
        finally:
            torch.set_num_threads(previous_threads)
        return self

    def _network(self, n_classes: int) -> CharCNN:
        return CharCNN(self.vocabulary_.n_chars, self.vocabulary_.n_bigrams, n_classes,
                       self.embedding_dim, self.kernel_sizes, self.n_filters, self.dropout)

    def _train(self, texts: list[str], y: np.ndarray, val_texts: list[str] | None,
               val_y: np.ndarray | None, max_epochs: int, rng: np.random.Generator,
               prefix: str) -> None:
        """Epochs of AdamW on ``texts``; keeps the epoch with the best validation macro-F1."""
        optimizer = torch.optim.AdamW(self.network_.parameters(), lr=self.lr,
                                      weight_decay=self.weight_decay)
        loss_fn = nn.CrossEntropyLoss()
        targets = torch.from_numpy(y.astype(np.int64))
        best_score, best_state, stale = -1.0, None, 0
        started = time.perf_counter()
        n_classes = self.network_.output.out_features
        for epoch in range(max_epochs):
            self.network_.train()
            total, seen = 0.0, 0
            for rows in self._batches(texts, rng):
                chars, bigrams = self.vocabulary_.encode([texts[i] for i in rows],
                                                         self.network_.min_length)
                loss = loss_fn(self.network_(chars, bigrams), targets[rows])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total, seen = total + float(loss.detach()) * len(rows), seen + len(rows)
            row: dict[str, float] = {"epoch": len(self.history_),
                                     f"{prefix}train_loss": total / max(seen, 1)}
            if val_texts is not None and val_y is not None:
                logits = self._logits(val_texts, n_classes=n_classes)
                known = val_y >= 0
                row[f"{prefix}val_loss"] = float(loss_fn(torch.from_numpy(logits[known]),
                                                         torch.from_numpy(val_y[known])))
                score = float(f1_score(val_y, logits.argmax(1), average="macro",
                                       labels=np.arange(n_classes)))
                row[f"{prefix}val_macro_f1"] = score
                if score > best_score:
                    best_score, stale = score, 0
                    best_state = copy.deepcopy(self.network_.state_dict())
                    if not prefix:
                        self.best_epoch_ = epoch
                else:
                    stale += 1
            self.history_.append(row)
            out_of_time = self.max_seconds is not None and \
                time.perf_counter() - started > self.max_seconds
            if stale >= self.patience or out_of_time:
                break
        if best_state is not None:
            self.network_.load_state_dict(best_state)

    def _label_ids(self, labels: Sequence[Any]) -> np.ndarray:
        lookup = {c: i for i, c in enumerate(self.classes_.tolist())}
        return np.array([lookup.get(v, -100) for v in np.asarray(labels).tolist()],
                        dtype=np.int64)

    def predict_logits(self, texts: Any) -> np.ndarray:
        """Uncalibrated logits, one column per class."""
        previous = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)
        try:
            return self._logits(self.prepare(texts))
        finally:
            torch.set_num_threads(previous)

    def predict_proba(self, texts: Any) -> np.ndarray:
        logits = self.predict_logits(texts) / self.temperature_
        return torch.softmax(torch.from_numpy(logits), dim=1).numpy().astype(np.float64)


def inference_batches(lengths: Sequence[int], batch_size: int, max_tokens: int,
                      min_length: int = 1) -> list[np.ndarray]:
    """Row indices in batches of similar length (sorted, shortest first): each batch holds
    at most ``batch_size`` rows and ``max_tokens`` positions once padded to its longest row
    (a row longer than ``max_tokens`` gets a batch of its own)."""
    order = np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")
    padded = np.maximum(np.asarray(lengths, dtype=np.int64)[order], min_length)
    batches, start = [], 0
    while start < len(order):
        # rows start..end-1 fit when (end - start) * padded[end - 1] <= max_tokens
        count = np.arange(1, min(batch_size, len(order) - start) + 1)
        fits = count * padded[start:start + len(count)] <= max_tokens
        end = start + max(1, int(fits.argmin()) if not fits.all() else len(count))
        batches.append(order[start:end])
        start = end
    return batches


def _fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the NLL of ``logits / T`` (labels -100 are ignored)."""
    known = labels >= 0
    if not known.any():
        return 1.0
    x, y = torch.from_numpy(logits[known]), torch.from_numpy(labels[known])
    log_t = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100)

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(x / log_t.exp(), y)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.detach().exp().clamp(0.05, 20.0))
