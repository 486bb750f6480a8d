"""The name rules: facts about one parsed name that blocking and comparison both read.

Each rule is defined here once. :mod:`namematch.keys` turns the facts into blocking keys
and :mod:`namematch.compare` into verdicts, so a pair the comparison may accept always
shares a key (a property test checks it):

* :func:`openings`: the forms a name may start with (its first part, its first two parts
  written as one word, its second part after a leading Mohammed that may be left out); two
  names of two or more parts match only when their openings agree.
* :func:`optional_first`: whether the first part may be left out.
* :func:`may_be_surname_first`: whether the first part may be a surname written first.
* :func:`single_targets` and :func:`may_meet`: which parts a one-part mention may meet.

:class:`Prepared` holds a name as the comparison reads it, with these facts worked out once.

>>> from namematch.parse import parse
>>> [o.form for o in openings(parse("Mohammed Hosni Mubarak"))]
['mohamed', 'mohamedhosnI', 'hosnI']
>>> may_be_surname_first(parse("Haftar Khalifa")), may_be_surname_first(parse("Ali Hassan"))
(True, False)
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import Final, Literal, NamedTuple

from .aliases import AliasTable
from .distance import ALIASED, PART_THRESHOLD, form_similarity, skeleton_bits
from .fold import fold, join_forms, skeleton
from .parse import Name, Part
from .tables import tables

__all__ = [
    "NameFacts",
    "Opening",
    "Prepared",
    "Target",
    "given_name",
    "may_be_surname_first",
    "may_meet",
    "openings",
    "optional_first",
    "single_targets",
]

Weights = Callable[[Part], float]
"""Each part's informativeness (1 for every part by default)."""


class Opening(NamedTuple):
    """A form a name may start with, and the parts that follow it."""

    form: str
    rest: tuple[Part, ...]
    left_out: Part | None = None
    """The part left out before it (a leading Mohammed), if any."""


class Target(NamedTuple):
    """A form of a longer name that a one-part mention may meet, and which mentions may
    (see :func:`may_meet`)."""

    form: str
    kind: Literal["last", "father", "kunya", "first"]
    """``last``: the last part (or last two joined), met by a surname mention; ``father``:
    the same when it is a father's name after bin, met only by a mention that spells the bin
    (Bin Laden); ``kunya``: a leading kunya, met by a kunya mention (Abu Obeida); ``first``:
    the first part itself, met by a given name after a title (King Salman)."""
    joined: bool
    """Whether it joins two parts (an alias table lists parts, not joined forms)."""


@functools.cache
def _optional_first_forms() -> frozenset[str]:
    return frozenset(fold(text) for text in tables().names.optional_first)


@functools.cache
def _given_name_skeletons() -> frozenset[str]:
    return frozenset(skeleton(fold(text)) for text in tables().names.given_names)


def given_name(form: str) -> bool:
    """Whether a folded part may spell a common given name (``given_names`` in names.yaml):
    its skeleton is one of theirs.

    >>> given_name(fold("Hussein")), given_name(fold("Haftar"))
    (True, False)
    """
    return skeleton(form) in _given_name_skeletons()


def optional_first(name: Name) -> bool:
    """Whether the name's first part may stand unmatched: a leading Mohammed
    (``optional_first`` in names.yaml), or a given name before a kunya by which the person
    goes (Adnan Abu Walid al-Sahrawi is Abu Walid al-Sahrawi); in a name of three or more
    parts, outside a nasab chain, where it is the person's own name (Mohammed bin Salman is
    not Salman).

    The part must both share Mohammed's consonant skeleton (Muhannad does not) and be
    spelled like it (Mahmoud, of the same skeleton, is not).

    >>> from namematch.parse import parse
    >>> optional_first(parse("Mohammed Hosni Mubarak")), optional_first(parse("Mohammed Hosni"))
    (True, False)
    >>> optional_first(parse("Mahmoud Hosni Mubarak")), optional_first(parse("Muhannad Ali Saleh"))
    (False, False)
    """
    if len(name.parts) < 3 or name.patronymic:
        return False
    if name.parts[1].role == "kunya":
        return True  # a given name before the kunya the person goes by (Adnan Abu Walid)
    form = name.parts[0].form
    return any(skeleton(form) == skeleton(f) and form_similarity(form, f) >= PART_THRESHOLD
               for f in _optional_first_forms())


def may_be_surname_first(name: Name) -> bool:
    """Whether the first part may be a surname written first: lists flattened from
    "SURNAME, Given" lose the comma ("Haftar Khalifa"). Never a kunya, a common given name
    ("Ali Hassan", Ali son of Hassan, is not "Hassan Ali"), or in a nasab chain."""
    parts = name.parts
    return (len(parts) > 1 and parts[0].role != "kunya" and not name.patronymic
            and not given_name(parts[0].form))


def join_parts(first: Part, second: Part) -> str:
    """The form of two adjacent parts written as one word (see :func:`fold.join_forms`)."""
    return join_forms(first.form, second.form, second.article)


def openings(name: Name) -> tuple[Opening, ...]:
    """The forms the comparison may align with the other name's first part, each with the
    parts that follow it: the first part, the first two joined (in a name of three or more
    parts), and the second part when the first may be left out (:func:`optional_first`)."""
    parts = name.parts
    if not parts:
        return ()
    out = [Opening(parts[0].form, parts[1:])]
    if len(parts) > 2:
        out.append(Opening(join_parts(parts[0], parts[1]), parts[2:]))
        if optional_first(name):
            out.append(Opening(parts[1].form, parts[2:], parts[0]))
    return tuple(out)


