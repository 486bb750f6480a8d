"""One run's state: the names it compares, how it compares them, and what it has worked out.

A :class:`Session` is made per :func:`~namematch.resolve.resolve` call (and per dask task,
per gazetteer batch) and passed down; no module keeps a run's data. It owns the parsed
names, the :class:`~namematch.compare.Comparer` with its memo of part similarities, and
each name prepared for comparison as pairs first need it, up to :data:`KEPT_PREPARED` of
them kept at once (a name meets a dozen others on average, most of them close in name
order). Threads that resolve at once each have their own; forked worker processes inherit
a copy, and pickling ships only what rebuilds it.

>>> from namematch.parse import parse
>>> session = Session([parse("Saadi Gaddafi"), parse("Muammar Gaddafi")])
>>> session.outcome(0, 1).conflict
True
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Final

from .aliases import AliasTable
from .compare import DEFAULT_THRESHOLD, Comparer, Outcome, Quick, Triaged
from .distance import PartSimilarity
from .parse import Name, Part, select
from .rules import NameFacts, Prepared

__all__ = ["KEPT_PREPARED", "Session"]

KEPT_PREPARED: Final = 1 << 14
"""How many prepared names a session keeps at most (the Python comparison's, for the pairs
the kernel leaves to it); past that it forgets them and prepares again as pairs need."""


def _uniform(part: Part) -> float:
    return 1.0


class Session:
    """What comparing the names of one run needs and keeps: the parsed names, the alias
    table, the threshold, the part weights, the comparer and the prepared names.

    ``in_text_order``: the names come sorted by text, as
    :func:`~namematch.resolve.resolve` has them; the kernel's records for
    :meth:`triage_walk` then leave the text out (the walk's order is the text order).
    """

    def __init__(self, parsed: Sequence[Name], table: AliasTable | None = None,
                 threshold: float = DEFAULT_THRESHOLD,
                 weights: Callable[[Part], float] = _uniform,
                 similar: PartSimilarity | None = None,
                 facts: dict[str, NameFacts] | None = None, *,
                 in_text_order: bool = False) -> None:
        self.parsed: Final = parsed
        self.in_text_order: Final = in_text_order
        self.table: Final = table
        self.threshold: Final = threshold
        self.weights: Final = weights
        self.comparer = Comparer(table, threshold=threshold, weights=weights, similar=similar,
                                 facts=facts)
        self._prepared: list[Prepared | None] = [None] * len(parsed)
        self._kept = 0  # prepared names in _prepared
        self._records: list[object] = [None] * len(parsed)

    def prepared(self, i: int) -> Prepared:
        """Name ``i`` prepared for comparison, kept for the pairs that follow."""
        name = self._prepared[i]
        if name is None:
            if self._kept >= KEPT_PREPARED:
                # Forgotten all at once: the next pairs meet other names (names close in
                # order share partners), and a prepared name weighs over a kilobyte.
                self._prepared = [None] * len(self.parsed)
                self._kept = 0
            name = self._prepared[i] = self.comparer.prepare(self.parsed[i])
            self._kept += 1
        return name

    def triage(self, i: int, j: int) -> Quick:
        """Judge names ``i`` and ``j`` without aligning them, where the compiled kernel can
        (see :meth:`Comparer.triage`)."""
        return self.comparer.triage(self.prepared(i), self.prepared(j))

    def record(self, i: int) -> object:
        """Name ``i``'s kernel record (:meth:`Comparer.record`), made once, or False where
        the kernel does not judge it."""
        # The record holds what the kernel reads; the prepared name is not kept for it (a
        # worker records most names of a large list, and a prepared name weighs about
        # three records). The few names the kernel leaves to Python are prepared again.
        prepared = self._prepared[i]
        if prepared is None:
            prepared = self.comparer.prepare(self.parsed[i])
        found = self.comparer.record(prepared, in_walk=self.in_text_order)
        self._records[i] = found if found is not None else False
        return self._records[i]

    def triage_walk(self, walk: object, part: range, heads: array[int]) -> Triaged | None:
        """The candidate pairs of the names at ``part`` of a pairing's C walk, triaged in C
        (see :meth:`Comparer.triage_walk`); None without the kernel."""
        return self.comparer.triage_walk(walk, part, heads, self._records, self.record)

    def outcome(self, i: int, j: int, *, settle: bool = True) -> Outcome:
        """Compare names ``i`` and ``j`` (see :meth:`Comparer.outcome`)."""
        return self.comparer.outcome(self.prepared(i), self.prepared(j), settle=settle)

    def part(self, members: Sequence[int]) -> Session:
        """A session over the names at ``members`` (indexes here), with the same settings,
        memo and prepared names (packed names stay packed).

        >>> from namematch.parse import parse
        >>> names = ["Saadi Gaddafi", "Ali Saleh", "Muammar Gaddafi"]
        >>> Session([parse(name) for name in names]).part([0, 2]).outcome(0, 1).conflict
        True
        """
        part = Session(select(self.parsed, members), self.table, self.threshold,
                       self.weights, self.comparer.similar)
        part._prepared = [self._prepared[i] for i in members]
        part._kept = sum(name is not None for name in part._prepared)
        return part

    def release(self) -> None:
        """Free the prepared names and the memo (once the candidate pairs are compared:
        the clustering compares few pairs, and needs the memory more)."""
        self.comparer = Comparer(self.table, threshold=self.threshold, weights=self.weights)
        self._prepared = [None] * len(self.parsed)
        self._kept = 0
        self._records = [None] * len(self.parsed)

    def __reduce__(self) -> tuple[type[Session], tuple[object, ...]]:
        # The names and settings; the receiver prepares and memoises its own.
        return (Session, (self.parsed, self.table, self.threshold, self.weights))
