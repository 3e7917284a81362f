"""Server checkpoints: the global model, the strategy state and the history after every round.

A checkpoint folder holds three files, each replaced atomically (write, then rename), so a
server killed mid-write leaves the previous round's checkpoint intact:

- ``global_model.npz``: the global parameters (names as in the model's ``state_dict``);
- ``strategy_state.npz``: the strategy's state between rounds (e.g. FedAdam's moments);
- ``checkpoint.json``: the last completed round, the per-round history and the excluded clients.

Resuming loads all three and continues at the next round.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from flwr.app import Array, ArrayRecord

from groupbuy_ml.errors import InputNotFoundError

__all__ = ["Checkpoint", "load_checkpoint", "save_checkpoint"]

_MODEL = "global_model.npz"
_STRATEGY = "strategy_state.npz"
_META = "checkpoint.json"


@dataclass
class Checkpoint:
    """The server's state after ``server_round`` completed rounds."""

    server_round: int
    arrays: ArrayRecord
    strategy_state: dict[str, np.ndarray] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)


def _atomic_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        np.savez(handle, **arrays)
    os.replace(tmp, path)


def save_checkpoint(folder: Path | str, checkpoint: Checkpoint) -> Path:
    """Write ``checkpoint`` into ``folder`` (created if missing); returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_npz(folder / _MODEL, {k: v.numpy() for k, v in checkpoint.arrays.items()})
    _atomic_npz(folder / _STRATEGY, checkpoint.strategy_state)
    meta = {"server_round": checkpoint.server_round, "history": checkpoint.history,
            "excluded": checkpoint.excluded, "parameter_names": list(checkpoint.arrays.keys())}
    tmp = folder / (_META + ".tmp")
    tmp.write_text(json.dumps(meta, indent=1, default=float))
    os.replace(tmp, folder / _META)
    return folder


def load_checkpoint(folder: Path | str) -> Checkpoint:
    """Read the checkpoint in ``folder``; a clear error when there is none."""
    folder = Path(folder)
    missing = [name for name in (_MODEL, _STRATEGY, _META) if not (folder / name).exists()]
    if missing:
        raise InputNotFoundError(
            f"no checkpoint to resume in {folder} (missing {', '.join(missing)}); run without "
            "resume first, with checkpoint_dir set"
        )
    meta = json.loads((folder / _META).read_text())
    with np.load(folder / _MODEL) as data:
        arrays = {k: data[k] for k in meta["parameter_names"]}
    with np.load(folder / _STRATEGY) as data:
        strategy_state = {k: data[k] for k in data.files}
    return Checkpoint(
        server_round=int(meta["server_round"]),
        arrays=ArrayRecord({k: Array(np.ascontiguousarray(v)) for k, v in arrays.items()}),
        strategy_state=strategy_state,
        history=list(meta["history"]),
        excluded=dict(meta.get("excluded", {})),
    )