def single_targets(name: Name) -> tuple[Target, ...]:
    """The forms of a longer name a one-part mention may meet: a surname mention meets its
    last part or its last two parts joined (Nasrallah, Nasr Allah), unless that is a
    father's name after bin (Salman is not Mohammed bin Salman); a kunya mention (Abu
    Obeida) also its leading kunya; a given name after a title (King Salman) its first part
    (Salman bin Abdulaziz)."""
    parts = name.parts
    if len(parts) < 2:
        return ()
    last: Literal["last", "father"] = "father" if name.father_last else "last"
    out = [Target(parts[-1].form, last, False),
           Target(join_parts(parts[-2], parts[-1]), last, True)]
    if parts[0].role == "kunya":
        out.append(Target(parts[0].form, "kunya", False))
    out.append(Target(parts[0].form, "first", False))
    return tuple(out)


def may_meet(mention: Name, target: Target) -> bool:
    """Whether the one-part name ``mention`` may meet ``target`` of a longer name (see
    :class:`Target`): a given name after a title meets only a first part.

    >>> from namematch.parse import parse
    >>> [t.kind for t in single_targets(parse("Salman bin Abdulaziz"))
    ...  if may_meet(parse("King Salman"), t)]
    ['first']
    >>> [may_meet(parse("Salman"), t) for t in single_targets(parse("Mohammed bin Salman"))]
    [False, False, False]
    """
    if mention.given_mention:
        return target.kind == "first"
    if target.kind == "last":
        return True
    if target.kind == "father":
        return mention.patronymic
    return target.kind == "kunya" and mention.parts[0].role == "kunya"


def _uniform(part: Part) -> float:
    return 1.0


class NameFacts:
    """What the comparison reads off a name whatever the part weights: part forms and
    their :func:`~namematch.distance.skeleton_bits`, the forms of adjacent parts written as
    one word, and the name rules' facts. A gazetteer keeps them from batch to batch, while
    each batch weighs the parts anew (see :class:`Prepared`)."""

    def __init__(self, name: Name, aliases: AliasTable | None = None) -> None:
        parts = name.parts
        # Tuples, not lists: smaller, and once read by a collection the collector no
        # longer tracks a tuple of str or int (a gazetteer keeps these from batch to batch).
        self.forms: Final = tuple([p.form for p in parts])
        self.bits: Final = tuple([skeleton_bits(f, aliases) for f in self.forms])
        # Adjacent parts joined; in the alignment, not where one is initials, which
        # abbreviate words and so never join them.
        self.links: Final = tuple([join_parts(x, y) for x, y in itertools.pairwise(parts)])
        self.link_bits: Final = tuple([skeleton_bits(f, aliases) for f in self.links])
        self.joined: Final = (tuple([f if not (x.initials or y.initials) else ""
                                     for f, (x, y) in zip(self.links, itertools.pairwise(parts),
                                                          strict=True)])
                              if name.initials else self.links)
        self.optional_first: Final = optional_first(name)
        self.surname_first: Final = may_be_surname_first(name)
        self.targets: Final = tuple(single_targets(name))
        self.target_bits: Final = tuple([self._target_bits(t, aliases) for t in self.targets])

    def _target_bits(self, target: Target, aliases: AliasTable | None) -> int:
        """A target's skeleton bits, the alias flag only for a part's own form: read off
        the name's forms or joined forms, which the targets are (a name is prepared often)."""
        forms, bits = (self.links, self.link_bits) if target.joined else (self.forms, self.bits)
        if target.form not in forms:
            return skeleton_bits(target.form, None if target.joined else aliases)
        found = bits[forms.index(target.form)]
        return found & ~ALIASED if target.joined else found


class Prepared:
    """A name as the comparison reads it, worked out once per name rather than once per
    pair: its :class:`NameFacts` and its parts' weights. ``facts``, when given, are the
    name's facts under the same alias table, worked out before.

    >>> from namematch.parse import parse
    >>> Prepared(parse("Nasr Allah Hassan")).links
    ('nasralaH', 'alaHhasan')
    """

    def __init__(self, name: Name, weights: Weights = _uniform,
                 aliases: AliasTable | None = None, facts: NameFacts | None = None) -> None:
        # The facts are copied into the name's own fields (the comparison reads them for
        # every pair), and not kept: resolve prepares each name once.
        known = facts if facts is not None else NameFacts(name, aliases)
        self.name: Final = name
        self.parts: Final = name.parts
        self.aliases: Final = aliases
        self.forms: Final = known.forms
        self.bits: Final = known.bits
        self.weights: Final = tuple([weights(p) for p in name.parts])
        self.initials: Final = name.initials
        self.links: Final = known.links
        self.link_bits: Final = known.link_bits
        self.joined: Final = known.joined
        self.optional_first: Final = known.optional_first
        self.surname_first: Final = known.surname_first
        self.targets: Final = known.targets
        self.target_bits: Final = known.target_bits
        self.weigh: Final = weights
        self.record: object | None = None
        """The name as the compiled comparison reads it (see
        :meth:`namematch.compare.Comparer.triage`), made on first use."""
        self._shortened: Prepared | None = None
        self._reordered: Prepared | None = None

    def rewritten(self, parts: tuple[Part, ...]) -> Prepared:
        """The same name with other parts (see :func:`namematch.compare.rewrites`)."""
        return Prepared(replace(self.name, parts=parts), self.weigh, self.aliases)

    def shortened(self) -> Prepared:
        """The name less its first part, prepared once (a name meets many others)."""
        if self._shortened is None:
            self._shortened = self.rewritten(self.parts[1:])
        return self._shortened

    def reordered(self) -> Prepared:
        """The name with its first part put last, prepared once."""
        if self._reordered is None:
            self._reordered = self.rewritten((*self.parts[1:], self.parts[0]))
        return self._reordered
