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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from ._pickling import by_fields
from .aliases import AliasTable, load_aliases
from .cluster import Link, Resolved, Verdicts, entities
from .compare import DEFAULT_THRESHOLD
from .distinct import NameList
from .keys import KeyCache, Pairing, key_numbers
from .normalize import normalize
from .parse import Name
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


def candidate_pairs(names: Sequence[Name], max_bucket: int = MAX_BUCKET,
                    mentions: Sequence[int] | None = None) -> set[tuple[int, int]]:
    """Pairs of indexes into ``names`` that a shared blocking key brings together;
    ``mentions`` says how often each name is mentioned (once each by default)."""
    pairing = _pairing(names, [1] * len(names) if mentions is None else mentions, max_bucket)
    return {(i, j) for j, partners in pairing for i in partners}


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
    pairing = _pairing(names, [1] * size if mentions is None else mentions, max_bucket)
    for j, partners in _counted(pairing, size, "pairs", progress):
        if partners:
            chunk.extend(sorted([i * size + j for i in partners]))
            if len(chunk) >= _CHUNK:
                yield chunk
                chunk = array("q")
    if chunk:
        yield chunk


def _pairing(names: Sequence[Name], mentions: Sequence[int], max_bucket: int) -> Pairing:
    """The names' keys, bucketed."""
    numbers, ends = _key_slice(names, range(len(names)), KeyCache(texts=False))
    return _pairing_of(names, [(numbers, ends)], mentions, max_bucket)


def _key_slice(names: Sequence[Name], part: range,
               cache: KeyCache) -> tuple[array[int], array[int]]:
    """The keys of ``names[part]``, one name after another, and where each name's end."""
    numbers: array[int] = array("q")
    ends: array[int] = array("q")
    for i in part:
        numbers.extend(key_numbers(names[i], cache))
        ends.append(len(numbers))
    return numbers, ends


def _pairing_of(names: Sequence[Name], slices: Iterable[tuple[array[int], array[int]]],
                mentions: Sequence[int], max_bucket: int) -> Pairing:
    """The pairing of ``names`` from the keys of consecutive slices of them."""
    numbers: array[int] = array("q")
    ends: array[int] = array("q")
    for its_numbers, its_ends in slices:
        offset = len(numbers)
        numbers.extend(its_numbers)
        ends.extend([end + offset for end in its_ends])
    return Pairing(array("q", range(len(names))),
                   bytearray(len(name.parts) == 1 for name in names), numbers, ends,
                   array("q", mentions), max_bucket)


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


def _written_forms(rows: list[str], progress: Progress | None) -> dict[str, Counter[str]]:
    """Each normalized name, with how often each of its spellings is written; blank names
    are left out. Names repeat: each distinct line is normalized once."""
    lines = Counter(rows)
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for row in _counted(lines, len(lines), "normalize", progress):
        normal = normalize(row)
        if normal:
            written[normal][row] += lines[row]
    return written


def resolutions(rows: Iterable[str], written: Mapping[str, Mapping[str, int]],
                resolved: Resolved) -> list[Resolution]:
    """The rows resolved, in order: one (immutable) :class:`Resolution` per distinct line,
    shared by its repetitions; a line that is no spelling in ``written`` is blank."""
    by_line = {shown: Resolution(shown, *resolved[normal])
               for normal, forms in written.items() for shown in forms}
    out = []
    for row in rows:
        found = by_line.get(row)
        if found is None:
            found = by_line[row] = Resolution(row, "", "", 0.0)
        out.append(found)
    return out


def prepare_list(written: Mapping[str, Mapping[str, int]], table: AliasTable,
                 threshold: float, progress: Progress | None = None
                 ) -> tuple[NameList, Session]:
    """The distinct names of a list and the session that compares them: how both engines
    start."""
    names = NameList.of(written, lambda texts: _counted(texts, len(texts), "parse", progress))
    return names, Session(names.parsed, table, threshold, names.weights)


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
    names, session = prepare_list(written, table, threshold, progress)

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    verdicts = _verdicts(names, session, max_bucket, _jobs(jobs, len(names.heads)), report)
    session.release()
    total = len(names.texts)
    if total:
        report("cluster", 0, total)
    resolved = entities(names, verdicts, session)
    if total:
        report("cluster", total, total)
    return resolutions(rows, written, resolved)


def judge(chunk: Iterable[tuple[int, int]], session: Session) -> Verdicts:
    """Compare candidate pairs of indexes into ``session.parsed``.

    Conflicts are unsettled: a pair whose parts differ is reported as a possible conflict
    without comparing those parts further (most such pairs are two people who share a given
    name, and could never merge anyway). :func:`namematch.cluster.entities` settles the
    ones that could stop a merge.
    """
    found = Verdicts.empty()
    matches, conflicts, size = found.matches, found.conflicts, len(session.parsed)
    for i, j in chunk:
        outcome = session.outcome(i, j, settle=False)
        if outcome.conflict:
            conflicts.append(i * size + j)
        elif outcome.decision == "match":
            matches.append(Link(i, j, outcome.score, outcome.whole))
    return found


