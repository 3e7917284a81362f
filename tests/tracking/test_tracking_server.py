"""End to end against a real ``mlflow server`` process on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from groupbuy_ml.tracking import (
    champion_info,
    load_champion,
    promote,
    resolve_tracking,
    tracked_run,
    tracking_client,
)

START_TIMEOUT_S = 60.0


class Doubler:
    def predict(self, x):
        return np.asarray(x, dtype=float) * 2


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    """Stop the server and the workers it spawned (they share its new process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def mlflow_server(tmp_path: Path, template_db: Path) -> Iterator[tuple[str, Path]]:
    """``(url, artifacts folder)`` of a running server with a SQLite backend in tmp_path."""
    folder = tmp_path / "server"
    folder.mkdir()
    db = folder / "mlflow.db"
    shutil.copyfile(template_db, db)  # skip the ~7 s schema migration at start-up
    artifacts = folder / "artifacts"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING")}
    # MLflow 3.17's server also starts a job runner and seven huey consumer processes by
    # default (for GenAI jobs); on two cores that triples start-up time. Runs don't need them.
    env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    log = (folder / "server.log").open("w+")
    options = {
        "--backend-store-uri": f"sqlite:///{db}",
        "--artifacts-destination": str(artifacts),
        "--host": "127.0.0.1",
        "--port": str(port),
        "--workers": "1",
    }
    command = [sys.executable, "-m", "mlflow", "server", "--serve-artifacts"]
    command += [part for pair in options.items() for part in pair]
    process = subprocess.Popen(
        command,
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"mlflow server did not become healthy:\n{log.read()[-4000:]}")
            time.sleep(0.25)
        yield url, artifacts
    finally:
        _stop(process)
        log.close()


@pytest.mark.server
def test_run_and_registry_through_a_tracking_server(
    mlflow_server: tuple[str, Path], project: Path
) -> None:
    url, artifacts = mlflow_server
    target = resolve_tracking(url, project)
    assert target.is_server and target.artifact_root is None

    with tracked_run("served", "doubler", {"seed": 1}, target, {"panel": "f" * 64}) as run:
        run.log_history([{"loss": 1.0}, {"loss": 0.5}])
        run.log_metrics({"wape": 0.125})
        run.log_python_model(Doubler())
    promotion = promote("served", "wape", target)
    assert (promotion.version, promotion.run_id, promotion.value) == (1, run.run_id, 0.125)

    client = tracking_client(target)
    assert client.get_model_version_by_alias("served", "champion").version in ("1", 1)
    info = champion_info("served", target)
    assert info is not None and info.run_id == run.run_id
    finished = client.get_run(run.run_id)
    assert finished.data.params["data.fingerprint.panel"] == "f" * 64
    assert [m.value for m in client.get_metric_history(run.run_id, "loss")] == [1.0, 0.5]
    experiment = client.get_experiment(finished.info.experiment_id)
    assert experiment.artifact_location.startswith("mlflow-artifacts:")
    # the server stored the artifacts where it was told to; nothing went to the project
    assert any(p.name == "config.yaml" for p in artifacts.rglob("*"))
    assert any(p.name == "python_model.pkl" for p in artifacts.rglob("*"))
    assert not (project / "mlflow").exists()

    np.testing.assert_allclose(load_champion("served", target).predict([1.5]), [3.0])
