"""Resolve a list of names into entities: block, score, cluster, choose canonical names.

1. Each distinct name is parsed once and gives its blocking keys; names sharing a key are
   candidate pairs. A key shared by more than ``max_bucket`` names only pairs each name with
   its next neighbours in name order (a common given name alone must not pair everyone),
   and a bare surname with the full names mentioned most.
2. Candidate pairs are compared. Pairs that clearly differ become cannot-links.
3. Names of two or more parts are merged best pair first, never across a cannot-link, so a
   chain of partial matches cannot glue two different people together.
4. One-part mentions ("Ghosri said") are grouped among themselves, then each group joins
   the single entity it fits best, or stays alone.

The partition does not depend on the order of the input; entity ids and canonical names
are deterministic.

>>> rows = resolve(["Ahmed al-Mesmari", "Mesmari", "Ahmed al-Mismari", "Hassan Nasrallah"])
>>> [r.entity == rows[0].entity for r in rows]
[True, True, True, False]
>>> rows[1].canonical
'Ahmed al-Mesmari'
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import math
import multiprocessing
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from ._pickling import by_fields
from .aliases import AliasTable, load_aliases
from .compare import (
    DEFAULT_THRESHOLD,
    MAX_PARTS,
    Prepared,
    forget_similarities,
    judged,
    outcome,
)
from .keys import Pairing, forget_keys, keys, skeleton
from .normalize import normalize
from .parse import Name, Part, parse
from .script import is_arabic

MIN_WEIGHT: Final = 0.15
"""The weight of the commonest part, relative to a part no other name has."""
MAX_BUCKET: Final = 50
"""A key shared by more distinct names than this pairs each only with its next neighbours
(see :class:`namematch.keys.Pairing`)."""

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` as a stage of :func:`resolve` advances; the
stages come in order (normalize, parse, keys, pairs, compare, cluster), and the last call of
each has ``done == total``."""

_REPORT_EVERY: Final = 1 << 14  # items between two progress reports of a stage
T = TypeVar("T")


def _counted(items: Iterable[T], total: int, stage: str,
             progress: Progress | None) -> Iterable[T]:
    """``items`` (``total`` of them) as they are, or, with ``progress``, reporting how many
    have been taken."""
    if progress is None:
        return items
    return _counting(items, total, stage, progress)


def _counting(items: Iterable[T], total: int, stage: str, progress: Progress) -> Iterator[T]:
    for done, item in enumerate(items, 1):
        yield item
        if done % _REPORT_EVERY == 0 and done < total:
            progress(stage, done, total)
    if total:
        progress(stage, total, total)


@dataclass(frozen=True)
class Resolution:
    """One input row resolved: its entity id, the entity's canonical name, and the score of
    this name against that canonical name, with part weights from the whole list (1.0 for
    the canonical spelling itself).

    A blank input line gives empty ``entity`` and ``canonical`` and score 0.
    """

    name: str
    entity: str
    canonical: str
    score: float

    def __reduce__(self) -> tuple[type[Resolution], tuple[object, ...]]:
        return by_fields(self)


