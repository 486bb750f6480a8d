"""Resolve a list of names into entities: block, compare, cluster, choose canonical names.

1. Each distinct name is parsed once (:mod:`namematch.distinct`) and gives its blocking keys
   (:mod:`namematch.keys`); names sharing a key are candidate pairs. A key shared by more
   than ``max_bucket`` names only pairs each name with its next neighbours in name order (a
   common given name alone must not pair everyone), and a bare surname with the full names
   mentioned most.
2. Candidate pairs are compared (:mod:`namematch.compare`), in ``jobs`` processes. Pairs
   that clearly differ become cannot-links.
3. The names are clustered (:mod:`namematch.cluster`).

The partition does not depend on the order of the input; entity ids and canonical names
are deterministic. Each call owns its state (a :class:`~namematch.session.Session`), so
threads may resolve at once.

>>> rows = resolve(["Ahmed al-Mesmari", "Mesmari", "Ahmed al-Mismari", "Hassan Nasrallah"])
>>> [r.entity == rows[0].entity for r in rows]
[True, True, True, False]
>>> rows[1].canonical
'Ahmed al-Mesmari'
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.pool
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from ._pickling import by_fields
from .aliases import AliasTable, load_aliases
from .cluster import Resolved, Verdicts, components, entities, entities_of_part, share_out
from .compare import APART, CONFLICT, DEFAULT_THRESHOLD
from .distinct import Informativeness, NameList, Spellings, add_counts, part_frequency
from .keys import Buckets, KeyCache, Pairing
from .normalize import normalize
from .parse import Name, PackedNames, Parser, part_counts, select
from .session import Session

__all__ = ["MAX_BUCKET", "Progress", "Resolution", "candidate_pairs", "judge", "resolve"]

MAX_BUCKET: Final = 50
"""A key shared by more distinct names than this pairs each only with its next neighbours
(see :class:`namematch.keys.Pairing`)."""

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` as a stage of :func:`resolve` advances; the
stages come in order (normalize, parse, keys, pairs, compare, cluster), and the last call of
each has ``done == total``."""

_REPORT_EVERY: Final = 1 << 14  # items between two progress reports of a stage
_CHUNK: Final = 5000  # candidate pairs per chunk, for the gazetteer
_SLICE: Final = 1000  # names per task of blocking or comparing
_PARALLEL_FROM: Final = 2000  # names: fewer are not worth starting processes for
KeysOf = Callable[[Name], Iterable[int]]  # a name's blocking key numbers
_RUNS_PER_WORKER: Final = 8  # runs of consecutive slices per worker and stage (see _Team.map)
T = TypeVar("T")
Item = TypeVar("Item")


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


@dataclass(frozen=True, init=False)
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

    def __init__(self, name: str, entity: str, canonical: str, score: float) -> None:
        # One per distinct line: compiled, about three times faster than the __init__
        # that dataclass generates, which runs interpreted.
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "entity", entity)
        object.__setattr__(self, "canonical", canonical)
        object.__setattr__(self, "score", score)

    def __reduce__(self) -> tuple[type[Resolution], tuple[object, ...]]:
        return by_fields(self)


def candidate_pairs(names: Sequence[Name], max_bucket: int = MAX_BUCKET,
                    mentions: Sequence[int] | None = None) -> set[tuple[int, int]]:
    """Pairs of indexes into ``names`` that a shared blocking key brings together;
    ``mentions`` says how often each name is mentioned (once each by default)."""
    pairing = _pairing(names, [1] * len(names) if mentions is None else mentions, max_bucket)
    return {(i, j) for j, partners in pairing for i in partners}


def _pair_chunks(names: Sequence[Name], mentions: Sequence[int] | None = None,
                 max_bucket: int = MAX_BUCKET, progress: Progress | None = None,
                 keys_of: KeysOf | None = None) -> Iterator[array[int]]:
    """The candidate pairs (i, j), i < j, of ``names`` mentioned ``mentions`` times, as
    codes ``i * len(names) + j``: ordered by j, then i, in arrays of about ``_CHUNK`` codes.
    ``keys_of`` gives a name's key numbers (:func:`namematch.keys.key_numbers`), when a
    caller keeps them.

    Pairs come out name by name (see :class:`namematch.keys.Pairing`), each once, with no
    set of all pairs to deduplicate them; packed, a pair takes 8 bytes.
    """
    size = len(names)
    chunk: array[int] = array("q")
    pairing = _pairing(names, [1] * size if mentions is None else mentions, max_bucket,
                       keys_of)
    for j, partners in _counted(pairing, size, "pairs", progress):
        if partners:
            chunk.extend([i * size + j for i in partners])
            if len(chunk) >= _CHUNK:
                yield chunk
                chunk = array("q")
    if chunk:
        yield chunk


