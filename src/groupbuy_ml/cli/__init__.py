"""The ``groupbuy`` command line: each sub-command wires a Hydra config to a library function.

    groupbuy simulate [key=value ...]        write a simulated market
    groupbuy train [-m] experiment=NAME ...  train, evaluate and track a model (Hydra multirun: -m)
    groupbuy promote metric=rmsse ...        register the best run and move the `champion` alias
    groupbuy demo                            the main job end to end on the simulated market
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from hydra.errors import HydraException

from groupbuy_ml.data.errors import DataValidationError

USER_ERRORS = (DataValidationError, FileNotFoundError, LookupError, ValueError, HydraException)
"""Errors caused by input or configuration: reported in one line, without a stack trace."""

COMMANDS = {
    "simulate": "write a simulated market to parquet (configs/simulate.yaml)",
    "train": "train, evaluate and track a model (configs/train.yaml; -m for sweeps)",
    "promote": "register the best run of an experiment and move its `champion` alias",
    "demo": "simulate a market, train baselines, promote the winner, print a summary",
}


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``groupbuy`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        _usage()
        return
    command, rest = args[0], args[1:]
    # MLflow warns on every pyfunc log that cloudpickle runs code at load (docs/tracking.md).
    logging.getLogger("mlflow.pyfunc").setLevel(logging.ERROR)
    if command not in COMMANDS:
        _usage()
        raise SystemExit(f"groupbuy: unknown command {command!r}; expected one of {list(COMMANDS)}")
    try:
        if command == "simulate":
            from groupbuy_ml.cli.simulate import simulate_command

            simulate_command(rest)
        elif command == "train":
            from groupbuy_ml.cli.train import train_command

            train_command(rest)
        elif command == "promote":
            from groupbuy_ml.cli.promote import promote_command

            promote_command(rest)
        else:
            from groupbuy_ml.cli.demo import demo_command

            demo_command(rest)
    except USER_ERRORS as err:
        raise SystemExit(f"groupbuy {command}: {err}") from None


def _usage() -> None:
    print(__doc__.strip().splitlines()[0])
    print("\nusage: groupbuy COMMAND [key=value ...]\n")
    for name, text in COMMANDS.items():
        print(f"  {name:<10} {text}")
    print("\nOverrides use Hydra syntax; `groupbuy train --help` lists the config groups.")
