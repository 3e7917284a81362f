"""Content fingerprints of data: files, dataset folders and in-memory tables.

A fingerprint is a SHA-256 hex digest that changes exactly when the content changes. Runs record
it (``data.fingerprint.<name>``) so that two results can be traced back to the same inputs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from groupbuy_ml.errors import InputNotFoundError

__all__ = ["fingerprint_files", "fingerprint_frame"]

_CHUNK = 1 << 20  # read files 1 MiB at a time: memory stays flat for any file size


def _labelled_files(path: Path) -> Iterator[tuple[str, Path]]:
    """Yield ``(label, file)`` for a file or, recursively, for every file under a folder.

    The label is the path relative to the given path's parent, so a fingerprint does not depend
    on where a dataset lies on disk, only on its name, its layout and its bytes.
    """
    if path.is_file():
        yield path.name, path
    elif path.is_dir():
        for file in path.rglob("*"):
            if file.is_file():
                yield f"{path.name}/{file.relative_to(path).as_posix()}", file
    else:
        raise InputNotFoundError(f"cannot fingerprint {path}: no such file or folder")


def fingerprint_files(paths: Iterable[Path | str] | Path | str) -> str:
    """SHA-256 over the sorted relative paths and bytes of files and folders.

    Args:
        paths: files and/or folders (folders are walked recursively, e.g. a partitioned
            parquet dataset). A single path is accepted too.

    Returns:
        A 64-character hex digest. Renaming, adding, removing or editing any file changes it;
        moving the whole dataset to another folder does not.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    entries = sorted(
        (label, str(file), file) for p in paths for label, file in _labelled_files(Path(p))
    )
    digest = hashlib.sha256()
    for label, _, file in entries:
        encoded = label.encode()
        digest.update(len(encoded).to_bytes(8, "little") + encoded)
        digest.update(file.stat().st_size.to_bytes(8, "little"))
        with file.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def fingerprint_frame(df: pd.DataFrame, index: bool = True) -> str:
    """Stable SHA-256 of a table's content, column names and dtypes.

    Uses :func:`pandas.util.hash_pandas_object` row hashes, so the digest is independent of the
    object's identity or memory layout but changes with any value, the row order, a column name
    or a dtype.

    Args:
        df: the table.
        index: include the index values in the hash (pandas' default).
    """
    digest = hashlib.sha256()
    header = [[str(name), str(dtype)] for name, dtype in df.dtypes.items()]
    digest.update(json.dumps(header).encode())
    digest.update(len(df).to_bytes(8, "little"))
    if len(df.columns) or index:
        rows = pd.util.hash_pandas_object(df, index=index)
        digest.update(rows.to_numpy().tobytes())
    return digest.hexdigest()
