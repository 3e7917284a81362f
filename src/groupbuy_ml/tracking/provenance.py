"""Provenance of a run: the config as params, the code's git state, versions and the seed.

Everything :func:`~groupbuy_ml.tracking.tracked_run` records before any work starts, as plain
functions that need no MLflow run.
"""

from __future__ import annotations

import importlib.metadata
import platform
import posixpath
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from mlflow.utils.validation import MAX_PARAM_VAL_LENGTH

import groupbuy_ml

__all__ = [
    "KEY_PACKAGES",
    "find_seed",
    "flatten_config",
    "git_state",
    "param_key",
    "plain_config",
    "version_tags",
]

KEY_PACKAGES = (
    "mlflow",
    "torch",
    "lightning",
    "pytorch-forecasting",
    "torch-geometric",
    "flwr",
    "ortools",
    "numpy",
    "pandas",
)
"""Distributions whose versions every run records as ``version.<name>`` tags."""

_UNKNOWN = "unknown"


def plain_config(obj: Any) -> Any:
    """Turn a config (dict, OmegaConf node, numpy scalars, paths) into YAML-safe builtins."""
    try:
        from omegaconf import DictConfig, ListConfig, OmegaConf

        if isinstance(obj, DictConfig | ListConfig):
            obj = OmegaConf.to_container(obj, resolve=True)
    except ImportError:  # pragma: no cover - omegaconf is a dependency
        pass
    if isinstance(obj, Mapping):
        return {str(k): plain_config(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [plain_config(v) for v in obj]
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if hasattr(obj, "item") and callable(obj.item):  # numpy / torch scalars
        try:
            return obj.item()
        except (TypeError, ValueError):
            pass
    return str(obj)


def param_key(key: str) -> str:
    """A valid MLflow param/tag key: odd characters become ``_``, at most 250 characters."""
    key = re.sub(r"[^/\w.\- :]", "_", key)
    if posixpath.normpath(key) != key or key.startswith("/"):
        key = key.replace("/", "_")
    return key[:250]


def flatten_config(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten nested mappings to dotted keys with string values cut to MLflow's param limit.

    Lists stay whole (their YAML flow form), so ``layers: [64, 32]`` gives
    ``{"layers": "[64, 32]"}``.
    """
    flat: dict[str, str] = {}
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten_config(value, prefix=f"{dotted}."))
            continue
        if isinstance(value, list | Mapping):
            text = yaml.safe_dump(value, default_flow_style=True, width=10**9).strip()
        else:
            text = str(value)
        flat[param_key(dotted)] = text[:MAX_PARAM_VAL_LENGTH]
    return flat


def git_state(folder: Path | None = None) -> tuple[str, str]:
    """``(commit sha, "true"/"false" dirty flag)`` of the git work tree at ``folder`` (default:
    the working folder); ``("unknown", "unknown")`` outside a repository or without git."""
    cwd = folder or Path.cwd()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return _UNKNOWN, _UNKNOWN
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=cwd, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return _UNKNOWN, _UNKNOWN
    dirty = _UNKNOWN if status.returncode != 0 else str(bool(status.stdout.strip())).lower()
    return commit.stdout.strip(), dirty


def version_tags() -> dict[str, str]:
    """``version.<name>`` tags for groupbuy_ml, Python and the installed :data:`KEY_PACKAGES`."""
    tags = {
        "version.groupbuy_ml": groupbuy_ml.__version__,
        "version.python": platform.python_version(),
    }
    for name in KEY_PACKAGES:
        try:
            tags[f"version.{name}"] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return tags


def find_seed(config: Mapping[str, Any], flat: Mapping[str, str]) -> str | None:
    """The top-level ``seed`` of a config, else the first nested ``*.seed``, else ``None``."""
    if "seed" in config and config["seed"] is not None:
        return str(config["seed"])
    for key, value in flat.items():
        if key.rsplit(".", 1)[-1] == "seed" and value != "None":
            return value
    return None
