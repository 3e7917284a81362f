"""A multi-horizon quantile recurrent network (MQ-RNN) that Opacus can train with DP-SGD.

Wen, Torkkola, Narayanaswamy & Madeka 2017, "A Multi-Horizon Quantile Recurrent Forecaster"
(NeurIPS Time Series Workshop): an LSTM encodes the history (scaled target + known covariates);
a *global* MLP maps its last state to one context per horizon step plus a horizon-agnostic
context; a *local* MLP shared across steps maps (step context, agnostic context, the step's
known future covariates) to every quantile. Trained with the pinball loss of all quantiles and
steps at once (direct, no recursion, no exposure bias).

The encoder is :class:`opacus.layers.DPLSTM` in every case (it computes what ``nn.LSTM`` does
with plain linear layers that Opacus can clip per example), so a DP and a non-DP model have the
same parameter names and can be averaged, checkpointed and loaded interchangeably.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from opacus.layers import DPLSTM
from torch import nn

from groupbuy_ml.errors import ConfigError

__all__ = ["QuantileRNN", "pinball"]


class QuantileRNN(nn.Module):
    """MQ-RNN: DPLSTM encoder, global context MLP, local quantile MLP.

    Args:
        encoder_features: inputs per encoder step.
        decoder_features: known future inputs per horizon step.
        horizon: steps predicted at once.
        quantiles: quantile levels of the outputs (sorted).
        hidden_size: LSTM state size.
        num_layers: stacked LSTM layers.
        context_size: size of each horizon-specific and of the agnostic context.
        decoder_hidden: hidden units of the local MLP.
        dropout: dropout on the encoder state (0 disables).
    """

    def __init__(self, encoder_features: int, decoder_features: int, horizon: int,
                 quantiles: Sequence[float] = (0.1, 0.5, 0.9), hidden_size: int = 32,
                 num_layers: int = 1, context_size: int = 8, decoder_hidden: int = 32,
                 dropout: float = 0.0) -> None:
        super().__init__()
        if horizon < 1 or hidden_size < 1 or context_size < 1 or decoder_hidden < 1:
            raise ConfigError("horizon, hidden_size, context_size, decoder_hidden must be >= 1")
        self.horizon, self.context_size = int(horizon), int(context_size)
        self.register_buffer("quantiles", torch.tensor(sorted(quantiles), dtype=torch.float32),
                             persistent=False)
        self.encoder = DPLSTM(encoder_features, hidden_size, num_layers=num_layers,
                              batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.global_mlp = nn.Linear(hidden_size, (self.horizon + 1) * self.context_size)
        self.local_mlp = nn.Sequential(
            nn.Linear(2 * self.context_size + decoder_features, decoder_hidden),
            nn.ReLU(),
            nn.Linear(decoder_hidden, len(quantiles)),
        )

    def forward(self, encoder: torch.Tensor, decoder: torch.Tensor) -> torch.Tensor:
        """Quantiles ``(B, H, Q)`` of the scaled target from ``encoder (B, L, Fe)`` and
        ``decoder (B, H, Fd)``."""
        _, (h, _) = self.encoder(encoder)
        state = self.dropout(h[-1])
        contexts = torch.relu(self.global_mlp(state))
        contexts = contexts.view(-1, self.horizon + 1, self.context_size)
        agnostic = contexts[:, :1].expand(-1, self.horizon, -1)
        local = torch.cat([contexts[:, 1:], agnostic, decoder], dim=2)
        return self.local_mlp(local)


def pinball(pred: torch.Tensor, target: torch.Tensor, quantiles: torch.Tensor) -> torch.Tensor:
    """Mean pinball loss of ``pred (B, H, Q)`` against ``target (B, H)`` (NaN targets skipped).

    Per example it is the mean over steps and quantiles, so the batch mean equals the mean of
    per-example losses (what Opacus' ``loss_reduction="mean"`` assumes).
    """
    observed = ~torch.isnan(target)
    diff = torch.nan_to_num(target)[..., None] - pred
    loss = torch.maximum(quantiles * diff, (quantiles - 1.0) * diff).mean(dim=2)
    loss = (loss * observed).sum(dim=1) / observed.sum(dim=1).clamp(min=1)
    return loss.mean()
