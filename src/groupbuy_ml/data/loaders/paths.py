"""Where the shared benchmark data lives.

The real datasets (Rossmann, Stallion, M5, Gowalla, Solomon) are never copied into the repository:
they sit in a ``shared/data`` folder next to the checkout (``../shared/data`` from the repository
root, the working directory of CI). Set ``GROUPBUY_DATA_DIR`` to point anywhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

from groupbuy_ml.errors import InputNotFoundError

ENV_VAR = "GROUPBUY_DATA_DIR"


def shared_data_dir() -> Path:
    """Return the folder that holds the benchmark datasets.

    Resolution order:

    1. ``$GROUPBUY_DATA_DIR`` if set (it must exist);
    2. the first ``shared/data`` folder found in the current working directory or one of its
       ancestors (so ``../shared/data`` from a clone root, or ``shared/data`` inside it);
    3. the same search upwards from this installed package (covers workers started elsewhere).

    Raises:
        FileNotFoundError: if nothing is found, with a message telling the user to set
            ``GROUPBUY_DATA_DIR``.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        path = Path(configured).expanduser()
        if not path.is_dir():
            raise InputNotFoundError(
                f"{ENV_VAR}={configured!r} is not a directory; point it at the folder that holds "
                "rossmann/, stallion/, m5/, gowalla/ and solomon/"
            )
        return path
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        found = _search_upwards(start)
        if found is not None:
            return found
    raise InputNotFoundError(
        f"no shared/data folder found above {Path.cwd()}; set {ENV_VAR} to the folder that holds "
        "the benchmark datasets (rossmann/, stallion/, m5/, gowalla/, solomon/)"
    )


def dataset_dir(name: str, root: Path | str | None) -> Path:
    """Return ``root`` (if given) or ``shared_data_dir() / name``, checking that it exists."""
    path = Path(root) if root is not None else shared_data_dir() / name
    if not path.is_dir():
        raise InputNotFoundError(f"dataset folder {str(path)!r} for {name!r} does not exist")
    return path


def require_file(folder: Path, filename: str) -> Path:
    """Return ``folder / filename`` or raise a FileNotFoundError naming the missing file."""
    path = folder / filename
    if not path.is_file():
        raise InputNotFoundError(f"expected file {str(path)!r} is missing")
    return path


def _search_upwards(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None
