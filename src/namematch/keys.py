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

import hashlib
import itertools
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Final, NamedTuple, Protocol

from ._pickling import by_fields
from .fold import join_forms, skeleton
from .parse import Name, Part, parse
from .rules import may_be_surname_first, openings, single_targets
from .tables import tables

__all__ = ["FIRST_KEY", "LEADERS", "NEIGHBOURS", "PART_KEY", "Buckets", "KeyCache", "Pairing",
           "Variants", "key_numbers", "keys", "part_keys", "skeleton_code"]

_LONGEST: Final = 16  # no slip variants for longer skeletons: no name part is that long, junk is
_PART_SHORTEST: Final = 4  # part keys' slip variants keep 4+ letters (see _variants)


# A key as a number below 2**62 (compiled code keeps it unboxed). A skeleton's code is a
# hash of its text, the same in every process and run (keys computed in different worker
# processes meet in one bucket); a combined key mixes its two codes, a part key is a code
# with a tag above. Two keys share a number by chance about once in 2**60 pairs: at
# worst that pairs two names for comparison that no key pairs.
_CODE_BITS: Final = 60
_CODE_MASK: Final = (1 << _CODE_BITS) - 1
_TURN_MASK: Final = (1 << (_CODE_BITS - 7)) - 1
PART_KEY: Final = 1 << 61
"""The tag of a part key (``p:``); every key at or above it is a part key."""
FIRST_KEY: Final = 3 << 60
"""The tag of a first-part key (``p:=``)."""


