"""How the command line reports a failure: one line for what the user can fix, a traceback and a
line asking for a bug report for everything else.

What the user can fix: a :class:`~groupbuy_ml.errors.UserInputError` (a file, column, config
field or request the message names), and the config errors Hydra and OmegaConf raise while
composing the command's config (an unknown key, a missing option, an override that does not
parse, a mandatory value left unset), each turned into one line naming the key. Nothing else
is guessed to be the user's fault: a ``KeyError`` or ``ValueError`` from inside the library is a
bug and keeps its traceback.
"""

from __future__ import annotations

import sys
import traceback

from hydra.errors import (
    CompactHydraException,
    InstantiationException,
    MissingConfigException,
    OverrideParseException,
)
from omegaconf.errors import (
    InterpolationResolutionError,
    MissingMandatoryValue,
    OmegaConfBaseException,
)

import groupbuy_ml
from groupbuy_ml.errors import UserInputError

__all__ = ["ISSUES_URL", "bug_line", "report_failure", "user_message"]

ISSUES_URL = "https://example.invalid/groupbuy-ml/issues"


def user_message(error: BaseException) -> str | None:
    """The one-line message of an error the user can fix, or ``None`` for a bug."""
    if isinstance(error, UserInputError):
        return str(error)
    if isinstance(error, InstantiationException):
        return _instantiation(error)
    if isinstance(error, MissingConfigException):
        return _missing_config(error)
    if isinstance(error, OverrideParseException):
        first = str(error).splitlines()[0] if str(error) else "it does not parse"
        return (f"cannot parse the override {error.override!r}: {first} (syntax: "
                "https://hydra.cc/docs/advanced/override_grammar/basic/)")
    if isinstance(error, CompactHydraException):
        return _composition(error)
    if isinstance(error, MissingMandatoryValue | InterpolationResolutionError):
        return f"{_key_of(error)}: {_first_line(error)}"
    return None


def bug_line(command: str) -> str:
    """The line printed under a bug's traceback."""
    return (f"groupbuy {command}: this is a bug in groupbuy-ml {groupbuy_ml.__version__}, not a "
            f"problem with your input; please report it at {ISSUES_URL} with the command and "
            "the traceback above")


def report_failure(command: str, error: BaseException) -> SystemExit:
    """Print ``error`` as the CLI reports it and return the ``SystemExit`` to raise."""
    message = user_message(error)
    if message is not None:
        return SystemExit(f"groupbuy {command}: {message}")
    traceback.print_exception(error, file=sys.stderr)
    print(bug_line(command), file=sys.stderr)
    return SystemExit(1)


def _instantiation(error: InstantiationException) -> str | None:
    cause = error.__cause__
    if isinstance(cause, UserInputError):
        return str(cause)
    text = str(error)
    if isinstance(cause, ImportError | AttributeError) and "Error locating target" in text:
        target = text.split("'", 2)[1] if text.count("'") >= 2 else "?"
        return f"_target_={target}: no such class or function to build (check the config's " \
            "_target_ and the spelling)"
    if isinstance(cause, TypeError) and any(
            s in str(cause) for s in ("unexpected keyword argument", "required positional",
                                      "required keyword")):
        target = text.split("'", 2)[1] if text.count("'") >= 2 else "the target"
        return f"{target}: {cause} (a config key that the class does not take, or lacks)"
    return None


def _missing_config(error: MissingConfigException) -> str:
    wanted = error.missing_cfg_file or ""
    group, _, option = wanted.rpartition("/")
    options = ", ".join(error.options or [])
    if group:
        return (f"{group}={option}: no such config in configs/{group}/"
                + (f"; choose one of: {options}" if options else ""))
    return _first_line(error)


def _composition(error: CompactHydraException) -> str:
    """Hydra's "Could not override 'x'" and similar, with the OmegaConf cause, in one line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    cause = error.__cause__
    if isinstance(cause, OmegaConfBaseException) and lines and lines[0].startswith(
            "Could not override"):
        key = lines[0].split("'")[1] if lines[0].count("'") >= 2 else _key_of(cause)
        if "not in struct" in str(cause):
            parent = getattr(cause, "parent_node", None)
            known = sorted(str(k) for k in parent) if hasattr(parent, "keys") else []
            listed = f"; keys there: {', '.join(known)}" if known else ""
            return f"{key}: no such key in the config{listed} (check the spelling)"
        return f"{key}: {_first_line(cause)}"
    return "; ".join(lines) or type(error).__name__


def _key_of(error: OmegaConfBaseException) -> str:
    return str(getattr(error, "full_key", None) or getattr(error, "key", None) or "config")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
