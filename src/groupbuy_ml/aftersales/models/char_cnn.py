"""A convolutional text classifier over character and bigram embeddings (the network only;
training lives in :mod:`groupbuy_ml.aftersales.models.neural_classifier`).

Kim 2014 ("Convolutional neural networks for sentence classification", EMNLP): parallel 1-D
convolutions of several widths over the embedded sequence, max-pooled over time, dropout and a
linear layer. Here the sequence is Chinese characters (Zhang, Zhao & LeCun 2015, "Character-
level convolutional networks for text classification", NeurIPS) with the embedding of the
bigram starting at each position added as a second channel group.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from groupbuy_ml.aftersales.models.vocabulary import PAD

__all__ = ["CharCNN"]


class CharCNN(nn.Module):
    """``(chars, bigrams) -> logits``.

    Args:
        n_chars, n_bigrams: embedding table sizes (id 0 pads).
        n_classes: output size.
        embedding_dim: size of each of the two embeddings (concatenated per position).
        kernel_sizes: convolution widths.
        n_filters: filters per width.
        dropout: on the embeddings (half of it) and on the pooled features.
    """

    def __init__(self, n_chars: int, n_bigrams: int, n_classes: int, embedding_dim: int = 64,
                 kernel_sizes: Sequence[int] = (1, 2, 3, 4, 5), n_filters: int = 128,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.char_embedding = nn.Embedding(n_chars, embedding_dim, padding_idx=PAD)
        self.bigram_embedding = nn.Embedding(n_bigrams, embedding_dim, padding_idx=PAD)
        self.convolutions = nn.ModuleList(
            nn.Conv1d(2 * embedding_dim, n_filters, k, padding=k // 2) for k in kernel_sizes)
        self.embedding_dropout = nn.Dropout(dropout / 2)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(n_filters * len(kernel_sizes), n_classes)

    @property
    def min_length(self) -> int:
        """Shortest input every convolution accepts."""
        return max(c.kernel_size[0] for c in self.convolutions)

    def forward(self, chars: torch.Tensor, bigrams: torch.Tensor) -> torch.Tensor:
        mask = (chars != PAD).unsqueeze(1)  # (n, 1, L): padding never wins the max-pool
        x = torch.cat([self.char_embedding(chars), self.bigram_embedding(bigrams)], dim=-1)
        x = self.embedding_dropout(x).transpose(1, 2)  # (n, 2d, L)
        pooled = []
        for conv in self.convolutions:
            h = torch.relu(conv(x))[:, :, : chars.shape[1]]
            pooled.append(h.masked_fill(~mask, 0.0).amax(dim=2))
        return self.output(self.dropout(torch.cat(pooled, dim=1)))
