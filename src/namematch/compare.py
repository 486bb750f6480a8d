"""Compare two names part by part, and explain every part's contribution.

Parts are aligned in order (:mod:`namematch.align`); a part may also meet two adjacent
parts of the other name joined (Abdul Razek / Abdelrazzak, Nasr Allah / Nasrallah). Two
parts are similar when the weighted edit distance between their folded forms is small for
their length (:mod:`namematch.distance`). The name rules (:mod:`namematch.rules`) decide
the rest: two names match when their openings align, no part of one stands opposite a
different part of the other, and the aligned parts are similar; a one-part name (a surname
mention such as "Ghosri") must meet the other's last part. When the first parts differ, a
leading Mohammed may be left out, or a surname written first put last.

>>> compare("Ahmed al-Mesmari", "Ahmed al-Mismari").decision
'match'
>>> compare("Hassan Nasrallah", "Hussein Nasrallah").decision
'no-match'
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal, NamedTuple

from ._pickling import by_fields
from .aliases import AliasTable
from .align import (
    EXTRA_PART_WEIGHT,
    Explained,
    Kind,
    Reason,
    Tally,
    align,
    chain_differs,
    chained,
    part_moves,
)
from .distance import CONFLICT_BELOW, PART_THRESHOLD, MemoPy, PartSimilarity
from .parse import Name, Part, parse
from .rules import NameFacts, Prepared, Weights, may_meet

__all__ = ["DEFAULT_THRESHOLD", "Comparer", "Match", "Outcome", "PartMatch", "compare"]

DEFAULT_THRESHOLD: Final = 0.8
"""Least score for two names to be one entity."""
CONFLICT_SCORE: Final = 0.3
"""The score of two names whose first parts differ or whose parts conflict, at most."""
REWRITE_FACTOR: Final = 0.97
"""Score factor for a match found only once one name is rewritten (a leading Mohammed left
out, a surname written first put last)."""
MAX_PARTS: Final = 24
"""Names of more parts than this (no real name has them) are compared for equality only."""
APART: Final = 0
"""What :meth:`Comparer.triage` answers for two names that neither match nor conflict."""
CONFLICT: Final = 1
"""What :meth:`Comparer.triage` answers for two names that possibly conflict."""
UNDECIDED: Final = 2
"""What :meth:`Comparer.triage` answers when only :meth:`Comparer.outcome` can tell."""

Decision = Literal["match", "no-match"]
Quick = int | tuple[float, bool]
"""What :meth:`Comparer.triage` answers: :data:`APART`, :data:`CONFLICT`, :data:`UNDECIDED`,
or a match's score and whether every part of both names took part."""


@dataclass(frozen=True)
class PartMatch:
    """How one part (or two joined parts) of each name contributed to the score.

    ``kind`` is ``same`` (aligned parts), ``alias`` (linked by an alias table), ``extra``
    (a part one name has and the other lacks), or ``conflict`` (different parts standing
    opposite each other). ``a`` or ``b`` is empty for an ``extra`` part.
    """

    a: str
    b: str
    similarity: float
    weight: float
    kind: Kind

    def __reduce__(self) -> tuple[type[PartMatch], tuple[object, ...]]:
        return by_fields(self)


@dataclass(frozen=True)
class Match:
    """The result of comparing two names: score in [0, 1], decision and explanation."""

    a: str
    b: str
    score: float
    decision: Decision
    conflict: bool
    reason: str
    parts: tuple[PartMatch, ...]

    def explain(self) -> str:
        """A readable, multi-line account of the comparison."""
        lines = [f"{self.decision} (score {self.score:.3f}): {self.reason}"]
        for p in self.parts:
            lines.append(
                f"  {p.kind:<8} {p.a or '-':<24} {p.b or '-':<24} "
                f"sim {p.similarity:.2f}  weight {p.weight:.2f}"
            )
        return "\n".join(lines)

    def __reduce__(self) -> tuple[type[Match], tuple[object, ...]]:
        return by_fields(self)


def _text(parts: tuple[Part, ...]) -> str:
    return " ".join(p.text for p in parts)


def _say(reason: Reason) -> str:
    if isinstance(reason, str):
        return reason
    verb, left, right = reason
    return f"{_text(left)!r} {verb} {_text(right)!r}"


