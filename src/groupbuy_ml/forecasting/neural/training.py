"""The training wrapper of the neural forecasters: a quiet, seeded, deterministic Lightning run.

Lightning writes nothing into the working folder: no logger, no progress bar, and the best
checkpoint (by validation loss, early stopping on it) lives in a temporary folder whose bytes
the forecaster keeps. Per-epoch train / validation losses are collected by a callback into
``history`` rows ``{"epoch", "train_loss", "val_loss"}`` (epochs from 1).
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = ["fit_network", "predict_network", "quiet_lightning"]


def quiet_lightning() -> None:
    """Silence Lightning's and pytorch-forecasting's informational logs and warnings."""
    for name in ("lightning", "lightning.pytorch", "lightning.fabric", "pytorch_lightning"):
        logging.getLogger(name).setLevel(logging.ERROR)
    for text in ("Attribute 'loss' is an instance", "Attribute 'logging_metrics'",
                 "The '.*dataloader' does not have many workers", ".*does not have many workers",
                 ".*Checkpoint directory.*", ".*GPU available.*", ".*TPU available.*",
                 ".*LeafSpec.*", ".*treespec.*", ".*isinstance.*"):
        warnings.filterwarnings("ignore", message=text)


def _history_callback(history: list[dict[str, float]]) -> Any:
    import lightning.pytorch as pl

    class EpochLosses(pl.Callback):
        def on_validation_epoch_end(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
            if trainer.sanity_checking:
                return
            metrics = trainer.callback_metrics
            row: dict[str, float] = {"epoch": float(trainer.current_epoch + 1)}
            if "val_loss" in metrics:
                row["val_loss"] = float(metrics["val_loss"])
            history.append(row)

        def on_train_epoch_end(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
            metrics = trainer.callback_metrics
            if history and "train_loss_epoch" in metrics:
                history[-1]["train_loss"] = float(metrics["train_loss_epoch"])

    return EpochLosses()


def fit_network(
    network: Any,
    training: Any,
    validation: Any,
    *,
    max_epochs: int,
    batch_size: int,
    limit_train_batches: int | float,
    patience: int,
    seed: int,
    num_threads: int,
    gradient_clip_val: float,
) -> tuple[Any, bytes, list[dict[str, float]]]:
    """Train ``network`` (a pytorch-forecasting LightningModule) and return the best network,
    its checkpoint bytes and the per-epoch history."""
    import lightning.pytorch as pl
    from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint

    quiet_lightning()
    torch.set_num_threads(num_threads)
    pl.seed_everything(seed, workers=True, verbose=False)
    generator = torch.Generator().manual_seed(seed)
    train_loader = training.to_dataloader(train=True, batch_size=batch_size, num_workers=0,
                                          generator=generator)
    val_loader = validation.to_dataloader(train=False, batch_size=batch_size * 4,
                                          num_workers=0)
    history: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="groupbuy-nn-") as folder:
        checkpoint = ModelCheckpoint(dirpath=folder, monitor="val_loss", mode="min",
                                     save_top_k=1, save_weights_only=False)
        trainer = pl.Trainer(
            max_epochs=max_epochs, accelerator="cpu", devices=1, logger=False,
            default_root_dir=folder, enable_progress_bar=False, enable_model_summary=False,
            deterministic=True, gradient_clip_val=gradient_clip_val,
            limit_train_batches=limit_train_batches, num_sanity_val_steps=0,
            callbacks=[checkpoint, EarlyStopping("val_loss", patience=patience, mode="min"),
                       _history_callback(history)],
        )
        trainer.fit(network, train_dataloaders=train_loader, val_dataloaders=val_loader)
        best = checkpoint.best_model_path
        blob = Path(best).read_bytes()
        network = type(network).load_from_checkpoint(best, map_location="cpu")
    network.eval()
    return network, blob, history


def load_network(cls: type, blob: bytes) -> Any:
    """Rebuild a network from checkpoint bytes (``load_from_checkpoint`` on a temp file)."""
    with tempfile.TemporaryDirectory(prefix="groupbuy-nn-") as folder:
        path = Path(folder) / "model.ckpt"
        path.write_bytes(blob)
        network = cls.load_from_checkpoint(path, map_location="cpu")
    network.eval()
    return network


def predict_network(
    network: Any, dataset: Any, batch_size: int, quantiles: Callable[[Any, Any], Any]
) -> tuple[Any, np.ndarray]:
    """Raw quantile forecasts ``(index, values)`` of a prediction dataset, without a Trainer:
    ``index`` has the series ids and first decoder ``time_idx`` of each sample, ``values`` is
    ``(samples, horizon, n_quantiles)`` in target units."""
    import pandas as pd

    loader = dataset.to_dataloader(train=False, batch_size=batch_size, num_workers=0)
    index, values = [], []
    network.eval()
    with torch.no_grad():
        for x, _ in loader:
            out = quantiles(network, x)
            values.append(out.detach().cpu().numpy())
            index.append(dataset.x_to_index(x))
    return pd.concat(index, ignore_index=True), np.concatenate(values, axis=0)
