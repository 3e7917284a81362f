"""Checkpoints: 2 rounds + resume for 1 round reach the same global model as 3 rounds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from federated_doubles import InProcessGrid, RegressionTask, serve_in_process

from groupbuy_ml.federated.checkpoint import load_checkpoint
from groupbuy_ml.federated.spec import FederationSpec
from groupbuy_ml.federated.strategies import FedAdam
from groupbuy_ml.federated.task import LocalTraining


def fedadam_spec(tmp_path: Path, rounds: int, checkpoint: Path | None, resume: bool = False,
                 task: RegressionTask | None = None) -> FederationSpec:
    strategy = FedAdam(eta=0.05, min_train_nodes=3, min_evaluate_nodes=3, min_available_nodes=3)
    return FederationSpec(
        task=task or RegressionTask(), strategy=strategy, num_rounds=rounds,
        training=LocalTraining(lr=0.05, batch_size=16, seed=1),
        result_dir=str(tmp_path / f"result_{rounds}_{resume}"),
        checkpoint_dir=str(checkpoint) if checkpoint else None, resume=resume)


def run(spec: FederationSpec):
    return serve_in_process(spec, InProcessGrid([spec] * 3))


def test_resume_continues_where_the_checkpoint_left_off(tmp_path: Path) -> None:
    straight = run(fedadam_spec(tmp_path, 3, None))

    folder = tmp_path / "ckpt"
    first = run(fedadam_spec(tmp_path, 2, folder))
    saved = load_checkpoint(folder)
    assert saved.server_round == 2
    assert sorted(saved.strategy_state) == ["m_t/linear.bias", "m_t/linear.weight",
                                            "v_t/linear.bias", "v_t/linear.weight"]
    for name, tensor in first.final_state.items():
        torch.testing.assert_close(torch.from_numpy(saved.arrays[name].numpy()), tensor)

    resumed = run(fedadam_spec(tmp_path, 3, folder, resume=True))
    assert [r["round"] for r in resumed.rounds] == [1, 2, 3]
    assert json.loads((folder / "checkpoint.json").read_text())["server_round"] == 3
    # FedAdam's moments came back with the checkpoint: without them round 3 would differ.
    for name, tensor in straight.final_state.items():
        torch.testing.assert_close(resumed.final_state[name], tensor, atol=1e-6, rtol=1e-5)


def test_resume_needs_a_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no checkpoint to resume"):
        run(fedadam_spec(tmp_path, 2, tmp_path / "empty", resume=True))
    with pytest.raises(ValueError, match="needs checkpoint_dir"):
        fedadam_spec(tmp_path, 2, None, resume=True)


def test_resume_refuses_another_model(tmp_path: Path) -> None:
    folder = tmp_path / "ckpt"
    run(fedadam_spec(tmp_path, 1, folder))
    with pytest.raises(ValueError, match="other parameters"):
        run(fedadam_spec(tmp_path, 2, folder, resume=True, task=RegressionTask(width=4)))


def test_resumed_privacy_budget_adds_the_checkpointed_rounds(tmp_path: Path) -> None:
    from groupbuy_ml.federated.task import PrivacySettings

    folder = tmp_path / "ckpt"
    privacy = PrivacySettings(target_epsilon=3.0, total_rounds=3)
    first = fedadam_spec(tmp_path, 2, folder)
    first.privacy = privacy
    assert run(first).epsilon_total == pytest.approx(2.0)  # the double spends 1.0 a round
    resumed = fedadam_spec(tmp_path, 3, folder, resume=True)
    resumed.privacy = privacy
    # the clients start counting again (1.0 for round 3); the server adds the 2.0 spent before
    assert run(resumed).rounds[-1]["train"]["epsilon"] == pytest.approx(3.0)
