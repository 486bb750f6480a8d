"""Blocking keys: cheap strings that every spelling of a name shares with its variants.

A part's key is its consonant skeleton in coarse classes (``key_classes`` in
``data/rules.yaml``); a slip-tolerant key also gives the skeleton with any one consonant
left out, so that one slip (a substitution, insertion or deletion) still leaves a shared
key. The keys are derived from the name rules of :mod:`namematch.rules`, which the
comparison reads too:

* part keys (``p:``) pair a one-part mention with the names whose last part (or last two
  parts joined, or kunya) it may meet; they never pair two longer names;
* combined keys (``c:``) pair two longer names whose openings (:func:`rules.openings`)
  agree: the first part, the first two parts joined, or the second part after a leading
  Mohammed, each with a later part or two adjacent later parts joined. One slip is allowed
  in the opening or in the last part; a middle part (often a father's common given name)
  must agree exactly. One more combined key reads the name as written surname first
  (:func:`rules.may_be_surname_first`): its second part as the opening, its first part as
  the last.

>>> sorted(k for k in keys("Mesmari"))
['p:mmr', 'p:msm', 'p:msmr', 'p:msr', 'p:smr']
>>> "p:msmr" in keys("Ahmed al-Mesmari"), "p:hmd" in keys("Ahmed al-Mesmari")
(True, False)
>>> "c:hmd|msr" in keys("Ahmed al-Mesmari")
True
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Final

from .fold import join_forms, skeleton
from .parse import Name, Part, parse
from .rules import may_be_surname_first, openings, single_targets
from .tables import tables

__all__ = ["LEADERS", "NEIGHBOURS", "KeyCache", "Pairing", "keys", "part_keys"]

_LONGEST: Final = 16  # no slip variants for longer skeletons: no name part is that long, junk is


class KeyCache:
    """The keys worked out for the forms of one run's names: common parts recur in many
    names. Owned by the run (dropped once its list is blocked) or by a gazetteer, and
    started again once it holds ``limit`` forms."""

    def __init__(self, limit: int = 1 << 20) -> None:
        self.limit: Final = limit
        self.parts: dict[str, frozenset[str]] = {}
        self.firsts: dict[str, frozenset[str]] = {}
        self.variants: dict[tuple[str, int], tuple[str, frozenset[str]]] = {}

    def part_keys(self, form: str) -> frozenset[str]:
        found = self.parts.get(form)
        if found is None:
            self._make_room()
            exact, slips = self.variants_of(form, 4)
            found = self.parts[form] = (frozenset("p:" + k for k in {exact, *slips})
                                        if exact else frozenset())
        return found

    def _make_room(self) -> None:
        if len(self.parts) + len(self.variants) >= self.limit:
            self.parts.clear()
            self.firsts.clear()
            self.variants.clear()

    def first_keys(self, form: str) -> frozenset[str]:
        """Part keys by which a given name after a title finds the names it may open: kept
        apart from surname keys ("p:=" rather than "p:"), so that a bare surname does not
        pair with every name that starts with it."""
        found = self.firsts.get(form)
        if found is None:
            found = self.firsts[form] = frozenset("p:=" + k[2:] for k in self.part_keys(form))
        return found

    def variants_of(self, form: str, shortest: int = 3) -> tuple[str, frozenset[str]]:
        key = (form, shortest)
        found = self.variants.get(key)
        if found is None:
            self._make_room()
            found = self.variants[key] = _variants(form, shortest)
        return found


def part_keys(form: str) -> frozenset[str]:
    """The keys of one part: its skeleton and, if long enough, the skeleton less one letter.

    >>> sorted(part_keys("msmArI"))
    ['p:mmr', 'p:msm', 'p:msmr', 'p:msr', 'p:smr']
    """
    return KeyCache().part_keys(form)


def keys(name: Name | str, cache: KeyCache | None = None) -> frozenset[str]:
    """All blocking keys of a name (a parsed :class:`Name` or a string).

    A one-part name gives its part keys. A longer name gives the part keys of what a one-part
    mention may meet (:func:`rules.single_targets`), and combined keys for other longer
    names: each opening of the name (:func:`rules.openings`) with each later part or two
    adjacent later parts joined, one slip allowed in the opening or the last part; and one
    more for a name that may be written surname first. ``cache`` keeps part keys for a run
    that blocks many names.
    """
    parsed = name if isinstance(name, Name) else parse(name)
    memo = cache if cache is not None else KeyCache()
    out = _name_keys(parsed, memo)
    for symbol, reading in tables().rules.key_second_readings.items():
        # A symbol the comparison reads close to a letter of another key class also gives
        # the keys of that reading (``key_second_readings`` in rules.yaml).
        if any(symbol in p.form for p in parsed.parts):
            out |= _name_keys(replace(parsed, parts=tuple(
                replace(p, form=p.form.replace(symbol, reading)) for p in parsed.parts)), memo)
    return frozenset(out)


def _name_keys(parsed: Name, memo: KeyCache) -> set[str]:
    """The keys of one reading of a name (see :func:`keys`)."""
    parts = parsed.parts
    if len(parts) < 2:
        if not parts:
            return set()
        found = set(memo.part_keys(parts[0].form))
        if parsed.given_mention:  # King Salman: looks up first parts
            found |= memo.first_keys(parts[0].form)
        return found
    out: set[str] = set()
    for target in single_targets(parsed):
        if target.kind == "first":
            out |= memo.first_keys(target.form)
        else:
            out |= memo.part_keys(target.form)
    for opening in openings(parsed):
        out.update(_combined_keys(opening.form, opening.rest, memo))
    if may_be_surname_first(parsed):
        # Written surname first ("Haftar Khalifa"): the keys of the name read with its first
        # part put last, as the comparison reads it: each opening of that reading (no part
        # left out) with the surname as its last part.
        reordered = replace(parsed, parts=(*parts[1:], parts[0]))
        for opening in openings(reordered):
            if opening.left_out is None:
                out.update(_combined_keys(opening.form, parts[:1], memo))
    return out


def _combined_keys(first: str, rest: tuple[Part, ...], memo: KeyCache) -> Iterator[str]:
    """The combined keys of an opening with each later unit, one slip allowed in the
    opening or in the last part."""
    first_exact, first_slips = memo.variants_of(first)
    if not first_exact:
        return
    for later, tolerant in _units(rest):
        exact, slips = memo.variants_of(later, 2)
        if not exact:
            continue
        yield f"c:{first_exact}|{exact}"
        if tolerant:
            yield from (f"c:{first_exact}|{v}" for v in slips)
            yield from (f"c:{v}|{exact}" for v in first_slips)


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


def _units(parts: tuple[Part, ...]) -> list[tuple[str, bool]]:
    """Each part's form and each two adjacent parts' joined form, with whether its keys
    allow a slip: only the last part's do. A middle part is often a father's common given
    name, whose slip variants would pair many different people."""
    out = [(p.form, i == len(parts) - 1) for i, p in enumerate(parts)]
    out.extend((join_forms(a.form, b.form, b.article), False)
               for a, b in itertools.pairwise(parts))
    return out


def _variants(form: str, shortest: int = 3) -> tuple[str, frozenset[str]]:
    """A form's skeleton and its one-letter-less variants (skeletons of ``shortest``+ letters).

    Alone, a short skeleton less a letter would pair almost everything (part keys need 4+
    letters); within a combined key, 3 letters are enough.
    """
    skel = skeleton(form)
    if not shortest <= len(skel) <= _LONGEST:
        return skel, frozenset()
    return skel, frozenset(skel[:i] + skel[i + 1 :] for i in range(len(skel)))
