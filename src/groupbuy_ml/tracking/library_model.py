"""An MLflow pyfunc wrapper around any picklable library model that has ``predict``.

MLflow serialises the wrapper, and the model it holds, with cloudpickle (``python_model.pkl``).
Loading gives back a pyfunc model whose ``predict`` calls ``model.predict(model_input)``;
:func:`unwrap` returns the original object.
"""

from __future__ import annotations

import functools
import importlib.metadata
import sys
from collections.abc import Mapping
from typing import Any

import mlflow.pyfunc

__all__ = ["LibraryModel", "default_pip_requirements", "unwrap"]


class LibraryModel(mlflow.pyfunc.PythonModel):
    """Pyfunc wrapper: ``predict(context, model_input)`` -> ``model.predict(model_input)``."""

    # Any input goes through to the library model unchanged. Without this MLflow 3 wraps
    # ``predict`` for type-hint validation and warns at class creation that hints are missing
    # (and a hint it cannot turn into a schema, e.g. pd.DataFrame, warns on every log_model).
    _skip_type_hint_validation = True

    def __init__(self, model: Any) -> None:
        if not callable(getattr(model, "predict", None)):
            raise TypeError(f"{type(model).__name__} has no predict method to wrap")
        self.model = model

    def predict(self, context, model_input, params=None):
        """Call the wrapped model's ``predict`` on ``model_input``."""
        return self.model.predict(model_input)


@functools.lru_cache(maxsize=1)
def _module_owners() -> Mapping[str, list[str]]:
    return importlib.metadata.packages_distributions()  # scans every installed package: ~2 s


def _distribution_of(obj: Any) -> str | None:
    """The installed distribution that provides ``obj``'s class, if any."""
    top = type(obj).__module__.split(".", 1)[0]
    if top in sys.stdlib_module_names or top in ("builtins", "__main__"):
        return None
    try:  # the usual case: the import name is the distribution name (groupbuy_ml, torch)
        return importlib.metadata.distribution(top).metadata["Name"]
    except importlib.metadata.PackageNotFoundError:
        names = _module_owners().get(top, [])
        return names[0] if names else None


def default_pip_requirements(model: Any) -> list[str]:
    """Pinned requirements for loading ``model``: MLflow, cloudpickle, numpy, pandas and the
    distribution that defines the model's class (e.g. ``groupbuy-ml``, ``lightgbm``).

    Giving these explicitly skips MLflow's requirement inference, which loads the model in a
    subprocess and takes ~10 s.
    """
    packages = ["mlflow", "cloudpickle", "numpy", "pandas"]
    own = _distribution_of(model)
    if own and own not in packages:
        packages.append(own)
    pins = []
    for name in packages:
        try:
            pins.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return pins


def unwrap(pyfunc_model: Any) -> Any:
    """The library object inside a loaded pyfunc model (the pyfunc model if it is not ours)."""
    try:
        inner = pyfunc_model.unwrap_python_model()
    except Exception:  # a flavour that is not a custom Python model
        return pyfunc_model
    return inner.model if isinstance(inner, LibraryModel) else inner
