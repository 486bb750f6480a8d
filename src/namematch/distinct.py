"""The distinct names of a list: how often each is written, parsed once, weighted.

Names repeat (a few people are mentioned very often), so every later stage works on the
distinct normalized names, sorted, and maps its results back onto the input rows. Names
whose parts fold alike share a *signature*: they always match, so only the first of each
signature (its *head*) is blocked and compared.

>>> names = NameList.of({"ahmed al-mesmari": {"Ahmed al-Mesmari": 2}, "mesmari": {"Mesmari": 1}})
>>> names.texts, list(names.heads), list(names.mentions)
(['ahmed al-mesmari', 'mesmari'], [0, 1], [2, 1])
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from ._pickling import by_fields
from .fold import skeleton
from .parse import Name, PackedNames, Part, parse, select

__all__ = ["MIN_WEIGHT", "Informativeness", "NameList", "Spellings", "add_counts",
           "head_positions", "part_frequency", "signature"]

MIN_WEIGHT: Final = 0.15
"""The weight of the commonest part, relative to a part no other name has."""


def signature(name: Name) -> tuple[object, ...]:
    """What comparison sees of a name: two names with one signature always match.

    >>> signature(parse("Gen. Khalifa Haftar")) == signature(parse("Khalifa Haftar"))
    True
    """
    return (tuple((p.form, p.article, p.role == "kunya") for p in name.parts), name.patronymic,
            name.given_mention, name.father_last)


class Informativeness:
    """Part weights from the list itself: a part most names share is weak evidence.

    The weight is the inverse document frequency of the part's skeleton, scaled to [0.15, 1].
    An instance is a plain callable object (not a closure), so worker processes and
    distributed engines can receive it by pickling.

    >>> weigh = Informativeness.of([parse(n) for n in ["Ali Saleh", "Ali Haftar", "Ali Sistani"]])
    >>> weigh(parse("Ali").parts[0]) < weigh(parse("Haftar").parts[0])
    True
    """

    def __init__(self, frequency: dict[str, int], size: int) -> None:
        self.frequency = frequency  # names per part skeleton
        self.size = size  # names in all
        self.known: dict[str, float] = {}

    @classmethod
    def of(cls, names: Sequence[Name]) -> Informativeness:
        """The weights of the parts of ``names``."""
        return cls(part_frequency(names, {}), len(names))

    def __reduce__(self) -> tuple[type[Informativeness], tuple[dict[str, int], int]]:
        return (Informativeness, (self.frequency, self.size))

    def __call__(self, part: Part) -> float:
        weight = self.known.get(part.form)
        if weight is None:
            scale = math.log(self.size + 1) or 1.0
            count = self.frequency.get(skeleton(part.form), 0)
            rarity = math.log((self.size + 1) / (count + 1)) / scale
            weight = self.known[part.form] = min(1.0, max(MIN_WEIGHT, rarity))
        return weight


def part_frequency(names: Iterable[Name], skeletons: dict[str, str]) -> dict[str, int]:
    """How many of ``names`` have a part of each skeleton (what :class:`Informativeness`
    weighs parts by); ``skeletons`` keeps each form's skeleton, for the next call too.

    Counts of slices of a list add up to the list's (see :func:`add_counts`), so slices
    can be counted in worker processes.

    >>> sorted(part_frequency([parse("Ali Saleh"), parse("Ali Ali"), parse("Salih")], {}).items())
    [('l', 2), ('sl', 2)]
    """
    frequency: dict[str, int] = {}
    for name in names:
        parts = name.parts
        if len(parts) == 1:  # most names of a long tail have two parts, many one
            skel = _skeleton_of(parts[0].form, skeletons)
            frequency[skel] = frequency.get(skel, 0) + 1
            continue
        for skel in {_skeleton_of(p.form, skeletons) for p in parts}:
            frequency[skel] = frequency.get(skel, 0) + 1
    return frequency


def add_counts(total: dict[str, int], counts: Mapping[str, int]) -> None:
    """Add ``counts`` into ``total``."""
    for key, count in counts.items():
        total[key] = total.get(key, 0) + count


def _skeleton_of(form: str, known: dict[str, str]) -> str:
    """The skeleton of ``form``, worked out once per form in ``known``."""
    found = known.get(form)
    if found is None:
        found = known[form] = skeleton(form)
    return found


def signature_heads(parsed: Sequence[Name]) -> list[int]:
    """Indexes of the first name of each folded signature, in order: the names to compare."""
    return [i for i, head in enumerate(head_positions(parsed)) if head == i]


def head_positions(parsed: Sequence[Name]) -> list[int]:
    """Each name's signature head: the index of the first name with its signature.

    >>> head_positions([parse("Ali Saleh"), parse("Mesmari"), parse("Gen. Ali Saleh")])
    [0, 1, 0]
    """
    first_of: dict[object, int] = {}
    if isinstance(parsed, PackedNames):  # read the signatures without unpacking the names
        return [first_of.setdefault(parsed.signature(i), i) for i in range(len(parsed))]
    return [first_of.setdefault(signature(name), i) for i, name in enumerate(parsed)]


def head_mentions(parsed: Sequence[Name], times: Sequence[int], heads: Sequence[int]) -> list[int]:
    """How often the name of each of ``heads`` (see :func:`signature_heads`) is mentioned,
    with every name that folds like it; ``times`` gives each parsed name's mentions."""
    position = {signature(parsed[head]): k for k, head in enumerate(heads)}
    total = [0] * len(heads)
    for name, count in zip(parsed, times, strict=True):
        total[position[signature(name)]] += count
    return total