class _Clusters:
    """Union-find with cannot-links: two sets that must stay apart never merge.

    Each root keeps the names its set must stay apart from (any member of the other set,
    resolved with :meth:`find` when asked). Merging keeps the bigger of the two collections
    and adds the smaller to it, so a famous name's thousands of cannot-links are not copied
    again at each merge.
    """

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.apart: dict[int, set[int]] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def keep_apart(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._apart(ra).add(rb)
            self._apart(rb).add(ra)

    def _apart(self, root: int) -> set[int]:
        found = self.apart.get(root)
        if found is None:
            found = self.apart[root] = set()
        return found

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        apart_a, apart_b = self.apart.get(ra), self.apart.get(rb)
        if apart_a is not None and apart_b is not None:
            if len(apart_b) < len(apart_a):
                ra, rb, apart_a, apart_b = rb, ra, apart_b, apart_a
            if any(self.find(other) == rb for other in apart_a):
                return False
        elif apart_a is not None:
            if any(self.find(other) == rb for other in apart_a):
                return False
        elif apart_b is not None and any(self.find(other) == ra for other in apart_b):
            return False
        # The lower index stays root, so the result does not depend on merge order.
        keep, gone = min(ra, rb), max(ra, rb)
        self.parent[gone] = keep
        merged = self.apart.pop(gone, None)
        if merged is not None:
            kept = self.apart.pop(keep, None)
            if kept is not None:
                if len(kept) > len(merged):
                    kept, merged = merged, kept
                merged |= kept
            self.apart[keep] = merged
        return True


def candidate_pairs(names: Sequence[Name], max_bucket: int = MAX_BUCKET,
                    mentions: Sequence[int] | None = None) -> set[tuple[int, int]]:
    """Pairs of indexes into ``names`` that a shared blocking key brings together;
    ``mentions`` says how often each name is mentioned (once each by default)."""
    size = len(names)
    return {divmod(code, size) for chunk in _pair_chunks(names, mentions, max_bucket)
            for code in chunk}


def _pair_chunks(names: Sequence[Name], mentions: Sequence[int] | None = None,
                 max_bucket: int = MAX_BUCKET,
                 progress: Progress | None = None) -> Iterator[array[int]]:
    """The candidate pairs (i, j), i < j, of ``names`` mentioned ``mentions`` times, as
    codes ``i * len(names) + j``: ordered by j, then i, in arrays of about ``_CHUNK`` codes.

    Pairs come out name by name (see :class:`namematch.keys.Pairing`), each once, with no
    set of all pairs to deduplicate them; packed, a pair takes 8 bytes.
    """
    size = len(names)
    chunk: array[int] = array("q")
    counted = _counted(names, size, "keys", progress)
    times = [1] * size if mentions is None else mentions
    pairing = Pairing(((i, len(name.parts) == 1, keys(name), times[i])
                       for i, name in enumerate(counted)), max_bucket)
    for j, partners in _counted(pairing, size, "pairs", progress):
        if partners:
            chunk.extend(sorted([i * size + j for i in partners]))
            if len(chunk) >= _CHUNK:
                yield chunk
                chunk = array("q")
    if chunk:
        yield chunk


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
        frequency: Counter[str] = Counter()
        for name in names:
            frequency.update({skeleton(p.form) for p in name.parts})
        return cls(dict(frequency), len(names))

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


def _entity_id(members: Iterable[str]) -> str:
    digest = hashlib.blake2b(min(members).encode("utf-8"), digest_size=6).hexdigest()
    return "E" + digest


def _canonical_key(name: Name, count: int, shown: str) -> tuple[int, int, int, int, str]:
    return (
        -int(len(name.parts) > 1),  # a full name before a one-part mention
        int(is_arabic(name.text)),  # a Latin spelling before Arabic script
        -count,  # the most frequent spelling
        -len(name.parts),  # the most complete
        shown,
    )


def without_titles(written: str, name: Name) -> str:
    """The name as written, less the leading titles the parser stripped.

    >>> without_titles("Brig. Gen. Ahmed al-Mesmari", parse("Brig. Gen. Ahmed al-Mesmari"))
    'Ahmed al-Mesmari'
    """
    drop = sum(len(title.split()) for title in name.titles)
    words = written.split()
    return " ".join(words[drop:]) if 0 < drop < len(words) else written.strip()


def resolve(
    names: Iterable[str],
    *,
    aliases: AliasTable | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    max_bucket: int = MAX_BUCKET,
    jobs: int = 1,
    progress: Progress | None = None,
) -> list[Resolution]:
    """Resolve ``names`` into entities; one :class:`Resolution` per input, in order.

    ``aliases`` defaults to the shipped alias table (:func:`load_aliases`). ``jobs`` > 1
    compares candidate pairs in that many processes (where the platform can fork); the
    result is the same. ``progress`` hears how each stage advances (see :data:`Progress`).
    """
    with collector_paused():
        return _resolve(list(names), aliases, threshold, max_bucket, jobs, progress)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while resolving.

    The pipeline builds millions of small tuples and lists that live until the end, which
    makes the collector rescan them again and again (a third of the time at 1M names); it
    creates no reference cycles worth collecting meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _resolve(
    rows: list[str],
    aliases: AliasTable | None,
    threshold: float,
    max_bucket: int,
    jobs: int,
    progress: Progress | None,
) -> list[Resolution]:
    table = aliases if aliases is not None else load_aliases()
    lines = Counter(rows)  # names repeat: each distinct line is normalized once
    normal_of = {row: normalize(row) for row in _counted(lines, len(lines), "normalize", progress)}
    counts: Counter[str] = Counter()
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for row, times in lines.items():
        normal = normal_of[row]
        if normal:
            counts[normal] += times
            written[normal][row] += times
    distinct = sorted(counts)
    parsed = [parse(text) for text in _counted(distinct, len(distinct), "parse", progress)]
    weights = Informativeness.of(parsed)
    heads = signature_heads(parsed)
    mentions = head_mentions(parsed, [counts[text] for text in distinct], heads)
    # All made, and the key caches emptied, before any is compared: the comparison's own
    # caches then reuse that memory.
    chunks = list(_pair_chunks([parsed[i] for i in heads], mentions, max_bucket, progress))
    forget_keys()

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    verdicts = _verdicts(chunks, heads, Work(parsed, table, threshold, weights), jobs, report)
    if distinct:
        report("cluster", 0, len(distinct))
    resolved = entities(distinct, parsed, counts, written, verdicts, table, threshold, weights)
    if distinct:
        report("cluster", len(distinct), len(distinct))
    empty = ("", "", 0.0)
    # One (immutable) row per distinct line, shared by its repetitions.
    by_line = {row: Resolution(row, *(resolved[normal] if normal else empty))
               for row, normal in normal_of.items()}
    return [by_line[row] for row in rows]


def signature_heads(parsed: Sequence[Name]) -> list[int]:
    """Indexes of the first name of each folded signature, in order: the names to compare."""
    seen: set[tuple[object, ...]] = set()
    heads = []
    for i, name in enumerate(parsed):
        key = signature(name)
        if key not in seen:
            seen.add(key)
            heads.append(i)
    return heads


def head_mentions(parsed: Sequence[Name], times: Sequence[int], heads: Sequence[int]) -> list[int]:
    """How often the name of each of ``heads`` (see :func:`signature_heads`) is mentioned,
    with every name that folds like it; ``times`` gives each parsed name's mentions."""
    position = {signature(parsed[head]): k for k, head in enumerate(heads)}
    total = [0] * len(heads)
    for name, count in zip(parsed, times, strict=True):
        total[position[signature(name)]] += count
    return total


def entities(
    distinct: Sequence[str],
    parsed: Sequence[Name],
    counts: Counter[str],
    written: dict[str, Counter[str]],
    verdicts: Verdicts,
    table: AliasTable,
    threshold: float,
    weights: Callable[[Part], float],
) -> dict[str, tuple[str, str, float]]:
    """Cluster the distinct names from the verdicts on their candidate pairs.

    ``distinct`` are the sorted normalized names, ``parsed`` their parses, ``counts`` how
    often each occurs and ``written`` how it was written; ``verdicts`` are what
    :func:`judge` found on the candidate pairs, with the part weights ``weights``. Returns,
    for each normalized name, its entity id, the entity's canonical name and the name's
    score against it. The single-machine path and a distributed one give the same verdicts
    to this one function. Its conflicts are possible ones (see :func:`judge`); those that
    could stop a merge are settled here.
    """
    index = {text: i for i, text in enumerate(distinct)}
    size = len(distinct)
    clusters = _Clusters(size)
    # Every merge below follows a link of ``reach``: a cannot-link between two names it
    # does not connect can never stop one, so only the others are kept (a few in a thousand
    # on synthetic lists, where most candidate pairs are conflicts).
    reach = _Clusters(size)
    first_of: dict[tuple[object, ...], int] = {}
    heads = []
    for i, name in enumerate(parsed):  # spellings that fold alike are one name
        head = first_of.setdefault(signature(name), i)
        clusters.union(head, i)
        reach.union(head, i)
        heads.append(head)
    edges: list[tuple[float, int, int]] = []
    single_links: dict[int, list[tuple[float, int]]] = defaultdict(list)
    scores: dict[tuple[int, int], float] = {}
    for i, j, score, whole in verdicts.matches:
        reach.union(i, j)
        scores[min(i, j), max(i, j)] = score
        multi_i, multi_j = len(parsed[i].parts) > 1, len(parsed[j].parts) > 1
        if multi_i == multi_j or whole:
            edges.append((score, i, j))
        elif multi_i:
            single_links[j].append((score, i))
        else:
            single_links[i].append((score, j))
    for group in table.name_groups().values():
        present = sorted(index[t] for t in group if t in index)
        for other in present[1:]:
            edges.append((1.0, present[0], other))
            reach.union(present[0], other)
    for code in verdicts.conflicts:
        i, j = divmod(code, size)
        # A verdict's conflict may be unsettled (see :func:`judge`): settle it here, where
        # it matters.
        if (reach.find(i) == reach.find(j)
                and outcome(parsed[i], parsed[j], table, weights, threshold).conflict):
            clusters.keep_apart(i, j)
    for _, i, j in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        clusters.union(i, j)
    _attach_single_mentions(clusters, single_links, parsed, distinct, counts)
    return _canonical(distinct, parsed, counts, written, clusters, table, threshold,
                      weights, _Known(heads, scores))


@dataclass(frozen=True)
class Work:
    """What comparing a candidate pair needs: the parsed names, aliases, threshold, weights.

    Forked worker processes inherit it; a distributed engine ships it to its workers.
    """

    parsed: Sequence[Name]
    table: AliasTable
    threshold: float
    weights: Callable[[Part], float]

    def __reduce__(self) -> tuple[type[Work], tuple[object, ...]]:
        return by_fields(self)


# i, j, score, whole: a match between two of the parsed names.
Link = tuple[int, int, float, bool]


@dataclass(frozen=True)
class Verdicts:
    """What comparing candidate pairs found that can change the clustering: the matches,
    and the pairs that possibly conflict, packed as codes ``i * len(parsed) + j`` (most
    candidate pairs are conflicts: packed, a million of them travel as 8 MB of bytes rather
    than as a million tuples). The other pairs are left out.
    """

    matches: list[Link]
    conflicts: array[int]

    @classmethod
    def empty(cls) -> Verdicts:
        return cls([], array("q"))

    def add(self, other: Verdicts) -> None:
        """Append ``other``'s verdicts to these."""
        self.matches.extend(other.matches)
        self.conflicts.extend(other.conflicts)

    def __reduce__(self) -> tuple[type[Verdicts], tuple[object, ...]]:
        return by_fields(self)


_CHUNK = 5000
_PARALLEL_FROM = 2000  # names: fewer are not worth starting processes for


# The names of the current Work prepared for comparison, each once, as pairs first need
# them (a name meets a dozen others on average).
_PREPARED_FOR: Work | None = None
_PREPARED: list[Prepared | None] = []


def _prepared(work: Work, i: int) -> Prepared:
    global _PREPARED_FOR, _PREPARED
    if _PREPARED_FOR is not work:
        _PREPARED_FOR, _PREPARED = work, [None] * len(work.parsed)
    name = _PREPARED[i]
    if name is None:
        name = _PREPARED[i] = Prepared(work.parsed[i], work.weights, work.table)
    return name


def judge(chunk: Iterable[tuple[int, int]], work: Work) -> Verdicts:
    """Compare candidate pairs of indexes into ``work.parsed``.

    Conflicts are unsettled: a pair whose parts differ is reported as a possible conflict
    without comparing those parts further (most such pairs are two people who share a given
    name, and could never merge anyway). :func:`entities` settles the ones that could stop
    a merge.
    """
    found = Verdicts.empty()
    matches, conflicts, size = found.matches, found.conflicts, len(work.parsed)
    for i, j in chunk:
        match = judged(_prepared(work, i), _prepared(work, j), work.threshold, settle=False)
        if match.conflict:
            conflicts.append(i * size + j)
        elif match.decision == "match":
            # "whole": every part of both names took part (Hezbollah = Hizb Allah), so even
            # a one-part name is a full match there, not a partial mention.
            whole = True
            for part in match.parts:
                if part[4] == "extra":
                    whole = False
                    break
            matches.append((i, j, match.score, whole))
    return found


# What forked workers judge with: set before they are forked, so that they inherit it
# rather than receive it (the parent sends each only its chunks of packed pairs).
_SHARED: tuple[Work, Sequence[int]] | None = None


def _judge_shared(chunk: array[int]) -> tuple[int, Verdicts]:
    """A chunk's verdicts, after the number of names it finishes (for progress)."""
    assert _SHARED is not None  # set before the worker processes were forked
    work, heads = _SHARED
    return _names_done(chunk, heads), judge(_pairs(chunk, heads), work)


def _names_done(chunk: array[int], heads: Sequence[int]) -> int:
    """How many names have all their pairs compared once ``chunk`` is (see :func:`_pair_chunks`)."""
    return chunk[-1] % len(heads) + 1


def _pairs(chunk: array[int], heads: Sequence[int]) -> list[tuple[int, int]]:
    """A chunk of candidate pairs packed as codes over ``heads`` (see :func:`_pair_chunks`),
    as pairs of indexes into the parsed names."""
    size = len(heads)
    return [(heads[code // size], heads[code % size]) for code in chunk]


def _verdicts(
    chunks: Iterable[array[int]], heads: Sequence[int], work: Work, jobs: int,
    report: Progress,
) -> Verdicts:
    """Compare the candidate pairs, chunk by chunk as they come, in ``jobs`` processes when
    it pays off. Progress counts the names whose pairs have been compared."""
    global _SHARED
    total = len(heads)
    parallel = (jobs > 1 and total >= _PARALLEL_FROM
                and "fork" in multiprocessing.get_all_start_methods())
    found = Verdicts.empty()
    done = 0
    try:
        if parallel:
            _SHARED = (work, heads)
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for done, verdicts in pool.imap(_judge_shared, chunks):
                    found.add(verdicts)
                    report("compare", done, total)
        else:
            for chunk in chunks:
                found.add(judge(_pairs(chunk, heads), work))
                done = _names_done(chunk, heads)
                report("compare", done, total)
        if done < total:  # the last names had no pairs
            report("compare", total, total)
    finally:
        _SHARED = None
        _forget_prepared()
    return found


def _forget_prepared() -> None:
    """Free what judging one list built: its prepared names and the similarity memo."""
    global _PREPARED_FOR, _PREPARED
    _PREPARED_FOR, _PREPARED = None, []
    forget_similarities()


def _attach_single_mentions(
    clusters: _Clusters,
    single_links: dict[int, list[tuple[float, int]]],
    parsed: Sequence[Name],
    distinct: Sequence[str],
    counts: Counter[str],
) -> None:
    """Join each group of one-part mentions to the one entity it fits best, if any."""
    mentions: Counter[int] = Counter()
    for i, text in enumerate(distinct):
        mentions[clusters.find(i)] += counts[text]
    best: dict[int, tuple[float, int, str, int]] = {}
    for single, links in single_links.items():
        group = clusters.find(single)
        for score, full in links:
            root = clusters.find(full)
            offer = (score, mentions[root], distinct[root], root)
            # Highest score, then the entity mentioned most, then a fixed order.
            if group not in best or (offer[0], offer[1], _neg(offer[2])) > (
                best[group][0], best[group][1], _neg(best[group][2])
            ):
                best[group] = offer
    has_full_name = {clusters.find(i) for i, name in enumerate(parsed) if len(name.parts) > 1}
    for group, (_, _, _, root) in sorted(best.items()):
        if group not in has_full_name:  # already in a full name's entity
            clusters.union(group, root)


def _neg(text: str) -> tuple[int, ...]:
    """Sort key reversing string order, for max() over (score, count, text) tuples."""
    return tuple(-ord(c) for c in text)


@dataclass(frozen=True)
class _Known:
    """Scores already computed: ``heads[i]`` is the first name of name i's signature, and
    ``scores`` holds the matched verdicts by (smaller, larger) head index."""

    heads: Sequence[int]
    scores: dict[tuple[int, int], float]

    def score(self, i: int, j: int, parsed: Sequence[Name], table: AliasTable) -> float | None:
        """The score of names i and j if it is known without comparing them again."""
        if not 0 < len(parsed[i].parts) <= MAX_PARTS or not 0 < len(parsed[j].parts) <= MAX_PARTS:
            return None
        if table.names and (parsed[i].text in table.names or parsed[j].text in table.names):
            return None  # an alias of the whole name decides by its text, not its signature
        hi, hj = self.heads[i], self.heads[j]
        if hi == hj:
            return 1.0  # same parts, same forms: every part pairs with similarity 1
        return self.scores.get((min(hi, hj), max(hi, hj)))


def _most_written(forms: Counter[str]) -> str:
    """The spelling written most often, the first in string order among equals."""
    if len(forms) == 1:  # most names: no call of min() and its key function
        return next(iter(forms))
    return min(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _canonical(
    distinct: Sequence[str],
    parsed: Sequence[Name],
    counts: Counter[str],
    written: dict[str, Counter[str]],
    clusters: _Clusters,
    table: AliasTable,
    threshold: float,
    weights: Callable[[Part], float],
    known: _Known,
) -> dict[str, tuple[str, str, float]]:
    display = {text: without_titles(_most_written(written[text]), parsed[i])
               for i, text in enumerate(distinct)}
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(distinct)):
        members[clusters.find(i)].append(i)
    entity_of: dict[int, tuple[str, int]] = {}
    for root, group in members.items():
        canonical = group[0] if len(group) == 1 else min(
            group,
            key=lambda i: _canonical_key(parsed[i], counts[distinct[i]], display[distinct[i]]),
        )
        entity_of[root] = (_entity_id(distinct[i] for i in group), canonical)
    # One score per distinct name, against its entity's canonical name.
    resolved: dict[str, tuple[str, str, float]] = {}
    for i, text in enumerate(distinct):
        entity, canonical = entity_of[clusters.find(i)]
        score = 1.0 if canonical == i else known.score(i, canonical, parsed, table)
        if score is None:
            score = outcome(parsed[i], parsed[canonical], table, weights, threshold).score
        score = round(score, 3)
        resolved[text] = (entity, display[distinct[canonical]], score)
    return resolved
