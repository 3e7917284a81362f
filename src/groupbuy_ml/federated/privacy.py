"""Client-side DP-SGD with Opacus for federated rounds (Abadi et al. 2016, CCS).

A client's whole participation is one DP-SGD run spread over ``total_rounds`` rounds: the noise
multiplier is calibrated once with :func:`opacus.accountants.utils.get_noise_multiplier` for all
the local steps of all rounds (Poisson sampling at rate ``1 / batches``), so the client ends at
most at ``(target_epsilon, target_delta)`` on its own examples (record-level DP for the
client's data; Flower's secure aggregation / central DP are separate, server-side layers).

Flower simulation builds a fresh client (and model) every round, so the accountant cannot live
in memory: the steps taken so far are kept in the client's ``state`` dict, and the RDP
accountant's history is rebuilt from them each round (Mironov 2017, "Rényi Differential
Privacy", for the accounting).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from opacus import PrivacyEngine
from opacus.accountants import RDPAccountant
from opacus.accountants.utils import get_noise_multiplier
from opacus.validators import ModuleValidator
from torch import nn
from torch.utils.data import DataLoader

from groupbuy_ml.errors import ConfigError, InvalidDataError
from groupbuy_ml.federated.task import PrivacySettings

__all__ = [
    "DP_STEPS",
    "PrivateTraining",
    "check_private_model",
    "epsilon_spent",
    "make_private",
    "noise_multiplier",
    "steps_per_round",
]

DP_STEPS = "dp_steps"  # key of the client state holding the DP-SGD steps taken so far
DP_NOISE = "dp_noise_multiplier"
DP_RATE = "dp_sample_rate"


def check_private_model(model: nn.Module) -> None:
    """Raise ``ValueError`` if Opacus cannot compute per-example gradients of ``model``.

    ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` are named with their Opacus replacement
    (``opacus.layers.DPLSTM`` ...), other layers with Opacus' own validation message.
    """
    rnn = [name for name, m in model.named_modules()
           if type(m) in (nn.LSTM, nn.GRU, nn.RNN)]
    if rnn:
        raise ConfigError(
            f"module(s) {rnn} are torch.nn recurrent layers, which Opacus cannot clip per "
            "example; build the model with opacus.layers.DPLSTM / DPGRU / DPRNN instead "
            "(same arguments and outputs)"
        )
    errors = ModuleValidator.validate(model, strict=False)
    if errors:
        raise ConfigError(f"model is not DP-compatible: {[str(e) for e in errors]}; see "
                          "opacus.validators.ModuleValidator.fix")


def steps_per_round(num_examples: int, batch_size: int, epochs: int,
                    max_steps: int | None) -> int:
    """Local DP-SGD steps of one round: ``epochs`` x ceil(n / batch), capped by ``max_steps``."""
    if num_examples < 1:
        raise InvalidDataError("a DP client needs at least one training example")
    batches = -(-num_examples // max(batch_size, 1))
    steps = batches * max(epochs, 1)
    return min(steps, max_steps) if max_steps else steps


def noise_multiplier(privacy: PrivacySettings, sample_rate: float, round_steps: int) -> float:
    """Noise multiplier spending ``(target_epsilon, target_delta)`` after ``total_rounds``
    rounds of ``round_steps`` DP-SGD steps at ``sample_rate`` (RDP accountant)."""
    if privacy.target_epsilon <= 0 or not 0 < privacy.target_delta < 1:
        raise ConfigError(f"target_epsilon must be > 0 and target_delta in (0, 1), got "
                          f"{privacy.target_epsilon}, {privacy.target_delta}")
    if privacy.total_rounds < 1:
        raise ConfigError(f"total_rounds must be >= 1, got {privacy.total_rounds}")
    return get_noise_multiplier(target_epsilon=privacy.target_epsilon,
                                target_delta=privacy.target_delta, sample_rate=sample_rate,
                                steps=round_steps * privacy.total_rounds, accountant="rdp")


def _accountant(state: dict[str, float]) -> RDPAccountant:
    accountant = RDPAccountant()
    steps = int(state.get(DP_STEPS, 0))
    if steps:
        accountant.history = [(float(state[DP_NOISE]), float(state[DP_RATE]), steps)]
    return accountant


def epsilon_spent(state: dict[str, float], delta: float) -> float:
    """Epsilon spent by the DP-SGD steps recorded in a client's ``state`` (0 before any)."""
    if not int(state.get(DP_STEPS, 0)):
        return 0.0
    return float(_accountant(state).get_epsilon(delta))


@dataclass
class PrivateTraining:
    """What :func:`make_private` returns: the private optimizer and Poisson loader, and the
    Opacus engine whose accountant continues the client's history."""

    optimizer: torch.optim.Optimizer
    loader: DataLoader
    engine: PrivacyEngine
    noise_multiplier: float
    sample_rate: float
    hooks: object

    def finish(self, state: dict[str, float], delta: float) -> float:
        """Record the steps of this round in ``state``, detach Opacus, return epsilon so far."""
        history = self.engine.accountant.history
        state[DP_STEPS] = float(sum(steps for _, _, steps in history))
        state[DP_NOISE], state[DP_RATE] = self.noise_multiplier, self.sample_rate
        cleanup = getattr(self.hooks, "cleanup", None)
        if cleanup is not None:
            cleanup()
        return epsilon_spent(state, delta)


def make_private(model: nn.Module, optimizer: torch.optim.Optimizer, loader: DataLoader,
                 privacy: PrivacySettings, round_steps: int, state: dict[str, float],
                 seed: int | None = None) -> PrivateTraining:
    """Attach DP-SGD to ``model`` (in place, parameter names unchanged) for one round.

    The noise is calibrated for ``round_steps`` x ``privacy.total_rounds`` steps; the stored
    noise multiplier is reused when ``state`` already holds one (the same client, a later round).

    Raises:
        ValueError: when the model has layers Opacus cannot clip, or the budget is exhausted
            (every round of ``total_rounds`` was already trained).
    """
    check_private_model(model)
    sample_rate = 1.0 / len(loader)
    done = int(state.get(DP_STEPS, 0))
    if done >= round_steps * privacy.total_rounds:
        raise ConfigError(f"the DP budget of total_rounds={privacy.total_rounds} rounds is spent "
                          f"({done} steps taken); raise PrivacySettings.total_rounds")
    sigma = float(state.get(DP_NOISE) or noise_multiplier(privacy, sample_rate, round_steps))
    engine = PrivacyEngine(accountant="rdp")
    engine.accountant = _accountant(state)
    generator = torch.Generator().manual_seed(int(seed)) if seed is not None else None
    hooks, optimizer, private_loader = engine.make_private(
        module=model, optimizer=optimizer, data_loader=loader, noise_multiplier=sigma,
        max_grad_norm=privacy.max_grad_norm, poisson_sampling=True, wrap_model=False,
        noise_generator=generator)
    return PrivateTraining(optimizer, private_loader, engine, sigma, sample_rate, hooks)
