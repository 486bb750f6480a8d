"""Files for the command line: input text, CSV/TSV tables of records, atomic output.

A table is a CSV or TSV file with a header row; one of its columns holds the names. Every
record must have the header's number of fields and well-formed quoting; a record that does
not is an :class:`~namematch.errors.InputError` naming the file, line and record number.
Output files are written to a temporary file in the target's folder and moved into place
only once complete, so a failed run leaves neither a partial file nor the temporary one.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from .errors import InputError

__all__ = ["Table", "atomic_output", "read_table", "read_text", "suffix_format"]

TABLE_FORMATS: Final = ("csv", "tsv")
_DELIMITER: Final = {"csv": ",", "tsv": "\t"}


def read_text(path: str) -> tuple[str, str]:
    """The label (``<stdin>`` for ``-``) and the UTF-8 text of a file, BOM dropped.

    Raises :class:`InputError` naming the file and line of unreadable or undecodable input.
    """
    label = "<stdin>" if path == "-" else path
    if path != "-" and Path(path).is_dir():
        raise InputError(f"{path}: is a directory, not a file of names")
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as stream:
                data = stream.read()
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from err
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return label, data.decode("utf-8")
    except UnicodeDecodeError as err:
        number = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1)
        raise InputError(
            f"{label}:{number}: not valid UTF-8 (byte {column + 1} of the line)"
        ) from err


def suffix_format(path: str) -> str | None:
    """``csv`` or ``tsv`` for a file named so, else None (stdin has no suffix).

    >>> suffix_format("people.CSV"), suffix_format("names.txt"), suffix_format("-")
    ('csv', None, None)
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if path != "-" and suffix in TABLE_FORMATS else None


@dataclass(frozen=True)
class Table:
    """A CSV or TSV file read whole: its header and its records, each as many fields."""

    label: str
    header: list[str]
    records: list[list[str]]

    def column(self, wanted: str) -> int:
        """The index of the column named ``wanted``, or numbered so (from 1).

        A header name wins over a number. Raises :class:`InputError` if there is none or
        the name is in the header twice.

        >>> Table("t.csv", ["id", "name"], []).column("name"), Table("t", ["a"], []).column("1")
        (1, 0)
        """
        found = [i for i, title in enumerate(self.header) if title == wanted]
        if len(found) > 1:
            raise InputError(f"{self.label}: column {wanted!r} is in the header "
                             f"{len(found)} times: give its number instead")
        if found:
            return found[0]
        if wanted.isdigit() and 1 <= int(wanted) <= len(self.header):
            return int(wanted) - 1
        shown = ", ".join(repr(h) for h in self.header[:8])
        more = ", ..." if len(self.header) > 8 else ""
        raise InputError(f"{self.label}: no column {wanted!r}: the header has {shown}{more} "
                         f"(or give a number from 1 to {len(self.header)})")


def read_table(path: str, fmt: str) -> Table:
    """Read a CSV (``fmt`` ``csv``) or TSV (``tsv``) file with a header row.

    Quoting follows the csv module (RFC 4180: fields in double quotes may hold the
    delimiter, quotes doubled, and line breaks). A blank line is a record of one empty field,
    so it is only valid in a one-column table.
    """
    label, text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_DELIMITER[fmt], strict=True)
    records: list[list[str]] = []
    start = 1
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(f"{label}: empty {fmt.upper()} file: the header row is missing")
        start = reader.line_num + 1
        for record in reader:
            fields = record or [""]  # a blank line: one empty field
            if len(fields) != len(header):
                raise InputError(
                    f"{label}:{start}: record {len(records) + 1} has {len(fields)} "
                    f"field{'s' if len(fields) != 1 else ''}, the header "
                    f"{len(header)}")
            records.append(fields)
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputError(f"{label}:{start}: record {len(records) + 1}: malformed "
                         f"{fmt.upper()} ({err})") from err
    return Table(label, header, records)


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[IO[str]]:
    """A text stream to ``path`` (``-``: stdout) that becomes the file only when complete.

    The text goes to a temporary file in the same folder, moved over ``path`` with
    :func:`os.replace` when the block ends without an error; on an error the temporary file
    is removed and ``path`` is left as it was.
    """
    if path == "-":
        sys.stdout.reconfigure(encoding="utf-8", newline="")  # type: ignore[union-attr]
        yield sys.stdout
        return
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{path}: is a directory, not an output file")
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                             suffix=".part")
    except OSError as err:
        raise InputError(f"{path}: cannot write: {err.strerror or err}") from err
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
        os.chmod(temporary, _new_file_mode())  # mkstemp makes it private
        os.replace(temporary, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(err, OSError):  # a full disk, a folder that refuses the rename
            raise InputError(f"{path}: cannot write: {err.strerror or err}") from err
        raise


def _new_file_mode() -> int:
    """The mode a newly created file gets here (0o666 less the umask)."""
    mask = os.umask(0o022)  # reading the umask means setting it; set it straight back
    os.umask(mask)
    return 0o666 & ~mask
