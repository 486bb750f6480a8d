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
from .keys import KeyCache, Pairing, keys
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
_CHUNK: Final = 5000  # candidate pairs per chunk of work
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
    size = len(names)
    return {divmod(code, size) for chunk in _pair_chunks(names, mentions, max_bucket)
            for code in chunk}


def _pair_chunks(names: Sequence[Name], mentions: Sequence[int] | None = None,
                 max_bucket: int = MAX_BUCKET,
                 progress: Progress | None = None) -> Iterator[array[int]]:
    """The candidate pairs (i, j), i < j, of ``names`` mentioned ``mentions`` times, as
    codes ``i * len(names) + j``: ordered by j, then i, in arrays of about ``_CHUNK`` codes.

    Pairs come out name by name (see :class:`namematch.keys.Pairing`), each once, with no
    set of all pairs to deduplicate them; packed, a pair takes 8 bytes. The keys are
    worked out with a cache of this list's own, dropped once the pairs are made.
    """
    size = len(names)
    chunk: array[int] = array("q")
    pairing = _pairing(names, [1] * size if mentions is None else mentions, max_bucket,
                       progress)
    for j, partners in _counted(pairing, size, "pairs", progress):
        if partners:
            chunk.extend(sorted([i * size + j for i in partners]))
            if len(chunk) >= _CHUNK:
                yield chunk
                chunk = array("q")
    if chunk:
        yield chunk


def _pairing(names: Sequence[Name], mentions: Sequence[int], max_bucket: int,
             progress: Progress | None) -> Pairing:
    """The names' keys, bucketed; their cache is dropped on return."""
    cache = KeyCache()
    counted = _counted(names, len(names), "keys", progress)
    return Pairing(((i, len(name.parts) == 1, keys(name, cache), mentions[i])
                    for i, name in enumerate(counted)), max_bucket)


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
    # All made, and the key cache dropped, before any is compared: the comparison's own
    # memo then reuses that memory.
    chunks = list(_pair_chunks([names.parsed[i] for i in names.heads], names.mentions,
                               max_bucket, progress))

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    verdicts = _verdicts(chunks, names.heads, session, jobs, report)
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


def _names_done(chunk: array[int], heads: Sequence[int]) -> int:
    """How many names have all their pairs compared once ``chunk`` is (see :func:`_pair_chunks`)."""
    return chunk[-1] % len(heads) + 1


def _pairs(chunk: array[int], heads: Sequence[int]) -> list[tuple[int, int]]:
    """A chunk of candidate pairs packed as codes over ``heads`` (see :func:`_pair_chunks`),
    as pairs of indexes into the parsed names."""
    size = len(heads)
    return [(heads[code // size], heads[code % size]) for code in chunk]


# What a forked worker process compares with: the session and the heads, received when the
# process starts (inherited through the fork, not pickled), so that the parent sends each
# worker only its chunks of packed pairs. Set only in the worker processes of one run's
# pool, which serve no other run; the parent process never sets it.
_IN_WORKER: list[tuple[Session, Sequence[int]]] = []


def _start_worker(session: Session, heads: Sequence[int]) -> None:
    """Set up a worker process of this run's pool."""
    _IN_WORKER.append((session, heads))


def _judge_in_worker(chunk: array[int]) -> tuple[int, Verdicts]:
    """A chunk's verdicts, after the number of names it finishes (for progress)."""
    session, heads = _IN_WORKER[-1]
    return _names_done(chunk, heads), judge(_pairs(chunk, heads), session)


def _verdicts(chunks: Iterable[array[int]], heads: Sequence[int], session: Session,
              jobs: int, report: Progress) -> Verdicts:
    """Compare the candidate pairs, chunk by chunk as they come, in ``jobs`` processes when
    it pays off. Progress counts the names whose pairs have been compared."""
    total = len(heads)
    parallel = (jobs > 1 and total >= _PARALLEL_FROM
                and "fork" in multiprocessing.get_all_start_methods())
    found = Verdicts.empty()
    done = 0
    if parallel:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, _start_worker, (session, heads)) as pool:
            for done, verdicts in pool.imap(_judge_in_worker, chunks):
                found.add(verdicts)
                report("compare", done, total)
    else:
        for chunk in chunks:
            found.add(judge(_pairs(chunk, heads), session))
            done = _names_done(chunk, heads)
            report("compare", done, total)
    if done < total:  # the last names had no pairs
        report("compare", total, total)
    return found
