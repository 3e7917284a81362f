"""What a user's CSV file holds once unpacked, and whether its text decodes.

Public sales files often come zipped or gzipped (``sales.csv.zip``, ``train.csv.gz``) and in a
legacy encoding (Windows-1252, GBK). :func:`csv_bytes` recognises the compression by the file's
first bytes, as ``pandas.read_csv(compression="infer")`` does by its name, so a misnamed file
is read too: gzip, bzip2, xz and a zip archive holding exactly one file. A zip with several
files, or none, is refused with a message naming its members and the fix.
:func:`check_decodes` turns a ``UnicodeDecodeError`` into one line naming the file, the line of
the first bad byte and the ``encoding`` option of the column mapping.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import zipfile
from pathlib import Path

from groupbuy_ml.errors import ConfigError, InvalidDataError

__all__ = ["check_decodes", "csv_bytes", "compression_of"]

_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz", b"PK\x03\x04": "zip",
          b"PK\x05\x06": "zip"}
_OPEN = {"gzip": gzip.decompress, "bz2": bz2.decompress, "xz": lzma.decompress}
_ENCODINGS_TO_TRY = "cp1252, latin-1, gbk or utf-16"


def compression_of(head: bytes) -> str | None:
    """``gzip``, ``bz2``, ``xz`` or ``zip`` from a file's first bytes; ``None`` for plain text."""
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def csv_bytes(path: Path) -> bytes:
    """The bytes of the CSV in ``path``, unpacked when the file is compressed.

    Raises:
        InvalidDataError: a zip archive holding no file or several files, or a compressed
            file that does not unpack (names the file and the fix).
    """
    data = path.read_bytes()
    kind = compression_of(data[:8])
    if kind is None:
        return data
    try:
        if kind == "zip":
            return _zip_member(path)
        return _OPEN[kind](data)
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile) as error:
        raise InvalidDataError(
            f"{path}: looks {kind}-compressed but does not unpack ({error}); check that the "
            "file was copied completely, or unpack it yourself and pass the CSV as data.path"
        ) from None


def _zip_member(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()
                   and not m.filename.startswith("__MACOSX/")
                   and not Path(m.filename).name.startswith(".")]
        if len(members) != 1:
            names = ", ".join(m.filename for m in members[:5]) + (
                f" and {len(members) - 5} more" if len(members) > 5 else "")
            held = f"{len(members)} files ({names})" if members else "no file"
            raise InvalidDataError(
                f"{path}: a zip archive holding {held}; the CSV reader takes one file: unzip it "
                "and pass the CSV as data.path (e.g. `unzip -d sales "
                f"{path.name}`), or zip the one CSV on its own")
        return archive.read(members[0])


def check_decodes(path: Path, data: bytes, encoding: str, option: str = "data.columns.encoding"
                  ) -> None:
    """Raise one line naming the file, the first bad byte's line and ``option`` when ``data``
    is not text in ``encoding``.

    Raises:
        ConfigError: ``encoding`` is not an encoding Python knows.
        InvalidDataError: the bytes do not decode.
    """
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigError(f"{option}={encoding}: no such text encoding (try utf-8, "
                          f"{_ENCODINGS_TO_TRY})") from None
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise InvalidDataError(
            f"{path}: not {encoding} text (byte 0x{data[error.start]:02x} on line {line}); "
            f"set the file's encoding with {option}=..., e.g. {option}=cp1252 (Windows; "
            "others: latin-1, gbk, utf-16)") from None