def _pairing(names: Sequence[Name], mentions: Sequence[int], max_bucket: int,
             keys_of: KeysOf | None = None) -> Pairing:
    """The names' keys, bucketed."""
    found = keys_of if keys_of is not None else KeyCache(texts=False).numbers
    work = _BucketWork(names, [_key_slice(names, range(len(names)), found)],
                       mentions, max_bucket)
    return work.pairing([work.bucket(0)])


def _key_slice(names: Sequence[Name], part: range, keys_of: KeysOf,
               shares: int = 1) -> list[tuple[array[int], array[int]]]:
    """The keys of ``names[part]``, one name after another, and where each name's end: in
    ``shares`` shares of the keys (by their number), so that processes can bucket each
    share apart."""
    out: list[tuple[array[int], array[int]]] = [(array("q"), array("q"))
                                                for _ in range(shares)]
    for i in part:
        for number in keys_of(names[i]):
            out[number % shares][0].append(number)
        for numbers, ends in out:
            ends.append(len(numbers))
    return out


class _BucketWork:
    """What bucketing works with: the names, and the keys of each slice of names, in
    shares (see :func:`_key_slice`). Each share is gathered from the slices by the process
    that buckets it, not by the parent."""

    def __init__(self, names: Sequence[Name],
                 slices: list[list[tuple[array[int], array[int]]]],
                 mentions: Sequence[int], max_bucket: int) -> None:
        self.single: Final = bytearray(count == 1 for count in part_counts(names))
        self.mentions: Final = array("q", mentions)
        self.max_bucket: Final = max_bucket
        self.slices: Final = slices

    def bucket(self, share: int) -> Buckets:
        numbers, ends = array("q"), array("q")
        for its_shares in self.slices:
            its_numbers, its_ends = its_shares[share]
            offset = len(numbers)
            numbers.extend(its_numbers)
            ends.extend([end + offset for end in its_ends])
        return Buckets.of(numbers, ends, self.single, self.mentions, self.max_bucket)

    def pairing(self, parts: list[Buckets]) -> Pairing:
        return Pairing(array("q", range(len(self.single))), self.single, parts,
                       self.max_bucket)


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


def _written_forms(rows: list[str], progress: Progress | None) -> Spellings:
    """Each normalized name, with how often each of its spellings is written; blank names
    are left out. Names repeat: each distinct line is normalized once."""

    def walk(lines: Iterable[str], total: int) -> Iterable[str]:
        return _counted(lines, total, "normalize", progress)

    return Spellings.counted(rows, normalize, walk)


def resolutions(rows: Iterable[str], written: Spellings, resolved: Resolved) -> list[Resolution]:
    """The rows resolved, in order: one (immutable) :class:`Resolution` per distinct line,
    shared by its repetitions; a line that is no spelling in ``written`` is blank."""
    return rows_resolved(rows, line_table(written, resolved))


def line_table(written: Spellings, resolved: Resolved) -> dict[str, Resolution]:
    """Each spelling in ``written``, resolved."""
    table: dict[str, Resolution] = {}
    for normal, shown in written.lines():
        entity, canonical, score = resolved[normal]  # unpacked: a call with * is generic
        table[shown] = Resolution(shown, entity, canonical, score)
    return table


def rows_resolved(rows: Iterable[str], by_line: dict[str, Resolution]) -> list[Resolution]:
    """The rows resolved from the table of their lines (see :func:`line_table`), which
    gains a blank resolution for each line it lacks."""
    out = []
    for row in rows:
        found = by_line.get(row)
        if found is None:
            found = by_line[row] = Resolution(row, "", "", 0.0)
        out.append(found)
    return out