class Outcome:
    """What comparing two parsed names finds: :class:`Match` without its explanation
    objects. :func:`namematch.resolve.resolve` compares millions of pairs and needs only
    the verdict; compiled, this plain class is built several times faster than frozen
    dataclasses.
    """

    def __init__(self, score: float, decision: Decision, conflict: bool,
                 reasons: str | list[Reason], parts: tuple[Explained, ...] = ()) -> None:
        self.score: Final = score
        self.decision: Final = decision
        self.conflict: Final = conflict
        self.reasons: Final = reasons
        self.parts: Final = parts

    def swapped(self) -> Outcome:
        """The same outcome seen from the other name."""
        return Outcome(self.score, self.decision, self.conflict, self.reasons,
                       tuple(p.swapped() for p in self.parts))

    @property
    def reason(self) -> str:
        """Why the names match or not, in words."""
        if isinstance(self.reasons, str):
            return self.reasons
        return "; ".join(map(_say, self.reasons)) if self.reasons else "all parts agree"

    @property
    def whole(self) -> bool:
        """Whether every part of both names took part (Hezbollah = Hizb Allah): then even a
        one-part name is a full match, not a partial mention."""
        return all(p.kind != "extra" for p in self.parts)

    def match(self, a: str, b: str) -> Match:
        """The public result for names ``a`` and ``b``."""
        return Match(a, b, self.score, self.decision, self.conflict, self.reason,
                     tuple(PartMatch(_text(p.a), _text(p.b), p.similarity, p.weight, p.kind)
                           for p in self.parts))


# What an unsettled comparison gives once it meets parts that differ (see Comparer.outcome).
_UNSETTLED: Final = Outcome(CONFLICT_SCORE, "no-match", True, "parts differ (not settled)")
_LAST_KINDS: Final = frozenset({"last", "father"})  # targets a surname mention may meet

# How the compiled kernel's Record spells a target's kind, and its flags (_kernels.c).
_KIND_LETTERS: Final = {"last": "l", "father": "f", "kunya": "k", "first": "g"}
_ALIASED: Final = 1
_OPTIONAL_FIRST: Final = 4
_GIVEN_MENTION: Final = 8
_PATRONYMIC: Final = 16
_KUNYA_FIRST: Final = 32
_SURNAME_FIRST: Final = 64


_Judge = Callable[..., tuple[bytes, bytes, bytes, bytes, bytes]]


def _load_kernel() -> tuple[Callable[..., object], _Judge] | None:
    """The compiled kernel's Record and judge (``namematch._kernels``), where it was built."""
    try:
        from ._kernels import Record, judge
    except ImportError:
        return None
    return Record, judge


_KERNEL: Final = _load_kernel()


class Triaged(NamedTuple):
    """The candidate pairs of a run of names triaged in C (:meth:`Comparer.triage_walk`),
    each as a code ``i * size + j``: the possible conflicts, the pairs left to
    :meth:`Comparer.outcome`, and the matches with their scores and whether each is whole."""

    conflicts: array[int]
    undecided: array[int]
    matches: array[int]
    scores: array[float]
    whole: bytes


def _rounded(score: float) -> float:
    """``round(score, 6)``. round() formats the number as decimal digits; most candidate
    pairs score 0.3 (a conflict), 0 or 1, which it would leave as they are.

    >>> _rounded(2 / 3), _rounded(0.3)
    (0.666667, 0.3)
    """
    if score == CONFLICT_SCORE or score == 0.0 or score == 1.0:
        return score
    return round(score, 6)


def _unpacked(packed: bytes, typecode: str) -> array[Any]:
    """An array of the kernel's packed numbers (``q``: pair codes, ``d``: scores)."""
    numbers = array(typecode)
    numbers.frombytes(packed)
    return numbers


def _uniform(part: Part) -> float:
    return 1.0


