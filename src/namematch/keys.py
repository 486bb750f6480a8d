"""Blocking keys: cheap strings that every spelling of a name shares with its variants.

Each part gives its consonant skeleton in coarse classes (``key_classes`` in
``data/rules.yaml``) and the skeleton with any one consonant left out, so that one slip
(a substitution, insertion or deletion) still leaves a shared key; short skeletons, whose
one-letter-less variants would pair almost everything, give only themselves. A name of several parts
also gives combined keys of its first part with each later part, which keep a pair
findable when the single-part keys are too common to use.

>>> sorted(k for k in keys("Ahmed al-Mesmari") if k.startswith("p:"))
['p:hmd', 'p:mmr', 'p:msm', 'p:msmr', 'p:msr', 'p:smr']
>>> "c:hmd|msr" in keys("Ahmed al-Mesmari")
True
"""

from __future__ import annotations

import functools

from ._data import shipped
from .fold import VOWELS, collapse
from .parse import Name, parse

_LONGEST = 16  # no slip variants for longer skeletons: no name part is that long, junk is
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
    exact, slips = _variants(form, 4)
    if not exact:
        return frozenset()
    return frozenset("p:" + k for k in {exact, *slips})


def keys(name: Name | str) -> frozenset[str]:
    """All blocking keys of a name (a parsed :class:`Name` or a string).

    Each part gives its part keys; a longer name also gives combined keys of its first part
    with each later part, one slip allowed in the later part, which stay small when a part key
    is too common to use (``max_bucket`` in :func:`namematch.resolve.resolve`).
    """
    parsed = name if isinstance(name, Name) else parse(name)
    parts = parsed.parts
    if not parts:
        return frozenset()
    out: set[str] = set().union(*(part_keys(p.form) for p in parts))
    if len(parts) == 1:
        return frozenset(out)
    first_exact = skeleton(parts[0].form)
    for part in parts[1:]:
        exact, slips = _variants(part.form)
        if not (first_exact and exact):
            continue
        out.add(f"c:{first_exact}|{exact}")
        out.update(f"c:{first_exact}|{v}" for v in slips)
    return frozenset(out)


@functools.lru_cache(maxsize=1 << 18)
def _variants(form: str, shortest: int = 3) -> tuple[str, frozenset[str]]:
    """A form's skeleton and its one-letter-less variants (skeletons of ``shortest``+ letters).

    Alone, a short skeleton less a letter would pair almost everything (part keys need 4+
    letters); within a combined key, 3 letters are enough.
    """
    skel = skeleton(form)
    if not shortest <= len(skel) <= _LONGEST:
        return skel, frozenset()
    return skel, frozenset(skel[:i] + skel[i + 1 :] for i in range(len(skel)))