def prepare_list(written: Mapping[str, Mapping[str, int]], table: AliasTable,
                 threshold: float, progress: Progress | None = None,
                 jobs: int = 1) -> tuple[NameList, Session]:
    """The distinct names of a list and the session that compares them: how both engines
    start. The names are parsed in ``jobs`` processes."""

    frequency: dict[str, int] = {}  # the part weights' counts, from the slices parsed

    def parse_all(texts: list[str]) -> Sequence[Name]:
        slices = [range(start, min(start + _SLICE, len(texts)))
                  for start in range(0, len(texts), _SLICE)]
        report: Progress = progress if progress is not None else _quiet
        team_jobs = _jobs(jobs, len(texts))
        # Packed for the processes that later stages fork (see PackedNames); one process
        # keeps the parser's objects, which share their parts.
        work = _ParseWork(texts, packed=team_jobs > 1)
        pieces: list[Sequence[Name]] = []
        with _Team(team_jobs, work) as team:
            for names, counts in _done(team.map(work.parse, _parse_in_worker, slices),
                                       slices, "parse", report):
                pieces.append(names)
                add_counts(frequency, counts)
        if work.packed:
            return PackedNames.joined(pieces)
        return [name for piece in pieces for name in piece]

    def weigh(parsed: Sequence[Name]) -> Informativeness:
        return Informativeness(frequency, len(parsed))

    names = NameList.of(written, parse_all, weigh)
    return names, Session(names.parsed, table, threshold, names.weights, in_text_order=True)


def _quiet(stage: str, done: int, total: int) -> None:
    """A progress callback that hears nothing."""


def _resolve(
    rows: list[str],
    aliases: AliasTable | None,
    threshold: float,
    max_bucket: int,
    jobs: int,
    progress: Progress | None,
) -> list[Resolution]:
    table = aliases if aliases is not None else load_aliases()
    written = _written_forms(rows, progress)
    names, session = prepare_list(written, table, threshold, progress, jobs)

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    resolved = _entities(names, session, max_bucket, _jobs(jobs, len(names.heads)), report)
    return resolutions(rows, written, resolved)


def judge(chunk: Iterable[tuple[int, int]], session: Session) -> Verdicts:
    """Compare candidate pairs of indexes into ``session.parsed``.

    Conflicts are unsettled: a pair whose parts differ is reported as a possible conflict
    without comparing those parts further (most such pairs are two people who share a given
    name, and could never merge anyway). :func:`namematch.cluster.entities` settles the
    ones that could stop a merge.
    """
    found = Verdicts.empty()
    for i, j in chunk:
        _judge_pair(found, i, j, session)
    return found


def _judge_pair(found: Verdicts, i: int, j: int, session: Session) -> None:
    """Add the verdict on names ``i`` and ``j`` to ``found`` (see :func:`judge`)."""
    quick = session.triage(i, j)  # most pairs, settled in C where the kernel was built
    if isinstance(quick, tuple):
        found.add_match(i * len(session.parsed) + j, quick[0], quick[1])
    elif quick == CONFLICT:
        found.conflicts.append(i * len(session.parsed) + j)
    elif quick != APART:
        _judge_whole(found, i, j, session)


def _judge_whole(found: Verdicts, i: int, j: int, session: Session) -> None:
    """Add the verdict of the whole comparison of names ``i`` and ``j`` to ``found``."""
    outcome = session.outcome(i, j, settle=False)
    if outcome.conflict:
        found.conflicts.append(i * len(session.parsed) + j)
    elif outcome.decision == "match":
        found.add_match(i * len(session.parsed) + j, outcome.score, outcome.whole)


def _jobs(jobs: int, total: int) -> int:
    """How many processes to use: one when the platform cannot fork or the list is small."""
    if jobs > 1 and total >= _PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        return jobs
    return 1


