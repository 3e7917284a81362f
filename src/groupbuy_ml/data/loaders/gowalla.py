"""Interaction files in the LightGCN / NGCF format, and the Gowalla split itself.

Gowalla: implicit user-location check-in graph, 10-core, per-user 80/20 split as used by NGCF and
LightGCN (29,858 users, 40,981 items, 810,128 train / 217,242 test interactions).
Citations: E. Cho, S. A. Myers, J. Leskovec, "Friendship and mobility: user movement in
location-based social networks", KDD 2011 (SNAP loc-gowalla); X. Wang et al., "Neural Graph
Collaborative Filtering", SIGIR 2019; X. He et al., "LightGCN: Simplifying and Powering Graph
Convolution Network for Recommendation", SIGIR 2020. Research use. See ``data/cards/gowalla.md``.

Format: one line per user, ``user_id item_id item_id ...`` (non-negative integers separated by
spaces). A line with only a user id lists a user without interactions in that file: the user
counts towards ``num_users`` and is recorded in ``frame.attrs["users_without_items"]``. Blank lines
are skipped. Ids are used as given (no remapping); ``num_users`` / ``num_items`` are max id + 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.loaders.paths import dataset_dir, require_file
from groupbuy_ml.data.schemas import interactions_schema
from groupbuy_ml.data.validation import MAX_EXAMPLES, validate

_NOT_AN_ID = re.compile(r"[^0-9 \t\r\n]")
_TOO_LONG = re.compile(r"[0-9]{19}")
_ID = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class InteractionSplit:
    """A train/test split of implicit interactions (both frames in the interactions schema).

    Attributes:
        train, test: ``user_id``, ``item_id`` (int64) frames, one row per interaction.
        num_users, num_items: id space sizes (max id over both files + 1).
        name: a label for reports (the dataset folder name by default).
        users_without_train_items, users_without_test_items: users listed with no items.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    num_users: int
    num_items: int
    name: str
    users_without_train_items: tuple[int, ...] = ()
    users_without_test_items: tuple[int, ...] = ()


def read_interaction_file(path: Path | str) -> pd.DataFrame:
    """Read one LightGCN-format file into the interactions schema.

    Returns:
        A frame with ``user_id`` and ``item_id`` (int64), in file order. ``frame.attrs`` holds
        ``source`` (the path), ``num_listed_users``, ``max_user_id`` and ``users_without_items``
        (a tuple of user ids whose line lists no item).

    Raises:
        DataValidationError: naming the file and the first bad lines when a token is not a
            non-negative integer, a user is listed twice or a line repeats an item.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    counts_all = np.fromiter(
        (len(line.split()) for line in lines), dtype=np.int64, count=len(lines)
    )
    listed = counts_all > 0
    line_numbers = np.flatnonzero(listed) + 1
    counts = counts_all[listed] - 1  # items per listed user
    values = _parse_all(text, lines, int(counts_all.sum()), path)
    starts = np.cumsum(counts + 1) - (counts + 1)  # position of each user id in ``values``
    user_ids = values[starts]
    is_item = np.ones(len(values), dtype=bool)
    is_item[starts] = False
    item_ids = values[is_item]
    item_lines = np.repeat(line_numbers, counts)
    frame = pd.DataFrame({"user_id": np.repeat(user_ids, counts), "item_id": item_ids})
    _check_unique(frame, user_ids, line_numbers, item_lines, path)
    frame = validate(frame, interactions_schema, source=path)
    frame.attrs.update(
        source=str(path),
        num_listed_users=len(user_ids),
        max_user_id=int(user_ids.max()) if len(user_ids) else -1,
        users_without_items=tuple(int(u) for u in user_ids[counts == 0]),
    )
    return frame


def load_interaction_split(
    train_path: Path | str, test_path: Path | str, name: str | None = None
) -> InteractionSplit:
    """Read a train/test pair of LightGCN-format files into an :class:`InteractionSplit`."""
    train, test = read_interaction_file(train_path), read_interaction_file(test_path)
    max_user = max(train.attrs["max_user_id"], test.attrs["max_user_id"])
    max_item = max(
        int(train["item_id"].max()) if len(train) else -1,
        int(test["item_id"].max()) if len(test) else -1,
    )
    return InteractionSplit(
        train=train,
        test=test,
        num_users=max_user + 1,
        num_items=max_item + 1,
        name=name or Path(train_path).resolve().parent.name,
        users_without_train_items=train.attrs["users_without_items"],
        users_without_test_items=test.attrs["users_without_items"],
    )


def load_gowalla(root: Path | str | None = None) -> InteractionSplit:
    """Load the Gowalla LightGCN split (``train.txt`` / ``test.txt``).

    Args:
        root: the folder with ``train.txt`` and ``test.txt``; defaults to
            ``shared_data_dir() / "gowalla"``. Any dataset folder in the same format works.
    """
    folder = dataset_dir("gowalla", root)
    return load_interaction_split(
        require_file(folder, "train.txt"), require_file(folder, "test.txt"), name=folder.name
    )


def _parse_all(text: str, lines: list[str], expected: int, path: Path) -> np.ndarray:
    """Parse every whitespace-separated token of ``text`` as a non-negative int64 id.

    Fast path: the text holds only ASCII digits and whitespace and no number has more than 18
    digits, so numpy parses it in one pass. Otherwise the bad tokens are located line by line.
    """
    if _NOT_AN_ID.search(text) is None and _TOO_LONG.search(text) is None:
        values = np.fromstring(text, dtype=np.int64, sep=" ") if text.strip() else np.empty(0)
        if len(values) == expected:
            return values.astype(np.int64, copy=False)
    bad: list[tuple[int, str]] = []
    columns: set[str] = set()
    count = 0
    for number, line in enumerate(lines, start=1):
        for position, token in enumerate(line.split()):
            if not _ID.fullmatch(token):
                count += 1
                columns.add("user_id" if position == 0 else "item_id")
                if len(bad) < MAX_EXAMPLES:
                    bad.append((number, token))
    raise DataValidationError(
        str(path),
        [
            {
                "column": " / ".join(sorted(columns, reverse=True)) or "<file>",
                "expected": "non-negative integer ids (ASCII digits, at most 18) separated by "
                "spaces, the user id first on each line",
                "count": count,
                "examples": bad,
                "row_label": "line",
            }
        ],
    )


def _check_unique(
    frame: pd.DataFrame,
    user_ids: np.ndarray,
    user_lines: np.ndarray,
    item_lines: np.ndarray,
    path: Path,
) -> None:
    problems = []
    repeated_user = pd.Series(user_ids).duplicated(keep=False).to_numpy()
    if repeated_user.any():
        problems.append(
            _problem(
                "user_id",
                "each user on one line only",
                user_lines[repeated_user],
                user_ids[repeated_user],
            )
        )
    repeated_pair = frame.duplicated(keep="first").to_numpy()
    if repeated_pair.any():
        problems.append(
            _problem(
                "item_id",
                "no item repeated for the same user",
                item_lines[repeated_pair],
                frame["item_id"].to_numpy()[repeated_pair],
            )
        )
    if problems:
        raise DataValidationError(str(path), problems)


def _problem(column: str, expected: str, lines: np.ndarray, values: np.ndarray) -> dict:
    examples = [
        (int(n), int(v)) for n, v in zip(lines[:MAX_EXAMPLES], values[:MAX_EXAMPLES], strict=True)
    ]
    return {
        "column": column,
        "expected": expected,
        "count": int(len(lines)),
        "examples": examples,
        "row_label": "line",
    }
