"""Alias tables: spellings the rules cannot derive, loaded from YAML and merged.

A file has two optional lists of groups, ``parts`` (spellings of one name part) and ``names``
(whole names of one entity). Forms are matched after folding, so a group entry also covers
the entry's ordinary spelling variants. A ``names`` group may be a mapping
``{preferred: FORM, names: [OTHER, ...]}``: an entity holding the group is then shown as FORM.
A form in two groups links to both groups' forms, but the two groups do not merge: alias
links are not transitive.

>>> table = load_aliases()
>>> table.same_part(fold("Yusuf"), fold("Joseph"))
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from ._data import data_dir, read_yaml
from ._pickling import by_fields
from .errors import AliasFileError
from .fold import fold
from .normalize import normalize
from .parse import parse

_EMPTY: Final[frozenset[int]] = frozenset()


@dataclass(frozen=True)
class AliasTable:
    """Alias groups by folded part form and by normalized whole name."""

    parts: Mapping[str, frozenset[int]] = field(default_factory=dict)
    names: Mapping[str, frozenset[int]] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    preferred: Mapping[int, str] = field(default_factory=dict)
    """The display form (as written in its file) of each ``names`` group that gives one."""

    def preferred_form(self, text: str) -> str | None:
        """The preferred display form of normalized name ``text``'s alias groups: that of
        its first group (in file order) that gives one, or None."""
        groups = self.names.get(text)
        if not groups or not self.preferred:
            return None
        return next((self.preferred[g] for g in sorted(groups) if g in self.preferred), None)

    def same_part(self, form_a: str, form_b: str) -> bool:
        """Whether two folded part forms share an alias group."""
        groups_a = self.parts.get(form_a)
        if groups_a is None or form_a == form_b:  # most parts are in no group
            return False
        return not groups_a.isdisjoint(self.parts.get(form_b, _EMPTY))

    def same_name(self, text_a: str, text_b: str) -> bool:
        """Whether two normalized names share an alias group."""
        groups_a = self.names.get(text_a)
        if groups_a is None:  # most names are in no group
            return False
        return not groups_a.isdisjoint(self.names.get(text_b, _EMPTY))

    def name_groups(self) -> dict[int, list[str]]:
        """The whole-name groups, by group number."""
        groups: dict[int, list[str]] = {}
        for text, ids in self.names.items():
            for group in ids:
                groups.setdefault(group, []).append(text)
        return groups

    def __reduce__(self) -> tuple[type[AliasTable], tuple[object, ...]]:
        return by_fields(self)


def _group_lines(path: str, text: str) -> dict[tuple[str, int], int]:
    """Map (section, index) of each group to its line number, for error messages."""
    lines: dict[tuple[str, int], int] = {}
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    lines[(str(key.value), i)] = item.start_mark.line + 1
    return lines


Group = tuple[list[str], str | None]
"""A group's forms and, for a ``names`` group that gives one, its preferred form."""


def _validate(path: str, data: Any, text: str) -> dict[str, list[Group]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AliasFileError(path, 1, "expected a mapping with keys 'parts' and/or 'names'")
    lines = _group_lines(path, text)
    unknown = sorted(set(map(str, data)) - {"parts", "names"})
    if unknown:
        raise AliasFileError(path, None, f"unknown key {unknown[0]!r}: use 'parts' or 'names'")
    out: dict[str, list[Group]] = {}
    for section in ("parts", "names"):
        groups = data.get(section) or []
        if not isinstance(groups, list):
            raise AliasFileError(path, None, f"'{section}' must be a list of groups")
        checked = []
        for i, group in enumerate(groups):
            line = lines.get((section, i))
            forms, preferred = (_preferred_group(path, line, group)
                                if section == "names" and isinstance(group, dict)
                                else (group, None))
            if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
                raise AliasFileError(path, line, f"a {section} group must be a list of strings"
                                     + (" or {preferred: FORM, names: [...]}"
                                        if section == "names" else ""))
            if len(forms) < 2:
                raise AliasFileError(path, line, f"a {section} group needs at least two forms")
            checked.append((forms, preferred))
        out[section] = checked
    return out


def _preferred_group(path: str, line: int | None, group: dict[Any, Any]) -> Group:
    """The forms of a ``{preferred: FORM, names: [...]}`` group, the preferred one first."""
    unknown = sorted(set(map(str, group)) - {"preferred", "names"})
    if unknown:
        raise AliasFileError(path, line, f"unknown key {unknown[0]!r} in a names group: "
                             "use 'preferred' and 'names'")
    preferred, others = group.get("preferred"), group.get("names") or []
    if not isinstance(preferred, str):
        raise AliasFileError(path, line, "'preferred' must be a string: the form to show")
    if not isinstance(others, list) or not all(isinstance(f, str) for f in others):
        raise AliasFileError(path, line, "'names' must be a list of strings")
    return [preferred, *others], preferred.strip()


def _part_form(text: str) -> str:
    parts = parse(text).parts
    return parts[0].form if len(parts) == 1 else fold(normalize(text))


def load_aliases(*paths: str | Path, shipped: bool = True) -> AliasTable:
    """Load the shipped alias table (unless ``shipped=False``) extended by ``paths`` in order.

    Raises :class:`AliasFileError` naming the file and line of a malformed file.

    >>> load_aliases().same_part(fold("Yahya"), fold("John"))
    True
    """
    files: list[Path] = ([data_dir() / "aliases.yaml"] if shipped else []) + [
        Path(p) for p in paths
    ]
    parts: dict[str, set[int]] = {}
    names: dict[str, set[int]] = {}
    preferred: dict[int, str] = {}
    group = 0
    for path in files:
        text, data = read_yaml(path, AliasFileError)
        sections = _validate(str(path), data, text)
        for forms, _ in sections.get("parts", []):
            for form in forms:
                parts.setdefault(_part_form(form), set()).add(group)
            group += 1
        for forms, shown in sections.get("names", []):
            for form in forms:
                names.setdefault(normalize(form), set()).add(group)
            if shown:
                preferred[group] = shown
            group += 1
    return AliasTable(
        parts={k: frozenset(v) for k, v in parts.items()},
        names={k: frozenset(v) for k, v in names.items()},
        sources=tuple(str(p) for p in files),
        preferred=preferred,
    )
