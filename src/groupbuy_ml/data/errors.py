"""Errors raised by the data layer."""

from __future__ import annotations


class DataValidationError(ValueError):
    """A table failed its schema.

    The message names the source (file or table), each failing column, what was expected and
    the first offending rows, so the user can fix the input without reading a stack trace.

    Attributes:
        source: the file path or table name that was validated.
        problems: one entry per failing (column, check) with ``column``, ``expected``,
            ``count`` and ``examples`` (a list of ``(row, value)`` pairs).
    """

    def __init__(self, source: str, problems: list[dict]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self._format())

    def _format(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} schema problem(s)"]
        for p in self.problems:
            shown = ", ".join(f"row {r}: {v!r}" for r, v in p["examples"])
            rows = f"; first bad rows: {shown}" if shown else ""
            lines.append(
                f"  - column {p['column']!r}: expected {p['expected']} "
                f"({p['count']} failing value(s)){rows}"
            )
        return "\n".join(lines)
