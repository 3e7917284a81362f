"""Product selection: the CP-SAT program honours its constraints; every config runs."""

import numpy as np
import pytest

from groupbuy_ml.errors import ConfigError
from groupbuy_ml.selection import OptimisedAssortment, TopSellers
from groupbuy_ml.selection.assortment import AssortmentProblem, solve_assortment


def problem(**kw) -> AssortmentProblem:
    base = dict(value=np.array([10.0, 9.0, 8.0, 1.0, -2.0]),
                volume=np.array([5.0, 5.0, 5.0, 1.0, 1.0]),
                cold=np.array([True, True, False, False, False]),
                category=np.array(["a", "a", "b", "c", "d"]),
                eligible=np.ones(5, bool), must=np.zeros(5, bool), max_products=3,
                capacity=100.0, cold_capacity=100.0, min_categories=1)
    return AssortmentProblem(**{**base, **kw})


def test_best_value_within_slots_and_cold_storage() -> None:
    chosen, status = solve_assortment(problem())
    assert status == "optimal" and chosen.tolist() == [True, True, True, False, False]
    chosen, _ = solve_assortment(problem(cold_capacity=6.0))  # one cold product fits
    assert chosen.tolist() == [True, False, True, True, False]


def test_variety_and_must_keep_products_are_honoured() -> None:
    chosen, _ = solve_assortment(problem(min_categories=4, max_products=4))
    assert set(problem().category[chosen]) == {"a", "b", "c", "d"}
    chosen, _ = solve_assortment(problem(must=np.array([False] * 4 + [True])))
    assert chosen[4] and chosen.sum() == 3


def test_an_infeasible_program_is_relaxed_and_says_so() -> None:
    chosen, status = solve_assortment(problem(capacity=0.5, must=np.array([True] + [False] * 4)))
    assert status == "relaxed" and chosen[0]


def test_an_empty_assortment_is_refused() -> None:
    with pytest.raises(ConfigError, match="max_products"):
        solve_assortment(problem(max_products=0))
    with pytest.raises(ConfigError, match="max_products"):
        TopSellers(max_products=0)
    with pytest.raises(ConfigError, match="max_products"):
        OptimisedAssortment(max_products=0)