class Comparer:
    """Compares names for one run: its alias table, threshold and part weights, the memo
    of part similarities the run fills (:class:`~namematch.distance.PartSimilarity`), and
    optionally the :class:`~namematch.rules.NameFacts` of the names it prepared. Each run
    (a :func:`~namematch.resolve.resolve` call, a gazetteer) owns its comparer, so runs in
    other threads never share one.

    >>> comparer = Comparer()
    >>> comparer.outcome(comparer.prepare(parse("Saadi Gaddafi")),
    ...                  comparer.prepare(parse("Muammar Gaddafi"))).conflict
    True
    """

    def __init__(self, aliases: AliasTable | None = None, *,
                 threshold: float = DEFAULT_THRESHOLD, weights: Weights = _uniform,
                 similar: PartSimilarity | None = None,
                 facts: dict[str, NameFacts] | None = None) -> None:
        self.aliases: Final = aliases
        self.threshold: Final = threshold
        self.weights: Final = weights
        # A memo of part similarities, and the names' facts by text, may outlive the
        # comparer (a gazetteer keeps them from batch to batch): they depend on the alias
        # table only, not on weights or threshold.
        self.similar: Final = similar if similar is not None else PartSimilarity(aliases)
        self.facts: Final = facts
        # Triage needs the compiled memo; MemoPy would answer UNDECIDED to every pair.
        self._kernel: Final = None if isinstance(self.similar.memo, MemoPy) else _KERNEL

    def prepare(self, name: Name) -> Prepared:
        """``name`` as this comparer reads it; prepare a name once to compare it often."""
        if self.facts is None:
            return Prepared(name, self.weights, self.aliases)
        known = self.facts.get(name.text)
        if known is None:
            known = self.facts[name.text] = NameFacts(name, self.aliases)
        return Prepared(name, self.weights, self.aliases, known)

    def outcome(self, a: Prepared, b: Prepared, *, settle: bool = True) -> Outcome:
        """Compare two prepared names.

        With ``settle=False``, the comparison stops at parts that differ, without comparing
        them further to tell whether they conflict: such a pair comes out as a possible
        conflict, with the conflict score and no explanation. Its decision is the settled
        outcome's (never a match); its ``conflict`` flag, score and explanation may differ.
        :func:`~namematch.resolve.resolve` settles the few of those that could stop a merge.
        """
        if b.name.text < a.name.text or (b.name.text == a.name.text and b.parts < a.parts):
            # One fixed order, so that ties in the alignment cannot make compare asymmetric.
            return self._outcome(b, a, settle, True).swapped()
        return self._outcome(a, b, settle, True)

    def triage(self, a: Prepared, b: Prepared) -> Quick:
        """What :meth:`outcome` with ``settle=False`` finds of two names, where the compiled
        memo tells: :data:`APART` (no match and no conflict), :data:`CONFLICT` (a possible
        conflict), a match's score and whether it is whole (:attr:`Outcome.whole`), else
        :data:`UNDECIDED` (ask :meth:`outcome`). Most candidate pairs are settled so in C,
        without Python objects: all but names with initials, rewritten names and
        alignments that must choose between moves. Without the compiled kernels every pair
        is undecided.

        >>> comparer = Comparer()
        >>> saadi, ali = comparer.prepare(parse("Saadi Gaddafi")), comparer.prepare(parse("Ali"))
        >>> comparer.triage(saadi, ali) in (APART, UNDECIDED)
        True
        """
        record_a, record_b = self.record(a), self.record(b)
        if record_a is None or record_b is None:
            return UNDECIDED
        quick = self.similar.memo.triage(record_a, record_b, PART_THRESHOLD, self.threshold,
                                         EXTRA_PART_WEIGHT)
        return (_rounded(quick[0]), quick[1]) if isinstance(quick, tuple) else quick

    def triage_walk(self, walk: object, part: range, heads: array[int], records: list[object],
                    record_of: Callable[[int], object]) -> Triaged | None:
        """:meth:`triage` of the candidate pairs of the names at the positions of ``part``
        in a pairing's C walk (``namematch.keys.Pairing.walk``), each with its earlier
        partners, in C: ``heads`` gives the name index of each position, ``records`` each
        name's :meth:`record` (None until ``record_of(index)`` puts it there; anything
        else where the kernel does not judge the name). None without the kernel."""
        if self._kernel is None:
            return None
        conflicts, undecided, matches, scores, whole = self._kernel[1](
            self.similar.memo, walk, part.start, part.stop, heads, records, record_of,
            PART_THRESHOLD, self.threshold, EXTRA_PART_WEIGHT)
        return Triaged(_unpacked(conflicts, "q"), _unpacked(undecided, "q"),
                       _unpacked(matches, "q"),
                       array("d", [_rounded(score) for score in _unpacked(scores, "d")]),
                       whole)

    def triage_py(self, a: Prepared, b: Prepared) -> Quick:
        """The Python twin of :meth:`triage` where the kernel is built: the steps of
        :meth:`outcome` with ``settle=False`` up to the alignment, then the whole comparison
        of the pairs the kernel scores."""
        if not (0 < len(a.parts) <= MAX_PARTS and 0 < len(b.parts) <= MAX_PARTS) \
                or a.name.text == b.name.text:
            return UNDECIDED  # compared whole, or ordered by parts
        if b.name.text < a.name.text:
            a, b = b, a
        return self._judge_py(a, b, True)

    def _judge_py(self, a: Prepared, b: Prepared, may_rewrite: bool) -> Quick:
        """:meth:`triage_py` of two names in the comparison's order, rewriting them or not
        (as :meth:`_outcome`)."""
        if self._flags(a) & self._flags(b) & _ALIASED:
            return UNDECIDED  # the alias table may link the whole names
        if len(a.parts) > 1 and len(b.parts) > 1:
            opening = self._opening_similarity(a, b)
            if opening < PART_THRESHOLD:
                if may_rewrite and self._may_rewrite(a, b):
                    return UNDECIDED
                return CONFLICT if opening < CONFLICT_BELOW else APART
        elif len(a.parts) + len(b.parts) > 2 and self._single_meets(a, b)[0] < PART_THRESHOLD:
            return APART
        found = part_moves(a, b, self.similar)
        if chain_differs(found, a, b):
            return CONFLICT
        if a.initials or b.initials or not chained(found):
            return UNDECIDED
        outcome = self._outcome(a, b, False, may_rewrite)
        if outcome.conflict:
            return CONFLICT
        return (outcome.score, outcome.whole) if outcome.decision == "match" else APART

    def _may_rewrite(self, a: Prepared, b: Prepared) -> bool:
        """Whether a rewriting of either name (:func:`rewrites`) may match the other: the
        kernel's ``may_rewrite``, which judges a name less its leading part without
        rewriting again, and leaves a surname put last to the whole comparison."""
        for name, other, a_side in ((a, b, True), (b, a, False)):
            for rewritten, dropped, _ in rewrites(name, other, self.similar):
                if dropped is None:
                    return True
                first, second = (rewritten, other) if a_side else (other, rewritten)
                if self._judge_py(first, second, False) not in (APART, CONFLICT):
                    return True
        return False

    def record(self, name: Prepared, *, in_walk: bool = False) -> object | None:
        """The name as the kernel's triage reads it, made once; None without the kernel, or
        for a name the comparison only compares for equality.

        ``in_walk``: for :meth:`triage_walk` only, whose names come in text order: made
        without the text, which only orders two names, and not kept on the name (a worker
        records most names of a long list).
        """
        if name.record is not None or not self._judges(name):
            return name.record
        made = self._record(name, None if in_walk else name.name.text)
        if not in_walk:
            name.record = made
        return made

    def _judges(self, name: Prepared) -> bool:
        """Whether the kernel judges ``name``."""
        return self._kernel is not None and 0 < len(name.parts) <= MAX_PARTS

    def _record(self, name: Prepared, text: str | None) -> object:
        """A new kernel record of ``name``, with ``text`` to order it by."""
        assert self._kernel is not None
        short = name.shortened() if name.optional_first else None
        # A shortened name is judged only against another in a given order: no text.
        shortened = self._record(short, None) if short is not None and self._judges(short) \
            else None
        return self._kernel[0](
            text, name.forms, name.bits, name.joined, name.link_bits,
            name.links[0] if name.links else "", name.link_bits[0] if name.links else 0,
            [t.form for t in name.targets], name.target_bits,
            "".join(_KIND_LETTERS[t.kind] for t in name.targets).encode(), name.weights,
            sum(1 << k for k, part in enumerate(name.parts) if part.initials),
            self._flags(name), shortened)

    def _flags(self, name: Prepared) -> int:
        """The kernel Record's flags of a name."""
        aliased = self.aliases is not None and name.name.text in self.aliases.names
        return ((_ALIASED if aliased else 0)
                | (_OPTIONAL_FIRST if name.optional_first else 0)
                | (_SURNAME_FIRST if name.surname_first else 0)
                | (_GIVEN_MENTION if name.name.given_mention else 0)
                | (_PATRONYMIC if name.name.patronymic else 0)
                | (_KUNYA_FIRST if name.parts[0].role == "kunya" else 0))

    def _outcome(self, a: Prepared, b: Prepared, settle: bool, may_rewrite: bool) -> Outcome:
        early = self._settled_early(a, b)
        if early is not None:
            return early
        if len(a.parts) > 1 and len(b.parts) > 1:
            opening = self._opening_similarity(a, b)
            if opening < PART_THRESHOLD:
                return self._openings_differ(a, b, opening, may_rewrite)
        elif len(a.parts) + len(b.parts) > 2:
            meeting, may_last = self._single_meets(a, b)
            if meeting < PART_THRESHOLD:
                return Outcome(meeting, "no-match", False, _mention_reason(may_last), ())
        found = part_moves(a, b, self.similar)
        if not settle and chain_differs(found, a, b):
            return _UNSETTLED
        tally = Tally(a, b, self.similar, settle)
        if not tally.walk(align(a, b, self.similar, found)):
            return _UNSETTLED
        return self._verdict(tally)

    def _settled_early(self, a: Prepared, b: Prepared) -> Outcome | None:
        """The outcome of names an alias table links whole, or with no parts to compare."""
        if self.aliases is not None and self.aliases.same_name(a.name.text, b.name.text):
            return Outcome(1.0, "match", False, "alias table")
        if not a.parts or not b.parts or max(len(a.parts), len(b.parts)) > MAX_PARTS:
            same = a.name.text == b.name.text
            return Outcome(float(same), "match" if same else "no-match",
                           False, "no name parts to compare, or too many", ())
        return None

    def _opening_similarity(self, x: Prepared, y: Prepared) -> float:
        """Best similarity of x's first part with y's, allowing either to be joined with
        its next part (:func:`namematch.rules.openings`).

        Every accepted alignment pairs these, so a low value settles a comparison early.
        Callers only compare the value with the thresholds, so once the parts themselves
        meet ``PART_THRESHOLD`` the joined options are not tried.
        """
        similar = self.similar
        best = similar.parts(x.forms[0], x.bits[0], y.forms[0], y.bits[0], CONFLICT_BELOW)
        if best < PART_THRESHOLD and len(x.parts) > 2:
            best = max(best, similar.parts(x.links[0], x.link_bits[0], y.forms[0], y.bits[0],
                                           CONFLICT_BELOW))
        if best < PART_THRESHOLD and len(y.parts) > 2:
            best = max(best, similar.parts(x.forms[0], x.bits[0], y.links[0], y.link_bits[0],
                                           CONFLICT_BELOW))
        return best

    def _openings_differ(self, a: Prepared, b: Prepared, opening: float,
                         may_rewrite: bool) -> Outcome:
        """Two longer names whose first parts differ: a match only once one is rewritten."""
        rewritten = self._match_rewritten(a, b) if may_rewrite else None
        if rewritten is not None:
            return rewritten
        return Outcome(CONFLICT_SCORE, "no-match", opening < CONFLICT_BELOW,
                       "the first parts differ", ())

    def _single_meets(self, a: Prepared, b: Prepared) -> tuple[float, bool]:
        """How well a one-part name meets the other's targets
        (:func:`namematch.rules.single_targets`), and whether it may meet the last part."""
        one, full = (a, b) if len(a.parts) == 1 else (b, a)
        form, bits = one.forms[0], one.bits[0]
        best = 0.0
        may_last = False
        for k, target in enumerate(full.targets):
            if not may_meet(one.name, target):
                continue
            may_last = may_last or target.kind in _LAST_KINDS
            best = max(best, self.similar.parts(form, bits, target.form, full.target_bits[k],
                                                CONFLICT_BELOW))
        return best, may_last

    def _match_rewritten(self, a: Prepared, b: Prepared) -> Outcome | None:
        """The match of the two names once one of them is rewritten (see :func:`rewrites`)."""
        if not (a.optional_first or a.surname_first or b.optional_first or b.surname_first):
            return None  # most names have no rewriting: no generators to start
        for name, other, a_side in ((a, b, True), (b, a, False)):
            for rewritten, dropped, how in rewrites(name, other, self.similar):
                first, second = (rewritten, other) if a_side else (other, rewritten)
                match = self._outcome(first, second, False, False)
                if match.decision != "match":
                    continue
                parts = match.parts
                if dropped is not None:
                    alone = (dropped,)
                    parts = (Explained(alone if a_side else (), () if a_side else alone, 0.0,
                                       name.weigh(dropped), "extra"), *parts)
                score = round(match.score * REWRITE_FACTOR, 6)
                return Outcome(score, "match" if score >= self.threshold else "no-match",
                               False, f"all parts agree once {how}", parts)
        return None

    def _verdict(self, tally: Tally) -> Outcome:
        """The score and decision from a walked alignment, by the name rules."""
        reasons, conflict = tally.reasons, tally.conflict
        if tally.lacks_a and tally.lacks_b and not reasons:
            # A shortened name drops parts; it does not add others (Mohammed Ibrahim Sulaiman
            # is not Mohammed Hassan Ibrahim).
            reasons.append("each name has parts the other lacks")
        if len(tally.a.parts) == 1 or len(tally.b.parts) == 1:
            score = _single_score(tally)
        else:
            score = tally.matched_weight / tally.total_weight if tally.total_weight else 0.0
            if not tally.first_aligned:
                reasons.append("the first parts differ")
                conflict = True
        if conflict:
            score = min(score, CONFLICT_SCORE)
        decision: Decision = "match" if score >= self.threshold and not reasons else "no-match"
        return Outcome(_rounded(score), decision, conflict, reasons, tuple(tally.explained))


