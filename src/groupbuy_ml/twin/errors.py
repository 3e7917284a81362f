"""Errors of the twin a user can fix: a bad city, scenario or policy output, named by field."""

from __future__ import annotations

from groupbuy_ml.errors import UserInputError


class TwinConfigError(UserInputError):
    """The city or run configuration cannot be simulated (names the field and the fix)."""


class ScenarioError(UserInputError):
    """A what-if scenario names something the city does not have, or an impossible span."""


class PolicyOutputError(UserInputError):
    """A policy returned something the twin cannot apply (names the policy, field and rows)."""
