"""Blocking keys: cheap strings that every spelling of a name shares with its variants.

Each part gives its consonant skeleton in coarse classes (``key_classes`` in
``data/rules.yaml``) and the skeleton with any one consonant left out, so that one slip
(a substitution, insertion or deletion) still leaves a shared key; short skeletons, whose
one-letter-less variants would pair almost everything, give only themselves. A name of several parts
also gives a combined key of its first and last skeletons, which keeps a pair findable when
both single-part keys are too common to use.

>>> sorted(keys("Ahmed al-Mesmari"))
['c:hmd|msmr', 'p:hmd', 'p:mmr', 'p:msm', 'p:msmr', 'p:msr', 'p:smr']
"""

from __future__ import annotations

import functools

from ._data import shipped
from .fold import VOWELS, collapse
from .parse import Name, parse

_NOT_CONSONANTS = VOWELS | {"'", "~", "H"}


@functools.cache
def _classes() -> dict[str, str]:
    table: dict[str, list[str]] = shipped("rules.yaml")["key_classes"]
    return {symbol: key for key, symbols in table.items() for symbol in symbols}


@functools.lru_cache(maxsize=1 << 18)
def skeleton(form: str) -> str:
    """The coarse consonant skeleton of a folded form.

    >>> skeleton("qaDafI"), skeleton("gadafI"), skeleton("~qDAfI")
    ('kdf', 'kdf', 'kdf')
    """
    classes = _classes()
    consonants = (classes.get(s, s) for s in form if s not in _NOT_CONSONANTS)
    return collapse("".join(consonants))


@functools.lru_cache(maxsize=1 << 18)
def part_keys(form: str) -> frozenset[str]:
    """The keys of one part: its skeleton and, if long enough, the skeleton less one letter."""
    skel = skeleton(form)
    if not skel:
        return frozenset()
    out = {skel}
    if len(skel) >= 4:
        out.update(skel[:i] + skel[i + 1 :] for i in range(len(skel)))
    return frozenset("p:" + k for k in out)


def keys(name: Name | str) -> frozenset[str]:
    """All blocking keys of a name (a parsed :class:`Name` or a string)."""
    parsed = name if isinstance(name, Name) else parse(name)
    out: set[str] = set()
    for part in parsed.parts:
        out |= part_keys(part.form)
    if len(parsed.parts) > 1:
        first, last = skeleton(parsed.parts[0].form), skeleton(parsed.parts[-1].form)
        if first and last:
            out.add(f"c:{first}|{last}")
    return frozenset(out)
