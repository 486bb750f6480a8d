"""The shipped data files, each read and validated once into typed tables.

``data/names.yaml`` gives :class:`NameTables`, ``data/rules.yaml`` :class:`SpellingRules`
and ``data/arabic.yaml`` :class:`ArabicLetters`; :func:`tables` returns the three together.
A malformed file raises :class:`~namematch.errors.DataFileError` naming the file and the
entry, once, when the tables are first asked for.

>>> "sheikh" in tables().names.ambiguous_titles
True
>>> tables().rules.key_classes["q"]
'k'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ._data import data_dir, read_yaml
from .errors import DataFileError

__all__ = ["ArabicLetters", "NameTables", "SpellingRules", "Tables", "tables"]

Pattern = tuple[str, str]
"""A regular expression and its replacement (or class)."""


@dataclass(frozen=True)
class NameTables:
    """Name structure (``data/names.yaml``): titles, particles, and the given-name lists
    that the name rules read. Every entry is in normalized form (lower case, no accents)."""

    titles: tuple[str, ...]
    """Titles in Latin and Arabic script (``titles``, ``arabic_titles``)."""
    ambiguous_titles: tuple[str, ...]
    """Titles that may also be a name (Sheikh, السيد), in either script."""
    given_name_titles: tuple[str, ...]
    """Titles after which one name is a given name (King Salman)."""
    articles: tuple[str, ...]
    joined_articles: tuple[str, ...]
    sun_articles: tuple[str, ...]
    patronymics: tuple[str, ...]
    kunyas: tuple[str, ...]
    compounds: tuple[str, ...]
    optional_first: tuple[str, ...]
    given_names: tuple[str, ...]
    arabic_packed: tuple[str, ...]
    """Arabic-script words packed with the next one (عبدالله)."""
    arabic_suffixes: tuple[str, ...]
    arabic_joined_after: tuple[str, ...]


@dataclass(frozen=True)
class EditCosts:
    """Costs of the weighted edit distance (``costs`` in ``data/rules.yaml``)."""

    indel: dict[str, float]
    default_indel: float
    initial_vowel_indel: float
    initial_vowel_factor: float
    substitute: tuple[tuple[str, str, float], ...]


@dataclass(frozen=True)
class SpellingRules:
    """Latin folding and comparison costs (``data/rules.yaml``)."""

    rewrites: tuple[Pattern, ...]
    final_vowels: tuple[Pattern, ...]
    vowel_runs: tuple[Pattern, ...]
    costs: EditCosts
    key_classes: dict[str, str]
    """Each symbol to the blocking class it stands for (symbols not listed are their own)."""
    key_second_readings: dict[str, str]
    """Symbols read in two key classes, with the second reading's symbol."""


@dataclass(frozen=True)
class ArabicLetters:
    """Arabic-script letters to the folding alphabet (``data/arabic.yaml``)."""

    letters: dict[str, str]
    article: str


@dataclass(frozen=True)
class Tables:
    """All shipped tables."""

    names: NameTables
    rules: SpellingRules
    arabic: ArabicLetters


class _Reader:
    """Reads the entries of one parsed file, raising :class:`DataFileError` on the file."""

    def __init__(self, name: str) -> None:
        self.path = str(data_dir() / name)
        data = read_yaml(data_dir() / name)[1]
        if not isinstance(data, dict):
            raise DataFileError(self.path, None, "expected a mapping of tables")
        self.data: dict[str, Any] = data

    def fail(self, key: str, expected: str) -> DataFileError:
        return DataFileError(self.path, None, f"{key!r} must be {expected}")

    def value(self, key: str, data: dict[str, Any] | None = None) -> Any:
        source = self.data if data is None else data
        if key not in source:
            raise DataFileError(self.path, None, f"missing table {key!r}")
        return source[key]

    def strings(self, *keys: str) -> tuple[str, ...]:
        """The lists of strings under ``keys``, one after the other."""
        out: list[str] = []
        for key in keys:
            items = self.value(key)
            if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
                raise self.fail(key, "a list of strings")
            out.extend(items)
        return tuple(out)

    def patterns(self, key: str, data: dict[str, Any] | None = None) -> tuple[Pattern, ...]:
        rows = self.value(key, data)
        if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == 2 and all(isinstance(s, str) for s in r)
            for r in rows
        ):
            raise self.fail(key, "a list of [pattern, replacement] pairs")
        return tuple((str(a), str(b)) for a, b in rows)

    def number(self, key: str, data: dict[str, Any]) -> float:
        value = self.value(key, data)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "a number")
        return float(value)

    def mapping(self, key: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        value = self.value(key, data)
        if not isinstance(value, dict):
            raise self.fail(key, "a mapping")
        return {str(k): v for k, v in value.items()}


def _name_tables() -> NameTables:
    read = _Reader("names.yaml")
    return NameTables(
        titles=read.strings("titles", "arabic_titles"),
        ambiguous_titles=read.strings("ambiguous_titles", "arabic_ambiguous_titles"),
        given_name_titles=read.strings("given_name_titles"),
        articles=read.strings("articles"),
        joined_articles=read.strings("joined_articles"),
        sun_articles=read.strings("sun_articles"),
        patronymics=read.strings("patronymics", "arabic_patronymics"),
        kunyas=read.strings("kunyas", "arabic_kunyas"),
        compounds=read.strings("compounds", "arabic_compounds"),
        optional_first=read.strings("optional_first"),
        given_names=read.strings("given_names"),
        arabic_packed=read.strings("arabic_packed"),
        arabic_suffixes=read.strings("arabic_suffixes"),
        arabic_joined_after=read.strings("arabic_joined_after"),
    )


def _edit_costs(read: _Reader) -> EditCosts:
    data = read.mapping("costs")
    indel = {k: read.number(k, read.mapping("indel", data)) for k in read.mapping("indel", data)}
    rows = read.value("substitute", data)
    if not isinstance(rows, list) or not all(
        isinstance(r, list) and len(r) == 3 and isinstance(r[2], int | float) for r in rows
    ):
        raise read.fail("substitute", "a list of [symbol, symbol, cost] rows")
    return EditCosts(
        indel={k: v for k, v in indel.items() if k != "default"},
        default_indel=read.number("default", read.mapping("indel", data)),
        initial_vowel_indel=read.number("initial_vowel_indel", data),
        initial_vowel_factor=read.number("initial_vowel_factor", data),
        substitute=tuple((str(x), str(y), float(cost)) for x, y, cost in rows),
    )


def _spelling_rules() -> SpellingRules:
    read = _Reader("rules.yaml")
    vowels = read.mapping("vowels")
    classes = read.mapping("key_classes")
    if not all(isinstance(v, list) for v in classes.values()):
        raise read.fail("key_classes", "a mapping of class letter to a list of symbols")
    return SpellingRules(
        rewrites=read.patterns("rewrites"),
        final_vowels=read.patterns("final", vowels),
        vowel_runs=read.patterns("runs", vowels),
        costs=_edit_costs(read),
        key_classes={str(s): key for key, symbols in classes.items() for s in symbols},
        key_second_readings={k: str(v) for k, v in read.mapping("key_second_readings").items()},
    )


def _arabic_letters() -> ArabicLetters:
    read = _Reader("arabic.yaml")
    letters = read.mapping("letters")
    return ArabicLetters(
        letters={k: str(v) for k, v in letters.items()},
        article=str(read.value("article")),
    )


@functools.cache
def tables() -> Tables:
    """The shipped tables, read and validated on first use (they never change in a process)."""
    return Tables(_name_tables(), _spelling_rules(), _arabic_letters())
