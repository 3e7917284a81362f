"""Training and inference loops of :class:`~.quantile_rnn.QuantileRNN` on panel windows.

Shared by the centralized :class:`~.quantile_forecaster.QuantileRNNForecaster` and the federated
forecasting task, so both run the very same optimisation. A batch is a set of window *origins*
(a ``TensorDataset`` of row indices); :meth:`PanelWindows.gather` turns it into tensors, so the
same loader can be handed to Opacus, which re-samples it with Poisson sampling for DP-SGD.
The optional proximal term is FedProx's (Li et al. 2020, MLSys): ``mu / 2 * ||w - w_global||^2``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from groupbuy_ml.forecasting.neural.quantile_rnn import QuantileRNN, pinball
from groupbuy_ml.forecasting.neural.windows import PanelWindows

__all__ = ["evaluate_loss", "origin_loader", "predict_windows", "train_steps"]


def origin_loader(origins: np.ndarray, batch_size: int, seed: int) -> DataLoader:
    """A shuffled loader of window origins (seeded)."""
    data = TensorDataset(torch.as_tensor(np.asarray(origins), dtype=torch.int64))
    generator = torch.Generator().manual_seed(int(seed))
    return DataLoader(data, batch_size=int(batch_size), shuffle=True, generator=generator)


def train_steps(
    model: QuantileRNN,
    windows: PanelWindows,
    loader: Iterable,
    optimizer: torch.optim.Optimizer,
    epochs: int = 1,
    max_steps: int | None = None,
    proximal_mu: float = 0.0,
    global_params: list[torch.Tensor] | None = None,
) -> tuple[float, int]:
    """Run up to ``epochs`` passes over ``loader`` (at most ``max_steps`` optimiser steps).

    Returns the mean pinball loss over the steps taken and the number of steps. Empty batches
    (possible under Poisson sampling) still step the optimiser, as DP accounting requires.
    """
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    if proximal_mu > 0 and global_params is None:
        global_params = [p.detach().clone() for p in params]
    total, steps = 0.0, 0
    for _ in range(int(epochs)):
        for (origins,) in loader:
            optimizer.zero_grad()
            if len(origins):
                encoder, decoder, target, _ = windows.gather(origins)
                loss = pinball(model(encoder, decoder), target, model.quantiles)
                total += float(loss.detach())
                if proximal_mu > 0:
                    prox = sum(((p - g) ** 2).sum() for p, g in zip(params, global_params,
                                                                     strict=True))
                    loss = loss + proximal_mu / 2.0 * prox
                loss.backward()
            optimizer.step()
            steps += 1
            if max_steps is not None and steps >= max_steps:
                return total / max(steps, 1), steps
    return total / max(steps, 1), steps


@torch.no_grad()
def predict_windows(model: QuantileRNN, windows: PanelWindows, origins: np.ndarray,
                    batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Quantile forecasts in the target's units ``(N, H, Q)`` and scaled targets ``(N, H)``
    (NaN where unknown) of the windows at ``origins``."""
    model.eval()
    preds, targets = [], []
    for lo in range(0, len(origins), batch_size):
        encoder, decoder, target, scale = windows.gather(origins[lo:lo + batch_size])
        preds.append((model(encoder, decoder) * scale[:, None, None]).numpy())
        targets.append((target * scale[:, None]).numpy())
    horizon, q = model.horizon, len(model.quantiles)
    if not preds:
        return np.zeros((0, horizon, q), np.float32), np.zeros((0, horizon), np.float32)
    return np.concatenate(preds), np.concatenate(targets)


@torch.no_grad()
def evaluate_loss(model: QuantileRNN, windows: PanelWindows, origins: np.ndarray,
                  batch_size: int = 1024) -> float:
    """Mean pinball loss (scaled units) of the windows at ``origins``."""
    model.eval()
    total, n = 0.0, 0
    for lo in range(0, len(origins), batch_size):
        encoder, decoder, target, _ = windows.gather(origins[lo:lo + batch_size])
        loss = pinball(model(encoder, decoder), target, model.quantiles)
        total += float(loss) * len(target)
        n += len(target)
    if n == 0:
        raise ValueError("no windows to evaluate")
    return total / n
