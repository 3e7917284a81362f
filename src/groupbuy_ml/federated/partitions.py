"""Which series of a demand panel belong to which federated client.

*Natural* partitions follow who owns the data: one client per location (a store, a pickup
point) or per group of locations sharing attribute values (Rossmann ``store_type`` +
``assortment``, the market's pickup points by ``community_id``). When a spec asks for more
clients than groups, the largest groups are split (by location, in halves) until the count
matches; for fewer clients than groups, groups are packed onto the least-loaded client,
largest first. *Synthetic* skew draws non-IID clients for studies: for each class (a
categorical column such as ``category``, or a quantity quintile of mean demand) a share vector
over clients ~ Dirichlet(alpha), and each series of the class joins a client drawn from it
(Hsu, Qi & Brown 2019, "Measuring the Effects of Non-Identical Data Distribution for Federated
Visual Classification"); small alpha = strong skew.

**Empty clients are an error**, never silently dropped: :class:`~.task.EmptyClientError`
names the client and the fix (fewer clients, a larger alpha, another seed), because a
federation whose size differs from its config would make rounds and metrics incomparable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from groupbuy_ml.data.schemas.panel import SERIES_KEYS, TARGET
from groupbuy_ml.errors import ConfigError
from groupbuy_ml.federated.task import EmptyClientError
from groupbuy_ml.forecasting.series import require_columns

__all__ = ["CLIENT", "SCHEMES", "assign_clients", "client_panel", "pack_groups"]

CLIENT = "client"
SCHEMES = ("location", "group", "dirichlet")


def _series(panel: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    require_columns(panel, [*SERIES_KEYS, *columns], "panel")
    if not columns:
        return panel[list(SERIES_KEYS)].drop_duplicates().sort_values(
            list(SERIES_KEYS)).reset_index(drop=True)
    series = panel.groupby(SERIES_KEYS, sort=True, as_index=False).agg(
        **{c: (c, "first") for c in columns})
    return series.reset_index(drop=True)


def _check_sizes(client: np.ndarray, num_clients: int, fix: str) -> None:
    sizes = np.bincount(client, minlength=num_clients)
    empty = np.flatnonzero(sizes == 0)
    if len(empty):
        raise EmptyClientError(
            f"client(s) {empty.tolist()} of {num_clients} get no series ({fix})")


def pack_groups(weights: np.ndarray, num_clients: int) -> np.ndarray:
    """Client of each unit: largest unit first onto the least-loaded client (LPT rule)."""
    load = np.zeros(num_clients)
    out = np.zeros(len(weights), dtype=np.int64)
    for unit in np.argsort(-weights, kind="stable"):
        out[unit] = int(np.argmin(load))
        load[out[unit]] += weights[unit]
    return out


def _by_groups(series: pd.DataFrame, by: Sequence[str], num_clients: int) -> np.ndarray:
    """Client of each series when groups (of locations) are the units of data ownership."""
    keys = series[list(by)].astype(str).agg("|".join, axis=1) if by else series["location_id"]
    groups: list[np.ndarray] = [np.flatnonzero((keys == k).to_numpy())
                                for k in sorted(pd.unique(keys), key=str)]
    while len(groups) < num_clients:
        largest = max(range(len(groups)), key=lambda g: (len(groups[g]), -g))
        rows = groups[largest]
        locations = np.sort(series.loc[rows, "location_id"].unique())
        if len(locations) < 2:
            raise EmptyClientError(
                f"{num_clients} clients asked for but only {len(groups)} groups can be formed "
                f"(the largest holds a single location); use num_clients <= {len(groups)}")
        half = set(locations[: len(locations) // 2].tolist())
        first = series.loc[rows, "location_id"].isin(half).to_numpy()
        groups[largest:largest + 1] = [rows[first], rows[~first]]
    client_of_group = pack_groups(np.array([len(g) for g in groups], dtype=float), num_clients)
    client = np.zeros(len(series), dtype=np.int64)
    for g, rows in enumerate(groups):
        client[rows] = client_of_group[g]
    return client


def _dirichlet(series: pd.DataFrame, skew_by: str, num_clients: int, alpha: float,
               seed: int) -> np.ndarray:
    if alpha <= 0:
        raise ConfigError(f"alpha must be > 0, got {alpha}")
    if skew_by == "quantity":
        classes = pd.qcut(series["_mean"].rank(method="first"), 5, labels=False).to_numpy()
    else:
        classes = pd.factorize(series[skew_by].astype(str), sort=True)[0]
    rng = np.random.default_rng(seed)
    client = np.zeros(len(series), dtype=np.int64)
    for k in np.unique(classes):
        rows = np.flatnonzero(classes == k)
        shares = rng.dirichlet(np.full(num_clients, float(alpha)))
        client[rows] = rng.choice(num_clients, size=len(rows), p=shares)
    return client


def assign_clients(panel: pd.DataFrame, num_clients: int, scheme: str = "location",
                   by: Sequence[str] = (), skew_by: str = "quantity", alpha: float = 0.5,
                   seed: int = 0) -> pd.DataFrame:
    """The client of every series: ``location_id, product_id, client`` (clients 0..n-1).

    Args:
        panel: a demand panel; ``by`` / ``skew_by`` columns must be constant per series.
        num_clients: clients to form (>= 1).
        scheme: ``"location"`` (groups = locations), ``"group"`` (groups = distinct values of
            ``by``) or ``"dirichlet"`` (synthetic skew over ``skew_by``).
        by: attribute columns of the ``"group"`` scheme.
        skew_by: ``"quantity"`` (quintiles of mean demand) or a categorical column.
        alpha: Dirichlet concentration (small = skewed).
        seed: seeds the Dirichlet draws.

    Raises:
        EmptyClientError: a client would get no series (message names it and the fix).
    """
    if num_clients < 1:
        raise ConfigError(f"num_clients must be >= 1, got {num_clients}")
    if scheme not in SCHEMES:
        raise ConfigError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    if scheme == "group" and not by:
        raise ConfigError("scheme='group' needs `by`: the attribute columns of a group")
    columns = list(by) if scheme == "group" else []
    if scheme == "dirichlet" and skew_by != "quantity":
        columns = [skew_by]
    series = _series(panel, columns)
    if scheme == "dirichlet":
        if skew_by == "quantity":
            require_columns(panel, [TARGET], "panel")
            means = panel.groupby(SERIES_KEYS, sort=True)[TARGET].mean().to_numpy()
            series["_mean"] = means
        client = _dirichlet(series, skew_by, num_clients, alpha, seed)
        _check_sizes(client, num_clients, f"alpha={alpha} and seed={seed} left them out: "
                     "raise alpha, change the seed or use fewer clients")
    else:
        client = _by_groups(series, columns, num_clients)
        _check_sizes(client, num_clients, "more clients than groups of locations: use fewer "
                     "clients")
    return series[list(SERIES_KEYS)].assign(**{CLIENT: client})


def client_panel(panel: pd.DataFrame, assignment: pd.DataFrame, client_id: int) -> pd.DataFrame:
    """The rows of ``panel`` whose series belong to ``client_id`` (EmptyClientError if none)."""
    num_clients = int(assignment[CLIENT].max()) + 1 if len(assignment) else 0
    if not 0 <= client_id < num_clients:
        raise EmptyClientError(
            f"client {client_id} does not exist: the partition has clients 0..{num_clients - 1}; "
            "run with num_clients equal to the partition's num_clients")
    keys = assignment.loc[assignment[CLIENT] == client_id, list(SERIES_KEYS)]
    rows = panel.merge(keys, on=list(SERIES_KEYS))
    if rows.empty:
        raise EmptyClientError(f"client {client_id} holds no rows of the panel")
    return rows.reset_index(drop=True)
