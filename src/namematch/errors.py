"""Exceptions raised by namematch: catch :class:`NamematchError` to catch them all.

>>> try:
...     raise AliasFileError("aliases.yaml", 3, "expected a list")
... except NamematchError as err:
...     print(err)
aliases.yaml:3: expected a list
"""

from __future__ import annotations

__all__ = ["AliasFileError", "DataFileError", "InputError", "NamematchError", "UsageError"]


class NamematchError(Exception):
    """Base class of every error namematch raises on purpose; ``str(err)`` is one line."""

    def __init__(self, *args: object) -> None:  # a signature inspect can read
        super().__init__(*args)


class InputError(NamematchError, ValueError):
    """A name, an option or an input file namematch cannot take: a value that is not a str,
    an option out of its range, a file that is not UTF-8 or has a malformed row..."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class DataFileError(NamematchError):
    """A data file (rules, titles, aliases) is missing or malformed."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class AliasFileError(DataFileError):
    """An alias file is missing, not valid YAML, or does not follow the schema."""


class UsageError(NamematchError):
    """Command-line arguments that do not fit together: exit status 2, like argparse's own
    errors. (Defined here, not in the CLI module, so that ``python -m namematch.cli`` and
    the modules it loads share one class.)"""