def _entities(names: NameList, session: Session, max_bucket: int, jobs: int,
              report: Progress) -> Resolved:
    """Block, compare and cluster the names, in ``jobs`` processes.

    The stages are shared out: each slice of the signature heads gets its keys, in
    ``jobs`` shares by key number; each share is bucketed (:class:`~namematch.keys.Buckets`);
    each slice gets its candidate pairs with earlier names and their verdicts; last, once
    the components of the names are known (here), each part of the components is
    clustered. Worker processes are forked for each stage, so that they inherit the names,
    the keys, the buckets, then the verdicts, without pickling.
    """
    heads = names.heads
    parsed = select(names.parsed, heads)
    slices = [range(start, min(start + _SLICE, len(heads)))
              for start in range(0, len(heads), _SLICE)]
    keying = _KeyWork(parsed, jobs)
    with _Team(jobs, keying) as team:
        keyed = list(_done(team.map(keying.keys, _keys_in_worker, slices), slices, "keys",
                           report))
    bucketing = _BucketWork(parsed, keyed, names.mentions, max_bucket)
    del keyed
    with _Team(jobs, bucketing) as team:
        pairing = bucketing.pairing(list(team.map(bucketing.bucket, _bucket_in_worker,
                                                  list(range(jobs)))))
    del bucketing
    if heads:
        report("pairs", len(heads), len(heads))
    found = Verdicts.empty()
    judging = _JudgeWork(session, heads, pairing)
    del pairing
    with _Team(jobs, judging) as team:
        for verdicts in _done(team.map(judging.judge, _judge_in_worker, slices), slices,
                              "compare", report):
            found.add(verdicts)
    del judging
    total = len(names.texts)
    if total:
        report("cluster", 0, total)
    resolved = _cluster(names, found, session, jobs)
    if total:
        report("cluster", total, total)
    return resolved


def _cluster(names: NameList, found: Verdicts, session: Session, jobs: int) -> Resolved:
    """Cluster the names from the verdicts: here, or by components in ``jobs`` processes
    (forked once the components are known, so that each inherits the verdicts)."""
    # The clustering compares few pairs, and needs the memory more.
    session.release()
    if jobs == 1:
        return entities(names.unpacked(), found, session)
    roots = components(names, found, session.table)
    found.keep_within(roots)  # before the workers fork: they need only these
    work = _ClusterWork(names, found, session, roots, share_out(roots, jobs))
    resolved: Resolved = {}
    with _Team(jobs, work) as team:
        for part in team.map(work.cluster, _cluster_in_worker, list(range(jobs))):
            resolved.update(part)
    return resolved


class _ParseWork:
    """What the parse stage works with: the sorted names, and a parser per process (names
    close in order share parts, which then travel and stay as one object), with the
    skeletons of the forms it met (for the part weights)."""

    def __init__(self, texts: Sequence[str], *, packed: bool) -> None:
        self.texts: Final = texts
        self.packed: Final = packed
        self.parser: Final = Parser()
        self.skeletons: Final[dict[str, str]] = {}

    def parse(self, part: range) -> tuple[Sequence[Name], dict[str, int]]:
        """The names of ``part`` parsed (packed, if the work says so), and how many have a
        part of each skeleton."""
        parser = self.parser
        names = [parser(self.texts[i]) for i in part]
        shipped = PackedNames.of(names) if self.packed else names
        return shipped, part_frequency(names, self.skeletons)


class _KeyWork:
    """What the keys stage works with: the names, a key cache per process, and how many
    shares the keys are bucketed in."""

    def __init__(self, parsed: Sequence[Name], shares: int) -> None:
        self.parsed: Final = parsed
        self.cache: Final = KeyCache(texts=False)
        self.shares: Final = shares

    def keys(self, part: range) -> list[tuple[array[int], array[int]]]:
        return _key_slice(self.parsed, part, self.cache.numbers, self.shares)