def _jobs(jobs: int, total: int) -> int:
    """How many processes to use: one when the platform cannot fork or the list is small."""
    if jobs > 1 and total >= _PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        return jobs
    return 1


def _verdicts(names: NameList, session: Session, max_bucket: int, jobs: int,
              report: Progress) -> Verdicts:
    """Block and compare the signature heads of ``names``, in ``jobs`` processes.

    Both stages are shared out by slices of names: first each slice's keys; then, once the
    keys are bucketed (:class:`~namematch.keys.Pairing`, in this process), each slice's
    candidate pairs with earlier names and their verdicts. Worker processes are forked
    twice, so that they inherit the parsed names, then the buckets, without pickling.
    """
    heads = names.heads
    parsed = [names.parsed[i] for i in heads]
    slices = [range(start, min(start + _SLICE, len(heads)))
              for start in range(0, len(heads), _SLICE)]
    with _Team(jobs, _start_keys, (parsed,)) as team:
        keyed = list(team.map(_keys_in_worker, slices, "keys", report))
    pairing = _pairing_of(parsed, keyed, names.mentions, max_bucket)
    del keyed
    if heads:
        report("pairs", len(heads), len(heads))
    found = Verdicts.empty()
    with _Team(jobs, _start_judging, (session, heads, pairing)) as team:
        for verdicts in team.map(_judge_in_worker, slices, "compare", report):
            found.add(verdicts)
    return found


class _Team:
    """Maps a task over slices of names, in order: in ``jobs`` forked processes set up with
    ``start(*state)``, or in this process. Reports the names done after each slice."""

    def __init__(self, jobs: int, start: Callable[..., None], state: tuple[object, ...]) -> None:
        self.jobs: Final = jobs
        self.start: Final = start
        self.state: Final = state
        self.pool: multiprocessing.pool.Pool | None = None

    def __enter__(self) -> _Team:
        if self.jobs == 1:
            self.start(*self.state)
        else:
            context = multiprocessing.get_context("fork")
            self.pool = context.Pool(self.jobs, self.start, self.state)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
        else:
            _IN_WORKER.clear()

    def map(self, task: Callable[[range], T], slices: list[range], stage: str,
            report: Progress) -> Iterator[T]:
        results = map(task, slices) if self.pool is None else self.pool.imap(task, slices)
        return _done(results, slices, stage, report)


def _done(results: Iterable[T], slices: list[range], stage: str,
          report: Progress) -> Iterator[T]:
    """``results``, one per slice, reporting the names done after each."""
    total = slices[-1].stop if slices else 0
    for part, result in zip(slices, results, strict=True):
        yield result
        report(stage, part.stop, total)


# What a worker process works with, received when the process starts (inherited through
# the fork, not pickled), so that the parent sends each worker only slices of names. Set
# only in the worker processes of one run's pool, which serve no other run, or for the
# duration of one stage of a run in one process.
_IN_WORKER: list[tuple[object, ...]] = []


def _start_keys(parsed: Sequence[Name]) -> None:
    """Set up a worker of the keys stage."""
    _IN_WORKER.append((parsed, KeyCache(texts=False)))


def _keys_in_worker(part: range) -> tuple[array[int], array[int]]:
    parsed, cache = _IN_WORKER[-1]
    return _key_slice(parsed, part, cache)  # type: ignore[arg-type]


def _start_judging(session: Session, heads: Sequence[int], pairing: Pairing) -> None:
    """Set up a worker of the comparison stage."""
    _IN_WORKER.append((session, heads, pairing))


def _judge_in_worker(part: range) -> Verdicts:
    """The verdicts on the candidate pairs of the names of ``part`` with earlier names."""
    session, heads, pairing = _IN_WORKER[-1]
    return judge(_slice_pairs(part, heads, pairing), session)  # type: ignore[arg-type]


def _slice_pairs(part: range, heads: Sequence[int],
                 pairing: Pairing) -> Iterator[tuple[int, int]]:
    """The candidate pairs of the names of ``part`` with earlier names, as indexes into the
    parsed names: by name, then by the earlier name."""
    for j in part:
        partners = pairing.partners(j)
        if partners:
            head = heads[j]
            for i in sorted(partners):
                yield heads[i], head


def _pairs(chunk: array[int], heads: Sequence[int]) -> list[tuple[int, int]]:
    """A chunk of candidate pairs packed as codes over ``heads`` (see :func:`_pair_chunks`),
    as pairs of indexes into the parsed names."""
    size = len(heads)
    return [(heads[code // size], heads[code % size]) for code in chunk]
