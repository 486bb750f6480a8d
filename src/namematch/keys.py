"""Blocking keys: cheap strings that every spelling of a name shares with its variants.

A part's key is its consonant skeleton in coarse classes (``key_classes`` in
``data/rules.yaml``); a slip-tolerant key also gives the skeleton with any one consonant
left out, so that one slip (a substitution, insertion or deletion) still leaves a shared
key. The keys mirror the rules of :mod:`namematch.compare`:

* part keys (``p:``) pair a one-part mention with the names whose last part (or last two
  parts joined, or kunya) it may meet; they never pair two longer names;
* combined keys (``c:``) pair two longer names whose openings agree: the first part, the
  first two parts joined, or the second part after a leading Mohammed, each with a later
  part or two adjacent later parts joined. One slip is allowed in the opening or in the
  last part; a middle part (often a father's common given name) must agree exactly. One
  more combined key reads the name as written surname first (its second part as the
  opening, its first part as the last).

>>> sorted(k for k in keys("Mesmari"))
['p:mmr', 'p:msm', 'p:msmr', 'p:msr', 'p:smr']
>>> "p:msmr" in keys("Ahmed al-Mesmari"), "p:hmd" in keys("Ahmed al-Mesmari")
(True, False)
>>> "c:hmd|msr" in keys("Ahmed al-Mesmari")
True
"""

from __future__ import annotations

import functools
import itertools
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Final

from ._data import shipped
from .fold import VOWELS, collapse, fold, join_forms
from .parse import Name, Part, parse

