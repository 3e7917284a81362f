"""Where the Hydra config tree lives, and how the CLI composes or runs it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import hydra
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from groupbuy_ml.errors import InputNotFoundError

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def config_dir() -> Path:
    """The config tree: ``$GROUPBUY_CONFIG_DIR``, else the copy inside an installed wheel, else
    the repository's ``configs/`` (editable install)."""
    candidates = [os.environ.get("GROUPBUY_CONFIG_DIR"), PACKAGE_DIR / "configs",
                  PACKAGE_DIR.parent.parent / "configs"]
    for cand in candidates:
        if cand and (Path(cand) / "train.yaml").exists():
            return Path(cand).resolve()
    raise InputNotFoundError(
        "no Hydra config tree found (looked for train.yaml in $GROUPBUY_CONFIG_DIR, the installed "
        "package and the repository's configs/); set GROUPBUY_CONFIG_DIR to your configs folder"
    )


def compose_config(name: str, overrides: Sequence[str] = ()) -> DictConfig:
    """Compose ``configs/<name>.yaml`` with ``key=value`` overrides (no Hydra run or output dir)."""
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return compose(config_name=name, overrides=list(overrides))


def run_hydra(name: str, task: Callable[[DictConfig], object], args: Sequence[str]) -> None:
    """Run ``task`` as a Hydra app (``-m`` multirun, ``--cfg job``, output dirs, logging).

    Errors leave as exceptions (``HYDRA_FULL_ERROR=1`` while it runs) instead of Hydra's own
    report, so that :func:`groupbuy_ml.cli.main` reports them as every other command does.
    """
    main = hydra.main(config_path=str(config_dir()), config_name=name, version_base="1.3")(task)
    argv, full_error = sys.argv, os.environ.get("HYDRA_FULL_ERROR")
    sys.argv = [f"groupbuy {name}", *args]
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        main()
    finally:
        sys.argv = argv
        if full_error is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        else:
            os.environ["HYDRA_FULL_ERROR"] = full_error