def skeleton_code(skel: str) -> int:
    """A skeleton's code: 60 bits of its hash, the same in every process (0 for none)."""
    if not skel:
        return 0
    digest = hashlib.blake2b(skel.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> (64 - _CODE_BITS)


class Variants(NamedTuple):
    """A skeleton's code (0 for none), the codes of its one-letter-less variants, and, for
    the variants a part key allows, the part keys they give (see :meth:`KeyCache.part_keys`).
    One per skeleton in a :class:`KeyCache`: the forms that differ only in vowels share it."""

    exact: int
    slips: tuple[int, ...]
    part_keys: tuple[int, ...]


class KeyCache:
    """The keys worked out for the forms of one run's names: common parts recur in many
    names. Owned by the run (dropped once its list is blocked) or by a gazetteer, and
    started again once it holds ``limit`` forms (never, with no limit).

    Keys are numbers; with ``texts`` the cache also remembers what each number stands for
    (see :meth:`text`), which :func:`keys` shows. Keys are kept in tuples, shared by the
    forms of one skeleton: a large list has hundreds of thousands of forms, and a set per
    form weighed several times as much.
    """

    def __init__(self, limit: int | None = 1 << 20, *, texts: bool = True) -> None:
        self.limit: Final = limit
        self.parts: dict[str, tuple[int, ...]] = {}
        self.firsts: dict[str, tuple[int, ...]] = {}
        # By the shortest variant kept, then by form (or skeleton): no key tuple to make.
        self.variants: dict[int, dict[str, Variants]] = {}
        self.skeleton_variants: dict[int, dict[str, Variants]] = {}
        self.codes: dict[str, int] = {}
        self.skeletons: dict[int, str] | None = {0: ""} if texts else None
        self.combined_codes: dict[int, tuple[int, int]] = {}

    def code(self, skel: str) -> int:
        """The code of a skeleton (see :func:`skeleton_code`)."""
        found = self.codes.get(skel)
        if found is None:
            found = self.codes[skel] = skeleton_code(skel)
            if self.skeletons is not None:
                self.skeletons[found] = skel
        return found

    def combined(self, first: int, later: int) -> int:
        """The combined key of two skeleton codes (an opening's, a later part's)."""
        # first's bits turned by 7 (so that (a, b) and (b, a) differ), never above 60 bits:
        # compiled code keeps the numbers unboxed.
        key = (((first & _TURN_MASK) << 7) | (first >> (_CODE_BITS - 7))) ^ later
        if self.skeletons is not None:
            self.combined_codes[key] = (first, later)
        return key

    def text(self, key: int) -> str:
        """The key as text: ``p:`` and a skeleton, ``p:=`` and one, or ``c:`` and two (for a
        key this cache made, keeping texts)."""
        skeletons = self.skeletons
        if skeletons is None:
            raise ValueError("this key cache keeps no texts")
        if key >= FIRST_KEY:
            return "p:=" + skeletons[key & _CODE_MASK]
        if key >= PART_KEY:
            return "p:" + skeletons[key & _CODE_MASK]
        first, later = self.combined_codes[key]
        return f"c:{skeletons[first]}|{skeletons[later]}"

    def numbers(self, name: Name) -> set[int]:
        """The keys of a name as numbers (:func:`key_numbers` with this cache)."""
        return key_numbers(name, self)

    def part_keys(self, form: str) -> tuple[int, ...]:
        """A part's keys (see :func:`part_keys`), each once."""
        found = self.parts.get(form)
        if found is None:
            found = self.parts[form] = self.variants_of(form, _PART_SHORTEST).part_keys
        return found

    def _make_room(self) -> None:
        if self.limit is not None and len(self.parts) + sum(
                len(by_form) for by_form in self.variants.values()) >= self.limit:
            self.parts.clear()
            self.firsts.clear()
            self.variants.clear()
            self.skeleton_variants.clear()
            self.codes.clear()
            if self.skeletons is not None:
                self.skeletons = {0: ""}
                self.combined_codes.clear()

    def first_keys(self, form: str) -> tuple[int, ...]:
        """Part keys by which a given name after a title finds the names it may open: kept
        apart from surname keys ("p:=" rather than "p:"), so that a bare surname does not
        pair with every name that starts with it."""
        found = self.firsts.get(form)
        if found is None:
            found = self.firsts[form] = tuple(FIRST_KEY | (k & _CODE_MASK)
                                              for k in self.part_keys(form))
        return found

    def variants_of(self, form: str, shortest: int = 3) -> Variants:
        """The codes of a form's skeleton and of its one-letter-less variants of
        ``shortest`` letters or more."""
        by_form = self.variants.get(shortest)
        found = by_form.get(form) if by_form is not None else None
        if found is None:
            self._make_room()
            by_form = self.variants.setdefault(shortest, {})
            by_skeleton = self.skeleton_variants.setdefault(shortest, {})
            skel = skeleton(form)
            found = by_skeleton.get(skel)
            if found is None:
                found = by_skeleton[skel] = self._coded(skel, shortest)
            by_form[form] = found
        return found

    def _coded(self, skel: str, shortest: int) -> Variants:
        """The :class:`Variants` of a skeleton."""
        exact, slips = _variants(skel, shortest)
        exact_code = self.code(exact)
        slip_codes = tuple(dict.fromkeys(self.code(v) for v in sorted(slips)))
        if shortest != _PART_SHORTEST or not exact_code:
            return Variants(exact_code, slip_codes, ())
        return Variants(exact_code, slip_codes,
                        tuple(dict.fromkeys(PART_KEY | k for k in (exact_code, *slip_codes))))


def part_keys(form: str) -> frozenset[str]:
    """The keys of one part: its skeleton and, if long enough, the skeleton less one letter.

    >>> sorted(part_keys("msmArI"))
    ['p:mmr', 'p:msm', 'p:msmr', 'p:msr', 'p:smr']
    """
    cache = KeyCache()
    return frozenset(cache.text(key) for key in cache.part_keys(form))


def keys(name: Name | str, cache: KeyCache | None = None) -> frozenset[str]:
    """All blocking keys of a name (a parsed :class:`Name` or a string), as text.

    A one-part name gives its part keys. A longer name gives the part keys of what a one-part
    mention may meet (:func:`rules.single_targets`), and combined keys for other longer
    names: each opening of the name (:func:`rules.openings`) with each later part or two
    adjacent later parts joined, one slip allowed in the opening or the last part; and one
    more for a name that may be written surname first. ``cache`` keeps part keys for a run
    that blocks many names.
    """
    memo = cache if cache is not None else KeyCache()
    return frozenset(memo.text(key) for key in key_numbers(name, memo))


def key_numbers(name: Name | str, cache: KeyCache) -> set[int]:
    """The keys of :func:`keys` as numbers of ``cache`` (see :class:`KeyCache`): what a run
    that blocks many names keeps."""
    parsed = name if isinstance(name, Name) else parse(name)
    out = _name_keys(parsed, cache)
    for symbol, reading in tables().rules.key_second_readings.items():
        # A symbol the comparison reads close to a letter of another key class also gives
        # the keys of that reading (``key_second_readings`` in rules.yaml).
        if any(symbol in p.form for p in parsed.parts):
            out |= _name_keys(replace(parsed, parts=tuple(
                replace(p, form=p.form.replace(symbol, reading)) for p in parsed.parts)), cache)
    return out


def _name_keys(parsed: Name, memo: KeyCache) -> set[int]:
    """The keys of one reading of a name (see :func:`keys`)."""
    parts = parsed.parts
    if len(parts) < 2:
        if not parts:
            return set()
        found = set(memo.part_keys(parts[0].form))
        if parsed.given_mention:  # King Salman: looks up first parts
            found.update(memo.first_keys(parts[0].form))
        return found
    out: set[int] = set()
    for target in single_targets(parsed):
        if target.kind == "first":
            out.update(memo.first_keys(target.form))
        else:
            out.update(memo.part_keys(target.form))
    for opening in openings(parsed):
        _add_combined_keys(out, opening.form, opening.rest, memo)
    if may_be_surname_first(parsed):
        # Written surname first ("Haftar Khalifa"): the keys of the name read with its first
        # part put last, as the comparison reads it: each opening of that reading (no part
        # left out) with the surname as its last part.
        reordered = replace(parsed, parts=(*parts[1:], parts[0]))
        for opening in openings(reordered):
            if opening.left_out is None:
                _add_combined_keys(out, opening.form, parts[:1], memo)
    return out


def _add_combined_keys(out: set[int], first: str, rest: tuple[Part, ...],
                       memo: KeyCache) -> None:
    """Add the combined keys of an opening with each later unit, one slip allowed in the
    opening or in the last part."""
    first_exact, first_slips, _ = memo.variants_of(first)
    if not first_exact:
        return
    for later, tolerant in _units(rest):
        exact, slips, _ = memo.variants_of(later, 2)
        if not exact:
            continue
        out.add(memo.combined(first_exact, exact))
        if tolerant:
            for slip in slips:
                out.add(memo.combined(first_exact, slip))
            for slip in first_slips:
                out.add(memo.combined(slip, exact))


NEIGHBOURS: Final = 1
"""In a bucket over the bound, each name pairs with this many next names in name order
(2 found no more true pairs than 1 on a synthetic million names, for 5% more pairs)."""

LEADERS: Final = 3
"""In a part-key bucket over the bound, the longer names mentioned most that every one-part
name of the bucket also pairs with."""


@dataclass(frozen=True)
class Buckets:
    """Names' keys (some of them) bucketed, for :class:`Pairing`.

    Each distinct key (text, or a number of a :class:`KeyCache`) becomes a bucket number;
    ``keys`` holds every name's bucket numbers, one name after another, ``ends`` where each
    name's end. Each bucket has a size, a start in ``members`` (the positions of its names,
    in order), and each entry of ``keys`` a rank among its bucket's members. ``leaders``
    holds, for each part-key bucket over the bound, the positions of the ``LEADERS``
    longer names mentioned most (the first in name order among equals).

    The bucket arrays are 32-bit (``ends`` is 64-bit): they are the largest a run holds
    while comparing, and one share of keys holds fewer than 2**31 entries (a list of
    about a hundred million distinct names, bucketed in one share).
    """

    keys: array[int]
    ends: array[int]
    part_key: bytearray
    sizes: array[int]
    starts: array[int]
    members: array[int]
    ranks: array[int]
    leaders: dict[int, list[int]]

    @classmethod
    def of(cls, keys: Iterable[str | int], ends: array[int], single: bytearray,
           mentions: array[int], max_bucket: int) -> Buckets:
        """The buckets of names with ``keys`` (up to ``ends``), which have one part or not
        (``single``) and are mentioned ``mentions`` times."""
        numbered, distinct = _numbered(keys)
        part_key = bytearray(_is_part_key(key) for key in distinct)
        del distinct
        sizes, starts, members, ranks = _buckets(numbered, ends, len(part_key))
        leaders = _leaders(numbered, ends, part_key, sizes, single, mentions, max_bucket)
        return cls(numbered, ends, part_key, sizes, starts, members, ranks, leaders)

    def __reduce__(self) -> tuple[type[Buckets], tuple[object, ...]]:
        return by_fields(self)


class Pairing:
    """The candidate pairs of names that share blocking keys (buckets), name by name.

    Built from, in name order, each name's index, whether it has one part, its keys and
    how often it is mentioned (:meth:`of`). :meth:`partners` gives the indexes of the
    earlier names a name pairs with, as the bucket rules allow; iterating gives every name's:

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
    keys comes out once, with no set of all pairs; and any name's partners can be asked for
    on its own, so that worker processes share the pairing out. The keys may be bucketed
    in several :class:`Buckets` (each key in one of them, so that processes can bucket
    them apart); a name's partners are those of all.

    >>> names = [(1, False, ["p:msmr"], 1), (2, True, ["p:msmr"], 1), (3, False, ["p:msmr"], 1)]
    >>> [(j, sorted(earlier)) for j, earlier in Pairing.of(names, 50)]
    [(1, []), (2, [1]), (3, [2])]
    >>> names = [(i, False, ["c:hmd|msmr"], 1) for i in range(4)]
    >>> [sorted(earlier) for _, earlier in Pairing.of(names, 3)]
    [[], [0], [1], [2]]
    >>> names = [(0, True, ["p:msmr"], 5), *((i, False, ["p:msmr"], i) for i in range(1, 8))]
    >>> [sorted(earlier) for _, earlier in Pairing.of(names, 3)][5:]
    [[0], [0], [0]]
    """

    def __init__(self, indexes: array[int], single: bytearray, parts: list[Buckets],
                 max_bucket: int) -> None:
        self.indexes: Final = indexes
        self.single: Final = single
        self.parts: Final = parts
        self.max_bucket: Final = max_bucket
        self._walk: Final = (None if _KERNELS is None else _KERNELS.walk(
            indexes, single, [(part.keys, part.ends, part.part_key, part.sizes, part.starts,
                               part.members, part.ranks, part.leaders) for part in parts],
            max_bucket, NEIGHBOURS))

    @classmethod
    def of(cls, names: Iterable[tuple[int, bool, Iterable[str] | Iterable[int], int]],
           max_bucket: int) -> Pairing:
        """The pairing of ``names``: (index, has one part, keys, mentions) of each."""
        indexes, single, ends, mentions = array("q"), bytearray(), array("q"), array("q")
        keys: list[str | int] = []
        for index, alone, its_keys, times in names:
            indexes.append(index)
            single.append(alone)
            mentions.append(times)
            keys.extend(its_keys)
            ends.append(len(keys))
        return cls(indexes, single, [Buckets.of(keys, ends, single, mentions, max_bucket)],
                   max_bucket)

    def __len__(self) -> int:
        return len(self.indexes)

    @property
    def walk(self) -> object | None:
        """The C walk of the pairing (``namematch._kernels.Walk``), or None without the
        kernel: compiled code that reads a name's partners without a list each time."""
        return self._walk

    def __reduce__(self) -> tuple[type[Pairing], tuple[object, ...]]:
        return (Pairing, (self.indexes, self.single, self.parts, self.max_bucket))

    def partners(self, position: int) -> list[int]:
        """The indexes of the earlier names the name at ``position`` pairs with, ascending:
        from the C walk where the wheel built it (``_kernels.Walk``), else
        :meth:`partners_py`."""
        if self._walk is not None:
            return self._walk.partners(position)
        return self.partners_py(position)

    def partners_py(self, position: int) -> list[int]:
        """:meth:`partners` in Python: the reference of the C walk."""
        found: set[int] = set()
        for part in self.parts:
            self._add_partners(part, position, found)
        return sorted(found)

    def _add_partners(self, part: Buckets, position: int, found: set[int]) -> None:
        """Add to ``found`` the partners of the name at ``position`` through ``part``."""
        indexes, single, sizes, members = self.indexes, self.single, part.sizes, part.members
        alone = single[position]
        for k in range(part.ends[position - 1] if position else 0, part.ends[position]):
            number = part.keys[k]
            size = sizes[number]
            if size < 2:
                continue
            first = part.starts[number]
            here = first + part.ranks[k]
            earlier = range(max(first, here - NEIGHBOURS) if size > self.max_bucket else first,
                            here)
            if alone or not part.part_key[number]:
                found.update([indexes[members[m]] for m in earlier])
            else:
                found.update([indexes[members[m]] for m in earlier if single[members[m]]])
            # Only buckets over the bound have leaders (see _leaders).
            leaders = part.leaders.get(number) if size > self.max_bucket else None
            if leaders is not None:
                if alone:
                    found.update([indexes[m] for m in leaders if m < position])
                elif position in leaders:
                    found.update([indexes[members[m]] for m in range(first, here)
                                  if single[members[m]]])

    def __iter__(self) -> Iterator[tuple[int, list[int]]]:
        for position in range(len(self.indexes)):
            yield self.indexes[position], self.partners(position)


class _Walk(Protocol):
    def partners(self, position: int, /) -> list[int]: ...


class _Kernels(NamedTuple):
    """The C twins of the blocking's loops (``namematch._kernels``): the walk of
    :meth:`Pairing.partners_py`, and the numbering, filling and leaders of buckets
    (:func:`_numbered_py`, :func:`_buckets_py`, :func:`_leaders_py`)."""

    walk: Callable[..., _Walk]
    number: Callable[[array[int], array[int], array[int]], int]
    fill: Callable[[array[int], array[int], array[int], array[int], array[int], array[int]],
                   None]
    leaders: Callable[[array[int], array[int], bytearray, array[int], bytearray, array[int],
                       int, int], dict[int, list[int]]]


def _load_kernels() -> _Kernels | None:
    """The C twins, where the wheel was built with a C compiler; None otherwise."""
    if array("q").itemsize != 8 or array("i").itemsize != 4:  # as the kernels read them
        return None
    try:
        from ._kernels import Walk, fill, leaders, number
    except ImportError:
        return None
    return _Kernels(Walk, number, fill, leaders)


_KERNELS: Final = _load_kernels()


def _leaders(keys: array[int], ends: array[int], part_key: bytearray, sizes: array[int],
             single: bytearray, mentions: array[int], max_bucket: int) -> dict[int, list[int]]:
    """:func:`_leaders_py`, in C where the wheel built it."""
    if _KERNELS is None or mentions.typecode != "q":
        return _leaders_py(keys, ends, part_key, sizes, single, mentions, max_bucket)
    return _KERNELS.leaders(keys, ends, part_key, sizes, single, mentions, max_bucket, LEADERS)


def _leaders_py(keys: array[int], ends: array[int], part_key: bytearray, sizes: array[int],
                single: bytearray, mentions: array[int],
                max_bucket: int) -> dict[int, list[int]]:
    """The positions of the ``LEADERS`` longer names mentioned most (the first in name
    order among equals) of each part-key bucket over the bound."""
    best: dict[int, list[tuple[int, int]]] = {}
    start = 0
    for position, end in enumerate(ends):
        if not single[position]:
            for k in range(start, end):
                number = keys[k]
                if part_key[number] and sizes[number] > max_bucket:
                    ranked = best.setdefault(number, [])
                    ranked.append((-mentions[position], position))
                    if len(ranked) > LEADERS:
                        ranked.sort()
                        ranked.pop()
        start = end
    return {number: sorted(position for _, position in ranked)
            for number, ranked in best.items()}


def _zeros(size: int, typecode: str = "i") -> array[int]:
    """An array of ``size`` zeros (32-bit, as the bucket arrays; ``"q"``: 64-bit), made
    without an intermediate buffer."""
    return array(typecode, [0]) * size


def _numbered(keys: Iterable[str | int]) -> tuple[array[int], Sequence[str | int]]:
    """Each key's bucket number (keys numbered in order of first appearance), and each
    number's key: in C for an array of key numbers where the wheel built it."""
    if _KERNELS is not None and isinstance(keys, array) and keys.typecode == "q":
        numbered, distinct = _zeros(len(keys)), _zeros(len(keys), "q")
        # A slice copies: del would keep the whole allocation.
        return numbered, distinct[:_KERNELS.number(keys, numbered, distinct)]
    return _numbered_py(keys)


def _numbered_py(keys: Iterable[str | int]) -> tuple[array[int], list[str | int]]:
    """:func:`_numbered` in Python: the reference of the C numbering."""
    numbers: dict[str | int, int] = {}
    numbered = array("i", [numbers.setdefault(key, len(numbers)) for key in keys])
    return numbered, list(numbers)


def _buckets(numbers: array[int], ends: array[int],
             count: int) -> tuple[array[int], array[int], array[int], array[int]]:
    """:func:`_buckets_py`, in C where the wheel built it."""
    if _KERNELS is None:
        return _buckets_py(numbers, ends, count)
    sizes, starts = _zeros(count), _zeros(count)
    members, ranks = _zeros(len(numbers)), _zeros(len(numbers))
    _KERNELS.fill(numbers, ends, sizes, starts, members, ranks)
    return sizes, starts, members, ranks


def _buckets_py(numbers: array[int], ends: array[int],
                count: int) -> tuple[array[int], array[int], array[int], array[int]]:
    """Each bucket's size, where its members start in the third array, the members (the
    positions of the names with each bucket number, in order), and the rank of each name's
    entry (``numbers[k]``) among its bucket's members."""
    sizes = _zeros(count)
    for number in numbers:
        sizes[number] += 1
    starts = _zeros(count)
    total = 0
    for number in range(count):
        starts[number] = total
        total += sizes[number]
    members = _zeros(total)
    ranks = _zeros(len(numbers))
    filled = _zeros(count)
    start = 0
    for position, end in enumerate(ends):
        for k in range(start, end):
            number = numbers[k]
            rank = filled[number]
            members[starts[number] + rank] = position
            ranks[k] = rank
            filled[number] = rank + 1
        start = end
    return sizes, starts, members, ranks


def _is_part_key(key: str | int) -> bool:
    """Whether a key (as text or as a number of a :class:`KeyCache`) is a part key."""
    return key >= PART_KEY if isinstance(key, int) else key.startswith("p:")


def _units(parts: tuple[Part, ...]) -> list[tuple[str, bool]]:
    """Each part's form and each two adjacent parts' joined form, with whether its keys
    allow a slip: only the last part's do. A middle part is often a father's common given
    name, whose slip variants would pair many different people."""
    out = [(p.form, i == len(parts) - 1) for i, p in enumerate(parts)]
    out.extend((join_forms(a.form, b.form, b.article), False)
               for a, b in itertools.pairwise(parts))
    return out


def _variants(skel: str, shortest: int = 3) -> tuple[str, frozenset[str]]:
    """A skeleton and its one-letter-less variants (skeletons of ``shortest``+ letters).

    Alone, a short skeleton less a letter would pair almost everything (part keys need 4+
    letters); within a combined key, 3 letters are enough.
    """
    if not shortest <= len(skel) <= _LONGEST:
        return skel, frozenset()
    return skel, frozenset(skel[:i] + skel[i + 1 :] for i in range(len(skel)))
