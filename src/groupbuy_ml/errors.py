"""The library's error families: what a user can fix versus what is a bug.

Every error a user can fix by changing a file, a column, a config field or a request derives
from :class:`UserInputError`; its message is one line (or a short block) that names the file,
column or field, what was expected and the fix. The command line prints such errors without a
traceback and the HTTP app answers them with a 4xx JSON body. Anything else is a bug: it keeps
its traceback (the command line adds a line asking to report it; the HTTP app answers 500 with
an id and logs the traceback under that id).

Which class to raise:

- :class:`ConfigError`: a config field, argument or option holds a value the library cannot use
  (``horizon=0``, an unknown model name, ``mode='mean'``). Name the field as the user writes it.
- :class:`InputNotFoundError`: a file or folder the user named is not there (also a
  ``FileNotFoundError``).
- :class:`UnknownNameError`: a name or id the user gave is not known: a registered model, alias,
  experiment, store id, scene (also a ``LookupError``).
- :class:`InvalidDataError`: the data breaks a rule: too short for the horizon, gaps, no rows
  left. :class:`~groupbuy_ml.data.errors.DataValidationError` (a schema failure listing the
  file, columns and first bad rows) is one.

A check that guards the library's own invariants (arrays of different lengths inside a metric, a
model used before ``fit`` by library code) stays a plain ``ValueError`` / ``RuntimeError``: if it
fires, the library has a bug.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigError", "InputNotFoundError", "InvalidDataError", "UnknownNameError",
           "UserInputError"]


class UserInputError(ValueError):
    """Input or configuration a user can fix; the message names the field and the fix.

    A ``ValueError`` subclass so that callers that already catch ``ValueError`` keep working.
    """


class ConfigError(UserInputError):
    """A config field, argument or option has a value the library cannot use."""

    @classmethod
    def from_validation(cls, error: Any, prefix: str = "", fields: Any = None) -> ConfigError:
        """One line naming each failing field of a pydantic ``ValidationError``.

        Args:
            error: the pydantic ``ValidationError`` (anything with ``errors()``).
            prefix: the config path of the validated mapping, e.g. ``"market"`` for
                ``market.n_days: Input should be greater than 0 (got 0)``.
            fields: the known field names, listed when a key is unknown (a typo).
        """
        parts = []
        for problem in error.errors()[:3]:
            where = ".".join(str(p) for p in (prefix, *problem.get("loc", ())) if p != "")
            if problem.get("type") == "extra_forbidden":
                known = f"; known keys: {', '.join(sorted(fields))}" if fields else ""
                parts.append(f"{where}: no such key{known}")
                continue
            value = problem.get("input")
            got = "" if isinstance(value, dict) or "input" not in problem else f" (got {value!r})"
            parts.append(f"{where or 'config'}: {problem.get('msg')}{got}")
        more = len(error.errors()) - len(parts)
        return cls("; ".join(parts) + (f"; and {more} more" if more > 0 else ""))


class InputNotFoundError(UserInputError, FileNotFoundError):
    """A file or folder the user named does not exist or lacks a file it should hold."""

    def __str__(self) -> str:  # OSError would print "[Errno ...]" prefixes for some arguments
        return str(self.args[0]) if self.args else ""


class UnknownNameError(UserInputError, LookupError):
    """A name or id the user gave (model, alias, experiment, store, scene) is not known."""


class InvalidDataError(UserInputError):
    """The data breaks a rule the library needs (length, regular dates, rows left to use)."""