class _JudgeWork:
    """What the comparison stage works with: the session, the heads and their pairing."""

    def __init__(self, session: Session, heads: Sequence[int], pairing: Pairing) -> None:
        self.session: Final = session
        self.heads: Final = heads
        self.pairing: Final = pairing
        self.head_codes: Final = array("q", heads)

    def judge(self, part: range) -> Verdicts:
        """The verdicts on the candidate pairs of the names of ``part`` with earlier names:
        in C where the kernel was built, each pair as :meth:`judge_py` judges it (the
        verdicts may come in another order)."""
        walk = self.pairing.walk
        triaged = None if walk is None else self.session.triage_walk(walk, part,
                                                                      self.head_codes)
        if triaged is None:
            return self.judge_py(part)
        found = Verdicts(triaged.matches, triaged.scores, bytearray(triaged.whole),
                         triaged.conflicts)
        size = len(self.session.parsed)
        for code in triaged.undecided:
            _judge_whole(found, code // size, code % size, self.session)
        return found

    def judge_py(self, part: range) -> Verdicts:
        """The verdicts on the candidate pairs of the names of ``part`` with earlier names,
        pair by pair."""
        found = Verdicts.empty()
        heads, pairing, session = self.heads, self.pairing, self.session
        for j in part:  # by name, then by the earlier name
            head = heads[j]
            for i in pairing.partners(j):
                _judge_pair(found, heads[i], head, session)
        return found


class _ClusterWork:
    """What the clustering works with: the names, their verdicts and components, and each
    name's part (see :func:`~namematch.cluster.share_out`)."""

    def __init__(self, names: NameList, found: Verdicts, session: Session, roots: array[int],
                 shares: array[int]) -> None:
        self.names: Final = names
        self.found: Final = found
        self.session: Final = session
        self.roots: Final = roots
        self.shares: Final = shares

    def cluster(self, part: int) -> Resolved:
        return entities_of_part(self.names, self.found, self.session, self.roots, self.shares,
                                part)


class _Team:
    """Maps a stage's task over slices of names (or other items), in order: in ``jobs``
    forked processes that inherit ``work``, or in this process."""

    def __init__(self, jobs: int, work: object) -> None:
        self.jobs: Final = jobs
        self.work: Final = work
        self.pool: multiprocessing.pool.Pool | None = None

    def __enter__(self) -> _Team:
        if self.jobs > 1:
            context = multiprocessing.get_context("fork")
            self.pool = context.Pool(self.jobs, _start_worker, (self.work,))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def map(self, here: Callable[[Item], T], in_worker: Callable[[Item], T],
            items: list[Item]) -> Iterator[T]:
        """``here`` (a method of the work) of each item, or ``in_worker`` in the workers.

        Each worker takes runs of consecutive items, a few runs per worker: names close in
        name order meet the same names and parts, which a worker then prepares and
        compares once, in its own memo, rather than each worker doing it again.
        """
        if self.pool is None:
            return map(here, items)
        run = max(1, len(items) // (_RUNS_PER_WORKER * self.jobs))
        return self.pool.imap(in_worker, items, run)


def _done(results: Iterable[T], slices: list[range], stage: str,
          report: Progress) -> Iterator[T]:
    """``results``, one per slice, reporting the names done after each."""
    total = slices[-1].stop if slices else 0
    for part, result in zip(slices, results, strict=True):
        yield result
        report(stage, part.stop, total)


# The work of a forked worker process (a _ParseWork, _KeyWork, _BucketWork, _JudgeWork or
# _ClusterWork), inherited through the fork rather than pickled, so that the parent sends
# each worker only slices of names. Set only in the worker processes of one run's pool,
# which serve no other run: the parent process never sets it.
_IN_WORKER: list[object] = []


def _start_worker(work: object) -> None:
    _IN_WORKER.append(work)


def _parse_in_worker(part: range) -> tuple[Sequence[Name], dict[str, int]]:
    work = _IN_WORKER[-1]
    assert isinstance(work, _ParseWork)
    return work.parse(part)


def _keys_in_worker(part: range) -> list[tuple[array[int], array[int]]]:
    work = _IN_WORKER[-1]
    assert isinstance(work, _KeyWork)
    return work.keys(part)


def _bucket_in_worker(share: int) -> Buckets:
    work = _IN_WORKER[-1]
    assert isinstance(work, _BucketWork)
    return work.bucket(share)


def _judge_in_worker(part: range) -> Verdicts:
    work = _IN_WORKER[-1]
    assert isinstance(work, _JudgeWork)
    return work.judge(part)


def _cluster_in_worker(part: int) -> Resolved:
    work = _IN_WORKER[-1]
    assert isinstance(work, _ClusterWork)
    return work.cluster(part)


def _pairs(chunk: array[int], heads: Sequence[int]) -> list[tuple[int, int]]:
    """A chunk of candidate pairs packed as codes over ``heads`` (see :func:`_pair_chunks`),
    as pairs of indexes into the parsed names."""
    size = len(heads)
    return [(heads[code // size], heads[code % size]) for code in chunk]
