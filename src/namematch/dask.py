"""Resolve a dask DataFrame column of names into entities, on a dask cluster.

The same stages as :func:`namematch.resolve.resolve`, the heavy ones spread over the
partitions: counting the (normalized, written) forms, building candidate pairs from the
blocking keys, comparing the pairs, and clustering. The client parses the distinct names,
gathers the verdicts that matter (match or possible conflict) and finds the components of
the names; parts of the components are clustered in tasks
(:func:`namematch.cluster.entities_of_part`), so the result is exactly the single-machine
one: same partition, entity ids, canonical names and scores. See ``docs/dask.md``.

dask is an optional dependency (``pip install 'namematch-arabic[dask]'``); this module imports it
only when called and raises :class:`DaskMissingError` when it is not installed.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import multiprocessing
import os
import pickle
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from ._pickling import by_fields
from .aliases import AliasTable, load_aliases
from .api import checked_names, missing
from .cluster import Resolved, Verdicts, components, entities, entities_of_part, share_out
from .compare import DEFAULT_THRESHOLD
from .distinct import NameList
from .errors import InputError, NamematchError
from .keys import Pairing, keys
from .normalize import normalize
from .parse import Name, parse
from .resolve import (
    MAX_BUCKET,
    Resolution,
    collector_paused,
    judge,
    line_table,
    prepare_list,
    rows_resolved,
)
from .session import Session

__all__ = ["DaskMissingError", "SchedulerError", "candidate_pairs", "resolve", "resolve_list"]

COLUMNS = ("name", "entity", "canonical", "score")
# Blocking keys are shuffled as Arrow strings: hashed and shipped in bulk, several times
# faster than Python string objects (pyarrow is part of the dask extra).
_KEY_DTYPE = "string[pyarrow]"
# A verdict frame's rows: the pair's code (i * len(parsed) + j), its score and its kind.
_CONFLICT, _MATCH, _WHOLE_MATCH = 0, 1, 2
_T = TypeVar("_T")


class DaskMissingError(NamematchError, ImportError):
    """The dask engine was asked for but dask is not installed."""


def _modules() -> tuple[Any, Any, Any]:
    """``dask``, ``dask.dataframe`` and ``pandas``, or a clear error if they (or pyarrow,
    for the keys' strings) are missing."""
    # Imported by name: dask and pandas are optional and only partly typed; Any is the boundary.
    try:
        dask = importlib.import_module("dask")
        dd = importlib.import_module("dask.dataframe")
        pd = importlib.import_module("pandas")
        importlib.import_module("pyarrow")
    except ImportError as err:
        raise DaskMissingError(
            f"the dask engine needs {err.name or 'dask'}, which is not installed: "
            "install namematch-arabic[dask]"
        ) from err
    return dask, dd, pd


def _text(value: object) -> str:
    """A cell as a name: missing values (None, NaN, NA) are blank names."""
    return value if isinstance(value, str) else ""


def _checked(part: Any) -> list[str]:
    """One partition's names, missing values as blank names; any other value that is not a
    str is an :class:`InputError` naming its index label and type, as in
    :func:`namematch.resolve`."""
    values: list[Any] = part.tolist()
    if all(type(v) is str for v in values):
        return values
    for label, value in zip(part.index.tolist(), values, strict=True):
        if not isinstance(value, str) and not missing(value):
            raise InputError(f"name at index {label!r} is {type(value).__name__} "
                             f"{value!r:.40}, not a str")
    return [_text(v) for v in values]


def _forms(part: Any) -> Any:
    """One partition of names -> its non-blank (normal, written, count) rows, one per
    distinct written form: names repeat, so each is normalized and shipped once."""
    _, _, pd = _modules()
    seen = Counter(_checked(part))
    normal = [normalize(w) for w in seen]
    keep = [(n, w, c) for n, (w, c) in zip(normal, seen.items(), strict=True) if n]
    return pd.DataFrame(
        {"normal": pd.Series([k[0] for k in keep], dtype=object),
         "written": pd.Series([k[1] for k in keep], dtype=object),
         "count": pd.Series([k[2] for k in keep], dtype="int64")}
    )


def _key_rows(part: Any) -> Any:
    """One partition of (pos, text, mentions) head names -> one (key, pos, single, mentions)
    row per blocking key."""
    with collector_paused():
        return _key_frame(zip(part["pos"].tolist(), map(parse, part["text"].tolist()),
                              part["mentions"].tolist(), strict=True))


def _key_frame(heads: Iterable[tuple[int, Name, int]]) -> Any:
    """(pos, parsed name, mentions) heads -> one (key, pos, single, mentions) row per key."""
    _, _, pd = _modules()
    out_keys: list[str] = []
    out_pos: list[int] = []
    out_single: list[bool] = []
    out_mentions: list[int] = []
    for pos, name, times in heads:
        for key in sorted(keys(name)):
            out_keys.append(key)
            out_pos.append(int(pos))
            out_single.append(len(name.parts) == 1)
            out_mentions.append(int(times))
    return pd.DataFrame({"key": pd.Series(out_keys, dtype=_KEY_DTYPE),
                         "pos": pd.Series(out_pos, dtype="int64"),
                         "single": pd.Series(out_single, dtype=bool),
                         "mentions": pd.Series(out_mentions, dtype="int64")})


def _bucket_pairs(part: Any, max_bucket: int, size: int) -> Any:
    """One partition holding whole buckets (shuffled on key) -> the pairs its buckets give
    (:class:`namematch.keys.Pairing`), each (i, j) with i < j as the code ``i * size + j``
    (one integer column dedupes and ships faster than two)."""
    with collector_paused():
        return _bucket_frame(part, max_bucket, size)


def _bucket_frame(part: Any, max_bucket: int, size: int) -> Any:
    _, _, pd = _modules()
    # The partition's names in name order, each with its keys here (whole buckets).
    named: dict[int, list[str]] = defaultdict(list)
    single: dict[int, bool] = {}
    mentions: dict[int, int] = {}
    for key, pos, alone, times in zip(part["key"].tolist(), part["pos"].tolist(),
                                      part["single"].tolist(), part["mentions"].tolist(),
                                      strict=True):
        named[pos].append(key)
        single[pos] = alone
        mentions[pos] = times
    pairing = Pairing.of(((pos, single[pos], named[pos], mentions[pos])
                          for pos in sorted(named)), max_bucket)
    codes = [i * size + j for j, partners in pairing for i in partners]
    return pd.DataFrame({"code": pd.Series(sorted(codes), dtype="int64")})


def _pair_frame(texts: Sequence[str], max_bucket: int, npartitions: int,
                mentions: Sequence[int] | None = None) -> Any:
    """The candidate pairs of ``texts`` (mentioned ``mentions`` times, once each by default)
    as a dask DataFrame of codes ``i * len(texts) + j`` of positions (i, j) into it.

    Blocking keys are computed in partitions, shuffled on the key so that each bucket lands
    in one partition, expanded to pairs there and deduplicated (a pair sharing several keys
    comes out of several buckets). Equal to :func:`namematch.resolve.candidate_pairs` on the
    parsed texts.
    """
    _, dd, pd = _modules()
    parts = max(1, min(npartitions, len(texts)))
    times = [1] * len(texts) if mentions is None else list(mentions)
    heads = pd.DataFrame({"pos": pd.Series(range(len(texts)), dtype="int64"),
                          "text": pd.Series(list(texts), dtype=object),
                          "mentions": pd.Series(times, dtype="int64")})
    frame = dd.from_pandas(heads, npartitions=parts, sort=False)
    exploded = frame.map_partitions(_key_rows, meta=_key_frame([]))
    return _bucketed(exploded, max_bucket, parts, len(texts))


def _bucketed(exploded: Any, max_bucket: int, parts: int, size: int) -> Any:
    """The (key, pos, single, mentions) rows of ``size`` heads -> their pairs' codes, once
    each: shuffled on the key so that each bucket lands in one partition, paired there."""
    _, _, pd = _modules()
    shuffled = exploded.shuffle("key", npartitions=parts)
    pair_meta = pd.DataFrame({"code": pd.Series([], dtype="int64")})
    pairs = shuffled.map_partitions(_bucket_pairs, max_bucket, size, meta=pair_meta)
    return pairs.drop_duplicates(split_out=parts)


def candidate_pairs(
    texts: Sequence[str], max_bucket: int = MAX_BUCKET, npartitions: int = 1,
    mentions: Sequence[int] | None = None,
) -> set[tuple[int, int]]:
    """The candidate pairs of ``texts`` (normalized names), computed with dask.

    The same set as ``namematch.resolve.candidate_pairs([parse(t) for t in texts],
    max_bucket, mentions)``; runs on the current dask scheduler.
    """
    if len(texts) < 2:
        return set()
    frame = _pair_frame(texts, max_bucket, npartitions, mentions).compute()
    return {divmod(code, len(texts)) for code in frame["code"].tolist()}


def _judge_part(part: Any, prepared: _Once[_Prepared]) -> Any:
    """One partition of pair codes over the signature heads -> the verdicts that matter
    (match or possible conflict)."""
    _, _, pd = _modules()
    session, heads = prepared.value.session, prepared.value.names.heads
    size = len(heads)
    # In name order: pairs of one name share its part comparisons, which the similarity
    # cache then serves.
    pairs = [(heads[code // size], heads[code % size])
             for code in sorted(part["code"].tolist())]
    with collector_paused():
        return _verdict_frame(pd, judge(pairs, session))


def _verdict_frame(pd: Any, verdicts: Verdicts) -> Any:
    """Verdicts as a frame of codes, scores and kinds, conflicts first; built from typed
    arrays, as a million verdicts convert in milliseconds that way, not seconds."""
    np = importlib.import_module("numpy")
    codes = array("q", verdicts.conflicts)
    codes.extend(verdicts.match_codes)
    scores = array("d", bytes(8 * len(verdicts.conflicts)))
    scores.extend(verdicts.scores)
    kinds = array("b", bytes(len(verdicts.conflicts)))
    kinds.extend([_WHOLE_MATCH if whole else _MATCH for whole in verdicts.whole])
    return pd.DataFrame({"code": np.array(codes, dtype="int64"),
                         "score": np.array(scores, dtype="float64"),
                         "kind": np.array(kinds, dtype="int8")})


def _found(frame: Any) -> Verdicts:
    """The verdicts of all partitions' frames, in order, as :func:`judge` gives them."""
    kinds = frame["kind"].to_numpy()
    codes = frame["code"].to_numpy()
    conflicts = array("q", codes[kinds == _CONFLICT].tobytes())
    matched = kinds != _CONFLICT
    return Verdicts(array("q", codes[matched].tobytes()),
                    array("d", frame["score"].to_numpy()[matched].astype("float64").tobytes()),
                    bytearray((kinds[matched] == _WHOLE_MATCH).astype("uint8").tobytes()),
                    conflicts)


def _rows(part: Any, table: _Once[Resolved]) -> Any:
    """One input partition -> its name, entity, canonical, score rows, same index."""
    _, _, pd = _modules()
    resolved = table.value
    entity: list[str] = []
    canonical: list[str] = []
    score: list[float] = []
    for value in part.tolist():
        normal = normalize(_text(value))
        e, c, s = resolved[normal] if normal else ("", "", 0.0)
        entity.append(e)
        canonical.append(c)
        score.append(s)
    return pd.DataFrame({"name": part,
                         "entity": pd.Series(entity, index=part.index, dtype=object),
                         "canonical": pd.Series(canonical, index=part.index, dtype=object),
                         "score": pd.Series(score, index=part.index, dtype="float64")},
                        index=part.index)


class _Once(Generic[_T]):
    """A value that pickles once, however many tasks it is shipped to: the local process
    scheduler pickles a task's inputs for each task, and the parsed names of a million
    mentions take seconds to pickle.

    >>> pickle.loads(pickle.dumps(_Once([1, 2]))).value
    [1, 2]
    """

    def __init__(self, value: _T) -> None:
        self.value: Final = value
        self._pickled: bytes | None = None

    def __reduce__(self) -> tuple[Callable[[bytes], _Once[_T]], tuple[bytes]]:
        if self._pickled is None:
            self._pickled = pickle.dumps(self.value, protocol=pickle.HIGHEST_PROTOCOL)
        return (_unpickled, (self._pickled,))


def _unpickled(data: bytes) -> _Once[Any]:
    return _Once(pickle.loads(data))


def resolve(
    frame: Any,
    column: str = "name",
    *,
    aliases: AliasTable | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    max_bucket: int = MAX_BUCKET,
    npartitions: int | None = None,
) -> Any:
    """Resolve the names in ``frame[column]`` (or in ``frame`` itself, a dask Series).

    Returns a dask DataFrame with columns ``name``, ``entity``, ``canonical``, ``score``,
    with the partitions and index of ``frame``: the same rows as
    :func:`namematch.resolve.resolve` on the same names, in the same order. Missing values
    are blank names. The counting and comparing stages are computed here, on the current
    dask scheduler (a distributed ``Client`` if one is active); the returned frame only maps
    the resolved names back onto the input partitions. ``npartitions`` is the number of
    partitions of the candidate-pair stages (default: those of ``frame``).
    """
    with collector_paused():
        return _resolve_frame(frame, column, aliases, threshold, max_bucket, npartitions)


def _resolve_frame(
    frame: Any,
    column: str,
    aliases: AliasTable | None,
    threshold: float,
    max_bucket: int,
    npartitions: int | None,
) -> Any:
    _, dd, pd = _modules()
    series = frame if isinstance(frame, dd.Series) else frame[column]
    # The table of results stays where it was made (on a worker of a distributed cluster);
    # the returned frame's tasks read it there.
    _, resolved = _resolved(series, aliases, threshold, max_bucket,
                            npartitions or series.npartitions)
    meta = pd.DataFrame({"name": series._meta,
                         "entity": pd.Series([], dtype=object),
                         "canonical": pd.Series([], dtype=object),
                         "score": pd.Series([], dtype="float64")})
    return series.map_partitions(_rows, resolved, meta=meta)


def _resolved(
    series: Any,
    aliases: AliasTable | None,
    threshold: float,
    max_bucket: int,
    parts: int,
) -> tuple[Any, Any]:
    """Resolve the names of a dask Series: persisted dask values (kept by the workers on a
    distributed cluster) of the name list with its session (:class:`_Prepared`), and of the
    table of results, for each normalized name its entity, canonical name and score."""
    dask, _, pd = _modules()
    table = aliases if aliases is not None else load_aliases()

    # 1. The (normalized, written) forms counted; 2. the names parsed, weighted and their
    # signature heads found, in a task: the client never holds them.
    form_meta = pd.DataFrame({"normal": pd.Series([], dtype=object),
                              "written": pd.Series([], dtype=object),
                              "count": pd.Series([], dtype="int64")})
    forms = series.map_partitions(_forms, meta=form_meta)
    sizes = forms.groupby(["normal", "written"])["count"].sum()
    (prepared,) = dask.persist(dask.delayed(_prepare)(sizes.to_delayed(), table, threshold))
    (size, heads), = dask.compute(dask.delayed(_sizes)(prepared))

    # 3. and 4. Candidate pairs among the signature heads, compared in partitions; only the
    # verdicts that matter are kept, for one task to find the components from.
    judged = []
    if heads > 1:
        pairs = _pair_frame_of(prepared, heads, max_bucket, parts)
        judged = pairs.map_partitions(_judge_part, prepared,
                                      meta=_verdict_frame(pd, Verdicts.empty())).to_delayed()
    # 5. Cluster: parts of the components in tasks, their tables merged in one.
    count = parts if parts > 1 and size > 1 else 1
    clustering = dask.delayed(_clustering)(prepared, judged, count)
    found = [dask.delayed(_cluster_part)(prepared, clustering, part) for part in range(count)]
    (resolved,) = dask.persist(dask.delayed(_merged)(found))
    return prepared, resolved


@dataclass(frozen=True)
class _Prepared:
    """The name list and the session that compares it, made in a task and kept by the
    workers (one object, so that both share the parsed names when shipped)."""

    names: NameList
    session: Session

    def __reduce__(self) -> tuple[type[_Prepared], tuple[object, ...]]:
        return by_fields(self)


def _prepare(sizes: list[Any], table: AliasTable, threshold: float) -> _Once[_Prepared]:
    """The counted (normalized, written) forms -> the name list and its session, as
    :func:`namematch.resolve.prepare_list` makes them on one machine."""
    written: dict[str, Counter[str]] = defaultdict(Counter)
    with collector_paused():
        for part in sizes:
            for (normal, shown), times in zip(part.index.tolist(), part.tolist(), strict=True):
                written[normal][shown] += times
        return _Once(_Prepared(*prepare_list(written, table, threshold)))


def _sizes(prepared: _Once[_Prepared]) -> tuple[int, int]:
    """How many distinct names, and how many signature heads."""
    names = prepared.value.names
    return len(names.texts), len(names.heads)


def _head_keys(prepared: _Once[_Prepared], part: int, parts: int) -> Any:
    """Part ``part`` of ``parts`` of the signature heads -> its (key, pos, single, mentions)
    rows, ``pos`` the head's rank."""
    names = prepared.value.names
    heads = names.heads
    ranks = range(part * len(heads) // parts, (part + 1) * len(heads) // parts)
    with collector_paused():
        return _key_frame([(k, names.parsed[heads[k]], names.mentions[k]) for k in ranks])


def _pair_frame_of(prepared: Any, heads: int, max_bucket: int, npartitions: int) -> Any:
    """The candidate pairs of the signature heads of ``prepared`` (a dask value of
    :class:`_Prepared`, with ``heads`` heads), as :func:`_pair_frame` gives them."""
    dask, dd, _ = _modules()
    parts = max(1, min(npartitions, heads))
    exploded = dd.from_delayed([dask.delayed(_head_keys)(prepared, part, parts)
                                for part in range(parts)], meta=_key_frame([]),
                               verify_meta=False)
    return _bucketed(exploded, max_bucket, parts, heads)


@dataclass(frozen=True)
class _Clustering:
    """What the clustering tasks need besides the name list: the verdicts, and each
    name's component and part (``None`` when one task clusters all the names)."""

    verdicts: Verdicts
    roots: array[int] | None
    shares: array[int] | None

    def __reduce__(self) -> tuple[type[_Clustering], tuple[object, ...]]:
        return by_fields(self)


def _clustering(prepared: _Once[_Prepared], judged: list[Any],
                parts: int) -> _Once[_Clustering]:
    """The verdict frames of all partitions -> the verdicts and, when the names are
    clustered in ``parts`` > 1 parts, each name's component and part
    (:func:`namematch.cluster.components`, :func:`namematch.cluster.share_out`)."""
    _, _, pd = _modules()
    verdicts = Verdicts.empty()
    with collector_paused():
        if judged:
            verdicts = _found(pd.concat(judged, ignore_index=True))
        got = prepared.value
        if parts == 1:
            return _Once(_Clustering(verdicts, None, None))
        roots = components(got.names, verdicts, got.session.table)
        verdicts.keep_within(roots)  # each part's task is sent only these
        return _Once(_Clustering(verdicts, roots, share_out(roots, parts)))


def _cluster_part(prepared: _Once[_Prepared], clustering: _Once[_Clustering],
                  part: int) -> Resolved:
    """The entities of one part of the components (see
    :func:`namematch.cluster.entities_of_part`), or of all the names."""
    got, found = prepared.value, clustering.value
    with collector_paused():
        if found.roots is None or found.shares is None:
            return entities(got.names, found.verdicts, got.session)
        return entities_of_part(got.names, found.verdicts, got.session, found.roots,
                                found.shares, part)


def _merged(found: list[Resolved]) -> _Once[Resolved]:
    """The parts' tables as one."""
    resolved: Resolved = {}
    for part in found:
        resolved.update(part)
    return _Once(resolved)


class SchedulerError(NamematchError):
    """The dask scheduler given could not be reached."""


_ROWS_PER_PARTITION = 100_000


def resolve_list(
    names: Sequence[str],
    *,
    aliases: AliasTable | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    max_bucket: int = MAX_BUCKET,
    scheduler: str | None = None,
    jobs: int = 1,
    progress: bool = False,
) -> list[Resolution]:
    """:func:`resolve` on a list of names, as the command line's ``--engine dask`` runs it.

    ``scheduler`` is the address of a dask distributed scheduler (``tcp://host:8786``);
    without one, dask's local scheduler runs in this process (``jobs`` 1) or in ``jobs``
    processes, and ``progress`` shows dask's progress bar on stderr for each of its
    computations (a distributed scheduler has its own dashboard). The list is split into
    partitions of at most 100,000 names, and at least one per worker thread. Returns one
    :class:`~namematch.resolve.Resolution` per name, in order; missing values (None, NaN)
    are blank names, as in :func:`namematch.resolve`, and a value that is not a str is an
    :class:`~namematch.errors.InputError`.
    """
    names = checked_names(names)
    dask, dd, pd = _modules()
    if scheduler is None:
        bar: Any = contextlib.nullcontext()
        if progress:
            bar = importlib.import_module("dask.diagnostics").ProgressBar(out=sys.stderr)
        if jobs <= 1:
            with bar, dask.config.set(scheduler="synchronous"):
                return _resolve_list(dd, pd, names, aliases, threshold, max_bucket, jobs)
        # One pool for both computations, rather than one started and stopped by each.
        # chunksize 1: dask's process pool otherwise hands up to 6 ready tasks to one worker
        # as a batch, and with one task per worker the other workers sit idle.
        with (bar, _worker_pool(jobs) as pool,
              dask.config.set(scheduler="processes", pool=pool, chunksize=1)):
            return _resolve_list(dd, pd, names, aliases, threshold, max_bucket, jobs)
    try:
        distributed = importlib.import_module("distributed")
    except ImportError as err:
        raise DaskMissingError(
            "a dask scheduler address needs distributed: install namematch-arabic[dask]") from err
    try:
        client = distributed.Client(scheduler, timeout=30)
    except (OSError, TimeoutError, ValueError) as err:
        raise SchedulerError(f"cannot reach the dask scheduler {scheduler}: {err}") from err
    with client:
        workers = sum(client.nthreads().values()) or 1
        return _resolve_list(dd, pd, names, aliases, threshold, max_bucket, workers)


def _worker_pool(jobs: int) -> ProcessPoolExecutor:
    """``jobs`` worker processes for dask's local scheduler, started as dask starts its own
    (spawned, with dask's worker set-up), which end without tearing their interpreter down."""
    setup = importlib.import_module("dask.multiprocessing").initialize_worker_process
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=setup, initargs=(_end_quickly,))


def _end_quickly() -> None:
    """Worker set-up: at exit, skip freeing the worker's objects one by one (its parsed
    names and similarity memo, millions of them at 1M names, took seconds); the operating
    system frees them at once."""
    atexit.register(os._exit, 0)


def _resolve_list(
    dd: Any,
    pd: Any,
    names: Sequence[str],
    aliases: AliasTable | None,
    threshold: float,
    max_bucket: int,
    workers: int,
) -> list[Resolution]:
    dask, _, _ = _modules()
    rows = list(names)
    if not rows:
        return []
    wanted = max(workers, -(-len(rows) // _ROWS_PER_PARTITION))
    frame = dd.from_pandas(pd.DataFrame({"name": pd.Series(rows, dtype=object)}),
                           npartitions=min(wanted, len(rows)), sort=True)
    # One partition per worker for the pair stages: each comparison task receives the parsed
    # names, so more tasks mean more copies shipped, not more parallelism.
    with collector_paused():
        prepared, resolved = _resolved(frame["name"], aliases, threshold, max_bucket, workers)
        # The rows are here already: map them back here from the table of their lines, as
        # the single-machine path does (a written form's normalized name is known from
        # counting).
        (by_line,) = dask.compute(dask.delayed(_line_table)(prepared, resolved))
        return rows_resolved(rows, by_line)


def _line_table(prepared: _Once[_Prepared], resolved: _Once[Resolved]) -> dict[str, Resolution]:
    """Each written form of the list, resolved."""
    with collector_paused():
        return line_table(prepared.value.names.written, resolved.value)
