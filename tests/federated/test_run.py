"""run_federated on Flower's real runtimes: the Ray simulation and a loopback deployment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from federated_doubles import RegressionTask
from mlflow.tracking import MlflowClient

from groupbuy_ml.federated.run import FederatedResult, ray_init_args, run_federated
from groupbuy_ml.federated.strategies import FedAvg
from groupbuy_ml.federated.task import LocalTraining

TRAINING = LocalTraining(lr=0.05, batch_size=16, seed=4)
# One Ray actor (2 CPUs per client): a single worker process starts, the clients take turns.
ONE_ACTOR = {"init_args": ray_init_args(), "client_resources": {"num_cpus": 2, "num_gpus": 0.0}}


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory, mlflow_template: Path):
    """One Ray simulation shared by the tests below: 3 clients, 2 rounds, client 2 drops out
    in round 2, per-round metrics to MLflow, checkpoints after every round."""
    folder = tmp_path_factory.mktemp("simulation")
    db = folder / "mlflow.db"
    db.write_bytes(mlflow_template.read_bytes())
    result = run_federated(
        RegressionTask(fail_at={2: 2}), "fedavg", num_clients=3, rounds=2, training=TRAINING,
        checkpoint_dir=folder / "ckpt", workdir=folder / "run", backend_config=ONE_ACTOR,
        tracking={"experiment": "federated_test", "uri": f"sqlite:///{db}", "run_name": "sim"})
    return result, folder, f"sqlite:///{db}"


def test_simulation_survives_a_client_dropping_out(simulated) -> None:
    result, folder, _ = simulated
    assert result.mode == "simulation"
    assert [r["clients_trained"] for r in result.rounds] == [3, 2]
    assert "lost its connection in round 2" in result.rounds[1]["failures"][0]
    assert result.rounds[1]["evaluate"]["eval_mse"] < result.rounds[0]["evaluate"]["eval_mse"]
    assert (folder / "ckpt" / "checkpoint.json").exists()
    assert set(result.final_state) == {"linear.weight", "linear.bias"}


def test_simulation_logs_every_round_and_the_model_to_mlflow(simulated) -> None:
    result, _, uri = simulated
    client = MlflowClient(uri)
    history = client.get_metric_history(result.mlflow_run_id, "train.train_loss")
    assert [m.step for m in history] == [1, 2]
    assert [m.value for m in history] == pytest.approx(
        [r["train"]["train_loss"] for r in result.rounds])
    bytes_up = client.get_metric_history(result.mlflow_run_id, "bytes_up")
    assert [m.value for m in bytes_up] == [r["bytes_up"] for r in result.rounds]
    artifacts = [a.path for a in client.list_artifacts(result.mlflow_run_id, "federated")]
    assert artifacts == ["federated/global_model.pt"]
    run = client.get_run(result.mlflow_run_id)
    assert run.data.params["strategy.name"] == "FedAvg"


@pytest.mark.server
def test_deployment_with_three_supernode_processes(tmp_path: Path) -> None:
    workdir = tmp_path / "deploy"
    # Each message starts a ClientApp process on its SuperNode: one round, no evaluation.
    strategy = FedAvg(fraction_evaluate=0.0, min_train_nodes=3, min_available_nodes=3)
    result = run_federated(RegressionTask(), strategy, num_clients=3, rounds=1,
                           training=TRAINING, mode="deployment", workdir=workdir,
                           round_timeout=120, deployment_timeout=300)
    assert result.mode == "deployment"
    assert result.rounds[0]["clients_trained"] == 3
    assert result.rounds[0]["train"]["num-examples"] == 40 + 60 + 80
    logs = sorted(p.name for p in (workdir / "logs").iterdir())
    assert logs == ["flwr_run.log", "superlink.log", "supernode_0.log", "supernode_1.log",
                    "supernode_2.log"]
    assert _processes_using(workdir) == []  # SuperLink, SuperNodes and app processes are gone


def test_local_mode_reproduces_the_simulation(simulated, tmp_path: Path) -> None:
    result, _, _ = simulated
    local = run_federated(RegressionTask(fail_at={2: 2}), "fedavg", num_clients=3, rounds=2,
                          training=TRAINING, mode="local", workdir=tmp_path)
    assert [r["clients_trained"] for r in local.rounds] == [3, 2]
    for name, tensor in result.final_state.items():
        torch.testing.assert_close(local.final_state[name], tensor, atol=1e-6, rtol=1e-5)


def test_results_can_be_read_back(simulated) -> None:
    result, folder, _ = simulated
    again = FederatedResult.read(folder / "run" / "result", "simulation")
    assert again.rounds == result.rounds
    assert list(again.table()["round"]) == [1, 2]


def _processes_using(folder: Path) -> list[str]:
    """``pid: command line`` of processes whose command line or environment mentions
    ``folder``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            text = Path(f"/proc/{pid}/cmdline").read_bytes() + Path(
                f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if str(folder).encode() in text and int(pid) != os.getpid():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            found.append(f"{pid}: {cmdline.decode(errors='replace')[:200]}")
    return found
