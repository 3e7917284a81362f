"""The Flower ClientApp: a thin shell over a :class:`~groupbuy_ml.federated.task.FederatedTask`.

Each message brings the global parameters and the round's config. The client checks the
parameter names and shapes against its own model, trains (or evaluates) through the task on its
local data and replies with the shared parameters and numeric metrics only. Parameters under the
task's ``local_parameter_prefixes`` and the task's own state (e.g. DP steps taken) stay in the
node's ``context.state`` between rounds and never leave it.

A client that cannot take part (no data: :class:`EmptyClientError`; data the task rejects with
a ``ValueError``, e.g. missing columns; parameters that do not fit its model) answers with an
error whose reason starts with :data:`EXCLUDED`; the server then leaves it out of the run and
logs why.

Simulation builds the app with :func:`make_client_app` (the spec in memory); a deployment loads
the module-level ``app``, which reads the spec file named in the run config.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
from flwr.app import (
    ArrayRecord,
    ConfigRecord,
    Context,
    Error,
    Message,
    MetricRecord,
    RecordDict,
)
from flwr.clientapp import ClientApp
from flwr.common.constant import ErrorCode

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.federated.secagg import (
    fitres_content,
    is_secagg_message,
    optional_secaggplus_mod,
    read_fitins,
)
from groupbuy_ml.federated.spec import (
    SPEC_FILE_KEY,
    FederationSpec,
    build_task,
    load_spec,
    local_training_from_config,
    privacy_from_config,
)
from groupbuy_ml.federated.task import ClientData, EmptyClientError, FederatedTask

__all__ = ["EXCLUDED", "app", "check_arrays", "forget_run", "make_client_app", "shared_state"]

log = logging.getLogger(__name__)

EXCLUDED = "[excluded]"
"""Prefix of the error reason of a client that cannot take part in the run at all."""

_LOCAL_PARAMETERS = "local-parameters"
_TASK_STATE = "task-state"
_PRIVACY_LEDGER = "privacy-ledger"
_SPECS: dict[str, FederationSpec] = {}
_TASKS: dict[str, FederatedTask] = {}
_DATA: dict[tuple[str, int, int], ClientData | ValueError] = {}


def shared_state(model: torch.nn.Module, task: FederatedTask) -> dict[str, torch.Tensor]:
    """The parameters that travel: the state_dict minus the task's local prefixes."""
    prefixes = tuple(task.local_parameter_prefixes)
    return {k: v.detach().cpu() for k, v in model.state_dict().items()
            if not (prefixes and k.startswith(prefixes))}


def check_arrays(arrays: ArrayRecord, expected: dict[str, torch.Tensor]) -> str | None:
    """None when ``arrays`` has exactly the names and shapes of ``expected``, else the reason."""
    got = {k: tuple(a.shape) for k, a in arrays.items()}
    want = {k: tuple(v.shape) for k, v in expected.items()}
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    if missing or extra:
        return (f"parameter names do not match the client's model: missing {missing[:5]}, "
                f"unexpected {extra[:5]}; server and clients must build the task with the same "
                "config")
    wrong = [f"{k}: received {got[k]}, model has {want[k]}" for k in want if got[k] != want[k]]
    if wrong:
        return ("parameter shapes do not match the client's model (" + "; ".join(wrong[:5])
                + "); server and clients must build the task with the same config")
    return None


def _task(spec: FederationSpec) -> FederatedTask:
    if spec.run_key not in _TASKS:
        _TASKS[spec.run_key] = build_task(spec.task)
    return _TASKS[spec.run_key]


def _client_data(spec: FederationSpec, task: FederatedTask, context: Context) -> ClientData:
    partition = int(context.node_config["partition-id"])
    num = int(context.node_config["num-partitions"])
    key = (spec.run_key, partition, num)
    if key not in _DATA:
        try:
            _DATA[key] = task.load_client(partition, num)
        except ValueError as err:  # EmptyClientError, missing columns, a bad partition
            _DATA[key] = err
    data = _DATA[key]
    if isinstance(data, ValueError):
        raise data
    return data


def _excluded(msg: Message, context: Context, reason: str) -> Message:
    partition = context.node_config.get("partition-id", "?")
    text = f"{EXCLUDED} client {partition}: {reason}"
    log.warning(text)
    return Message(Error(code=ErrorCode.CLIENT_APP_RAISED_EXCEPTION, reason=text), reply_to=msg)


def _metric_record(metrics: dict[str, Any], num_examples: int) -> MetricRecord:
    values: dict[str, int | float] = {}
    for key, value in metrics.items():
        if isinstance(value, bool | np.bool_ | int | np.integer):
            values[key] = int(value)
        elif isinstance(value, float | np.floating) or torch.is_tensor(value):
            values[key] = float(value)
    values["num-examples"] = int(metrics.get("num-examples", num_examples))
    return MetricRecord(values)


