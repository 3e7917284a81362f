"""Blurring-sharpening process models (BSPM).

Choi, Hong, Park, Park. "Blurring-Sharpening Process Models for Collaborative Filtering."
SIGIR 2023 (arXiv:2211.09324). A user's interaction row ``x`` is first blurred by the heat
equation on the normalised item graph ``P = R~^T R~`` (see :mod:`.item_graph`), then sharpened
by running the opposite process:

    blurring    dx/dt = x (P - I)     from x(0) = r_u,            t in [0, T_b]
    ideal       x_idl = r_u D_I^-1/2 V_k V_k^T D_I^1/2             (GF-CF's low-pass term)
    sharpening  dx/dt = -x P          from x_b(T_b) + beta x_idl,  t in [0, T_s]

(the paper's "early merge": the ideal low-pass term joins before sharpening). Both processes
are linear in ``x``, so ``K`` explicit Euler or RK4 steps of either are a polynomial in ``P``:
:func:`process_polynomial` obtains its coefficients by running the very same steps on
polynomials, and scoring applies the product polynomial to a batch of rows by Horner's rule.
The ideal term is folded through the sharpening polynomial once at fit time
(``V_k^T D_I^1/2 q(P)``, k x num_items), so neither ``P`` nor any score matrix is formed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import scipy.sparse as sp
import torch
from numpy.polynomial import Polynomial

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.recommendation.models.item_graph import (
    ItemGraph,
    item_rows,
    polynomial_product,
)
from groupbuy_ml.recommendation.models.recommender import Recommender

State = TypeVar("State")


def euler_step(f: Callable[[State], State], x: State, h: float) -> State:
    """One explicit Euler step of ``dx/dt = f(x)``."""
    return x + h * f(x)  # type: ignore[operator]


def rk4_step(f: Callable[[State], State], x: State, h: float) -> State:
    """One classical fourth-order Runge-Kutta step of the autonomous ``dx/dt = f(x)``."""
    k1 = f(x)
    k2 = f(x + (h / 2) * k1)  # type: ignore[operator]
    k3 = f(x + (h / 2) * k2)  # type: ignore[operator]
    k4 = f(x + h * k3)  # type: ignore[operator]
    return x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4)  # type: ignore[operator]


SOLVERS = {"euler": euler_step, "rk4": rk4_step}
_P = Polynomial([0.0, 1.0])


def process_polynomial(process: str, time: float, steps: int, solver: str) -> np.ndarray:
    """Coefficients ``c`` (lowest degree first) with ``x(time) = x(0) sum_j c_j P^j`` after
    ``steps`` equal steps of ``solver`` on the blurring (``dx/dt = x (P - I)``) or sharpening
    (``dx/dt = -x P``) process. ``time = 0`` gives the identity."""
    if solver not in SOLVERS:
        raise ConfigError(f"unknown ODE solver {solver!r}: use one of {sorted(SOLVERS)}")
    if process not in ("blurring", "sharpening"):
        raise ConfigError(f"unknown process {process!r}: 'blurring' or 'sharpening'")
    if time < 0 or steps < 1:
        raise ConfigError(f"{process} needs time >= 0 and steps >= 1 "
                                 f"(got time={time}, steps={steps})")
    def rhs(c: Polynomial) -> Polynomial:
        return c * _P - c if process == "blurring" else -(c * _P)
    state, step = Polynomial([1.0]), SOLVERS[solver]
    for _ in range(steps if time > 0 else 0):
        state = step(rhs, state, time / steps)
    return np.trim_zeros(state.coef, "b") if np.any(state.coef) else np.zeros(1)


class BSPM(Recommender):
    """BSPM-EM (Choi et al. 2023): blur, add the ideal low-pass term, sharpen; closed form.

    Args:
        sharpen_time: ``T_s``, how far the sharpening process runs (paper, Gowalla: 2.5).
        sharpen_steps: ``K_s``, steps of the sharpening solver (paper, Gowalla: 1).
        sharpen_solver: ``"rk4"`` (paper, Gowalla) or ``"euler"``.
        idl_beta: weight ``beta`` of the ideal low-pass term (paper, Gowalla: 0.2; 0 = off).
        n_components: ``k`` singular vectors of the ideal term (paper, Gowalla: 448).
        blur_time, blur_steps, blur_solver: the blurring process (paper: 1, 1, Euler, which
            gives ``x P``, the linear filter of GF-CF).
        seed, svd_iterations: of the randomised SVD.
        batch_size: rows propagated at once while folding the ideal term at fit time.
    """

    def __init__(self, sharpen_time: float = 2.5, sharpen_steps: int = 1,
                 sharpen_solver: str = "rk4", idl_beta: float = 0.2, n_components: int = 448,
                 blur_time: float = 1.0, blur_steps: int = 1, blur_solver: str = "euler",
                 seed: int = 0, svd_iterations: int = 4, batch_size: int = 512) -> None:
        self.sharpen_time, self.sharpen_steps = sharpen_time, sharpen_steps
        self.sharpen_solver, self.idl_beta = sharpen_solver, idl_beta
        self.n_components = n_components
        self.blur_time, self.blur_steps, self.blur_solver = blur_time, blur_steps, blur_solver
        self.seed, self.svd_iterations, self.batch_size = seed, svd_iterations, batch_size
        # checked here, so that a bad config fails before any work
        self.sharpen_ = process_polynomial("sharpening", sharpen_time, sharpen_steps,
                                           sharpen_solver)
        self.blur_ = process_polynomial("blurring", blur_time, blur_steps, blur_solver)

    def fit(self, train: sp.csr_matrix) -> BSPM:
        self.train_matrix_ = sp.csr_matrix(train, dtype=np.float32)
        self.graph_ = ItemGraph(self.train_matrix_)
        self.coefficients_ = polynomial_product(self.blur_, self.sharpen_)
        self.components_ = self.folded_ = None
        if self.idl_beta and self.n_components:
            v = self.graph_.singular_vectors(self.n_components, self.seed, self.svd_iterations)
            self.components_ = v * torch.from_numpy(self.graph_.degree_power(-0.5)
                                                    .astype(np.float32))[:, None]
            right = (v.T * torch.from_numpy(self.graph_.degree_power(0.5).astype(np.float32)))
            self.folded_ = torch.cat([  # V^T D^1/2 q(P), in row batches
                self.graph_.apply_polynomial(right[lo:lo + self.batch_size], self.sharpen_)
                for lo in range(0, right.shape[0], self.batch_size)])
        return self

    def score(self, users: np.ndarray) -> torch.Tensor:
        users = self._check_users(users)
        return self._scores(torch.from_numpy(self.train_matrix_[users].toarray()))

    def score_rows(self, rows: sp.spmatrix | np.ndarray) -> torch.Tensor:
        """Scores for interaction rows the model was not fitted on (a new household's first
        events): the processes only need the row itself."""
        return self._scores(item_rows(rows, self.train_matrix_.shape[1]))

    def _scores(self, rows: torch.Tensor) -> torch.Tensor:
        out = self.graph_.apply_polynomial(rows, self.coefficients_)
        if self.folded_ is not None:
            out += self.idl_beta * ((rows @ self.components_) @ self.folded_)
        return out
