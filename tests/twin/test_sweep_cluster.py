"""A sweep as Ray tasks across a two-node Ray cluster on loopback, collected into one MLflow
experiment on a tracking server backed by PostgreSQL, as a team would run it (slow: it starts
PostgreSQL, an MLflow server and two Ray nodes; docs/tracking.md describes the server set-up)."""

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

import pytest

from groupbuy_ml.twin import PolicySet, RunSpec, TwinConfig
from groupbuy_ml.twin.ordering_policy import BaseStock, LastWeekSales

pytestmark = [pytest.mark.slow, pytest.mark.server]
BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("GROUPBUY_PG_BIN", "/usr/lib/postgresql/15/bin"))
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _wait(check, what: str, log: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not come up:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[str]:
    """A throw-away PostgreSQL on loopback with a database ``mlflow``; yields its URI."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"no PostgreSQL in {PG_BIN} (apt-get install postgresql; or GROUPBUY_PG_BIN)")
    pytest.importorskip("psycopg2")
    data = Path(f"/tmp/gbpg{os.getpid()}")
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data / "db"), "-U", "mlflow",
                                 "--auth=trust"]), check=True, capture_output=True)
    port = _port()
    log = data / "pg.log"
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data / "db"), "-l", str(log),
                                 "-w", "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
                                 "start"]), check=True, capture_output=True)
    try:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=port, user="mlflow", dbname="postgres")
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE mlflow")
        conn.close()
        yield f"postgresql+psycopg2://mlflow@127.0.0.1:{port}/mlflow"
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data / "db"), "-m",
                                     "fast", "stop"]), capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def mlflow_on_postgres(postgres: str, tmp_path: Path) -> Iterator[str]:
    port = _port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "mlflow.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING")}
    env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    server = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", postgres,
         "--artifacts-destination", str(tmp_path / "artifacts"), "--serve-artifacts",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=tmp_path, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return server.poll() is not None and pytest.fail(log.read_text()[-3000:])

    try:
        _wait(healthy, "mlflow server on PostgreSQL", log, timeout=180)
        yield url
    finally:
        _stop(server)


@pytest.fixture
def ray_two_nodes(tmp_path: Path) -> Iterator[str]:
    """``ray start --head`` and a second ``ray start --address`` on loopback (1 CPU each)."""
    port = _port()
    temp = f"/tmp/rtw{os.getpid()}"
    env = {**os.environ, "PYTHONPATH": f"{SRC}:{os.environ.get('PYTHONPATH', '')}",
           "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}  # loopback only
    common = ["--num-cpus=1", "--block", "--disable-usage-stats"]
    logs = [tmp_path / "ray_head.log", tmp_path / "ray_worker.log"]
    head = subprocess.Popen(
        [str(BIN / "ray"), "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1",
         "--include-dashboard=false", f"--temp-dir={temp}", *common],
        env=env, stdout=logs[0].open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    procs = [head]
    address = f"127.0.0.1:{port}"
    try:
        _wait(lambda: "Ray runtime started" in logs[0].read_text(), "ray head", logs[0])
        worker = subprocess.Popen(
            [str(BIN / "ray"), "start", f"--address={address}", "--node-ip-address=127.0.0.1",
             *common], env=env, stdout=logs[1].open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        procs.append(worker)
        _wait(lambda: "Ray runtime started" in logs[1].read_text(), "ray worker", logs[1])
        yield address
    finally:
        for p in reversed(procs):
            _stop(p)
        shutil.rmtree(temp, ignore_errors=True)


def test_sweep_runs_on_both_nodes_into_one_postgres_backed_experiment(
        ray_two_nodes: str, mlflow_on_postgres: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from mlflow.tracking import MlflowClient

    from groupbuy_ml.twin.sweep import grid, run_sweep

    monkeypatch.setenv("PYTHONPATH", f"{SRC}:{os.environ.get('PYTHONPATH', '')}")
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    config = TwinConfig(market={"n_pickup_points": 4, "n_products": 14, "n_suppliers": 5,
                                "households_per_pickup_point": 40},
                        warm_up_days=8, burn_in_days=2, days=4, delivery={"mode": "off"})
    specs = grid([RunSpec(config, PolicySet(ordering=LastWeekSales()), name="naive"),
                  RunSpec(config, PolicySet(ordering=BaseStock()), name="base_stock")],
                 seeds=[1, 2, 3])
    done = run_sweep(specs, address=ray_two_nodes, experiment="twin_sweep",
                     tracking_uri=mlflow_on_postgres, root=str(tmp_path))
    assert sorted(r.result.name for r in done) == sorted(s.name for s in specs)
    assert len({r.node.split(":")[-1] for r in done}) == 2, [r.node for r in done]
    client = MlflowClient(mlflow_on_postgres)
    exp = client.get_experiment_by_name("twin_sweep")
    runs = client.search_runs([exp.experiment_id])
    assert len(runs) == 6 and {r.info.status for r in runs} == {"FINISHED"}
    assert {r.data.tags["ray_node"] for r in runs} == {r.node for r in done}
    one = next(r for r in runs if r.info.run_name == "naive-seed2")
    mine = next(r for r in done if r.result.name == "naive-seed2")
    assert one.data.metrics["fill_rate"] == pytest.approx(mine.result.kpis["fill_rate"])
    steps = client.get_metric_history(one.info.run_id, "day.fill_rate")
    assert sorted(m.step for m in steps) == [10, 11, 12, 13]