def _prepare(msg: Message, context: Context, spec: FederationSpec, train: bool) -> Any:
    """Task, data, model loaded with global + local parameters, and the round config; or the
    exclusion reply."""
    task = _task(spec)
    try:
        data = _client_data(spec, task, context)
    except EmptyClientError as err:
        return _excluded(msg, context, f"no usable local data ({err})")
    except ValueError as err:  # e.g. the client's table lacks a column the model needs
        return _excluded(msg, context, f"local data does not fit the task ({err})")
    model = task.build_model()
    expected = shared_state(model, task)
    if train and is_secagg_message(msg):
        arrays, config = read_fitins(msg.content, list(expected))
    else:
        arrays = msg.content["arrays"]
        config = msg.content.get("config", ConfigRecord())
    problem = check_arrays(arrays, expected)
    if problem:
        return _excluded(msg, context, problem)
    state = dict(arrays.to_torch_state_dict())
    if _LOCAL_PARAMETERS in context.state.array_records:
        state.update(context.state.array_records[_LOCAL_PARAMETERS].to_torch_state_dict())
    model.load_state_dict(state, strict=False)
    return task, data, model, config


def _train(msg: Message, context: Context, spec: FederationSpec) -> Message:
    prepared = _prepare(msg, context, spec, train=True)
    if isinstance(prepared, Message):
        return prepared
    task, data, model, config = prepared
    training = local_training_from_config(config)
    privacy = privacy_from_config(config)
    task_state = {k: float(v) for k, v in context.state.config_records.get(
        _TASK_STATE, ConfigRecord()).items()}
    ledger = context.state.config_records.get(_PRIVACY_LEDGER, ConfigRecord({"epsilon": 0.0}))
    metrics = dict(task.train(model, data, training, privacy, task_state))
    if "epsilon" in metrics:  # what this round spent on top of the rounds before
        metrics["epsilon_round"] = float(metrics["epsilon"]) - float(ledger["epsilon"])
        context.state.config_records[_PRIVACY_LEDGER] = ConfigRecord(
            {"epsilon": float(metrics["epsilon"])})
    context.state.config_records[_TASK_STATE] = ConfigRecord(task_state)
    prefixes = tuple(task.local_parameter_prefixes)
    if prefixes:
        local = {k: v.detach().cpu() for k, v in model.state_dict().items()
                 if k.startswith(prefixes)}
        context.state.array_records[_LOCAL_PARAMETERS] = ArrayRecord(local)
    arrays = ArrayRecord(shared_state(model, task))
    record = _metric_record(metrics, data.num_train_examples)
    if is_secagg_message(msg):
        return Message(fitres_content(arrays, record, int(record["num-examples"])), reply_to=msg)
    return Message(RecordDict({"arrays": arrays, "metrics": record}), reply_to=msg)


def _evaluate(msg: Message, context: Context, spec: FederationSpec) -> Message:
    prepared = _prepare(msg, context, spec, train=False)
    if isinstance(prepared, Message):
        return prepared
    task, data, model, _ = prepared
    metrics = dict(task.evaluate(model, data))
    record = _metric_record(metrics, data.num_eval_examples)
    return Message(RecordDict({"metrics": record}), reply_to=msg)


def forget_run(run_key: str) -> None:
    """Drop this process's cached task and client data of a finished run."""
    _TASKS.pop(run_key, None)
    for key in [k for k in _DATA if k[0] == run_key]:
        del _DATA[key]


def _spec_of(context: Context, spec: FederationSpec | str | None) -> FederationSpec:
    if isinstance(spec, FederationSpec):
        return spec
    if spec is None:
        if SPEC_FILE_KEY not in context.run_config:
            raise ConfigError(f"run config has no {SPEC_FILE_KEY!r}: start the run with "
                              "run_federated or `groupbuy federate`, which write the spec")
        spec = str(context.run_config[SPEC_FILE_KEY])
    if spec not in _SPECS:  # read once per process
        _SPECS[spec] = load_spec(spec)
    return _SPECS[spec]


def make_client_app(spec: FederationSpec | Path | str | None = None,
                    mods: list | None = None) -> ClientApp:
    """A ClientApp for ``spec``: the spec itself, the path of a spec file (what the simulation
    ships to its Ray workers with every message, instead of the task and its data), or None to
    read the spec file named in the run config (deployment).

    ``mods`` are extra Flower mods (e.g. one that inspects every reply in a test); SecAgg+'s mod
    is always installed and acts only on SecAgg+ rounds.
    """
    if isinstance(spec, Path):
        spec = str(spec)
    client = ClientApp(mods=[*(mods or []), optional_secaggplus_mod])

    @client.train()
    def train(msg: Message, context: Context) -> Message:
        return _train(msg, context, _spec_of(context, spec))

    @client.evaluate()
    def evaluate(msg: Message, context: Context) -> Message:
        return _evaluate(msg, context, _spec_of(context, spec))

    return client


app = make_client_app()