_LONGEST: Final = 16  # no slip variants for longer skeletons: no name part is that long, junk is
_NOT_CONSONANTS: Final = VOWELS | {"'", "~", "H"}


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

    A one-part name gives its part keys. A longer name gives the part keys of what a one-part
    mention may meet (its last part, its last two parts joined, its kunya), and combined keys
    for other longer names: each way the comparison may open the name (its first part, its
    first two parts joined, or its second part after a leading Mohammed) with each later part
    or two adjacent later parts joined, one slip allowed in the opening or the last part.
    """
    parsed = name if isinstance(name, Name) else parse(name)
    out = _keys(parsed)
    for symbol, reading in _second_readings().items():
        # A symbol the comparison reads close to a letter of another key class also gives
        # the keys of that reading (see ``key_second_readings`` in rules.yaml).
        if any(symbol in p.form for p in parsed.parts):
            out |= _keys(replace(parsed, parts=tuple(
                replace(p, form=p.form.replace(symbol, reading)) for p in parsed.parts)))
    return out


@functools.cache
def _second_readings() -> dict[str, str]:
    return {str(k): str(v) for k, v in shipped("rules.yaml")["key_second_readings"].items()}


def _keys(parsed: Name) -> frozenset[str]:
    parts = parsed.parts
    if not parts:
        return frozenset()
    if len(parts) == 1:
        if parsed.given_mention:  # meets a first part (see parse.mention_ends)
            return part_keys(parts[0].form) | _first_keys(parts[0].form)
        return part_keys(parts[0].form)
    # A one-part mention must meet a longer name's last part (or the last two joined),
    # or its kunya: only those give the part keys a one-part mention is looked up by.
    last, before = parts[-1], parts[-2]
    out = set(part_keys(last.form))
    out |= part_keys(join_forms(before.form, last.form, last.article))
    if parts[0].role == "kunya":
        out |= part_keys(parts[0].form)
    # A given name after a title (King Salman) meets the first part.
    out |= _first_keys(parts[0].form)
    for first, rest in _openings(parsed):
        first_exact, first_slips = _variants(first)
        if not first_exact:
            continue
        for later, tolerant in _units(rest):
            exact, slips = _variants(later, 2)
            if not exact:
                continue
            out.add(f"c:{first_exact}|{exact}")
            if tolerant:
                out.update(f"c:{first_exact}|{v}" for v in slips)
                out.update(f"c:{v}|{exact}" for v in first_slips)
    if (len(parts) > 1 and parts[0].role != "kunya" and not parsed.patronymic
            and not given_name(parts[0].form)):
        # Written surname first ("Haftar Khalifa"): the key its given-name-first
        # spelling has for its opening and last part.
        out.add(f"c:{skeleton(parts[1].form)}|{skeleton(parts[0].form)}")
    return frozenset(out)


@functools.lru_cache(maxsize=1 << 18)
def _first_keys(form: str) -> frozenset[str]:
    """Part keys by which a given name after a title finds the names it may open: kept apart
    from surname keys ("p:=" rather than "p:"), so that a bare surname does not pair with
    every name that starts with it."""
    return frozenset("p:=" + key[2:] for key in part_keys(form))


def forget_keys() -> None:
    """Empty the caches of part keys (a few hundred megabytes after a million names): once a
    list is blocked, nothing reads them until the next one."""
    part_keys.cache_clear()
    _first_keys.cache_clear()
    _variants.cache_clear()


NEIGHBOURS: Final = 1
"""In a bucket over the bound, each name pairs with this many next names in name order
(2 found no more true pairs than 1 on a synthetic million names, for 5% more pairs)."""

LEADERS: Final = 3
"""In a part-key bucket over the bound, the longer names mentioned most that every one-part
name of the bucket also pairs with."""


class Pairing:
    """The candidate pairs of names that share blocking keys (buckets), name by name.

    ``names`` gives, in name order, each name's index, whether it has one part, its keys
    and how often it is mentioned. Iterating gives each name's index with the indexes of
    the earlier names it pairs with, as the bucket rules allow:

    * A part key pairs a one-part name with any name, but not two longer names: they meet
      through combined keys, which also require the openings of the names to agree.
    * A bucket of up to ``max_bucket`` names pairs them all. A bigger one (a common first
      name and surname, or a famous person's hundreds of spellings) pairs each name only
      with its ``NEIGHBOURS`` previous names: the spellings of one person sort close
      together and chain, while the pairs stay linear in the bucket's size
      (sorted-neighbourhood blocking).
    * In a part-key bucket over the bound, each one-part name also pairs with the
      ``LEADERS`` longer names mentioned most. Name order sorts a bare surname ("Mesmari")
      far from the full names it stands for ("Ahmed al-Mesmari"), so neighbours alone would
      leave it with other bare surnames; the person mentioned most is whom it most likely
      means.

    Pairs come out name by name rather than bucket by bucket, so a pair that shares several
    keys comes out once, with no set of all pairs. Keys are kept as numbers, 8 bytes each,
    not as the strings of every name.

    >>> names = [(1, False, ["p:msmr"], 1), (2, True, ["p:msmr"], 1), (3, False, ["p:msmr"], 1)]
    >>> [(j, sorted(earlier)) for j, earlier in Pairing(names, 50)]
    [(1, []), (2, [1]), (3, [2])]
    >>> names = [(i, False, ["c:hmd|msmr"], 1) for i in range(4)]
    >>> [sorted(earlier) for _, earlier in Pairing(names, 3)]
    [[], [0], [1], [2]]
    >>> names = [(0, True, ["p:msmr"], 5), *((i, False, ["p:msmr"], i) for i in range(1, 8))]
    >>> [sorted(earlier) for _, earlier in Pairing(names, 3)][5:]
    [[0], [0], [0]]
    """

    def __init__(self, names: Iterable[tuple[int, bool, Iterable[str], int]],
                 max_bucket: int) -> None:
        numbers: dict[str, int] = {}
        self.indexes: Final = array("q")
        self.single: Final = bytearray()
        self.keys: Final = array("q")  # every name's key numbers, one name after another
        self.ends: Final = array("q")  # where each name's key numbers end
        mentions = array("q")
        for index, single, keys, times in names:
            self.indexes.append(index)
            self.single.append(single)
            mentions.append(times)
            for key in keys:
                self.keys.append(numbers.setdefault(key, len(numbers)))
            self.ends.append(len(self.keys))
        sizes = [0] * len(numbers)
        for number in self.keys:
            sizes[number] += 1
        self.sizes: Final = sizes
        self.part_key: Final = bytearray(key.startswith("p:") for key in numbers)
        self.max_bucket: Final = max_bucket
        self.leaders: Final = self._leaders(mentions)

    def _leaders(self, mentions: array[int]) -> dict[int, list[int]]:
        """The positions of the ``LEADERS`` longer names mentioned most (the first in name
        order among equals) of each part-key bucket over the bound."""
        best: dict[int, list[tuple[int, int]]] = {}
        start = 0
        for position, end in enumerate(self.ends):
            if not self.single[position]:
                for k in range(start, end):
                    number = self.keys[k]
                    if self.part_key[number] and self.sizes[number] > self.max_bucket:
                        ranked = best.setdefault(number, [])
                        ranked.append((-mentions[position], position))
                        if len(ranked) > LEADERS:
                            ranked.sort()
                            ranked.pop()
            start = end
        return {number: sorted(position for _, position in ranked)
                for number, ranked in best.items()}

    def __iter__(self) -> Iterator[tuple[int, set[int]]]:
        indexes, single, keys, sizes, part_key, leaders = (
            self.indexes, self.single, self.keys, self.sizes, self.part_key, self.leaders)
        # Each bucket of two or more names: the positions of its names so far; and of each
        # bucket with leaders, its one-part names so far.
        buckets: list[list[int] | None] = [[] if size > 1 else None for size in sizes]
        bare: dict[int, list[int]] = {number: [] for number in leaders}
        start = 0
        for position, end in enumerate(self.ends):
            alone = single[position]
            partners: set[int] = set()
            for k in range(start, end):
                number = keys[k]
                members = buckets[number]
                if members is None:
                    continue
                if members:
                    chosen = (members[-NEIGHBOURS:] if sizes[number] > self.max_bucket
                              else members)
                    if alone or not part_key[number]:
                        partners.update([indexes[m] for m in chosen])
                    else:
                        partners.update([indexes[m] for m in chosen if single[m]])
                firsts = leaders.get(number)
                if firsts is not None:
                    if alone:
                        partners.update([indexes[m] for m in firsts if m < position])
                        bare[number].append(position)
                    elif position in firsts:
                        partners.update([indexes[m] for m in bare[number]])
                members.append(position)
            start = end
            yield indexes[position], partners


@functools.cache
def _optional_first() -> frozenset[str]:
    return frozenset(skeleton(fold(text)) for text in shipped("names.yaml")["optional_first"])


@functools.cache
def _given_names() -> frozenset[str]:
    return frozenset(skeleton(fold(text)) for text in shipped("names.yaml")["given_names"])


def given_name(form: str) -> bool:
    """Whether a folded part may spell a common given name (``given_names`` in names.yaml):
    its skeleton is one of theirs.

    >>> given_name(fold("Hussein")), given_name(fold("Haftar"))
    (True, False)
    """
    return skeleton(form) in _given_names()


def _openings(name: Name) -> list[tuple[str, tuple[Part, ...]]]:
    """The forms a comparison may align with the other name's first part, each with the
    parts that follow it (see the first-part rule in :mod:`namematch.compare`)."""
    parts = name.parts
    out = [(parts[0].form, parts[1:])]
    if len(parts) > 2:
        out.append((join_forms(parts[0].form, parts[1].form, parts[1].article), parts[2:]))
        if not name.patronymic and (skeleton(parts[0].form) in _optional_first()
                                    or parts[1].role == "kunya"):
            out.append((parts[1].form, parts[2:]))
    return out


def _units(parts: tuple[Part, ...]) -> list[tuple[str, bool]]:
    """Each part's form and each two adjacent parts' joined form, with whether its keys
    allow a slip: only the last part's do. A middle part is often a father's common given
    name, whose slip variants would pair many different people."""
    out = [(p.form, i == len(parts) - 1) for i, p in enumerate(parts)]
    out.extend((join_forms(a.form, b.form, b.article), False)
               for a, b in itertools.pairwise(parts))
    return out


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