class Spellings(Mapping[str, Mapping[str, int]]):
    """How a list's normalized names were written: each name -> each of its spellings (a
    distinct line) -> how often that line occurs.

    Most names of a long list have one spelling, and a dict per name would take most of
    the memory the list's text does; so each name keeps only its spellings, and one table
    (``times``) counts the lines. Looking a name up makes its small dict.

    >>> rows = ["Ali  Saleh", "Mesmari", "Ali Saleh", "ali saleh", "Ali Saleh", " "]
    >>> written = Spellings.counted(rows, lambda line: " ".join(line.lower().split()))
    >>> dict(written)
    {'ali saleh': {'Ali  Saleh': 1, 'Ali Saleh': 2, 'ali saleh': 1}, 'mesmari': {'Mesmari': 1}}
    >>> written.total("ali saleh"), list(written.lines())[-1]
    (4, ('mesmari', 'Mesmari'))
    >>> dict(written.totals())
    {'ali saleh': 4, 'mesmari': 1}
    """

    def __init__(self, spelled: dict[str, str | tuple[str, ...]], times: dict[str, int]) -> None:
        self.spelled: Final = spelled  # name -> its one spelling, or a tuple of them
        self.times: Final = times  # line -> how often it occurs

    @classmethod
    def counted(cls, rows: Iterable[str], normalize: Callable[[str], str],
                walk: Callable[[Iterable[str], int], Iterable[str]] | None = None) -> Spellings:
        """The spellings of ``rows`` (lines), each distinct line normalized once by
        ``normalize``; a line that normalizes to nothing is no spelling. ``walk``, given
        the distinct lines and how many there are, may wrap the walk over them (to report
        progress)."""
        times: dict[str, int] = Counter(rows)
        spelled: dict[str, str | tuple[str, ...]] = {}
        for row in times if walk is None else walk(times, len(times)):
            normal = normalize(row)
            if normal:
                known = spelled.get(normal)
                if known is None:
                    spelled[normal] = row
                else:
                    spelled[normal] = (known, row) if isinstance(known, str) else (*known, row)
        return cls(spelled, times)

    @classmethod
    def of(cls, written: Mapping[str, Mapping[str, int]]) -> Spellings:
        """``written`` (name -> spelling -> times) as spellings."""
        if isinstance(written, Spellings):
            return written
        spelled: dict[str, str | tuple[str, ...]] = {}
        times: dict[str, int] = {}
        for normal, forms in written.items():
            spelled[normal] = next(iter(forms)) if len(forms) == 1 else tuple(forms)
            times.update(forms)
        return cls(spelled, times)

    def __getitem__(self, normal: str) -> dict[str, int]:
        found = self.spelled[normal]
        times = self.times
        if isinstance(found, str):
            return {found: times[found]}
        return {line: times[line] for line in found}

    def __iter__(self) -> Iterator[str]:
        return iter(self.spelled)

    def __len__(self) -> int:
        return len(self.spelled)

    def __contains__(self, normal: object) -> bool:
        return normal in self.spelled

    def __reduce__(self) -> tuple[type[Spellings], tuple[object, ...]]:
        return (Spellings, (self.spelled, self.times))

    def lines(self) -> Iterator[tuple[str, str]]:
        """Each name with each of its spellings, as (name, line) pairs."""
        for normal, found in self.spelled.items():
            if isinstance(found, str):
                yield normal, found
            else:
                for line in found:
                    yield normal, line

    def totals(self) -> Mapping[str, int]:
        """How often each name is written, in all its spellings: a view on these spellings
        rather than a table (a long list has a million names)."""
        return _Totals(self)

    def total(self, normal: str) -> int:
        """How often ``normal`` is written, in all its spellings."""
        found = self.spelled[normal]
        times = self.times
        if isinstance(found, str):
            return times[found]
        return sum(times[line] for line in found)


