"""The ``groupbuy`` command line: each sub-command wires a Hydra config to a library function.

    groupbuy simulate [key=value ...]        write a simulated market
    groupbuy train [-m] experiment=NAME ...  train, evaluate and track a model (Hydra multirun: -m)
    groupbuy promote metric=rmsse ...        register the best run and move the `champion` alias
    groupbuy federate experiment=NAME ...    federated training across shops (Flower, Opacus DP)
    groupbuy twin experiment=NAME ...        closed-loop digital twin run: policies judged on KPIs
    groupbuy serve [key=value ...]           serve the champion models (Ray Serve HTTP app)
    groupbuy demo                            the main job end to end on the simulated market
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence

from groupbuy_ml.errors import UserInputError

USER_ERRORS = (UserInputError,)
"""Errors the user can fix: reported in one line, without a stack trace
(:mod:`groupbuy_ml.cli.failures` adds Hydra's config errors; everything else is a bug)."""

COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": ("groupbuy_ml.cli.simulate:simulate_command",
                 "write a simulated market to parquet (configs/simulate.yaml)"),
    "train": ("groupbuy_ml.cli.train:train_command",
              "train, evaluate and track a model (configs/train.yaml; -m for sweeps)"),
    "promote": ("groupbuy_ml.cli.promote:promote_command",
                "register the best run of an experiment and move its `champion` alias"),
    "backtest": ("groupbuy_ml.cli.backtest:backtest_command",
                 "rolling-origin backtest of forecasters on any CSV: metrics and timings per "
                 "model (configs/backtest.yaml)"),
    "route": ("groupbuy_ml.cli.route:route_command",
              "plan deliveries from a Solomon file, purchase list or market day -> plan.json + "
              "routes.png (configs/route.yaml)"),
    "federate": ("groupbuy_ml.cli.federate:federate_command",
                 "train a forecaster or recommender across clients with Flower (simulation or "
                 "SuperLink/SuperNode deployment; configs/federate.yaml)"),
    "twin": ("groupbuy_ml.cli.twin:twin_command",
             "closed-loop digital twin: ordering policies and what-if scenarios judged on the "
             "platform's KPIs, tracked in MLflow (configs/twin.yaml)"),
    "serve": ("groupbuy_ml.cli.serve:serve_command",
              "serve the champion models over HTTP with Ray Serve (configs/serve.yaml)"),
    "demo": ("groupbuy_ml.cli.demo:demo_command",
             "simulate a market, train baselines, promote the winner, print a summary"),
}
"""Sub-command -> ("module:function" taking the remaining arguments, one-line help)."""


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
    module, function = COMMANDS[command][0].split(":")
    from groupbuy_ml.cli.command_help import command_help, wants_help
    from groupbuy_ml.cli.failures import report_failure

    try:
        if wants_help(rest) and "--hydra-help" not in rest:
            print(command_help(command, COMMANDS[command][1], module))
            return
        getattr(importlib.import_module(module), function)(rest)
    except Exception as error:  # a user error: one line; anything else: traceback + bug line
        raise report_failure(command, error) from None


def _usage() -> None:
    print(__doc__.strip().splitlines()[0])
    print("\nusage: groupbuy COMMAND [key=value ...]\n")
    for name, (_, text) in COMMANDS.items():
        print(f"  {name:<10} {text}")
    print("\nOverrides use Hydra syntax; `groupbuy COMMAND --help` shows a command's config "
          "groups and keys.")