def _single_score(tally: Tally) -> float:
    """The score of a one-part name: its best aligned part, if it meets a target
    (:func:`namematch.rules.single_targets`) of the other name."""
    score = max((p.similarity for p in tally.explained if p.kind in ("same", "alias")),
                default=0.0)
    a, b = tally.a, tally.b
    if not tally.matched_weight:
        tally.reasons.append("no part in common")
        return score
    if len(a.parts) == len(b.parts) == 1:
        return score
    one, full = (a, b) if len(a.parts) == 1 else (b, a)
    may_first, may_last = _ends_met(one, full)
    last_met = may_last and (tally.last_b_aligned if one is a else tally.last_a_aligned)
    if not (last_met or (may_first and tally.first_aligned)):
        tally.reasons.append(_mention_reason(may_last))
        return min(score, CONFLICT_BELOW)
    return score


def _ends_met(one: Prepared, full: Prepared) -> tuple[bool, bool]:
    """Whether the one-part name may meet the longer name's first part, and its last."""
    kinds = {t.kind for t in full.targets if may_meet(one.name, t)}
    return bool(kinds & {"kunya", "first"}), bool(kinds & _LAST_KINDS)


def _mention_reason(may_last: bool) -> str:
    """Why a one-part name does not meet a longer one, whose last part it may meet or not."""
    if may_last:
        return "a one-part name must meet the other name's last part"
    return "a one-part name meets neither a father's name after bin nor this first part"


