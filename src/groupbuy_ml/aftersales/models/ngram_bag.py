"""A fastText-style classifier over character n-grams (the network and its id map; training
lives in :mod:`groupbuy_ml.aftersales.models.ngram_bag_classifier`).

Joulin, Grave, Bojanowski & Mikolov 2017 ("Bag of tricks for efficient text classification",
EACL): every n-gram of a text has an embedding, the text is the mean of its n-grams'
embeddings, and a linear layer (here optionally after one hidden layer) gives the class
scores. On Chinese the n-grams are character 1..3-grams (no word segmenter needed), the same
features as the TF-IDF peer, but the embeddings are shared low-rank factors learnt end to end
with dropout, instead of one free weight per n-gram and class.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Self

import numpy as np
import torch
from torch import nn

__all__ = ["NgramBag", "NgramVocabulary"]

PAD, UNK = 0, 1


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """The character n-grams of ``text`` for ``low <= n <= high``, in order of position."""
    return [text[i:i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]


class NgramVocabulary:
    """Ids of the character n-grams seen in at least ``min_count`` training texts.

    Args:
        ngram_range: n-gram lengths (``(1, 3)``: characters, bigrams and trigrams).
        min_count: document frequency an n-gram needs to get an id (as TF-IDF's ``min_df``).
        max_ngrams: keep at most this many (the most frequent; ``None``: all).
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), min_count: int = 2,
                 max_ngrams: int | None = None) -> None:
        self.ngram_range, self.min_count = tuple(ngram_range), min_count
        self.max_ngrams = max_ngrams

    def fit(self, texts: Sequence[str]) -> Self:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(set(char_ngrams(text, *self.ngram_range)))
        kept = [g for g, n in counts.most_common(self.max_ngrams) if n >= self.min_count]
        self.ids_ = {g: i + 2 for i, g in enumerate(sorted(kept))}
        return self

    @property
    def size(self) -> int:
        """Size of the id space (padding and unknown included)."""
        return len(self.ids_) + 2

    def ids(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Per text, the ids of its known n-grams (``[UNK]`` when it has none)."""
        get, low, high = self.ids_.get, *self.ngram_range
        out = []
        for text in texts:
            found = [i for i in map(get, char_ngrams(text, low, high)) if i is not None]
            out.append(np.asarray(found or [UNK], dtype=np.int64))
        return out


def pack(rows: Sequence[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """``(flat ids, offsets)``: the input of :class:`torch.nn.EmbeddingBag`."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    offsets = np.zeros(len(rows), dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    return torch.from_numpy(np.concatenate(rows)), torch.from_numpy(offsets)


class NgramBag(nn.Module):
    """``(ids, offsets) -> logits``: mean n-gram embedding, dropout, optional hidden layer.

    Args:
        n_ngrams: id space size (id 0 pads).
        n_classes: output size.
        embedding_dim: size of the n-gram embeddings.
        hidden: width of a ReLU hidden layer (0: none, the linear fastText model).
        dropout: on the pooled text vector (and after the hidden layer).
    """

    def __init__(self, n_ngrams: int, n_classes: int, embedding_dim: int = 64, hidden: int = 0,
                 dropout: float = 0.3) -> None:
        super().__init__()
        self.embedding = nn.EmbeddingBag(n_ngrams, embedding_dim, mode="mean", sparse=True,
                                         padding_idx=PAD)
        nn.init.uniform_(self.embedding.weight, -1.0 / embedding_dim, 1.0 / embedding_dim)
        with torch.no_grad():
            self.embedding.weight[PAD].zero_()
        layers: list[nn.Module] = [nn.Dropout(dropout)]
        if hidden:
            layers += [nn.Linear(embedding_dim, hidden), nn.ReLU(), nn.Dropout(dropout)]
        self.body = nn.Sequential(*layers)
        self.output = nn.Linear(hidden or embedding_dim, n_classes)

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        return self.output(self.body(self.embedding(ids, offsets)))
