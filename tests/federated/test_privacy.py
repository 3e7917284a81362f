"""Opacus wiring: whole-run noise calibration, accountant rebuilt from client state, rejections."""

from __future__ import annotations

import pytest
import torch
from opacus.accountants import RDPAccountant
from opacus.layers import DPLSTM
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from groupbuy_ml.federated.privacy import (
    DP_STEPS,
    check_private_model,
    epsilon_spent,
    make_private,
    noise_multiplier,
    steps_per_round,
)
from groupbuy_ml.federated.task import PrivacySettings


class Recurrent(nn.Module):
    def __init__(self, layer: type[nn.Module]) -> None:
        super().__init__()
        self.rnn = layer(3, 4, batch_first=True)
        self.head = nn.Linear(4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def one_round(state: dict[str, float], privacy: PrivacySettings, seed: int) -> float:
    """A client round as Flower simulation runs it: a fresh model, optimizer and engine."""
    torch.manual_seed(seed)
    model = Recurrent(DPLSTM)
    data = TensorDataset(torch.randn(64, 5, 3), torch.randn(64, 1))
    loader = DataLoader(data, batch_size=16)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    steps = steps_per_round(len(data), 16, epochs=1, max_steps=None)
    private = make_private(model, optimizer, loader, privacy, steps, state, seed)
    for x, y in private.loader:
        private.optimizer.zero_grad()
        if len(x):
            nn.functional.mse_loss(model(x), y).backward()
        private.optimizer.step()
    assert [n for n, _ in model.named_parameters()][0] == "rnn.weight_ih_l0"  # names kept
    return private.finish(state, privacy.target_delta)


def test_epsilon_grows_with_rounds_and_ends_within_budget() -> None:
    privacy = PrivacySettings(target_epsilon=4.0, target_delta=1e-5, total_rounds=3)
    state: dict[str, float] = {}
    spent = [one_round(state, privacy, seed) for seed in range(3)]
    assert spent[0] < spent[1] < spent[2] <= 4.0
    assert spent[2] > 3.5  # calibrated for the whole run, not per round
    assert state[DP_STEPS] == 3 * steps_per_round(64, 16, 1, None)
    # the rebuilt history gives what one accountant over all steps gives
    accountant = RDPAccountant()
    accountant.history = [(state["dp_noise_multiplier"], state["dp_sample_rate"], 12)]
    assert epsilon_spent(state, 1e-5) == pytest.approx(accountant.get_epsilon(1e-5))
    with pytest.raises(ValueError, match="budget of total_rounds=3"):
        one_round(state, privacy, 3)


def test_noise_calibration() -> None:
    short = noise_multiplier(PrivacySettings(8.0, total_rounds=1), 0.1, 10)
    long = noise_multiplier(PrivacySettings(8.0, total_rounds=10), 0.1, 10)
    assert long > short > 0
    assert epsilon_spent({}, 1e-5) == 0.0
    assert steps_per_round(100, 32, 2, None) == 8 and steps_per_round(100, 32, 2, 5) == 5
    with pytest.raises(ValueError, match="target_epsilon"):
        noise_multiplier(PrivacySettings(0.0), 0.1, 10)


def test_nn_lstm_is_rejected_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"\['rnn'\].*opacus.layers.DPLSTM"):
        check_private_model(Recurrent(nn.LSTM))
    model = Recurrent(nn.LSTM)
    loader = DataLoader(TensorDataset(torch.randn(8, 5, 3)), batch_size=4)
    with pytest.raises(ValueError, match="DPLSTM"):
        make_private(model, torch.optim.SGD(model.parameters(), lr=0.1), loader,
                     PrivacySettings(8.0), 2, {})
    check_private_model(Recurrent(DPLSTM))  # accepted
    with pytest.raises(ValueError, match="BatchNorm"):
        check_private_model(nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3)))