class _Totals(Mapping[str, int]):
    """:meth:`Spellings.totals`."""

    def __init__(self, spellings: Spellings) -> None:
        self.spellings: Final = spellings

    def __getitem__(self, normal: str) -> int:
        return self.spellings.total(normal)

    def __iter__(self) -> Iterator[str]:
        return iter(self.spellings)

    def __len__(self) -> int:
        return len(self.spellings)

    def __reduce__(self) -> tuple[type[_Totals], tuple[object, ...]]:
        return (_Totals, (self.spellings,))


@dataclass(frozen=True)
class NameList:
    """The distinct normalized names of a list, sorted (``texts``), with their parses, how
    often each occurs (``counts``) and how it was written (``written``), the part weights,
    the signature heads, how often each head's signature is mentioned, and each name's
    head (``head_of``): these three in arrays, which worker processes read without writing
    the reference counts of the parent's int objects (and so copying their pages)."""

    texts: list[str]
    parsed: Sequence[Name]
    """A list, or :class:`~namematch.parse.PackedNames` where worker processes will read
    them (each read unpacks a name)."""
    counts: Mapping[str, int]
    written: Spellings
    weights: Informativeness
    heads: array[int]
    mentions: array[int]
    head_of: array[int]

    @classmethod
    def of(cls, written: Mapping[str, Mapping[str, int]],
           parse_all: Callable[[list[str]], Sequence[Name]] | None = None,
           weigh: Callable[[Sequence[Name]], Informativeness] | None = None) -> NameList:
        """The list whose normalized names were written as ``written`` says (normalized
        name -> each spelling as written -> times); ``parse_all`` parses the sorted names
        (one by one here by default; a caller may share them out, or report progress), and
        ``weigh`` gives the parsed names' part weights (:meth:`Informativeness.of` by
        default; a caller that parsed in slices may have counted the parts too)."""
        spellings = Spellings.of(written)
        counts = spellings.totals()
        texts = sorted(spellings)
        parsed = [parse(text) for text in texts] if parse_all is None else parse_all(texts)
        head_of = array("q", head_positions(parsed))
        heads = array("q", [i for i, head in enumerate(head_of) if head == i])
        mentions = array("q", bytes(8 * len(heads)))
        for text, head in zip(texts, head_of, strict=True):
            mentions[bisect_left(heads, head)] += counts[text]
        weights = Informativeness.of(parsed) if weigh is None else weigh(parsed)
        return cls(texts, parsed, counts, spellings, weights, heads, mentions, head_of)

    def __reduce__(self) -> tuple[type[NameList], tuple[object, ...]]:
        # The dask engine ships a list between its workers; compiled, a frozen dataclass
        # cannot be unpickled field by field.
        return by_fields(self)

    def unpacked(self) -> NameList:
        """The same list with its names unpacked once, for a stage that reads them often."""
        return NameList(self.texts, list(self.parsed), self.counts, self.written, self.weights,
                        self.heads, self.mentions, self.head_of)

    def part(self, members: Sequence[int]) -> NameList:
        """The names at ``members`` (ascending indexes, each name's whole signature among
        them), weighted as in the whole list.

        >>> names = NameList.of({"ali saleh": {"Ali Saleh": 1}, "mesmari": {"Mesmari": 3}})
        >>> part = names.part([1])
        >>> part.texts, list(part.heads), list(part.mentions), list(part.head_of)
        (['mesmari'], [0], [3], [0])
        """
        # Found by bisection, not in tables of every head and member: each worker process
        # that clusters a part of a long list calls this once.
        heads, mentions, head_of = array("q"), array("q"), array("q")
        for p, i in enumerate(members):
            head = self.head_of[i]
            if head == i:
                heads.append(p)
                mentions.append(self.mentions[bisect_left(self.heads, i)])
                head_of.append(p)
            else:
                head_of.append(bisect_left(members, head))
        return NameList([self.texts[i] for i in members], select(self.parsed, members),
                        self.counts, self.written, self.weights, heads, mentions, head_of)