def rewrites(name: Prepared, other: Prepared,
             similar: PartSimilarity) -> Iterator[tuple[Prepared, Part | None, str]]:
    """Ways usage shortens or reorders a name whose first part differs from the other's:
    each rewritten name, the part it left out (if any), and how it was rewritten.

    * A leading Mohammed left out (Mohammed Hosni Mubarak = Hosni Mubarak), see
      :func:`namematch.rules.optional_first`.
    * A surname written first put last (:func:`namematch.rules.may_be_surname_first`),
      when it meets the other name's last part.
    """
    parts = name.parts
    if name.optional_first:
        yield (name.shortened(), parts[0], f"the leading {parts[0].text!r} is left out")
    if name.surname_first and similar.parts(name.forms[0], name.bits[0], other.forms[-1],
                                            other.bits[-1], CONFLICT_BELOW) >= PART_THRESHOLD:
        yield (name.reordered(), None,
               f"the surname {parts[0].text!r} written first is put last")


def compare(
    a: Name | str,
    b: Name | str,
    *,
    aliases: AliasTable | None = None,
    weights: Weights = _uniform,
    threshold: float = DEFAULT_THRESHOLD,
) -> Match:
    """Compare two names; ``weights`` gives each part's informativeness (default 1).

    >>> m = compare("Abdul Razek al-Nadoori", "Abdelrazzak al-Nadhouri")
    >>> m.decision, [p.kind for p in m.parts]
    ('match', ['same', 'same'])
    >>> compare("Saadi Gaddafi", "Muammar Gaddafi").conflict
    True
    """
    name_a = a if isinstance(a, Name) else parse(a)
    name_b = b if isinstance(b, Name) else parse(b)
    comparer = Comparer(aliases, threshold=threshold, weights=weights)
    found = comparer.outcome(comparer.prepare(name_a), comparer.prepare(name_b))
    return found.match(name_a.text, name_b.text)
