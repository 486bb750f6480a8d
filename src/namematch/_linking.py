"""The gazetteer's only door into namematch's pipeline internals.

Everything :mod:`namematch.gazetteer` needs beyond ``namematch.__all__`` goes through this
module: judging candidate pairs, the batch's own blocking, part weights, canonical-name order
and the rules' version. Each call that compares names makes a
:class:`~namematch.session.Session` of its own (the pipeline keeps no run's data in module
state), so a long-lived gazetteer keeps nothing between batches but its own
:class:`~namematch.keys.KeyCache`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from . import cluster as _cluster
from . import distinct as _distinct
from ._data import data_dir
from .aliases import AliasTable
from .compare import MAX_PARTS, Comparer, Outcome
from .distance import PartSimilarity
from .fold import skeleton
from .keys import keys
from .parse import Name, Part, parse
from .resolve import MAX_BUCKET as _MAX_BUCKET
from .resolve import _pair_chunks, _pairs, collector_paused, judge
from .rules import NameFacts, Prepared
from .session import Session

__all__ = [
    "MAX_BUCKET",
    "Judged",
    "PartSimilarity",
    "Scorer",
    "batch_pairs",
    "canonical_order",
    "collector_paused",
    "judge_pairs",
    "most_written",
    "rules_version",
    "score_of",
    "signature",
    "skeletons",
    "weights_from",
    "without_titles",
]

MAX_BUCKET = _MAX_BUCKET
Weights = Callable[[Part], float]

# Names whose keys fingerprint the blocking rules: a change to keys.py or its data changes
# their keys, and so the rules' version, even when no data file changed.
_PROBES = ("Ahmed al-Mesmari", "Mesmari", "Abu Bakr al-Baghdadi", "Abdul Razek bin Ali",
           "Haftar Khalifa", "Mohammed Hassan Nasrallah", "معمر القذافي")


def rules_version() -> str:
    """A fingerprint of the shipped rules: data files, keys of a few names, the version."""
    from . import __version__  # here: the package imports this module while it loads

    digest = hashlib.blake2b(digest_size=8)
    digest.update(__version__.encode())
    folder = data_dir()
    for name in ("rules.yaml", "names.yaml", "arabic.yaml"):
        path = folder / name
        if path.is_file():
            digest.update(path.read_bytes())
    for probe in _PROBES:
        digest.update("\n".join(sorted(keys(probe))).encode())
    return digest.hexdigest()


def skeletons(name: Name) -> set[str]:
    """The distinct part skeletons of a name (what part weights count)."""
    return {skeleton(p.form) for p in name.parts}


def weights_from(frequency: dict[str, int], size: int) -> Weights:
    """Part weights for ``size`` names of which ``frequency[s]`` have a part of skeleton s."""
    return _distinct.Informativeness(frequency, size)


def signature(name: Name) -> tuple[object, ...]:
    """What comparison sees of a name: names with one signature always match."""
    return _distinct.signature(name)


def without_titles(written: str, name: Name) -> str:
    """The name as written, less the leading titles the parser stripped."""
    return _cluster.without_titles(written, name)


def most_written(forms: Mapping[str, int]) -> str:
    """The spelling written most often, the first in string order among equals."""
    return _cluster._most_written(forms)


def canonical_order(name: Name, count: int, shown: str) -> tuple[int, int, int, int, str]:
    """Sort key of a canonical name: the smallest in an entity is its canonical name."""
    return _cluster._canonical_key(name, count, shown)


def batch_pairs(parsed: Sequence[Name], mentions: Sequence[int],
                keys_of: Callable[[Name], Iterable[int]] | None = None) -> list[tuple[int, int]]:
    """The candidate pairs among one batch's names (indexes into ``parsed``), as
    :func:`namematch.resolve` blocks a list: one name per signature, then its buckets.
    ``keys_of`` gives a name's key numbers, when the caller keeps them."""
    heads = _distinct.signature_heads(parsed)
    head_times = _distinct.head_mentions(parsed, mentions, heads)
    out: list[tuple[int, int]] = []
    for chunk in _pair_chunks([parsed[i] for i in heads], head_times, MAX_BUCKET,
                              keys_of=keys_of):
        out.extend(_pairs(chunk, heads))
    return out


@dataclass(frozen=True)
class Judged:
    """What comparing candidate pairs found: matches ``(i, j, score, whole)`` and the
    pairs that possibly conflict (unsettled: see :func:`settled_conflict`)."""

    matches: list[tuple[int, int, float, bool]]
    conflicts: list[tuple[int, int]]


def judge_pairs(parsed: Sequence[Name], pairs: Sequence[tuple[int, int]], table: AliasTable,
                threshold: float, weights: Weights,
                similar: PartSimilarity | None = None,
                facts: dict[str, NameFacts] | None = None) -> Judged:
    """Compare candidate pairs of indexes into ``parsed``; ``similar`` is a memo of part
    similarities, ``facts`` the names' facts by text, to use and fill (ones that outlive
    the call)."""
    verdicts = judge(pairs, Session(parsed, table, threshold, weights, similar, facts))
    size = len(parsed)
    return Judged(list(verdicts.links(size)), [divmod(code, size) for code in verdicts.conflicts])


class Scorer:
    """Scores and settles pairs of names with one comparer: the names it prepared and its
    memo of part similarities serve every pair of a batch (``similar`` and ``facts`` may
    outlive it)."""

    def __init__(self, table: AliasTable, weights: Weights, threshold: float,
                 similar: PartSimilarity | None = None,
                 facts: dict[str, NameFacts] | None = None) -> None:
        self.table = table
        self.comparer = Comparer(table, threshold=threshold, weights=weights, similar=similar,
                                 facts=facts)
        self.prepared: dict[str, Prepared] = {}

    def _prepare(self, name: Name) -> Prepared:
        found = self.prepared.get(name.text)
        if found is None:
            found = self.prepared[name.text] = self.comparer.prepare(name)
        return found

    def outcome(self, a: Name, b: Name) -> Outcome:
        """The comparison of two names."""
        return self.comparer.outcome(self._prepare(a), self._prepare(b))

    def conflict(self, a: Name, b: Name) -> bool:
        """Whether two names really conflict (a possible conflict settled)."""
        return self.outcome(a, b).conflict

    def score(self, a: Name, b: Name) -> float:
        """The score of two names, rounded as :func:`namematch.resolve` reports it."""
        if a.text == b.text or (
                0 < len(a.parts) <= MAX_PARTS and 0 < len(b.parts) <= MAX_PARTS
                and a.text not in self.table.names and b.text not in self.table.names
                and signature(a) == signature(b)):
            return 1.0  # as resolve scores names of one signature
        return round(self.outcome(a, b).score, 3)


def settled_conflict(a: Name, b: Name, table: AliasTable, weights: Weights,
                     threshold: float, similar: PartSimilarity | None = None) -> bool:
    """Whether two names really conflict (a possible conflict settled)."""
    return Scorer(table, weights, threshold, similar).conflict(a, b)


def score_of(a: Name, b: Name, table: AliasTable, weights: Weights, threshold: float,
             similar: PartSimilarity | None = None) -> float:
    """The score of two names, rounded as :func:`namematch.resolve` reports it."""
    return Scorer(table, weights, threshold, similar).score(a, b)


def parse_name(text: str) -> Name:
    """A normalized name parsed (public :func:`namematch.parse`, here for symmetry)."""
    return parse(text)

