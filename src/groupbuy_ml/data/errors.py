"""Errors raised by the data layer."""

from __future__ import annotations

from groupbuy_ml.errors import InvalidDataError


class DataValidationError(InvalidDataError):
    """A table failed its schema.

    The message names the source (file or table), each failing column, what was expected and
    the first offending rows, so the user can fix the input without reading a stack trace.

    Attributes:
        source: the file path or table name that was validated.
        problems: one entry per failing (column, check) with ``column``, ``expected``,
            ``count`` and ``examples`` (a list of ``(row, value)`` pairs); an optional ``row_label``
            (default ``"row"``) says what the row numbers count, e.g. ``"line"`` for 1-based lines
            of a text file.
    """

    def __init__(self, source: str, problems: list[dict]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self._format())

    def _format(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} schema problem(s)"]
        for p in self.problems:
            label = p.get("row_label", "row")
            shown = ", ".join(f"{label} {r}: {v!r}" for r, v in p["examples"])
            rows = f" ({p['count']} failing value(s)); first bad {label}s: {shown}" if shown else ""
            lines.append(f"  - column {p['column']!r}: expected {p['expected']}{rows}")
        return "\n".join(lines)
